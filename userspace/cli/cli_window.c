/* cli_window.c - biofence window open/close/list: consent windows live in the agent and the kernel, so every one is a request to the agent. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "defaults.h"
#include "audit/audit.h"
#include "cli_common.h"

#define NS_PER_SEC 1000000000LL

void cli_window_usage(FILE *out)
{
	fprintf(out,
		"       biofence window open --consent ID --app APP --camera CAM [--for DURATION]\n"
		"                            [--control SOCKET] [--json]\n"
		"       biofence window close ID [--control SOCKET] [--json]\n"
		"       biofence window list [--control SOCKET] [--json]\n");
}

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

/* Whole seconds left, rounded up: a window with 0.2 s left is still open. */
static void remaining(const char *end, int64_t now_ns, char *buf, size_t len)
{
	int64_t end_ns;

	if (bf_parse_rfc3339(end, &end_ns) != 0) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(buf, len, "%lld",
		 end_ns <= now_ns ? 0LL : (long long)((end_ns - now_ns + NS_PER_SEC - 1) / NS_PER_SEC));
}

static void print_windows(struct json_object *reply)
{
	static const char *const head[] = { "ID", "APP", "CAMERA", "CONSENT", "END", "REMAINING" };
	enum { NCOL = sizeof(head) / sizeof(head[0]) };
	struct json_object *arr = json_object_object_get(reply, "windows");
	size_t n = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
	int64_t now = (int64_t)bf_audit_now_ns();
	char **cells = calloc((n + 1) * NCOL, sizeof(*cells));
	char left[32];

	if (!n || !cells) {
		printf(n ? "(out of memory)\n" : "no open windows\n");
		free(cells);
		return;
	}
	for (size_t c = 0; c < NCOL; c++)
		cells[c] = strdup(head[c]);
	for (size_t i = 0; i < n; i++) {
		struct json_object *w = json_object_array_get_idx(arr, i);
		char **row = cells + (i + 1) * NCOL;

		remaining(cli_str(w, "end"), now, left, sizeof(left));
		row[0] = strdup(cli_str(w, "id"));
		row[1] = strdup(cli_str(w, "app"));
		row[2] = strdup(cli_str(w, "camera"));
		row[3] = strdup(cli_str(w, "consent"));
		row[4] = strdup(cli_str(w, "end"));
		row[5] = strdup(left);
	}
	for (size_t k = 0; k < (n + 1) * NCOL; k++)
		if (!cells[k])
			cells[k] = strdup("?");
	cli_print_table(NCOL, n + 1, cells);
	for (size_t k = 0; k < (n + 1) * NCOL; k++)
		free(cells[k]);
	free(cells);
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

static int usage_error(void)
{
	fprintf(stderr, "usage:\n");
	cli_window_usage(stderr);
	return 2;
}

static int help(void)
{
	printf("usage:\n");
	cli_window_usage(stdout);
	return 0;
}

static int window_open(int argc, char **argv)
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
	int r = cli_parse_opts("window open", argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
			       NULL, 0, &n_pos);

	if (r)
		return r > 0 ? help() : usage_error();
	if (!consent || !app || !camera) {
		fprintf(stderr, "biofence window open: --%s is required\n",
			!consent ? "consent" : !app ? "app" : "camera");
		return usage_error();
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

static int window_close(int argc, char **argv)
{
	const char *control = BF_DEFAULT_CONTROL, *pos[1];
	bool json = false;
	const struct cli_opt opts[] = { { "control", &control, NULL }, { "json", NULL, &json } };
	struct json_object *req;
	size_t n_pos;
	int64_t id;
	int r = cli_parse_opts("window close", argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
			       pos, 1, &n_pos);

	if (r)
		return r > 0 ? help() : usage_error();
	if (n_pos != 1) {
		fprintf(stderr, "biofence window close: which window? (its id, from \"biofence window list\")\n");
		return usage_error();
	}
	if (parse_window_id(pos[0], &id)) {
		fprintf(stderr, "biofence window close: \"%s\" is not a window id (a number)\n", pos[0]);
		return usage_error();
	}
	req = cli_request("window-close");
	if (!req)
		return cli_finish(NULL, json, NULL);
	bf_json_add_i64(req, "id", id);
	return call_agent(control, req, json, print_closed);
}

static int window_list(int argc, char **argv)
{
	const char *control = BF_DEFAULT_CONTROL;
	bool json = false;
	const struct cli_opt opts[] = { { "control", &control, NULL }, { "json", NULL, &json } };
	struct json_object *req;
	size_t n_pos;
	int r = cli_parse_opts("window list", argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
			       NULL, 0, &n_pos);

	if (r)
		return r > 0 ? help() : usage_error();
	req = cli_request("window-list");
	if (!req)
		return cli_finish(NULL, json, NULL);
	return call_agent(control, req, json, print_windows);
}

int cli_window(int argc, char **argv)
{
	static const struct cli_verb verbs[] = {
		{ "open", window_open },
		{ "close", window_close },
		{ "list", window_list },
	};

	return cli_dispatch("window", verbs, sizeof(verbs) / sizeof(verbs[0]), argc, argv, help,
			    usage_error);
}
