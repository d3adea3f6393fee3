/* window.h - capture windows: reading a window request and the checks made before one opens. */
#ifndef BF_WINDOW_H
#define BF_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "compile.h"
#include "consent/consent.h"
#include "policy/policy.h"
#include "resolve.h"

/* Why a request was refused: a stable protocol error code and words for people. */
struct bf_window_err {
	const char *code;	/* static, see docs/control-protocol.md */
	char msg[256];
};

struct bf_window_req {
	char consent[BF_CONSENT_TOKEN_MAX];
	char app[BF_NAME_MAX];
	char camera[BF_NAME_MAX];
	uint32_t for_ms;
	bool has_for;
};

/*
 * Reads {"cmd":"window-open","consent":ID,"app":APP,"camera":CAM[,"for":"10s"]}.
 * Every member must be a string of the right syntax; unknown members are
 * refused (a misspelt "for" must not silently give the default). Returns
 * 0, or -EINVAL with err filled ("bad-request" or "bad-window").
 */
int bf_window_req_parse(struct json_object *req, struct bf_window_req *out,
			struct bf_window_err *err);

/* What a valid request opens. */
struct bf_window_plan {
	int app;		/* index in the policy: the app bit */
	int camera;		/* index in the policy: the camera bit */
	uint32_t rule;		/* the consent rule's index among the capture rules */
	int rule_ast;		/* ... and in policy->rules */
	uint16_t purpose_id;
	const char *purpose;	/* the rule's, borrowed from the policy */
	uint32_t for_ms;
	const struct bf_consent_grant *grant;	/* borrowed from the ledger */
};

/*
 * The capture rule that decides an open of a device of camera CAM by a
 * process that is app APP (and no other): BF_RULE_DEFAULT if none. The
 * camera mask is the one such a device shows the kernel, so a class rule
 * placed before a rule on the camera's own name is found first, as the
 * kernel would find it.
 */
uint32_t bf_window_rule(const struct bf_resolved *r, const struct bf_tables *t, int app, int cam,
			uint32_t *flags);

/*
 * May REQ open a window now (NOW_NS, CLOCK_REALTIME)? Checked in this
 * order: app and camera exist in the policy in force, the rule deciding
 * for them is a consent rule, the length is within the rule's window, the
 * grant is usable for the rule's purpose on that camera. Returns 0 with
 * *out filled, or -errno with err filled.
 */
int bf_window_plan(const struct bf_policy *p, const struct bf_resolved *r, const struct bf_tables *t,
		   const struct bf_ledger *l, const struct bf_window_req *req, int64_t now_ns,
		   struct bf_window_plan *out, struct bf_window_err *err);

/* The protocol error code for a bf_consent_check() result. */
const char *bf_window_consent_code(int consent_err);

#endif /* BF_WINDOW_H */
