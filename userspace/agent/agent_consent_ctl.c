/* agent_consent_ctl.c - window-* and consent-* control commands: who may ask, what is checked, what is logged. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "agent.h"
#include "agent_consent.h"
#include "agent_consent_ctl.h"
#include "agent_ledger.h"
#include "agent_scan.h"
#include "agent_sink.h"
#include "log.h"
#include "consent/window.h"
#include "util.h"

/* Who is asking, from SO_PEERCRED and /proc. */
struct peer {
	bool root;
	bool broker;
	const char *app;	/* the policy app the peer is, or NULL */
	char exe[PATH_MAX];
};

static void identify(struct bf_agent *ag, const struct bf_ctl_client *c, struct peer *p)
{
	const struct bf_policy *pol = ag->cur->policy;
	uint64_t apps = 0, brokers = 0;

	memset(p, 0, sizeof(*p));
	p->root = c->uid == 0;
	/* Matched as the kernel matches processes: exe inode, uid and cgroup. */
	if (agent_pid_apps(ag, (uint32_t)c->pid, (uint32_t)c->uid, &apps, p->exe, sizeof(p->exe)))
		apps = 0;
	for (size_t i = 0; i < pol->n_brokers; i++)
		brokers |= 1ull << pol->brokers[i];
	p->broker = apps & brokers;
	if (apps & brokers)
		p->app = pol->apps[__builtin_ctzll(apps & brokers)].name;
	else if (apps)
		p->app = pol->apps[__builtin_ctzll(apps)].name;
}

static struct json_object *by_json(const struct bf_ctl_client *c, const struct peer *p)
{
	struct json_object *o = json_object_new_object();

	bf_json_add_u64(o, "pid", (uint64_t)c->pid);
	bf_json_add_u64(o, "uid", (uint64_t)c->uid);
	bf_json_add_str(o, "exe", p->exe[0] ? p->exe : NULL);
	bf_json_add_str(o, "app", p->app);
	bf_json_add_bool(o, "broker", p->broker);
	return o;
}

/* A refusal names whose consent was asked for, when the ledger knows the id. */
static void add_asked_consent(struct bf_agent *ag, struct json_object *rec, struct json_object *req)
{
	struct json_object *v, *c;
	const struct bf_consent_grant *g;

	if (!json_object_object_get_ex(req, "consent", &v) && !json_object_object_get_ex(req, "id", &v))
		return;
	if (!json_object_is_type(v, json_type_string) ||
	    !(g = bf_ledger_find(&ag->consent.ledger, json_object_get_string(v))))
		return;
	c = json_object_new_object();
	bf_json_add_str(c, "id", g->id);
	bf_json_add_str(c, "subject", g->subject);
	bf_json_add_str(c, "purpose", g->purpose);
	bf_json_add_str(c, "notice", g->notice);
	json_object_object_add(rec, "consent", c);
}

/* Every refusal is an error reply and one record: what was asked, by whom, why not. */
static struct json_object *refuse(struct bf_agent *ag, const struct bf_ctl_client *c,
				  const struct peer *p, const char *cmd, struct json_object *req,
				  const char *code, const char *msg)
{
	struct json_object *rec = bf_audit_begin(ag->audit, "consent", bf_audit_now_ns()), *e;

	bf_json_add_str(rec, "event", strcmp(cmd, "window-open") == 0 ? "window-refuse" : "request-refuse");
	bf_json_add_str(rec, "cmd", cmd);
	bf_json_add_str(rec, "verdict", "deny");
	e = json_object_new_object();
	bf_json_add_str(e, "code", code);
	bf_json_add_str(e, "message", msg);
	json_object_object_add(rec, "error", e);
	add_asked_consent(ag, rec, req);
	/* The request went through json-c's UTF-8 check; its size is bounded by the framing. */
	json_object_object_add(rec, "request", json_object_get(req));
	json_object_object_add(rec, "by", by_json(c, p));
	agent_emit(ag, rec);
	log_info("control: %s by pid %d refused: %s: %s", cmd, (int)c->pid, code, msg);
	return bf_ctl_error(code, "%s", msg);
}

static struct json_object *check_who(struct bf_agent *ag, const struct bf_ctl_client *c,
				     const struct peer *p, const char *cmd, struct json_object *req,
				     bool broker_ok)
{
	char msg[PATH_MAX + 128];

	if (p->root || (broker_ok && p->broker))
		return NULL;
	if (broker_ok)
		snprintf(msg, sizeof(msg), "%s needs root or a broker app; pid %d (%s) is not a broker of the policy in force",
			 cmd, (int)c->pid, p->exe[0] ? p->exe : "exe unknown");
	else
		snprintf(msg, sizeof(msg), "%s needs root (peer uid %u)", cmd, (unsigned)c->uid);
	return refuse(ag, c, p, cmd, req, "forbidden", msg);
}

static struct json_object *ledger_refusal(struct bf_agent *ag, const struct bf_ctl_client *c,
					  const struct peer *p, const char *cmd, struct json_object *req)
{
	char msg[700];

	if (!ag->consent.ledger_err || ag->consent.ledger_err == -ENOENT)
		return NULL;
	snprintf(msg, sizeof(msg), "the consent ledger is unusable until repaired: %s",
		 ag->consent.ledger_why);
	return refuse(ag, c, p, cmd, req, "ledger-invalid", msg);
}

static struct json_object *cmd_window_open(struct bf_agent *ag, const struct bf_ctl_client *c,
					   const struct peer *p, struct json_object *req)
{
	struct bf_window_info proto = {}, *w;
	struct bf_window_plan plan;
	struct bf_window_req wr;
	struct bf_window_err we = {};
	struct json_object *reply, *rec;
	const struct bf_src *src;
	int err;

	if ((reply = check_who(ag, c, p, "window-open", req, true)) ||
	    (reply = ledger_refusal(ag, c, p, "window-open", req)))
		return reply;
	if (bf_window_req_parse(req, &wr, &we) ||
	    bf_window_plan(ag->cur->policy, &ag->cur->res, &ag->cur->tables, &ag->consent.ledger, &wr,
			   bf_now_ns(CLOCK_REALTIME), &plan, &we))
		return refuse(ag, c, p, "window-open", req, we.code, we.msg);
	snprintf(proto.consent, sizeof(proto.consent), "%s", wr.consent);
	snprintf(proto.app, sizeof(proto.app), "%s", wr.app);
	snprintf(proto.camera, sizeof(proto.camera), "%s", wr.camera);
	snprintf(proto.purpose, sizeof(proto.purpose), "%s", plan.purpose);
	src = &ag->cur->policy->rules[plan.rule_ast].src;
	snprintf(proto.rule, sizeof(proto.rule), "%.100s:%u", src->file, src->line);
	err = agent_window_open(ag, &proto, plan.for_ms, &w);
	if (err) {
		log_errno(err, "opening a window for %s on %s", wr.app, wr.camera);
		return refuse(ag, c, p, "window-open", req, "internal", strerror(-err));
	}
	rec = agent_consent_record(ag, "window-open", w);
	bf_json_add_str(rec, "verdict", "allow");
	bf_json_add_u64(rec, "for_ms", plan.for_ms);
	json_object_object_add(rec, "by", by_json(c, p));
	agent_emit(ag, rec);
	log_info("window %u opened: %s may open %s for %u ms (consent %s)", w->id, w->app, w->camera,
		 plan.for_ms, w->consent);
	reply = bf_ctl_ok();
	json_object_object_add(reply, "window", agent_window_json(ag, w));
	return reply;
}

/* A window id member: a JSON integer in 1..UINT32_MAX. */
static int get_window_id(struct json_object *req, uint32_t *id)
{
	struct json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(req, "id", &v) || !json_object_is_type(v, json_type_int))
		return -EINVAL;
	n = json_object_get_int64(v);
	if (n <= 0 || n > UINT32_MAX)
		return -ERANGE;
	*id = (uint32_t)n;
	return 0;
}

static struct json_object *cmd_window_close(struct bf_agent *ag, const struct bf_ctl_client *c,
					    const struct peer *p, struct json_object *req)
{
	struct bf_window_info *w;
	struct json_object *reply;
	char msg[64];
	uint32_t id;

	if ((reply = check_who(ag, c, p, "window-close", req, true)))
		return reply;
	if (get_window_id(req, &id))
		return refuse(ag, c, p, "window-close", req, "bad-request",
			      "\"id\" must be a window id (a positive integer)");
	w = agent_window_find(ag, id, true);
	if (!w) {
		snprintf(msg, sizeof(msg), "no open window %u", id);
		return refuse(ag, c, p, "window-close", req, "no-window", msg);
	}
	agent_window_end(ag, w, BF_WEND_CLOSED, by_json(c, p));
	reply = bf_ctl_ok();
	json_object_object_add(reply, "window", agent_window_json(ag, w));
	return reply;
}

static struct json_object *cmd_window_list(struct bf_agent *ag, const struct bf_ctl_client *c,
					   const struct peer *p, struct json_object *req)
{
	struct json_object *reply, *arr;

	if ((reply = check_who(ag, c, p, "window-list", req, true)))
		return reply;
	arr = json_object_new_array();
	for (size_t i = 0; i < ag->consent.n_win; i++)
		if (ag->consent.win[i].state == BF_WINDOW_OPEN)
			json_object_array_add(arr, agent_window_json(ag, &ag->consent.win[i]));
	reply = bf_ctl_ok();
	json_object_object_add(reply, "windows", arr);
	return reply;
}

/* The grant as an inspector reads it, with its state now. */
static struct json_object *agent_grant_json(struct bf_agent *ag, const struct bf_consent_grant *g,
				     int64_t now)
{
	struct json_object *o = json_object_new_object(), *cams = json_object_new_array();
	char buf[BF_RFC3339_BUFSZ];

	bf_json_add_str(o, "id", g->id);
	bf_json_add_str(o, "subject", g->subject);
	bf_json_add_str(o, "purpose", g->purpose);
	if (g->any_camera)
		json_object_array_add(cams, json_object_new_string("any"));
	for (size_t i = 0; i < g->n_cameras; i++)
		json_object_array_add(cams, bf_json_str(g->cameras[i]));
	json_object_object_add(o, "cameras", cams);
	bf_format_rfc3339(buf, sizeof(buf), (uint64_t)g->granted_ns);
	bf_json_add_str(o, "granted", buf);
	bf_format_rfc3339(buf, sizeof(buf), (uint64_t)g->expires_ns);
	bf_json_add_str(o, "expires", buf);
	bf_json_add_str(o, "notice", g->notice);
	if (g->guardian[0])
		bf_json_add_str(o, "guardian", g->guardian);
	bf_json_add_str(o, "state", g->revoked ? "revoked" : now < g->granted_ns ? "pending" :
				    now >= g->expires_ns ? "expired" : "active");
	if (g->revoked) {
		bf_format_rfc3339(buf, sizeof(buf), (uint64_t)g->revoked_ns);
		bf_json_add_str(o, "revoked", buf);
	}
	return o;
}

/* "c-YYYYMMDD-HHMMSS-XXXX": sortable by time, unique enough with 16 random bits per second. */
static void new_grant_id(char *buf, size_t len, int64_t now)
{
	time_t secs = (time_t)(now / 1000000000ll);
	uint16_t rnd = 0;
	struct tm tm;

	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = (uint16_t)(now ^ (now >> 16));
	gmtime_r(&secs, &tm);
	snprintf(buf, len, "c-%04d%02d%02d-%02d%02d%02d-%04x", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, rnd);
}

static int copy_member(struct json_object *o, const char *key, char *dst, size_t len, bool required,
		       char *msg, size_t msglen)
{
	struct json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, key, &v)) {
		if (required)
			snprintf(msg, msglen, "grant: missing \"%s\"", key);
		return required ? -EINVAL : 0;
	}
	s = json_object_get_string(v);
	if (!json_object_is_type(v, json_type_string) || strlen(s) != (size_t)json_object_get_string_len(v) ||
	    strlen(s) >= len) {
		snprintf(msg, msglen, "grant: \"%s\" must be a string of at most %zu characters", key, len - 1);
		return -EINVAL;
	}
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

static int grant_time(struct json_object *o, const char *key, int64_t *ns, bool required,
		      char *msg, size_t msglen)
{
	char buf[64] = "";
	int err = copy_member(o, key, buf, sizeof(buf), required, msg, msglen);

	if (err || !buf[0])
		return err;
	if (bf_parse_rfc3339(buf, ns)) {
		snprintf(msg, msglen, "grant: \"%s\" is not an RFC 3339 date-time", key);
		return -EINVAL;
	}
	return 0;
}

/* The cameras array; names are checked by the ledger's own code on append. */
static int grant_cameras(struct json_object *o, struct bf_consent_grant *g, char *msg, size_t msglen)
{
	struct json_object *v;
	size_t n;

	if (!json_object_object_get_ex(o, "cameras", &v) || !json_object_is_type(v, json_type_array) ||
	    !(n = json_object_array_length(v)) || n > BF_CONSENT_MAX_CAMERAS) {
		snprintf(msg, msglen, "grant: \"cameras\" must be a non-empty array of camera names");
		return -EINVAL;
	}
	g->cameras = calloc(n, sizeof(char *));
	if (!g->cameras)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);
		const char *s = json_object_get_string(e);

		if (!json_object_is_type(e, json_type_string) || !bf_consent_name_ok(s)) {
			snprintf(msg, msglen, "grant: \"cameras\" entry %zu is not a camera name", i + 1);
			return -EINVAL;
		}
		if (strcmp(s, "any") == 0 && n == 1) {
			g->any_camera = true;
			return 0;
		}
		if (!(g->cameras[g->n_cameras++] = strdup(s)))
			return -ENOMEM;
	}
	return 0;
}

static int grant_from_json(struct json_object *o, struct bf_consent_grant *g, char *msg, size_t msglen)
{
	static const char *const known[] = { "id", "subject", "purpose", "cameras", "granted",
					     "expires", "notice", "guardian" };
	int64_t now = bf_now_ns(CLOCK_REALTIME);

	json_object_object_foreach(o, k, v) {
		bool ok = false;

		(void)v;
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			ok = ok || strcmp(k, known[i]) == 0;
		if (!ok) {
			snprintf(msg, msglen, "grant: unknown member \"%.32s\"", k);
			return -EINVAL;
		}
	}
	g->granted_ns = now;
	return copy_member(o, "id", g->id, sizeof(g->id), false, msg, msglen) ?:
	       copy_member(o, "subject", g->subject, sizeof(g->subject), true, msg, msglen) ?:
	       copy_member(o, "purpose", g->purpose, sizeof(g->purpose), true, msg, msglen) ?:
	       copy_member(o, "notice", g->notice, sizeof(g->notice), true, msg, msglen) ?:
	       copy_member(o, "guardian", g->guardian, sizeof(g->guardian), false, msg, msglen) ?:
	       grant_time(o, "granted", &g->granted_ns, false, msg, msglen) ?:
	       grant_time(o, "expires", &g->expires_ns, true, msg, msglen) ?:
	       grant_cameras(o, g, msg, msglen) ?:
	       (g->id[0] ? 0 : (new_grant_id(g->id, sizeof(g->id), now), 0));
}

static void grant_free(struct bf_consent_grant *g)
{
	for (size_t i = 0; i < g->n_cameras; i++)
		free(g->cameras[i]);
	free(g->cameras);
}

static const char *append_code(int err)
{
	switch (err) {
	case -EEXIST: return "exists";
	case -ENOENT: return "no-grant";
	case -EALREADY: return "already-revoked";
	case -EINVAL:
	case -E2BIG: return "bad-request";
	default: return "ledger-io";
	}
}

/* A failed append: the first reason as the message, all of them as diagnostics. */
static struct json_object *append_refusal(struct bf_agent *ag, const struct bf_ctl_client *c,
					  const struct peer *p, const char *cmd, struct json_object *req,
					  int err, const struct bf_diags *d)
{
	struct json_object *reply = refuse(ag, c, p, cmd, req, append_code(err),
					   d->n ? d->msgs[0] : strerror(-err));
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < d->n; i++)
		json_object_array_add(arr, bf_json_str(d->msgs[i]));
	json_object_object_add(json_object_object_get(reply, "error"), "diagnostics", arr);
	return reply;
}

static struct json_object *cmd_consent_grant(struct bf_agent *ag, const struct bf_ctl_client *c,
					     const struct peer *p, struct json_object *req)
{
	struct bf_consent_grant g = {};
	struct json_object *reply, *grant, *rec;
	struct bf_diags d = {};
	char msg[256] = "";
	int err;

	if ((reply = check_who(ag, c, p, "consent-grant", req, false)) ||
	    (reply = ledger_refusal(ag, c, p, "consent-grant", req)))
		return reply;
	if (!json_object_object_get_ex(req, "grant", &grant) || !json_object_is_type(grant, json_type_object))
		return refuse(ag, c, p, "consent-grant", req, "bad-request", "missing \"grant\" object");
	err = grant_from_json(grant, &g, msg, sizeof(msg));
	err = err ?: bf_ledger_append_grant(agent_ledger_path(ag), &g, &d);
	if (err == -EINVAL && msg[0])
		reply = refuse(ag, c, p, "consent-grant", req, "bad-request", msg);
	else if (err)
		reply = append_refusal(ag, c, p, "consent-grant", req, err, &d);
	bf_diags_free(&d);
	if (!err) {
		agent_consent_refresh_ledger(ag, true);
		rec = bf_audit_begin(ag->audit, "consent", bf_audit_now_ns());
		bf_json_add_str(rec, "event", "grant");
		json_object_object_add(rec, "consent", agent_grant_json(ag, &g, bf_now_ns(CLOCK_REALTIME)));
		json_object_object_add(rec, "by", by_json(c, p));
		agent_emit(ag, rec);
		reply = bf_ctl_ok();
		json_object_object_add(reply, "grant", agent_grant_json(ag, &g, bf_now_ns(CLOCK_REALTIME)));
	}
	grant_free(&g);
	return reply;
}

static int get_grant_id(struct json_object *req, char id[BF_CONSENT_TOKEN_MAX])
{
	struct json_object *v;
	const char *s;

	if (!json_object_object_get_ex(req, "id", &v) || !json_object_is_type(v, json_type_string))
		return -EINVAL;
	s = json_object_get_string(v);
	if (!bf_consent_token_ok(s) || strlen(s) != (size_t)json_object_get_string_len(v))
		return -EINVAL;
	snprintf(id, BF_CONSENT_TOKEN_MAX, "%s", s);
	return 0;
}

/*
 * When the person withdrew: now, or an earlier "time" (a withdrawal
 * recorded late). Never later: a withdrawal is not postponed.
 */
static int revoke_time(struct json_object *req, int64_t *when)
{
	struct json_object *v;
	int64_t now = bf_now_ns(CLOCK_REALTIME);

	*when = now;
	if (!json_object_object_get_ex(req, "time", &v))
		return 0;
	if (!json_object_is_type(v, json_type_string) ||
	    bf_parse_rfc3339(json_object_get_string(v), when) || *when > now)
		return -EINVAL;
	return 0;
}

static struct json_object *cmd_consent_revoke(struct bf_agent *ag, const struct bf_ctl_client *c,
					      const struct peer *p, struct json_object *req)
{
	struct json_object *reply, *rec, *closed = json_object_new_array();
	const struct bf_consent_grant *g;
	char id[BF_CONSENT_TOKEN_MAX];
	struct bf_diags d = {};
	int64_t when;
	int err;

	if ((reply = check_who(ag, c, p, "consent-revoke", req, true)) ||
	    (reply = ledger_refusal(ag, c, p, "consent-revoke", req)) ||
	    (get_grant_id(req, id) &&
	     (reply = refuse(ag, c, p, "consent-revoke", req, "bad-request", "\"id\" must be a consent id")))) {
		json_object_put(closed);
		return reply;
	}
	if (revoke_time(req, &when)) {
		json_object_put(closed);
		return refuse(ag, c, p, "consent-revoke", req, "bad-request",
			      "\"time\" must be an RFC 3339 date-time, not in the future");
	}
	err = bf_ledger_append_revoke(agent_ledger_path(ag), id, when, &d);
	if (err) {
		reply = append_refusal(ag, c, p, "consent-revoke", req, err, &d);
		bf_diags_free(&d);
		json_object_put(closed);
		return reply;
	}
	for (size_t i = 0; i < ag->consent.n_win; i++)
		if (ag->consent.win[i].state == BF_WINDOW_OPEN && strcmp(ag->consent.win[i].consent, id) == 0)
			json_object_array_add(closed, json_object_new_int64(ag->consent.win[i].id));
	rec = bf_audit_begin(ag->audit, "consent", bf_audit_now_ns());
	bf_json_add_str(rec, "event", "revoke");
	g = bf_ledger_find(&ag->consent.ledger, id);
	{
		struct json_object *co = json_object_new_object();

		bf_json_add_str(co, "id", id);
		bf_json_add_str(co, "subject", g ? g->subject : NULL);
		bf_json_add_str(co, "purpose", g ? g->purpose : NULL);
		bf_json_add_str(co, "notice", g ? g->notice : NULL);
		json_object_object_add(rec, "consent", co);
	}
	json_object_object_add(rec, "by", by_json(c, p));
	agent_emit(ag, rec);
	/* Rereading the ledger closes the grant's windows, in the kernel, before we reply. */
	agent_consent_refresh_ledger(ag, true);
	reply = bf_ctl_ok();
	bf_json_add_str(reply, "revoked", id);
	json_object_object_add(reply, "closed_windows", closed);
	return reply;
}

static struct json_object *cmd_consent_read(struct bf_agent *ag, const struct bf_ctl_client *c,
					    const struct peer *p, const char *cmd, struct json_object *req)
{
	const struct bf_ledger *l = &ag->consent.ledger;
	const struct bf_consent_grant *g;
	struct json_object *reply, *arr, *o;
	char id[BF_CONSENT_TOKEN_MAX];
	int64_t now = bf_now_ns(CLOCK_REALTIME);

	if ((reply = check_who(ag, c, p, cmd, req, false)))
		return reply;
	agent_consent_refresh_ledger(ag, false);
	if ((reply = ledger_refusal(ag, c, p, cmd, req)))
		return reply;
	reply = bf_ctl_ok();
	if (strcmp(cmd, "consent-list") == 0) {
		arr = json_object_new_array();
		for (size_t i = 0; i < l->n_grants; i++)
			json_object_array_add(arr, agent_grant_json(ag, &l->grants[i], now));
		json_object_object_add(reply, "grants", arr);
		return reply;
	}
	json_object_put(reply);
	if (get_grant_id(req, id))
		return refuse(ag, c, p, cmd, req, "bad-request", "\"id\" must be a consent id");
	if (!(g = bf_ledger_find(l, id)))
		return refuse(ag, c, p, cmd, req, "no-grant", "no grant with that id in the ledger");
	o = agent_grant_json(ag, g, now);
	arr = json_object_new_array();
	for (size_t i = 0; i < ag->consent.n_win + BF_WINDOW_HISTORY; i++) {
		const struct bf_window_info *w = i < ag->consent.n_win ? &ag->consent.win[i] :
						  &ag->consent.hist[i - ag->consent.n_win];

		if (w->id && strcmp(w->consent, id) == 0)
			json_object_array_add(arr, json_object_new_int64(w->id));
	}
	json_object_object_add(o, "windows", arr);
	reply = bf_ctl_ok();
	json_object_object_add(reply, "grant", o);
	return reply;
}

struct json_object *agent_consent_ctl(struct bf_agent *ag, const struct bf_ctl_client *c,
				      const char *cmd, struct json_object *req)
{
	struct peer p;

	if (strncmp(cmd, "window-", 7) != 0 && strncmp(cmd, "consent-", 8) != 0)
		return NULL;
	identify(ag, c, &p);
	if (strcmp(cmd, "window-open") == 0)
		return cmd_window_open(ag, c, &p, req);
	if (strcmp(cmd, "window-close") == 0)
		return cmd_window_close(ag, c, &p, req);
	if (strcmp(cmd, "window-list") == 0)
		return cmd_window_list(ag, c, &p, req);
	if (strcmp(cmd, "consent-grant") == 0)
		return cmd_consent_grant(ag, c, &p, req);
	if (strcmp(cmd, "consent-revoke") == 0)
		return cmd_consent_revoke(ag, c, &p, req);
	if (strcmp(cmd, "consent-list") == 0 || strcmp(cmd, "consent-show") == 0)
		return cmd_consent_read(ag, c, &p, cmd, req);
	return NULL;
}
