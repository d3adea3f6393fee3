/* window.c - capture windows: reading a window request and the checks made before one opens. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "consent/window.h"

__attribute__((format(printf, 3, 4)))
static int refuse(struct bf_window_err *err, const char *code, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A string member: present, a string, no NUL inside, and at most MAX-1 bytes. */
static int get_str(struct json_object *req, const char *key, char *dst, size_t max,
		   struct bf_window_err *err)
{
	struct json_object *v;
	const char *s;
	size_t len;

	if (!json_object_object_get_ex(req, key, &v))
		return refuse(err, "bad-request", "missing \"%s\"", key);
	if (!json_object_is_type(v, json_type_string))
		return refuse(err, "bad-request", "\"%s\" is not a string", key);
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (strlen(s) != len)
		return refuse(err, "bad-request", "\"%s\" contains a NUL character", key);
	if (len == 0 || len >= max)
		return refuse(err, "bad-request", "\"%s\" must be 1 to %zu characters", key, max - 1);
	memcpy(dst, s, len + 1);
	return 0;
}

static int check_members(struct json_object *req, struct bf_window_err *err)
{
	static const char *const known[] = { "cmd", "consent", "app", "camera", "for" };

	json_object_object_foreach(req, k, v) {
		bool ok = false;

		(void)v;
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			ok = ok || strcmp(k, known[i]) == 0;
		/* Echo only short printable names: the key is the client's text. */
		if (!ok && strlen(k) <= 32 && strspn(k, "abcdefghijklmnopqrstuvwxyz_-") == strlen(k))
			return refuse(err, "bad-request", "unknown member \"%s\"", k);
		if (!ok)
			return refuse(err, "bad-request", "unknown member");
	}
	return 0;
}

int bf_window_req_parse(struct json_object *req, struct bf_window_req *out,
			struct bf_window_err *err)
{
	char dur[32];
	int rc;

	memset(out, 0, sizeof(*out));
	if (!json_object_is_type(req, json_type_object))
		return refuse(err, "bad-request", "a request is a JSON object");
	if (check_members(req, err) || get_str(req, "consent", out->consent, sizeof(out->consent), err) ||
	    get_str(req, "app", out->app, sizeof(out->app), err) ||
	    get_str(req, "camera", out->camera, sizeof(out->camera), err))
		return -EINVAL;
	if (!bf_consent_token_ok(out->consent))
		return refuse(err, "bad-request", "\"consent\" is not a consent id ([A-Za-z0-9._:-])");
	if (!bf_consent_name_ok(out->app) || !bf_consent_name_ok(out->camera))
		return refuse(err, "bad-request", "\"%s\" is not a policy name ([a-z0-9][a-z0-9_.-]*)",
			      bf_consent_name_ok(out->app) ? "camera" : "app");
	if (!json_object_object_get_ex(req, "for", NULL))
		return 0;
	if (get_str(req, "for", dur, sizeof(dur), err))
		return -EINVAL;
	rc = bf_parse_duration(dur, &out->for_ms);
	if (rc == -ERANGE)
		return refuse(err, "bad-window", "\"for\" is out of range");
	if (rc)
		return refuse(err, "bad-window", "\"for\" is not a duration (e.g. \"500ms\", \"10s\", \"1m\")");
	if (!out->for_ms)
		return refuse(err, "bad-window", "\"for\" is 0: a window must have a length");
	out->has_for = true;
	return 0;
}

uint32_t bf_window_rule(const struct bf_resolved *r, const struct bf_tables *t, int app, int cam,
			uint32_t *flags)
{
	uint64_t objs = 1ull << cam;
	const struct bf_camera_res *cr = &r->cameras[cam];

	for (size_t k = 0; k < cr->n_keys; k++)
		objs |= bf_eval_cameras(t, cr->keys[k].major, cr->keys[k].minor);
	return bf_eval_rules(t->capture, t->cfg.n_capture, 1ull << app, objs, flags);
}

const char *bf_window_consent_code(int consent_err)
{
	switch (consent_err) {
	case -ENOENT: return "no-grant";
	case -EKEYREVOKED: return "grant-revoked";
	case -EKEYREJECTED: return "grant-not-yet";
	case -EKEYEXPIRED: return "grant-expired";
	case -EACCES: return "purpose-not-covered";
	case -EPERM: return "camera-not-covered";
	default: return "internal";
	}
}

/* The deciding rule must be a consent rule; fills the rule part of the plan. */
static int plan_rule(const struct bf_policy *p, const struct bf_resolved *r,
		     const struct bf_tables *t, const struct bf_window_req *req,
		     struct bf_window_plan *out, struct bf_window_err *err)
{
	uint32_t flags;
	const struct bf_rule_ast *ra;

	out->rule = bf_window_rule(r, t, out->app, out->camera, &flags);
	if (out->rule == BF_RULE_DEFAULT || !(flags & BF_RF_CONSENT)) {
		if (out->rule == BF_RULE_DEFAULT)
			return refuse(err, "no-consent-rule", "no rule lets %s open %s: nothing to open a window for",
				      req->app, req->camera);
		ra = &p->rules[t->capture_ast[out->rule]];
		return refuse(err, "no-consent-rule", "%s opening %s is decided by %s:%u, not a consent rule",
			      req->app, req->camera, ra->src.file, ra->src.line);
	}
	out->rule_ast = t->capture_ast[out->rule];
	ra = &p->rules[out->rule_ast];
	out->purpose = ra->purpose;
	out->purpose_id = t->capture[out->rule].purpose;
	out->for_ms = req->has_for ? req->for_ms : ra->window_ms;
	if (out->for_ms > ra->window_ms) {
		char want[32], max[32];

		bf_format_duration(out->for_ms, want, sizeof(want));
		bf_format_duration(ra->window_ms, max, sizeof(max));
		return refuse(err, "window-too-long", "a %s window is longer than the %s the rule at %s:%u allows",
			      want, max, ra->src.file, ra->src.line);
	}
	return 0;
}

int bf_window_plan(const struct bf_policy *p, const struct bf_resolved *r, const struct bf_tables *t,
		   const struct bf_ledger *l, const struct bf_window_req *req, int64_t now_ns,
		   struct bf_window_plan *out, struct bf_window_err *err)
{
	const char *why;
	int rc;

	memset(out, 0, sizeof(*out));
	out->app = bf_policy_app(p, req->app);
	out->camera = bf_policy_camera(p, req->camera);
	if (out->app < 0 || out->app >= BF_MAX_APPS)
		return refuse(err, "unknown-app", "the policy in force has no app \"%s\"", req->app);
	if (out->camera < 0 || out->camera >= BF_MAX_CAMERAS)
		return refuse(err, "unknown-camera", "the policy in force has no camera \"%s\"", req->camera);
	rc = plan_rule(p, r, t, req, out, err);
	if (rc)
		return rc;
	rc = bf_consent_check(l, req->consent, out->purpose, req->camera, now_ns, &why);
	if (rc) {
		refuse(err, bf_window_consent_code(rc), "consent %s: %s (purpose %s, camera %s)",
		       req->consent, why, out->purpose, req->camera);
		return rc;
	}
	out->grant = bf_ledger_find(l, req->consent);
	return 0;
}
