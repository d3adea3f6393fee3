/* cli_status.c - biofence status, reload, stop and detach: what the agent enforces, a policy reload, stopping the agent, and removing the pinned programs. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bpf/loader.h"
#include "cli_common.h"
#include "ctl.h"
#include "defaults.h"
#include "log.h"

struct cli_opts {
	const char *control;
	const char *pin_dir;
	bool json;
	const char *arg;        /* trust: its one operand */
};

/*
 * --control, --pin-dir, --json (getopt_long: unambiguous prefixes too).
 * 0; 1 for --help, after printing the usage; -EINVAL after saying why.
 */
static int parse_common(const char *cmd, int argc, char **argv, struct cli_opts *o)
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
	opterr = 0;	/* said below, as every other command says it */
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's': o->control = optarg; break;
		case 'P': o->pin_dir = optarg; break;
		case 'j': o->json = true; break;
		case 'h': cli_usage(stdout); return 1;
		case ':': log_warnx_in(cmd, "%s needs a value", argv[optind - 1]); goto bad;
		default:
			if (optopt)
				log_warnx_in(cmd, "unknown option \"-%c\"", optopt);
			else
				log_warnx_in(cmd, "unknown option \"%s\"", argv[optind - 1]);
			goto bad;
		}
	}
	if (optind == argc && strcmp(cmd, "trust") != 0)
		return 0;
	if (optind + 1 == argc && strcmp(cmd, "trust") == 0) {
		o->arg = argv[optind];
		return 0;
	}
	if (optind == argc) {
		log_warnx_in(cmd, "needs the path of a biofenced");
		return -EINVAL;
	}
	log_warnx_in(cmd, "unexpected argument \"%s\"", argv[optind]);
	return -EINVAL;
bad:
	cli_usage(stderr);
	return -EINVAL;
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

/* The policy's network cameras and what guards each. */
static void print_net_cameras(struct json_object *cams)
{
	if (!cams || !json_object_object_length(cams))
		return;
	printf("network cameras:\n");
	json_object_object_foreach(cams, k, v)
		printf("  %s, guarded by %s\n", jstr(v, "described", NULL), jstr(v, "guarded_by", NULL));
	(void)k;
}

/* Where the agent stands: its mode, policy, scope, log and consent state. */
static void print_state(struct json_object *s)
{
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
}

/* What the agent gave up: a security team's first question about the enforcer itself. */
static void print_confinement(struct json_object *c)
{
	struct json_object *w = json_object_object_get(c, "writable");

	if (!c)
		return;
	if (!json_object_get_boolean(json_object_object_get(c, "active"))) {
		printf("confined: NO (%s): the agent runs with every privilege of root\n",
		       jstr(c, "why_not", NULL));
		return;
	}
	printf("confined: capabilities %s, no_new_privs\n          seccomp: %s\n          writable only:",
	       jstr(c, "capabilities", NULL), jstr(c, "seccomp", NULL));
	for (size_t i = 0; i < json_object_array_length(w); i++)
		printf(" %s", json_object_get_string(json_object_array_get_idx(w, i)));
	printf("\n");
}

/* Who reads the agent's outside input: "helpers: parser pid 812 (confined, 3 requests, 0 failed), ..." */
static void print_helpers(struct json_object *h)
{
	const char *sep = "helpers: ";

	if (!h || !json_object_object_length(h))
		return;
	json_object_object_foreach(h, role, v) {
		bool running = json_object_get_boolean(json_object_object_get(v, "running"));
		bool confined = json_object_get_boolean(json_object_object_get(v, "confined"));

		printf("%s%s pid %s (%s%s%s, %s requests, %s failed)", sep, role, jstr(v, "pid", NULL),
		       running ? "" : "GONE, ", confined ? "confined" : "NOT CONFINED: ",
		       confined ? "" : jstr(v, "why_not", NULL), jstr(v, "requests", NULL), jstr(v, "failures", NULL));
		sep = ",\n         ";
	}
	printf("\n");
	json_object_object_foreach(h, r2, v2)
		if (json_object_object_get_ex(v2, "last_failure", NULL) &&
		    json_object_get_type(json_object_object_get(v2, "last_failure")) == json_type_string)
			printf("         %s's last failure: %s\n", r2, jstr(v2, "last_failure", NULL));
}

static void print_status(struct json_object *s)
{
	print_state(s);
	print_confinement(json_object_object_get(s, "confinement"));
	print_helpers(json_object_object_get(s, "helpers"));
	printf("backends:\n");
	json_object_object_foreach(json_object_object_get(s, "backends"), k, v)
		printf("  %-8s %s\n", k, json_object_get_string(v));
	printf("counters:");
	json_object_object_foreach(json_object_object_get(s, "counters"), ck, cv)
		printf(" %s=%s", ck, json_object_get_string(cv));
	printf("\n");
	if (strcmp(jstr(s, "log_state", NULL), "ok") != 0)
		printf("AUDIT LOG %s\n", jstr(s, "log_state", NULL));
	print_quotas(json_object_object_get(s, "quotas"));
	print_net_cameras(json_object_object_get(s, "network_cameras"));
	print_list("NOT ENFORCED by this backend:", json_object_object_get(s, "not_enforced"));
	print_list("cannot match right now:", json_object_object_get(s, "unresolved"));
}

/* {"cmd":CMD} to the agent: 0 with *reply, or -errno (-ENOMEM, or bf_ctl_call's). */
static int ask_agent(const char *control, const char *cmd, struct json_object **reply)
{
	struct json_object *req = cli_request(cmd);
	int err = req ? bf_ctl_call(control, req, reply, BF_CTL_TIMEOUT_MS) : -ENOMEM;

	json_object_put(req);
	return err;
}

int cli_status(int argc, char **argv)
{
	struct json_object *reply = NULL, *s;
	struct cli_opts o;
	int err, rc;

	err = parse_common("status", argc, argv, &o);
	if (err)
		return err > 0 ? 0 : 2;
	err = ask_agent(o.control, "status", &reply);
	if (err) {
		/* on stdout: "not enforcing" is what status reports, not a failure of the command */
		printf("biofence: agent not reachable on %s (%s)\n", o.control, strerror(-err));
		printf(bf_pinned_links_present(o.pin_dir) ?
			       "programs pinned in %s still enforce the last policy, but nothing is logged\n" :
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

int cli_reload(int argc, char **argv)
{
	struct json_object *reply = NULL, *e;
	struct cli_opts o;
	int err, rc = 0;

	err = parse_common("reload", argc, argv, &o);
	if (err)
		return err > 0 ? 0 : 2;
	err = ask_agent(o.control, "reload", &reply);
	if (err) {
		log_errno(err, "agent not reachable on %s", o.control);
		return 1;
	}
	if (json_object_get_boolean(json_object_object_get(reply, "ok"))) {
		printf("reloaded: %s (sha256 %s)\n", jstr(reply, "policy", NULL), jstr(reply, "sha256", NULL));
	} else {
		e = json_object_object_get(reply, "error");
		log_warnx("reload refused: %s", jstr(e, "message", NULL));
		print_list("diagnostics:", json_object_object_get(e, "diagnostics"));
		rc = 1;
	}
	json_object_put(reply);
	return rc;
}

int cli_stop(int argc, char **argv)
{
	struct json_object *reply = NULL;
	struct cli_opts o;
	int err, rc = 0;

	err = parse_common("stop", argc, argv, &o);
	if (err)
		return err > 0 ? 0 : 2;
	err = ask_agent(o.control, "stop", &reply);
	if (err) {
		log_errno(err, "agent not reachable on %s", o.control);
		return 1;
	}
	if (json_object_get_boolean(json_object_object_get(reply, "ok"))) {
		printf("the agent is stopping; the pinned programs keep enforcing ('biofence detach' removes them)\n");
	} else {
		log_warnx("stop refused: %s", jstr(json_object_object_get(reply, "error"), "message", NULL));
		rc = 1;
	}
	json_object_put(reply);
	return rc;
}

int cli_trust(int argc, char **argv)
{
	struct json_object *req, *reply = NULL;
	char real[PATH_MAX];
	struct cli_opts o;
	int err, rc = 0;

	err = parse_common("trust", argc, argv, &o);
	if (err)
		return err > 0 ? 0 : 2;
	if (!realpath(o.arg, real)) {
		log_errno(-errno, "trust %s", o.arg);
		return 1;
	}
	req = cli_request("trust");
	if (!req)
		return 1;
	json_object_object_add(req, "path", json_object_new_string(real));
	err = bf_ctl_call(o.control, req, &reply, BF_CTL_TIMEOUT_MS);
	json_object_put(req);
	if (err) {
		log_errno(err, "agent not reachable on %s", o.control);
		return 1;
	}
	if (json_object_get_boolean(json_object_object_get(reply, "ok"))) {
		printf("%s may take over the pinned programs (logged)\n", real);
	} else {
		log_warnx("trust refused: %s", jstr(json_object_object_get(reply, "error"), "message", NULL));
		rc = 1;
	}
	json_object_put(reply);
	return rc;
}

/*
 * The agent holds its programs until it exits, after its reply: wait for
 * the kernel to unhook them (bf_detached_wait). 0, or 1 when some still
 * run (said).
 */
static int wait_agent_programs(struct json_object *ids)
{
	struct bf_detached d = {};
	int left = 0;

	for (size_t i = 0; i < json_object_array_length(ids) && d.n_progs < BF_N_LINKS; i++)
		d.prog_ids[d.n_progs++] = (__u32)json_object_get_int64(json_object_array_get_idx(ids, i));
	if (bf_detached_wait(&d, BF_DETACH_WAIT_MS, &left) == 0)
		return 0;
	log_warnx("the agent removed its pins, but %d of its program%s still ran %d s later: biofence may "
		  "still be ENFORCING", left, d.n_progs == 1 ? "" : "s", BF_DETACH_WAIT_MS / 1000);
	return 1;
}

/*
 * Through the running agent, which may remove its pins whatever protects
 * them, and logs who asked: 0 done, 1 refused (said), -errno when no agent
 * for this pin dir answers.
 */
static int detach_by_agent(const struct cli_opts *o)
{
	struct json_object *req = cli_request("detach"), *reply = NULL, *e;
	int err;

	if (!req)
		return -ENOMEM;
	json_object_object_add(req, "pin_dir", json_object_new_string(o->pin_dir));
	err = bf_ctl_call(o->control, req, &reply, BF_CTL_TIMEOUT_MS);
	json_object_put(req);
	if (err)
		return err;
	e = json_object_object_get(reply, "error");
	if (json_object_get_boolean(json_object_object_get(reply, "ok"))) {
		err = wait_agent_programs(json_object_object_get(reply, "programs"));
		/* Emptied by the agent, which may not remove it (bf_detach_pinned). */
		if (rmdir(o->pin_dir) < 0 && errno != ENOENT)
			log_warn("removing the empty %s", o->pin_dir);
		if (err) {
			json_object_put(reply);
			return 1;
		}
		printf("the agent detached %s program%s from %s and stopped: biofence enforcement has stopped "
		       "(logged)\n", jstr(reply, "links", NULL),
		       strcmp(jstr(reply, "links", NULL), "1") == 0 ? "" : "s", o->pin_dir);
		err = 0;
	} else if (strcmp(jstr(e, "code", NULL), "wrong-pin-dir") == 0) {
		err = -ENOENT;
	} else {
		log_warnx("detach refused by the agent: %s", jstr(e, "message", NULL));
		err = 1;
	}
	json_object_put(reply);
	return err;
}

int cli_detach(int argc, char **argv)
{
	struct cli_opts o;
	struct bf_detached d;
	int n, left = 0, err;

	err = parse_common("detach", argc, argv, &o);
	if (err)
		return err > 0 ? 0 : 2;
	err = detach_by_agent(&o);
	if (err >= 0)
		return err;
	err = bf_detach_pinned(o.pin_dir, &d);
	n = d.n_links;
	if (!err && bf_detached_wait(&d, BF_DETACH_WAIT_MS, &left) < 0) {
		log_warnx("detach %s: the pins are gone, but %d program%s still ran %d s later: biofence may "
			  "still be ENFORCING", o.pin_dir, left, left == 1 ? "" : "s", BF_DETACH_WAIT_MS / 1000);
		return 1;
	}
	if (err == -EPERM) {
		log_warnx("detach %s: refused by biofence's self-protection; no agent answers on %s: "
			  "'biofenced --detach --pin-dir %s' removes the pins, logged", o.pin_dir, o.control,
			  o.pin_dir);
		return 1;
	}
	if (err) {
		log_errno(err, "detach %s", o.pin_dir);
		return 1;
	}
	printf("detached %d program%s from %s: biofence enforcement has stopped\n", n, n == 1 ? "" : "s",
	       o.pin_dir);
	return 0;
}
