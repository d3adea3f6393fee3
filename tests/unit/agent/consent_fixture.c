/* consent_fixture.c - what the consent-family agent tests add to agent_fixture.c: fake window kernel, test policy and ledger, control requests. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "agent_ledger.h"
#include "consent_fixture.h"

const char cfx_policy[] =
	"camera lobby path \"/dev/video0\"\n"				/* 1 */
	"camera gate path \"/dev/video1\"\n"				/* 2 */
	"app recognizer exe \"/opt/r\"\n"				/* 3 */
	"app doorctl exe \"@DIR@/doorctl\"\n"				/* 4 */
	"broker doorctl\n"						/* 5 */
	"window-grace 2s\n"						/* 6 */
	"max-window 1m\n"						/* 7 */
	"# the consent rule\n"						/* 8 */
	"capture allow recognizer lobby consent entry window 10s\n"	/* 9 */
	"capture deny any any\n";					/* 10 */

#define G(id, gr, ex) "{\"type\":\"grant\",\"id\":\"" id "\",\"subject\":\"p-" id "\"," \
	"\"purpose\":\"entry\",\"cameras\":[\"lobby\"],\"granted\":\"" gr "\",\"expires\":\"" ex "\"," \
	"\"notice\":\"v3\"}\n"

const char cfx_ledger[] =
	G("g1", "2026-01-01T00:00:00Z", "2026-07-01T00:00:00Z")
	G("g2", "2026-01-01T00:00:00Z", "2026-07-01T00:00:00Z")
	G("g3", "2025-01-01T00:00:00Z", "2025-06-01T00:00:00Z")
	G("g4", "2026-06-01T00:00:00Z", "2026-12-01T00:00:00Z")
	"{\"type\":\"revoke\",\"id\":\"g2\",\"time\":\"2026-02-01T00:00:00Z\"}\n";

/* ---- the fake kernel side of windows ---- */

static int w_next_id(void *ctx, uint32_t *id)
{
	*id = ++((struct cfx_windows *)ctx)->next_id;
	return 0;
}

static int w_info_put(void *ctx, const struct bf_window_info *w)
{
	((struct cfx_windows *)ctx)->info_puts++;
	return 0;
}

static int w_info_del(void *ctx, uint32_t id)
{
	struct cfx_windows *k = ctx;

	k->info_dels++;
	k->last_del = id;
	return 0;
}

static int w_info_all(void *ctx, struct bf_window_info **out, size_t *n)
{
	struct cfx_windows *k = ctx;

	*out = calloc(k->n_adopt + 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	memcpy(*out, k->adopt, k->n_adopt * sizeof(**out));
	*n = k->n_adopt;
	return 0;
}

static int w_set_put(void *ctx, uint32_t slot, uint32_t app, const struct bf_window_set *s)
{
	struct cfx_windows *k = ctx;

	if (k->set_err)
		return k->set_err;
	k->set_puts++;
	k->set_app = app;
	k->set_present = s != NULL;
	if (s)
		k->set = *s;
	return 0;
}

static int w_taint_from(void *ctx, uint32_t origin, uint32_t *tgids, size_t max, size_t *n)
{
	*n = 0;
	return 0;
}

static bool w_pid_holds(void *ctx, uint32_t pid, uint32_t major, uint32_t minor)
{
	return pid == ((struct cfx_windows *)ctx)->holder_pid;
}

static int w_kill(void *ctx, uint32_t pid, const struct bf_window_holder *h)
{
	struct cfx_windows *k = ctx;

	k->kills++;
	k->killed = pid;
	return 0;
}

static const struct agent_window_ops cfx_window_ops = {
	.next_id = w_next_id, .info_put = w_info_put, .info_del = w_info_del,
	.info_all = w_info_all, .set_put = w_set_put, .taint_from = w_taint_from,
	.pid_holds = w_pid_holds, .kill = w_kill,
};

/* ---- the agent ---- */

void cfx_write_ledger(struct cfx *f, const char *text)
{
	bff_write(f->b, "consent.jsonl", text);
	assert_int_equal(chmod(f->ledger, 0600), 0);
}

/* POLICY with its first "@DIR@" replaced by DIR. */
static void with_dir(char *out, size_t len, const char *policy, const char *dir)
{
	const char *at = strstr(policy, "@DIR@");

	if (!at)
		snprintf(out, len, "%s", policy);
	else
		snprintf(out, len, "%.*s%s%s", (int)(at - policy), policy, dir, at + 5);
}

struct cfx *cfx_new(const char *policy, const char *ledger)
{
	struct cfx *f = calloc(1, sizeof(*f));
	char text[4096];

	assert_non_null(f);
	f->b = bff_new();
	f->ag = &f->b->ag;
	snprintf(f->ledger, sizeof(f->ledger), "%s", bff_path(f->b, "consent.jsonl"));
	f->ag->opt.consent = f->ledger;
	if (ledger)
		cfx_write_ledger(f, ledger);
	/* The broker is a binary of the fixture's own, so a fake process can be it. */
	bff_write(f->b, "doorctl", "");
	bff_proc(f->b, CFX_BROKER_PID, bff_path(f->b, "doorctl"), "/", "doorctl", 1000, 0);
	with_dir(text, sizeof(text), policy, f->b->dir);
	f->ag->consent.ops = &cfx_window_ops;
	f->ag->consent.ops_ctx = &f->w;
	bff_use_policy(f->b, text);
	assert_int_equal(agent_consent_start(f->ag), 0);
	return f;
}

void cfx_free(struct cfx *f)
{
	agent_consent_stop(f->ag);
	bff_free(f->b);
	free(f);
}

int cfx_setup(void **state)
{
	*state = cfx_new(cfx_policy, cfx_ledger);
	return 0;
}

int cfx_teardown(void **state)
{
	cfx_free(*state);
	return 0;
}

struct agent_now cfx_now(int64_t after_ns)
{
	return (struct agent_now){ .real_ns = CFX_REAL + after_ns, .boot_ns = CFX_BOOT + after_ns };
}

/* ---- control requests ---- */

struct agent_ctl_req cfx_req(struct cfx *f, struct json_object *req, uint32_t uid,
			     struct agent_now now)
{
	static struct bf_ctl_client c;
	struct agent_ctl_req r = { .ag = f->ag, .c = &c, .req = req, .now = now };

	memset(&c, 0, sizeof(c));
	c.uid = uid;
	c.pid = 4242;
	r.cmd = json_object_get_string(json_object_object_get(req, "cmd"));
	agent_peer_identify(f->ag, &c, &r.peer);
	return r;
}

struct json_object *cfx_json(const char *text)
{
	struct json_object *o = json_tokener_parse(text);

	if (!o)
		fail_msg("not JSON: %s", text);
	return o;
}

const char *cfx_error(struct json_object *reply)
{
	struct json_object *ok;

	assert_true(json_object_object_get_ex(reply, "ok", &ok));
	if (json_object_get_boolean(ok))
		return NULL;
	return bff_str(reply, "error.code");
}

struct bf_window_info *cfx_open(struct cfx *f, uint32_t for_ms, struct agent_now now)
{
	struct bf_window_info proto = {}, *w = NULL;

	snprintf(proto.consent, sizeof(proto.consent), "g1");
	snprintf(proto.app, sizeof(proto.app), "recognizer");
	snprintf(proto.camera, sizeof(proto.camera), "lobby");
	snprintf(proto.purpose, sizeof(proto.purpose), "entry");
	snprintf(proto.rule, sizeof(proto.rule), CFX_RULE);
	assert_int_equal(agent_window_open(f->ag, &proto, for_ms, now, &w), 0);
	assert_non_null(w);
	return w;
}
