/* agent_consent_ctl.c - window-* and consent-* control commands: what is checked, what is logged (who may ask: agent_ctl.c). */
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
#include "agent_ctl_req.h"
#include "agent_ledger.h"
#include "agent_sink.h"
#include "log.h"
#include "consent/window.h"
#include "util.h"

/* A refusal names whose consent was asked for, when the ledger knows the id. */
static void add_asked_consent(const struct bf_consent_state *cs, struct json_object *rec,
			      struct json_object *req)
{
	struct json_object *v, *c;
	const struct bf_consent_grant *g;

	if (!json_object_object_get_ex(req, "consent", &v) && !json_object_object_get_ex(req, "id", &v))
		return;
	if (!json_object_is_type(v, json_type_string) ||
	    !(g = bf_ledger_find(&cs->ledger, json_object_get_string(v))))
		return;
	c = json_object_new_object();
	bf_json_add_str(c, "id", g->id);
	bf_json_add_str(c, "subject", g->subject);
	bf_json_add_str(c, "purpose", g->purpose);
	bf_json_add_str(c, "notice", g->notice);
	json_object_object_add(rec, "consent", c);
}

/* Every refusal is an error reply and one record: what was asked, by whom, why not. */
struct json_object *agent_consent_refuse(struct agent_ctl_req *r, const char *code, const char *msg)
{
	struct bf_agent *ag = r->ag;
	struct json_object *rec, *e;

	rec = agent_consent_record(ag, strcmp(r->cmd, "window-open") == 0 ? "window-refuse" :
				   "request-refuse", NULL, r->now.real_ns);
	bf_json_add_str(rec, "cmd", r->cmd);
	bf_json_add_str(rec, "verdict", "deny");
	e = json_object_new_object();
	bf_json_add_str(e, "code", code);
	bf_json_add_str(e, "message", msg);
	json_object_object_add(rec, "error", e);
	add_asked_consent(&ag->consent, rec, r->req);
	/* The request went through json-c's UTF-8 check; its size is bounded by the framing. */
	json_object_object_add(rec, "request", json_object_get(r->req));
	json_object_object_add(rec, "by", agent_peer_json(r->c, &r->peer));
	agent_emit(ag, rec);
	log_info("control: %s by pid %d refused: %s: %s", r->cmd, (int)r->c->pid, code, msg);
	return bf_ctl_error(code, "%s", msg);
}

/* NULL while the ledger is usable (or missing: no grants yet), else the refusal. */
static struct json_object *ledger_refusal(struct agent_ctl_req *r)
{
	const struct bf_consent_state *cs = &r->ag->consent;
	char msg[700];

	if (!cs->ledger_err || cs->ledger_err == -ENOENT)
		return NULL;
	snprintf(msg, sizeof(msg), "the consent ledger is unusable until repaired: %s", cs->ledger_why);
	return agent_consent_refuse(r, "ledger-invalid", msg);
}

struct json_object *agent_ctl_window_open(struct agent_ctl_req *r)
{
	struct bf_agent *ag = r->ag;
	struct bf_window_info proto = {}, *w;
	struct bf_window_plan plan;
	struct bf_window_req wr;
	struct bf_window_err we = {};
	struct json_object *reply, *rec;
	const struct bf_src *src;
	int err;

	if ((reply = ledger_refusal(r)))
		return reply;
	if (bf_window_req_parse(r->req, &wr, &we) ||
	    bf_window_plan(ag->policy.cur->policy, &ag->policy.cur->res, &ag->policy.cur->tables, &ag->consent.ledger, &wr,
			   r->now.real_ns, &plan, &we))
		return agent_consent_refuse(r, we.code, we.msg);
	snprintf(proto.consent, sizeof(proto.consent), "%s", wr.consent);
	snprintf(proto.app, sizeof(proto.app), "%s", wr.app);
	snprintf(proto.camera, sizeof(proto.camera), "%s", wr.camera);
	snprintf(proto.purpose, sizeof(proto.purpose), "%s", plan.purpose);
	src = &ag->policy.cur->policy->rules[plan.rule_ast].src;
	snprintf(proto.rule, sizeof(proto.rule), "%.100s:%u", src->file, src->line);
	err = agent_window_open(ag, &proto, plan.for_ms, r->now, &w);
	if (err) {
		log_errno(err, "opening a window for %s on %s", wr.app, wr.camera);
		return agent_consent_refuse(r, "internal", strerror(-err));
	}
	rec = agent_consent_record(ag, "window-open", w, r->now.real_ns);
	bf_json_add_str(rec, "verdict", "allow");
	bf_json_add_u64(rec, "for_ms", plan.for_ms);
	json_object_object_add(rec, "by", agent_peer_json(r->c, &r->peer));
	agent_emit(ag, rec);
	log_info("window %u opened: %s may open %s for %u ms (consent %s)", w->id, w->app, w->camera,
		 plan.for_ms, w->consent);
	reply = bf_ctl_ok();
	json_object_object_add(reply, "window", agent_window_json(&ag->consent, w));
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

struct json_object *agent_ctl_window_close(struct agent_ctl_req *r)
{
	struct bf_consent_state *cs = &r->ag->consent;
	struct bf_window_info *w;
	struct json_object *reply;
	char msg[64];
	uint32_t id;

	if (get_window_id(r->req, &id))
		return agent_consent_refuse(r, "bad-request",
					    "\"id\" must be a window id (a positive integer)");
	w = agent_window_find(cs, id, true);
	if (!w) {
		snprintf(msg, sizeof(msg), "no open window %u", id);
		return agent_consent_refuse(r, "no-window", msg);
	}
	agent_window_end(r->ag, w, BF_WEND_CLOSED, agent_peer_json(r->c, &r->peer), r->now.real_ns);
	reply = bf_ctl_ok();
	json_object_object_add(reply, "window", agent_window_json(cs, w));
	return reply;
}

struct json_object *agent_ctl_window_list(struct agent_ctl_req *r)
{
	const struct bf_consent_state *cs = &r->ag->consent;
	struct json_object *reply, *arr;

	arr = json_object_new_array();
	for (size_t i = 0; i < cs->n_win; i++)
		if (cs->win[i].state == BF_WINDOW_OPEN)
			json_object_array_add(arr, agent_window_json(cs, &cs->win[i]));
	reply = bf_ctl_ok();
	json_object_object_add(reply, "windows", arr);
	return reply;
}

/* The grant as an inspector reads it, with its state now. */
static struct json_object *grant_json(const struct bf_consent_grant *g, int64_t now)
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

		/* A NUL inside ("lobby\u0000x") would cut the name short: the grant would name another camera. */
		if (!json_object_is_type(e, json_type_string) || !bf_consent_name_ok(s) ||
		    strlen(s) != (size_t)json_object_get_string_len(e)) {
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

/* G from a consent-grant's "grant" object; "granted" defaults to NOW, "id" to a new one. */
static int grant_from_json(struct json_object *o, struct bf_consent_grant *g, int64_t now,
			   char *msg, size_t msglen)
{
	static const char *const known[] = { "id", "subject", "purpose", "cameras", "granted",
					     "expires", "notice", "guardian" };

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
static struct json_object *append_refusal(struct agent_ctl_req *r, int err, const struct bf_diags *d)
{
	struct json_object *reply = agent_consent_refuse(r, append_code(err),
							 d->n ? d->msgs[0] : strerror(-err));
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < d->n; i++)
		json_object_array_add(arr, bf_json_str(d->msgs[i]));
	json_object_object_add(json_object_object_get(reply, "error"), "diagnostics", arr);
	return reply;
}

/* The grant is in the ledger: reread it, log who granted, reply with the grant. */
static struct json_object *granted(struct agent_ctl_req *r, const struct bf_consent_grant *g)
{
	struct json_object *rec, *reply;

	agent_consent_refresh_ledger(r->ag, true, r->now.real_ns);
	rec = agent_consent_record(r->ag, "grant", NULL, r->now.real_ns);
	json_object_object_add(rec, "consent", grant_json(g, r->now.real_ns));
	json_object_object_add(rec, "by", agent_peer_json(r->c, &r->peer));
	agent_emit(r->ag, rec);
	reply = bf_ctl_ok();
	json_object_object_add(reply, "grant", grant_json(g, r->now.real_ns));
	return reply;
}

struct json_object *agent_ctl_consent_grant(struct agent_ctl_req *r)
{
	struct bf_consent_grant g = {};
	struct json_object *reply, *grant;
	struct bf_diags d = {};
	char msg[256] = "";
	int err;

	if ((reply = ledger_refusal(r)))
		return reply;
	if (!json_object_object_get_ex(r->req, "grant", &grant) ||
	    !json_object_is_type(grant, json_type_object))
		return agent_consent_refuse(r, "bad-request", "missing \"grant\" object");
	err = grant_from_json(grant, &g, r->now.real_ns, msg, sizeof(msg));
	err = err ?: bf_ledger_append_grant(agent_ledger_path(r->ag), &g, &d);
	if (err == -EINVAL && msg[0])
		reply = agent_consent_refuse(r, "bad-request", msg);
	else if (err)
		reply = append_refusal(r, err, &d);
	else
		reply = granted(r, &g);
	bf_diags_free(&d);
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
 * When the person withdrew: NOW, or an earlier "time" (a withdrawal
 * recorded late). Never later: a withdrawal is not postponed.
 */
static int revoke_time(struct json_object *req, int64_t now, int64_t *when)
{
	struct json_object *v;

	*when = now;
	if (!json_object_object_get_ex(req, "time", &v))
		return 0;
	if (!json_object_is_type(v, json_type_string) ||
	    bf_parse_rfc3339(json_object_get_string(v), when) || *when > now)
		return -EINVAL;
	return 0;
}

/* The revoke record: whose consent (as the ledger knew it before the revoke), and who withdrew it. */
static void log_revoke(struct agent_ctl_req *r, const char *id)
{
	const struct bf_consent_grant *g = bf_ledger_find(&r->ag->consent.ledger, id);
	struct json_object *rec = agent_consent_record(r->ag, "revoke", NULL, r->now.real_ns);
	struct json_object *co = json_object_new_object();

	bf_json_add_str(co, "id", id);
	bf_json_add_str(co, "subject", g ? g->subject : NULL);
	bf_json_add_str(co, "purpose", g ? g->purpose : NULL);
	bf_json_add_str(co, "notice", g ? g->notice : NULL);
	json_object_object_add(rec, "consent", co);
	json_object_object_add(rec, "by", agent_peer_json(r->c, &r->peer));
	agent_emit(r->ag, rec);
}

struct json_object *agent_ctl_consent_revoke(struct agent_ctl_req *r)
{
	const struct bf_consent_state *cs = &r->ag->consent;
	struct json_object *reply, *closed;
	char id[BF_CONSENT_TOKEN_MAX];
	struct bf_diags d = {};
	int64_t when;
	int err;

	if ((reply = ledger_refusal(r)))
		return reply;
	if (get_grant_id(r->req, id))
		return agent_consent_refuse(r, "bad-request", "\"id\" must be a consent id");
	if (revoke_time(r->req, r->now.real_ns, &when))
		return agent_consent_refuse(r, "bad-request",
					    "\"time\" must be an RFC 3339 date-time, not in the future");
	err = bf_ledger_append_revoke(agent_ledger_path(r->ag), id, when, &d);
	if (err) {
		reply = append_refusal(r, err, &d);
		bf_diags_free(&d);
		return reply;
	}
	closed = json_object_new_array();
	for (size_t i = 0; i < cs->n_win; i++)
		if (cs->win[i].state == BF_WINDOW_OPEN && strcmp(cs->win[i].consent, id) == 0)
			json_object_array_add(closed, json_object_new_int64(cs->win[i].id));
	log_revoke(r, id);
	/* Rereading the ledger closes the grant's windows, in the kernel, before we reply. */
	agent_consent_refresh_ledger(r->ag, true, r->now.real_ns);
	reply = bf_ctl_ok();
	bf_json_add_str(reply, "revoked", id);
	json_object_object_add(reply, "closed_windows", closed);
	return reply;
}

/* consent-list and consent-show read the ledger as it is on disk now. */
static struct json_object *ledger_read(struct agent_ctl_req *r)
{
	agent_consent_refresh_ledger(r->ag, false, r->now.real_ns);
	return ledger_refusal(r);
}

struct json_object *agent_ctl_consent_list(struct agent_ctl_req *r)
{
	const struct bf_ledger *l = &r->ag->consent.ledger;
	struct json_object *reply, *arr;

	if ((reply = ledger_read(r)))
		return reply;
	arr = json_object_new_array();
	for (size_t i = 0; i < l->n_grants; i++)
		json_object_array_add(arr, grant_json(&l->grants[i], r->now.real_ns));
	reply = bf_ctl_ok();
	json_object_object_add(reply, "grants", arr);
	return reply;
}

struct json_object *agent_ctl_consent_show(struct agent_ctl_req *r)
{
	const struct bf_consent_state *cs = &r->ag->consent;
	const struct bf_consent_grant *g;
	struct json_object *reply, *arr, *o;
	char id[BF_CONSENT_TOKEN_MAX];

	if ((reply = ledger_read(r)))
		return reply;
	if (get_grant_id(r->req, id))
		return agent_consent_refuse(r, "bad-request", "\"id\" must be a consent id");
	if (!(g = bf_ledger_find(&cs->ledger, id)))
		return agent_consent_refuse(r, "no-grant", "no grant with that id in the ledger");
	o = grant_json(g, r->now.real_ns);
	arr = json_object_new_array();
	for (size_t i = 0; i < cs->n_win + BF_WINDOW_HISTORY; i++) {
		const struct bf_window_info *w = i < cs->n_win ? &cs->win[i] : &cs->hist[i - cs->n_win];

		if (w->id && strcmp(w->consent, id) == 0)
			json_object_array_add(arr, json_object_new_int64(w->id));
	}
	json_object_object_add(o, "windows", arr);
	reply = bf_ctl_ok();
	json_object_object_add(reply, "grant", o);
	return reply;
}
