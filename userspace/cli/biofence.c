/* biofence.c - the command line: check policies, ask the agent for status or a reload, detach, manage consent windows and grants. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "ctl.h"
#include "defaults.h"
#include "dns.h"
#include "bpf/loader.h"
#include "log.h"
#include "audit/logverify.h"
#include "policy/policy.h"
#include "audit/report.h"
#include "resolve.h"
#include "v4l2id.h"
#include "version.h"

#define BF_CTL_TIMEOUT_MS 5000

static void usage(FILE *out)
{
	fprintf(out,
		"usage: biofence check FILE...\n"
		"       biofence status [--control SOCKET] [--pin-dir DIR] [--json]\n"
		"       biofence reload [--control SOCKET]\n"
		"       biofence detach [--pin-dir DIR]\n"
		"       biofence cameras\n"
		"       biofence help | --help | -h     biofence --version | -V\n");
	cli_window_usage(out);
	cli_consent_usage(out);
	cli_log_usage(out);
	cli_report_usage(out);
	fprintf(out,
		"\n"
		"  check    validate policy files, print what they allow (exit 0 valid, 1 invalid)\n"
		"  status   backend per rule kind, policy digest, counters (exit 0 only while enforcing)\n"
		"  reload   make the agent re-read its policy (an invalid one is refused)\n"
		"  detach   remove the pinned programs: the only way enforcement stops\n"
		"  cameras  each V4L2 node with its identity, as a policy's camera v4l2 key selects it\n"
		"  window   let an app use a camera under a consent grant for a while (open), end it (close), list\n"
		"  consent  record a grant, revoke it, list or show grants; through the agent, or on the\n"
		"           ledger file (--consent, default " BF_CONSENT_DEFAULT_PATH ") when none runs\n"
		"  log      verify the audit log's hash chain (files oldest first): exit 0 intact, 1 broken\n"
		"  report   one self-contained HTML page on the audit log for an inspector (docs/report.md)\n"
		"window, consent: exit 0 done, 1 refused (\"biofence: CODE: message\" on stderr), 2 usage error\n"
		"COMMAND --help: that command's usage; see biofence(8), biofence.policy(5), biofence-audit(5)\n");
}

struct cli_opts {
	const char *control;
	const char *pin_dir;
	bool json;
};

static int parse_common(int argc, char **argv, struct cli_opts *o)
{
	static const struct option longopts[] = {
		{ "control", required_argument, NULL, 's' },
		{ "pin-dir", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int ch;

	*o = (struct cli_opts){ .control = BF_DEFAULT_CONTROL, .pin_dir = BF_DEFAULT_PIN_DIR };
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's': o->control = optarg; break;
		case 'P': o->pin_dir = optarg; break;
		case 'j': o->json = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -EINVAL;
		}
	}
	return optind == argc ? 0 : -EINVAL;
}

/* Resolution gaps are not errors, but a policy author wants to know about them. */
static void check_notes(const struct bf_policy *p)
{
	char root[PATH_MAX];
	struct bf_resolved r = {};

	if (bf_cgroup2_mount(root, sizeof(root)) != 0 || bf_resolve(p, root, &r) != 0)
		return;
	for (size_t i = 0; i < p->n_apps; i++)
		if (r.apps[i].why[0])
			printf("  note: app %s cannot match on this host now: %s\n", p->apps[i].name,
			       r.apps[i].why);
	for (size_t i = 0; i < p->n_cameras; i++)
		if (r.cameras[i].why[0])
			printf("  note: camera %s: %s\n", p->cameras[i].name, r.cameras[i].why);
	for (size_t i = 0; i < p->n_dests; i++)
		for (size_t h = 0; h < p->dests[i].n_hosts; h++) {
			struct bf_dns_answer a;

			if (bf_dns_lookup(p->dests[i].hosts[h], &a))
				printf("  note: dest %s: host %s does not resolve on this host now: %s\n",
				       p->dests[i].name, p->dests[i].hosts[h], a.why);
		}
	bf_resolved_free(&r);
}

static int cmd_check(int argc, char **argv)
{
	int bad = 0;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);	/* a policy named so is still read as ./--help */
		return 0;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct bf_diags diags = {};
		struct bf_policy *p = NULL;
		int err = bf_policy_parse(argv[i], 0, &p, &diags);

		for (size_t k = 0; k < diags.n; k++)
			fprintf(stderr, "%s\n", diags.msgs[k]);
		if (err) {
			fprintf(stderr, "%s: invalid (%zu error%s)\n", argv[i], diags.n_errors,
				diags.n_errors == 1 ? "" : "s");
			bad = 1;
		} else {
			bf_policy_describe(p, stdout);
			check_notes(p);
			bf_policy_free(p);
		}
		bf_diags_free(&diags);
	}
	return bad;
}

static void print_list(const char *title, struct json_object *arr)
{
	size_t n = arr ? json_object_array_length(arr) : 0;

	if (!n)
		return;
	printf("%s\n", title);
	for (size_t i = 0; i < n; i++)
		printf("  - %s\n", json_object_get_string(json_object_array_get_idx(arr, i)));
}

static const char *jstr(struct json_object *o, const char *path1, const char *path2)
{
	struct json_object *v = json_object_object_get(o, path1);

	if (path2)
		v = json_object_object_get(v, path2);
	return v ? json_object_get_string(v) : "?";
}

static void print_quotas(struct json_object *arr)
{
	size_t n = arr ? json_object_array_length(arr) : 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *q = json_object_array_get_idx(arr, i);

		printf("quota %s: %s of %s bytes sent this period (%s s), %s packets dropped\n",
		       jstr(q, "name", NULL), jstr(q, "sent_this_period", NULL),
		       jstr(q, "bytes_per_period", NULL), jstr(q, "period_s", NULL), jstr(q, "dropped", NULL));
	}
}

static void print_status(struct json_object *s)
{
	struct json_object *c = json_object_object_get(s, "counters");

	printf("biofence: %s (%s mode), agent pid %s, since %s\n",
	       json_object_get_boolean(json_object_object_get(s, "enforcing")) ? "ENFORCING" :
										  "NOT ENFORCING",
	       jstr(s, "mode", NULL), jstr(s, "pid", NULL), jstr(s, "started", NULL));
	if (!json_object_get_boolean(json_object_object_get(s, "attached")))
		printf("the programs were DETACHED from %s: nothing is enforced; restart the agent\n",
		       jstr(s, "pin_dir", NULL));
	printf("policy:   %s\n          sha256 %s\n", jstr(s, "policy", "source"),
	       jstr(s, "policy", "sha256"));
	printf("scope:    %s\npins:     %s\nlog:      %s\n", jstr(s, "cgroup", NULL),
	       jstr(s, "pin_dir", NULL), jstr(s, "log", NULL));
	printf("consent:  ledger %s (%s, %s grants), %s capture windows open\n",
	       jstr(s, "consent", "ledger"), jstr(s, "consent", "ledger_state"),
	       jstr(s, "consent", "grants"), jstr(s, "consent", "windows_open"));
	if (json_object_object_get_ex(json_object_object_get(s, "consent"), "ledger_error", NULL))
		printf("          NO CAPTURE WINDOW CAN OPEN: %s\n", jstr(s, "consent", "ledger_error"));
	printf("backends:\n");
	json_object_object_foreach(json_object_object_get(s, "backends"), k, v)
		printf("  %-8s %s\n", k, json_object_get_string(v));
	printf("counters:");
	json_object_object_foreach(c, ck, cv)
		printf(" %s=%s", ck, json_object_get_string(cv));
	printf("\n");
	if (strcmp(jstr(s, "log_state", NULL), "ok") != 0)
		printf("AUDIT LOG %s\n", jstr(s, "log_state", NULL));
	print_quotas(json_object_object_get(s, "quotas"));
	print_list("NOT ENFORCED by this backend:", json_object_object_get(s, "not_enforced"));
	print_list("cannot match right now:", json_object_object_get(s, "unresolved"));
}

static int cmd_status(int argc, char **argv)
{
	struct json_object *req, *reply = NULL, *s;
	struct cli_opts o;
	int err, rc;

	if (parse_common(argc, argv, &o))
		return 2;
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("status"));
	err = bf_ctl_call(o.control, req, &reply, BF_CTL_TIMEOUT_MS);
	json_object_put(req);
	if (err) {
		bool pinned = bf_pinned_links_present(o.pin_dir);

		printf("biofence: agent not reachable on %s (%s)\n", o.control, strerror(-err));
		printf(pinned ? "programs pinned in %s still enforce the last policy, but nothing is logged\n" :
				"nothing is pinned in %s: NOT ENFORCING\n", o.pin_dir);
		return 1;
	}
	s = json_object_object_get(reply, "status");
	if (o.json)
		printf("%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PRETTY |
									  JSON_C_TO_STRING_NOSLASHESCAPE));
	else if (s)
		print_status(s);
	rc = s && json_object_get_boolean(json_object_object_get(s, "enforcing")) ? 0 : 1;
	json_object_put(reply);
	return rc;
}

static int cmd_reload(int argc, char **argv)
{
	struct json_object *req, *reply = NULL, *e;
	struct cli_opts o;
	int err, rc = 0;

	if (parse_common(argc, argv, &o))
		return 2;
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("reload"));
	err = bf_ctl_call(o.control, req, &reply, BF_CTL_TIMEOUT_MS);
	json_object_put(req);
	if (err) {
		fprintf(stderr, "biofence: agent not reachable on %s: %s\n", o.control, strerror(-err));
		return 1;
	}
	if (json_object_get_boolean(json_object_object_get(reply, "ok"))) {
		printf("reloaded: %s (sha256 %s)\n", jstr(reply, "policy", NULL), jstr(reply, "sha256", NULL));
	} else {
		e = json_object_object_get(reply, "error");
		fprintf(stderr, "reload refused: %s\n", jstr(e, "message", NULL));
		print_list("diagnostics:", json_object_object_get(e, "diagnostics"));
		rc = 1;
	}
	json_object_put(reply);
	return rc;
}

static int cmd_detach(int argc, char **argv)
{
	struct cli_opts o;
	int n = 0, err;

	if (parse_common(argc, argv, &o))
		return 2;
	err = bf_detach_pinned(o.pin_dir, &n);
	if (err) {
		log_errno(err, "detach %s", o.pin_dir);
		return 1;
	}
	printf("detached %d program%s from %s: biofence enforcement has stopped\n", n, n == 1 ? "" : "s",
	       o.pin_dir);
	return 0;
}

/* A v4l2 value quoted as the policy lexer reads it back: only \" and \\ are escaped. */
static void print_quoted(const char *key, const char *v)
{
	if (!v[0])
		return;
	printf(" %s \"", key);
	for (; *v; v++)
		printf("%s%c", *v == '"' || *v == '\\' ? "\\" : "", *v);
	putchar('"');
}

/* What "camera NAME v4l2 ..." can select on this host, read from sysfs as the agent reads it. */
static int cmd_cameras(int argc, char **argv)
{
	struct bf_v4l2_node *nodes;
	size_t n;
	int err;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc != 1) {
		usage(stderr);
		return 2;
	}
	err = bf_v4l2_nodes(BF_SYSFS_ROOT, &nodes, &n);
	if (err) {
		log_errno(err, "reading %s/class/video4linux", BF_SYSFS_ROOT);
		return 1;
	}
	if (!n)
		fprintf(stderr, "biofence: no V4L2 device on this host\n");
	for (size_t i = 0; i < n; i++) {
		printf("/dev/%s %u:%u v4l2", nodes[i].name, nodes[i].major, nodes[i].minor);
		print_quoted("driver", nodes[i].driver);
		print_quoted("card", nodes[i].card);
		print_quoted("bus", nodes[i].bus);
		putchar('\n');
	}
	free(nodes);
	return 0;
}

int main(int argc, char **argv)
{
	log_init("biofence", 0);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "status") == 0)
		return cmd_status(argc - 1, argv + 1);
	if (strcmp(argv[1], "reload") == 0)
		return cmd_reload(argc - 1, argv + 1);
	if (strcmp(argv[1], "detach") == 0)
		return cmd_detach(argc - 1, argv + 1);
	if (strcmp(argv[1], "cameras") == 0)
		return cmd_cameras(argc - 1, argv + 1);
	if (strcmp(argv[1], "window") == 0)
		return cli_window(argc - 1, argv + 1);
	if (strcmp(argv[1], "consent") == 0)
		return cli_consent(argc - 1, argv + 1);
	if (strcmp(argv[1], "log") == 0)
		return cli_log(argc - 1, argv + 1);
	if (strcmp(argv[1], "report") == 0)
		return cli_report(argc - 1, argv + 1);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("biofence %s\n", BF_VERSION);
		return 0;
	}
	fprintf(stderr, "biofence: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
