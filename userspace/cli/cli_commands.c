/* cli_commands.c - biofence's command table: what each command runs, its usage line and its line in --help; the dispatch from argv to it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli_common.h"
#include "log.h"
#include "version.h"

static int cmd_help(int argc, char **argv)
{
	cli_usage(stdout);
	return 0;
}

static int cmd_version(int argc, char **argv)
{
	printf("biofence %s\n", BF_VERSION);
	return 0;
}

static const struct cli_verb window_verbs[] = {
	{ "open", cli_window_open }, { "close", cli_window_close }, { "list", cli_window_list },
};

static const struct cli_verb consent_verbs[] = {
	{ "grant", cli_consent_grant }, { "revoke", cli_consent_revoke },
	{ "list", cli_consent_list }, { "show", cli_consent_show },
};

static const struct cli_verb log_verbs[] = {
	{ "verify", cli_log_verify }, { "keygen", cli_log_keygen },
	{ "show", cli_log_show }, { "stats", cli_log_stats },
};

/* In usage order; the help lists those with a summary, in the same order. */
const struct cli_command cli_commands[] = {
	{ .name = "check", .run = cli_check, .synopsis = "check FILE...",
	  .summary = "validate policy files, print what they allow (exit 0 valid, 1 invalid)" },
	{ .name = "status", .run = cli_status,
	  .synopsis = "status [--control SOCKET] [--pin-dir DIR] [--json]",
	  .summary = "backend per rule kind, policy digest, counters (exit 0 only while enforcing)" },
	{ .name = "reload", .run = cli_reload, .synopsis = "reload [--control SOCKET]",
	  .summary = "make the agent re-read its policy (an invalid one is refused)" },
	{ .name = "stop", .run = cli_stop, .synopsis = "stop [--control SOCKET]",
	  .summary = "stop the agent (root; logged); the pinned programs keep enforcing" },
	{ .name = "detach", .run = cli_detach, .synopsis = "detach [--pin-dir DIR] [--control SOCKET]",
	  .summary = "remove the pinned programs: the only way enforcement stops (through the agent\n"
		     "           when one runs: root, logged)" },
	{ .name = "trust", .run = cli_trust, .synopsis = "trust PATH [--control SOCKET]",
	  .summary = "let the biofenced at PATH (an upgrade) take over the protected pins (root; logged)" },
	{ .name = "cameras", .run = cli_cameras, .synopsis = "cameras",
	  .summary = "each V4L2 node with its identity, as a policy's camera v4l2 key selects it" },
	{ .name = "help", .run = cmd_help, .synopsis = "help | --help | -h     biofence --version | -V" },
	{ .name = "--help", .run = cmd_help },
	{ .name = "-h", .run = cmd_help },
	{ .name = "--version", .run = cmd_version },
	{ .name = "-V", .run = cmd_version },
	{ .name = "window", .verbs = window_verbs, .n_verbs = CLI_N(window_verbs), .help = &cli_window_help,
	  .summary = "let an app use a camera under a consent grant for a while (open), end it (close), list" },
	{ .name = "consent", .verbs = consent_verbs, .n_verbs = CLI_N(consent_verbs),
	  .help = &cli_consent_help,
	  .summary = "record a grant, revoke it, list or show grants; through the agent, or on the\n"
		     "           ledger file (--consent, default " BF_CONSENT_DEFAULT_PATH ") when none runs" },
	{ .name = "log", .verbs = log_verbs, .n_verbs = CLI_N(log_verbs), .help = &cli_log_help,
	  .summary = "verify the audit log's hash chain (files oldest first): exit 0 intact, 1 broken" },
	{ .name = "report", .run = cli_report, .help = &cli_report_help,
	  .summary = "one self-contained HTML page on the audit log for an inspector (docs/report.md)" },
};
const size_t cli_n_commands = CLI_N(cli_commands);

void cli_usage(FILE *out)
{
	const char *lead = "usage: ";

	for (size_t i = 0; i < cli_n_commands; i++) {
		const struct cli_command *c = &cli_commands[i];

		if (c->synopsis) {
			fprintf(out, "%sbiofence %s\n", lead, c->synopsis);
			lead = "       ";
		} else if (c->help) {
			cli_usage_lines(out, c->help);
		}
	}
	fputc('\n', out);
	for (size_t i = 0; i < cli_n_commands; i++)
		if (cli_commands[i].summary)
			fprintf(out, "  %-8s %s\n", cli_commands[i].name, cli_commands[i].summary);
	fputs("window, consent: exit 0 done, 1 refused (\"biofence: CODE: message\" on stderr), 2 usage error\n"
	      "COMMAND --help: that command's usage; see biofence(8), biofence.policy(5), biofence-audit(5)\n",
	      out);
}

const struct cli_command *cli_find_command(const char *name)
{
	for (size_t i = 0; i < cli_n_commands; i++)
		if (strcmp(cli_commands[i].name, name) == 0)
			return &cli_commands[i];
	return NULL;
}

int cli_main(int argc, char **argv)
{
	const struct cli_command *c;

	if (argc < 2) {
		cli_usage(stderr);
		return 2;
	}
	c = cli_find_command(argv[1]);
	if (!c) {
		log_warnx("unknown command \"%s\"", argv[1]);
		cli_usage(stderr);
		return 2;
	}
	return c->run ? c->run(argc - 1, argv + 1) : cli_dispatch(c, argc - 1, argv + 1);
}

int cli_oom(const char *cmd)
{
	log_errno_in(cmd, ENOMEM, "%s", "");
	return 1;
}

void cli_usage_lines(FILE *out, const struct cli_usage *u)
{
	for (; u; u = u->then)
		fputs(u->lines, out);
}

int cli_help(const struct cli_usage *u)
{
	fputs("usage:\n", stdout);
	cli_usage_lines(stdout, u);
	if (u->more)
		fputs(u->more, stdout);
	return 0;
}

int cli_usage_error(const struct cli_usage *u)
{
	fputs("usage:\n", stderr);
	cli_usage_lines(stderr, u);
	return 2;
}

int cli_parse_exit(const struct cli_usage *u, int r)
{
	return r > 0 ? cli_help(u) : cli_usage_error(u);
}

int cli_dispatch(const struct cli_command *f, int argc, char **argv)
{
	char which[256] = "";
	size_t used = 0;

	if (argc < 2) {
		/* "open, close or list": what the family has, from its table */
		for (size_t i = 0; i < f->n_verbs && used < sizeof(which); i++)
			used += (size_t)snprintf(which + used, sizeof(which) - used, "%s%s",
						 i ? (i + 1 == f->n_verbs ? " or " : ", ") : "",
						 f->verbs[i].name);
		log_warnx_in(f->name, "which one? %s", which);
		return cli_usage_error(f->help);
	}
	for (size_t i = 0; i < f->n_verbs; i++)
		if (strcmp(argv[1], f->verbs[i].name) == 0)
			return f->verbs[i].run(argc - 1, argv + 1);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return cli_help(f->help);
	log_warnx_in(f->name, "unknown subcommand \"%s\"", argv[1]);
	return cli_usage_error(f->help);
}
