/* cli_consent.c - biofence consent grant/revoke/list/show: through the agent when one answers, else on the ledger file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "defaults.h"
#include "audit/audit.h"
#include "cli_common.h"
#include "log.h"

/* The options every consent subcommand takes, last in its table. */
#define COMMOCLI_N(c) \
	{ "control", &(c)->control, NULL }, { "consent", &(c)->ledger, NULL }, \
	{ "json", NULL, &(c)->json }

struct consent_ctx {
	const char *control;
	const char *ledger;
	bool json;
	int64_t now_ns;		/* one "now" per command: "+180d" and the states agree */
};

const struct cli_usage cli_consent_help = {
	.lines = "       biofence consent grant --subject S --purpose P --cameras CAM[,CAM...]\n"
		 "                              --expires TIME --notice V [--granted TIME]\n"
		 "                              [--guardian ID] [--id ID] [--control SOCKET]\n"
		 "                              [--consent FILE] [--json]\n"
		 "       biofence consent revoke ID [--time TIME] [--control SOCKET] [--consent FILE] [--json]\n"
		 "       biofence consent list [--control SOCKET] [--consent FILE] [--json]\n"
		 "       biofence consent show ID [--control SOCKET] [--consent FILE] [--json]\n"
		 "         TIME: RFC 3339 (2027-05-22T00:00:00Z) or +N with unit d, h, m or s from now (+180d)\n",
};

static void ctx_init(struct consent_ctx *c)
{
	*c = (struct consent_ctx){ .control = BF_DEFAULT_CONTROL,
				   .ledger = BF_CONSENT_DEFAULT_PATH,
				   .now_ns = (int64_t)bf_audit_now_ns() };
}

static int parse_time_opt(const char *cmd, const char *opt, const char *s, int64_t now_ns,
			  int64_t *ns)
{
	int r = cli_parse_time(s, now_ns, ns);

	if (r == -ERANGE)
		log_warnx_in(cmd, "--%s \"%s\" is outside 1970-01-01 .. 2262-04-11", opt, s);
	else if (r)
		log_warnx_in(cmd, "--%s \"%s\" is neither an RFC 3339 date-time "
			     "(2027-05-22T00:00:00Z) nor +N[dhms] (+180d)", opt, s);
	return r;
}

/*
 * True when nobody answers on the control socket: then the ledger file is
 * the only state there is, and the operator must know windows are untouched.
 */
static bool offline(const struct consent_ctx *c, int r)
{
	if (r != -ENOENT && r != -ECONNREFUSED)
		return false;
	log_warnx("no agent on %s; working on the ledger %s directly (running windows are not affected)",
		  c->control, c->ledger);
	return true;
}

/* Splits list into a->cameras, pointing into *buf (the caller's to free). */
static int split_cameras(const char *list, struct cli_grant_args *a, char **buf)
{
	size_t n = 1;
	char *p;

	for (const char *q = list; *q; q++)
		n += *q == ',';
	*buf = strdup(list);
	a->cameras = calloc(n, sizeof(*a->cameras));
	if (!*buf || !a->cameras)
		return -ENOMEM;
	a->n_cameras = 0;
	for (p = *buf; p; ) {
		char *comma = strchr(p, ',');

		if (comma)
			*comma = '\0';
		/* "a,,b" or a stray comma is a typo, not a camera named "" */
		if (!*p) {
			log_warnx_in("consent grant", "--cameras \"%s\" has an empty camera name", list);
			return -EINVAL;
		}
		a->cameras[a->n_cameras++] = p;
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

static const char *missing_grant_opt(const struct cli_grant_args *a, const char *cameras,
				     const char *expires)
{
	return !a->subject ? "subject" : !a->purpose ? "purpose" : !cameras ? "cameras" :
	       !expires ? "expires" : !a->notice ? "notice" : NULL;
}

static int parse_grant(int argc, char **argv, struct consent_ctx *c, struct cli_grant_args *a,
		       char **buf)
{
	const char *cameras = NULL, *expires = NULL, *granted = NULL, *missing;
	const struct cli_opt opts[] = {
		{ "subject", &a->subject, NULL }, { "purpose", &a->purpose, NULL },
		{ "cameras", &cameras, NULL },	  { "expires", &expires, NULL },
		{ "granted", &granted, NULL },	  { "notice", &a->notice, NULL },
		{ "guardian", &a->guardian, NULL }, { "id", &a->id, NULL },
		COMMOCLI_N(c),
	};
	size_t n_pos;
	int r = cli_parse_opts("consent grant", argc, argv, opts, CLI_N(opts), NULL, 0, &n_pos);

	if (r)
		return cli_parse_exit(&cli_consent_help, r);
	missing = missing_grant_opt(a, cameras, expires);
	if (missing) {
		/* the ledger cannot record a consent without the notice the person was shown */
		log_warnx_in("consent grant", "--%s is required%s", missing,
			     strcmp(missing, "notice") ? "" : " (the version of the notice the person saw)");
		return cli_usage_error(&cli_consent_help);
	}
	if (parse_time_opt("consent grant", "expires", expires, c->now_ns, &a->expires_ns) ||
	    (granted && parse_time_opt("consent grant", "granted", granted, c->now_ns, &a->granted_ns)))
		return cli_usage_error(&cli_consent_help);
	a->has_granted = granted != NULL;
	r = split_cameras(cameras, a, buf);
	if (r == -ENOMEM)
		log_warnx("internal: out of memory");
	return r == 0 ? CLI_GO_ON : r == -ENOMEM ? 1 : cli_usage_error(&cli_consent_help);
}

/* The agent's request: absolute UTC times, so the agent never guesses what "+180d" meant. */
static struct json_object *grant_request(const struct cli_grant_args *a)
{
	struct json_object *req = cli_request("consent-grant");
	struct json_object *g = json_object_new_object(), *cams = json_object_new_array();

	if (!req || !g || !cams) {
		json_object_put(req);
		json_object_put(g);
		json_object_put(cams);
		return NULL;
	}
	if (a->id)
		bf_json_add_str(g, "id", a->id);
	bf_json_add_str(g, "subject", a->subject);
	bf_json_add_str(g, "purpose", a->purpose);
	for (size_t i = 0; i < a->n_cameras; i++)
		json_object_array_add(cams, bf_json_str(a->cameras[i]));
	json_object_object_add(g, "cameras", cams);
	if (a->has_granted)
		cli_add_time(g, "granted", a->granted_ns);
	cli_add_time(g, "expires", a->expires_ns);
	bf_json_add_str(g, "notice", a->notice);
	if (a->guardian)
		bf_json_add_str(g, "guardian", a->guardian);
	json_object_object_add(req, "grant", g);
	return req;
}

static void print_grant_fields(struct json_object *g)
{
	struct json_object *wins = json_object_object_get(g, "windows");
	char buf[4096];

	cli_join(json_object_object_get(g, "cameras"), ", ", buf, sizeof(buf));
	printf("  id        %s\n  subject   %s\n  purpose   %s\n  cameras   %s\n", cli_str(g, "id"),
	       cli_str(g, "subject"), cli_str(g, "purpose"), buf);
	printf("  granted   %s\n  expires   %s\n  notice    %s\n", cli_str(g, "granted"),
	       cli_str(g, "expires"), cli_str(g, "notice"));
	if (json_object_object_get(g, "guardian"))
		printf("  guardian  %s\n", cli_str(g, "guardian"));
	printf("  state     %s\n", cli_str(g, "state"));
	if (json_object_object_get(g, "revoked"))
		printf("  revoked   %s\n", cli_str(g, "revoked"));
	if (wins) {
		cli_join(wins, ", ", buf, sizeof(buf));
		printf("  windows   %s\n", buf[0] ? buf : "none");
	}
	if (json_object_object_get(g, "note"))
		printf("  note      %s\n", cli_str(g, "note"));
}

static void print_granted(struct json_object *reply)
{
	struct json_object *g = json_object_object_get(reply, "grant");

	printf("granted %s\n", cli_str(g, "id"));
	print_grant_fields(g);
}

static void print_shown(struct json_object *reply)
{
	struct json_object *g = json_object_object_get(reply, "grant");

	printf("grant %s\n", cli_str(g, "id"));
	print_grant_fields(g);
}

int cli_consent_grant(int argc, char **argv)
{
	struct cli_grant_args a = { 0 };
	struct json_object *req, *reply = NULL;
	struct consent_ctx c;
	char *buf = NULL;
	int r;

	ctx_init(&c);
	r = parse_grant(argc, argv, &c, &a, &buf);
	if (r == CLI_GO_ON) {
		req = grant_request(&a);
		r = req ? cli_call(c.control, req, &reply) : -ENOMEM;
		json_object_put(req);
		if (offline(&c, r)) {
			json_object_put(reply);
			reply = cli_ledger_grant(c.ledger, &a, c.now_ns);
		}
		r = cli_finish(reply, c.json, print_granted);
	}
	free(a.cameras);
	free(buf);
	return r;
}

static void print_revoked(struct json_object *reply)
{
	struct json_object *wins = json_object_object_get(reply, "closed_windows");
	char buf[4096];

	cli_join(wins, ", ", buf, sizeof(buf));
	if (!wins)
		printf("revoked %s\n", cli_str(reply, "revoked"));
	else if (buf[0])
		printf("revoked %s; closed windows %s\n", cli_str(reply, "revoked"), buf);
	else
		printf("revoked %s; it had no open windows\n", cli_str(reply, "revoked"));
}

/* revoke and show: one grant id, plus the common options (and --time for revoke). */
static int parse_one_id(const char *cmd, int argc, char **argv, struct consent_ctx *c,
			const char **id, const char **time)
{
	const struct cli_opt opts[] = { COMMOCLI_N(c), { "time", time, NULL } };
	size_t n_pos;
	int r = cli_parse_opts(cmd, argc, argv, opts, CLI_N(opts) - !time, id, 1, &n_pos);

	if (r)
		return cli_parse_exit(&cli_consent_help, r);
	if (n_pos != 1) {
		log_warnx_in(cmd, "which grant? (its id, from \"biofence consent list\")");
		return cli_usage_error(&cli_consent_help);
	}
	return CLI_GO_ON;
}

int cli_consent_revoke(int argc, char **argv)
{
	const char *id = NULL, *time = NULL;
	struct json_object *req, *reply = NULL;
	struct consent_ctx c;
	int64_t time_ns;
	int r;

	ctx_init(&c);
	r = parse_one_id("consent revoke", argc, argv, &c, &id, &time);
	if (r != CLI_GO_ON)
		return r;
	time_ns = c.now_ns;
	if (time && parse_time_opt("consent revoke", "time", time, c.now_ns, &time_ns))
		return cli_usage_error(&cli_consent_help);
	req = cli_request("consent-revoke");
	if (req) {
		bf_json_add_str(req, "id", id);
		if (time)
			cli_add_time(req, "time", time_ns);
	}
	r = req ? cli_call(c.control, req, &reply) : -ENOMEM;
	json_object_put(req);
	if (offline(&c, r)) {
		json_object_put(reply);	/* cli_call's error, replaced by the ledger's answer */
		reply = cli_ledger_revoke(c.ledger, id, time_ns);
	} else if (r < 0 && r != -ENOMEM) {
		/*
		 * An agent that is there but does not answer (a control socket
		 * flooded, a hung agent) must not keep a withdrawal of consent
		 * from being recorded: the ledger is the record, and the agent
		 * rereads it every second and closes the grant's windows then.
		 */
		log_warnx("the agent on %s did not answer (%s); the withdrawal is written to the "
			  "ledger %s directly: the agent closes the grant's windows when it next reads "
			  "the ledger (within a second, if it runs)", c.control, strerror(-r), c.ledger);
		json_object_put(reply);
		reply = cli_ledger_revoke(c.ledger, id, time_ns);
	}
	return cli_finish(reply, c.json, print_revoked);
}

static void cameras_cell(struct json_object *g, const void *ctx, char *buf, size_t len)
{
	cli_join(json_object_object_get(g, "cameras"), ",", buf, len);
}

static void print_grants(struct json_object *reply)
{
	static const struct cli_col cols[] = {
		{ "ID", "id", NULL },		{ "SUBJECT", "subject", NULL },
		{ "PURPOSE", "purpose", NULL },	{ "CAMERAS", NULL, cameras_cell },
		{ "STATE", "state", NULL },	{ "EXPIRES", "expires", NULL },
	};

	cli_print_rows(json_object_object_get(reply, "grants"), cols, CLI_N(cols), NULL, "no grants");
}

int cli_consent_list(int argc, char **argv)
{
	struct json_object *req, *reply = NULL;
	struct consent_ctx c;
	const struct cli_opt opts[] = { COMMOCLI_N(&c) };
	size_t n_pos;
	int r;

	ctx_init(&c);
	r = cli_parse_opts("consent list", argc, argv, opts, CLI_N(opts), NULL, 0, &n_pos);
	if (r)
		return cli_parse_exit(&cli_consent_help, r);
	req = cli_request("consent-list");
	r = req ? cli_call(c.control, req, &reply) : -ENOMEM;
	json_object_put(req);
	if (offline(&c, r)) {
		json_object_put(reply);
		reply = cli_ledger_list(c.ledger, c.now_ns);
	}
	return cli_finish(reply, c.json, print_grants);
}

int cli_consent_show(int argc, char **argv)
{
	const char *id = NULL;
	struct json_object *req, *reply = NULL;
	struct consent_ctx c;
	int r;

	ctx_init(&c);
	r = parse_one_id("consent show", argc, argv, &c, &id, NULL);
	if (r != CLI_GO_ON)
		return r;
	req = cli_request("consent-show");
	if (req)
		bf_json_add_str(req, "id", id);
	r = req ? cli_call(c.control, req, &reply) : -ENOMEM;
	json_object_put(req);
	if (offline(&c, r)) {
		json_object_put(reply);
		reply = cli_ledger_show(c.ledger, id, c.now_ns);
	}
	return cli_finish(reply, c.json, print_shown);
}
