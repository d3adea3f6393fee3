/* cli_window.c - biofence window open/close/list: consent windows live in the agent and the kernel, so every one is a request to the agent. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "defaults.h"
#include "audit/audit.h"
#include "cli_common.h"
#include "log.h"

const struct cli_usage cli_window_help = {
	.lines = "       biofence window open --consent ID --app APP --camera CAM [--for DURATION]\n"
		 "                            [--control SOCKET] [--json]\n"
		 "       biofence window close ID [--control SOCKET] [--json]\n"
		 "       biofence window list [--control SOCKET] [--json]\n",
};

static void print_opened(struct json_object *reply)
{
	struct json_object *w = json_object_object_get(reply, "window");

	printf("window %s open: app %s may open camera %s until %s\n", cli_str(w, "id"),
	       cli_str(w, "app"), cli_str(w, "camera"), cli_str(w, "end"));
	printf("  consent %s (subject %s, purpose %s, notice %s), rule %s\n", cli_str(w, "consent"),
	       cli_str(w, "subject"), cli_str(w, "purpose"), cli_str(w, "notice"),
	       cli_str(w, "rule"));
}

static void print_closed(struct json_object *reply)
{
	struct json_object *w = json_object_object_get(reply, "window");

	printf("window %s closed at %s (app %s, camera %s, consent %s)\n", cli_str(w, "id"),
	       cli_str(w, "closed"), cli_str(w, "app"), cli_str(w, "camera"),
	       cli_str(w, "consent"));
}

/* Whole seconds left of the row's window at *now_ns, rounded up: a window with 0.2 s left is still open. */
static void remaining(struct json_object *w, const void *now_ns, char *buf, size_t len)
{
	int64_t now = *(const int64_t *)now_ns, end_ns;

	if (bf_parse_rfc3339(cli_str(w, "end"), &end_ns) != 0) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(buf, len, "%lld",
		 end_ns <= now ? 0LL : (long long)((end_ns - now + BF_NS_PER_SEC - 1) / BF_NS_PER_SEC));
}

static void print_windows(struct json_object *reply)
{
	static const struct cli_col cols[] = {
		{ "ID", "id", NULL },		{ "APP", "app", NULL },
		{ "CAMERA", "camera", NULL },	{ "CONSENT", "consent", NULL },
		{ "END", "end", NULL },		{ "REMAINING", NULL, remaining },
	};
	int64_t now = (int64_t)bf_audit_now_ns();

	cli_print_rows(json_object_object_get(reply, "windows"), cols, CLI_N(cols), &now,
		       "no open windows");
}

/* Windows have no life without the agent: no agent is an error here, never a fallback. */
static int call_agent(const char *control, struct json_object *req, bool json,
		      void (*human)(struct json_object *))
{
	struct json_object *reply = NULL;
	int r;

	r = cli_call(control, req, &reply);
	json_object_put(req);
	if (r == -ENOENT || r == -ECONNREFUSED)
		reply = cli_error("no-agent", NULL, "no agent answers on %s (%s)", control,
				  strerror(-r));
	return cli_finish(reply, json, human);
}

/* --control and --json, what close and list take; at most one positional into pos. */
static int parse_control(const char *cmd, int argc, char **argv, const char **control, bool *json,
			 const char **pos, size_t *n_pos)
{
	const struct cli_opt opts[] = { { "control", control, NULL }, { "json", NULL, json } };

	*control = BF_DEFAULT_CONTROL;
	*json = false;
	return cli_parse_opts(cmd, argc, argv, opts, CLI_N(opts), pos, pos ? 1 : 0, n_pos);
}

int cli_window_open(int argc, char **argv)
{
	const char *control = BF_DEFAULT_CONTROL, *consent = NULL, *app = NULL, *camera = NULL;
	const char *dur = NULL;
	bool json = false;
	const struct cli_opt opts[] = {
		{ "consent", &consent, NULL }, { "app", &app, NULL },	 { "camera", &camera, NULL },
		{ "for", &dur, NULL },	       { "control", &control, NULL }, { "json", NULL, &json },
	};
	struct json_object *req;
	size_t n_pos;
	int r = cli_parse_opts("window open", argc, argv, opts, CLI_N(opts), NULL, 0, &n_pos);

	if (r)
		return cli_parse_exit(&cli_window_help, r);
	if (!consent || !app || !camera) {
		log_warnx_in("window open", "--%s is required",
			     !consent ? "consent" : !app ? "app" : "camera");
		return cli_usage_error(&cli_window_help);
	}
	req = cli_request("window-open");
	if (!req)
		return cli_finish(NULL, json, NULL);
	bf_json_add_str(req, "consent", consent);
	bf_json_add_str(req, "app", app);
	bf_json_add_str(req, "camera", camera);
	/* as typed: the agent alone knows the rule's window, so it alone judges the duration */
	if (dur)
		bf_json_add_str(req, "for", dur);
	return call_agent(control, req, json, print_opened);
}

/* A window id is the agent's counter: a decimal number, nothing else. */
static int parse_window_id(const char *s, int64_t *id)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end || errno)
		return -EINVAL;
	*id = v;
	return 0;
}

int cli_window_close(int argc, char **argv)
{
	const char *control, *pos[1];
	bool json;
	struct json_object *req;
	size_t n_pos;
	int64_t id;
	int r = parse_control("window close", argc, argv, &control, &json, pos, &n_pos);

	if (r)
		return cli_parse_exit(&cli_window_help, r);
	if (n_pos != 1) {
		log_warnx_in("window close", "which window? (its id, from \"biofence window list\")");
		return cli_usage_error(&cli_window_help);
	}
	if (parse_window_id(pos[0], &id)) {
		log_warnx_in("window close", "\"%s\" is not a window id (a number)", pos[0]);
		return cli_usage_error(&cli_window_help);
	}
	req = cli_request("window-close");
	if (!req)
		return cli_finish(NULL, json, NULL);
	bf_json_add_i64(req, "id", id);
	return call_agent(control, req, json, print_closed);
}

int cli_window_list(int argc, char **argv)
{
	const char *control;
	bool json;
	struct json_object *req;
	size_t n_pos;
	int r = parse_control("window list", argc, argv, &control, &json, NULL, &n_pos);

	if (r)
		return cli_parse_exit(&cli_window_help, r);
	req = cli_request("window-list");
	if (!req)
		return cli_finish(NULL, json, NULL);
	return call_agent(control, req, json, print_windows);
}
