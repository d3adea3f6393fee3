/* test_compile.c - unit tests for the policy compiler: the tables it builds must give the kernel's decisions. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "compile.h"

#define NF BF_PARSE_NO_FS_CHECKS
#define DEV_SDA1 ((8ull << 20) | 1)     /* kernel encoding of 8:1 */
#define NO_RULE 0                       /* expect_*: "no rule matched" */

/* A parsed policy, the resolution a test makes up for it, and what it compiles to. */
struct fx {
	struct bf_policy *p;
	struct bf_resolved r;
	struct bf_tables t;
};

/* ---- helpers ---- */

static struct bf_policy *parse_ok(const char *text)
{
	struct bf_diags d = { 0 };
	struct bf_policy *p = NULL;
	int rc = bf_policy_parse_string("t.policy", text, NF, &p, &d);

	if (rc != 0)
		fail_msg("rc %d, first diagnostic: %s", rc, d.n ? d.msgs[0] : "(none)");
	/* shadowing warnings are expected where a test puts a rule behind a wider one */
	assert_int_equal(d.n_errors, 0);
	assert_non_null(p);
	bf_diags_free(&d);
	return p;
}

/* Nothing resolved yet: every app and camera starts unable to match, as after a failed lookup. */
static void fx_parse(struct fx *f, const char *text)
{
	memset(f, 0, sizeof(*f));
	f->p = parse_ok(text);
	f->r.apps = calloc(f->p->n_apps ? f->p->n_apps : 1, sizeof(*f->r.apps));
	f->r.cameras = calloc(f->p->n_cameras ? f->p->n_cameras : 1, sizeof(*f->r.cameras));
	f->r.stores = calloc(f->p->n_stores ? f->p->n_stores : 1, sizeof(*f->r.stores));
	assert_non_null(f->r.stores);
	assert_non_null(f->r.apps);
	assert_non_null(f->r.cameras);
}

static void fx_compile(struct fx *f, uint32_t slot, uint32_t seq)
{
	char err[256] = "";
	int rc = bf_compile(f->p, &f->r, slot, seq, &f->t, err, sizeof(err));

	if (rc != 0)
		fail_msg("bf_compile: %d (%s)", rc, err);
}

static void fx_free(struct fx *f)
{
	bf_tables_free(&f->t);
	bf_resolved_free(&f->r);
	bf_policy_free(f->p);
}

static size_t app_ix(const struct fx *f, const char *name)
{
	for (size_t i = 0; i < f->p->n_apps; i++)
		if (strcmp(f->p->apps[i].name, name) == 0)
			return i;
	fail_msg("no app %s", name);
	return 0;
}

static size_t cam_ix(const struct fx *f, const char *name)
{
	for (size_t i = 0; i < f->p->n_cameras; i++)
		if (strcmp(f->p->cameras[i].name, name) == 0)
			return i;
	fail_msg("no camera %s", name);
	return 0;
}

static size_t dest_ix(const struct fx *f, const char *name)
{
	for (size_t i = 0; i < f->p->n_dests; i++)
		if (strcmp(f->p->dests[i].name, name) == 0)
			return i;
	fail_msg("no dest %s", name);
	return 0;
}

/* Masks are spelled as name lists ("d8 d16") so an expectation reads like the policy. */
static uint64_t mask_of(const struct fx *f, size_t (*ix)(const struct fx *, const char *),
			const char *names)
{
	char buf[512], *save = NULL;
	uint64_t m = 0;

	snprintf(buf, sizeof(buf), "%s", names);
	for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
		m |= 1ull << ix(f, w);
	return m;
}

#define APPS(f, names) mask_of(f, app_ix, names)
#define CAMS(f, names) mask_of(f, cam_ix, names)
#define SETS(f, names) mask_of(f, dest_ix, names)

static void res_exe(struct fx *f, const char *app, uint64_t dev, uint64_t ino)
{
	struct bf_app_res *a = &f->r.apps[app_ix(f, app)];

	a->exe_ok = true;
	a->exe_dev = dev;
	a->exe_ino = ino;
}

static void res_cg(struct fx *f, const char *app, uint64_t cgid, unsigned level)
{
	struct bf_app_res *a = &f->r.apps[app_ix(f, app)];

	a->cgroup_ok = true;
	a->cgid = cgid;
	a->cg_level = level;
}

static void res_uid(struct fx *f, const char *app, uint32_t uid)
{
	struct bf_app_res *a = &f->r.apps[app_ix(f, app)];

	a->uid_ok = true;
	a->uid = uid;
}

static void res_cam(struct fx *f, const char *cam, uint32_t major, uint32_t minor)
{
	struct bf_camera_res *c = &f->r.cameras[cam_ix(f, cam)];

	assert_true(c->n_keys < BF_CAM_MAX_KEYS);
	c->keys[c->n_keys++] = (struct bf_cam_dev){ .major = major, .minor = minor };
}

/* IPv4 text lands at ::ffff:a.b.c.d, exactly as bf_map_v4 places a connect4 address. */
static void addr_of(const char *s, uint8_t out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out + 12) == 1) {
		out[10] = out[11] = 0xff;
		return;
	}
	if (inet_pton(AF_INET6, s, out) != 1)
		fail_msg("bad address %s", s);
}

static uint64_t sets_of(const struct fx *f, const char *addr, uint16_t port, uint8_t proto)
{
	uint8_t a[16];

	addr_of(addr, a);
	return bf_eval_dest_sets(&f->t, a, port, proto);
}

static const struct bf_rule_ast *rule_ast(const struct fx *f, enum bf_rule_kind kind, uint32_t rule)
{
	const int *ast = kind == BF_RULE_CAPTURE ? f->t.capture_ast : f->t.export_ast;
	const struct bf_rule_ast *ra;

	assert_in_range(ast[rule], 0, (long)f->p->n_rules - 1);
	ra = &f->p->rules[ast[rule]];
	assert_int_equal(ra->kind, kind);
	return ra;
}

/* LINE is the source line of the rule that must decide, or NO_RULE for the built-in deny. */
static void expect_rule(const struct fx *f, enum bf_rule_kind kind, uint32_t rule, uint32_t flags,
			unsigned line, uint32_t want_flags)
{
	if (line == NO_RULE) {
		if (rule != BF_RULE_DEFAULT)
			fail_msg("expected the default, got rule %u (line %u)", rule,
				 rule_ast(f, kind, rule)->src.line);
		assert_int_equal(flags, 0);
		return;
	}
	if (rule == BF_RULE_DEFAULT)
		fail_msg("expected line %u, got the default", line);
	assert_int_equal(rule_ast(f, kind, rule)->src.line, line);
	assert_int_equal(flags, want_flags);
}

/* bf_eval_rules (the deciding rule) or bf_eval_audit_rule (the trial reported). */
typedef uint32_t (*rule_eval_fn)(const struct bf_rule *rules, uint32_t n, uint64_t apps,
				 uint64_t objs, uint32_t *flags);

static void check_capture(const struct fx *f, rule_eval_fn eval, uint64_t apps, uint32_t major,
			  uint32_t minor, unsigned line, uint32_t want_flags)
{
	uint32_t flags = 0xdead;
	uint32_t rule = eval(f->t.capture, f->t.cfg.n_capture, apps,
			     bf_eval_cameras(&f->t, major, minor), &flags);

	expect_rule(f, BF_RULE_CAPTURE, rule, flags, line, want_flags);
}

static void check_export(const struct fx *f, rule_eval_fn eval, uint64_t apps, const char *addr,
			 uint16_t port, uint8_t proto, unsigned line, uint32_t want_flags)
{
	uint32_t flags = 0xdead;
	uint32_t rule = eval(f->t.export, f->t.cfg.n_export, apps, sets_of(f, addr, port, proto),
			     &flags);

	expect_rule(f, BF_RULE_EXPORT, rule, flags, line, want_flags);
}

#define expect_capture(f, ...) check_capture(f, bf_eval_rules, __VA_ARGS__)
#define expect_export(f, ...) check_export(f, bf_eval_rules, __VA_ARGS__)
#define expect_capture_trial(f, ...) check_capture(f, bf_eval_audit_rule, __VA_ARGS__)
#define expect_export_trial(f, ...) check_export(f, bf_eval_audit_rule, __VA_ARGS__)

static uint64_t apps_of(const struct fx *f, uint64_t dev, uint64_t ino, uint32_t uid,
			const uint64_t *cgids, size_t n)
{
	return bf_eval_apps(&f->t, dev, ino, uid, cgids, n);
}

#define ALLOW (BF_RF_ALLOW)
#define DENY 0u
#define ANYAPP BF_RF_ANY_APP
#define ANYOBJ BF_RF_ANY_OBJ

/* ---- the worked example in biofence.h ---- */

static const char header_example[] =
	"app recognizer exe \"/opt/gate/bin/recognizer\"\n"  /* 1 */
	"app nvr        unit \"nvr.service\"\n"
	"camera lobby   path \"/dev/video0\"\n"
	"camera all     class video\n"
	"dest controller 10.20.0.5 tcp 8443\n"              /* 5 */
	"dest local      127.0.0.0/8, ::1\n"
	"capture allow recognizer lobby\n"
	"capture allow nvr all\n"
	"capture deny any all\n"
	"export allow recognizer controller\n"              /* 10 */
	"export allow any local\n"
	"export deny any any\n";

static void header_fx(struct fx *f, uint32_t slot, uint32_t seq)
{
	fx_parse(f, header_example);
	res_exe(f, "recognizer", DEV_SDA1, 42);
	res_cg(f, "nvr", 777, 2);
	res_cam(f, "lobby", 81, 0);
	res_cam(f, "all", 81, BF_ANY_MINOR);
	fx_compile(f, slot, seq);
}

static void test_header_example_tables(void **state)
{
	struct fx f;
	uint8_t a[16];

	header_fx(&f, 1, 9);
	assert_int_equal(f.t.exe.n, 1);
	assert_int_equal(f.t.exe.v[0].k.dev, DEV_SDA1);
	assert_int_equal(f.t.exe.v[0].k.ino, 42);
	assert_int_equal(f.t.exe.v[0].v.mask, 0x1);
	assert_int_equal(f.t.cgrp.n, 1);
	assert_int_equal(f.t.cgrp.v[0].k.cgid, 777);
	assert_int_equal(f.t.cgrp.v[0].v.mask, 0x2);
	assert_int_equal(f.t.cfg.cg_levels, 1u << 2);
	assert_int_equal(f.t.uid.n, 0);
	assert_int_equal(f.t.cfg.apps_no_uid, 0x3);
	assert_int_equal(f.t.cfg.apps_no_exe, 0x2);
	assert_int_equal(f.t.cfg.apps_no_cgroup, 0x1);
	/* the kernel ORs the exact and whole-class lookups, so 81:0 is both cameras */
	assert_int_equal(bf_eval_cameras(&f.t, 81, 0), 0x3);
	assert_int_equal(bf_eval_cameras(&f.t, 81, 9), 0x2);
	assert_int_equal(f.t.port.n, 1);
	assert_int_equal(f.t.port.v[0].k.proto, BF_PROTO_TCP);
	assert_int_equal(f.t.port.v[0].k.port, 8443);
	assert_int_equal(f.t.port.v[0].v.mask, 0x1);
	assert_int_equal(f.t.cfg.port_any[BF_PROTO_ANY], 0x2);
	assert_int_equal(f.t.cfg.port_any[BF_PROTO_TCP], 0);
	assert_int_equal(f.t.cfg.port_any[BF_PROTO_UDP], 0);
	assert_int_equal(f.t.dest.n, 3);
	for (size_t i = 0; i < f.t.dest.n; i++) {
		const struct bf_kv_dest *kv = &f.t.dest.v[i];

		switch (kv->k.prefixlen) {
		case 32 + 104:
			addr_of("127.0.0.0", a);
			assert_int_equal(kv->v.mask, 0x2);
			break;
		case 32 + 128:
			addr_of(kv->k.addr[15] == 1 ? "::1" : "10.20.0.5", a);
			assert_int_equal(kv->v.mask, kv->k.addr[15] == 1 ? 0x2 : 0x1);
			break;
		default:
			fail_msg("unexpected prefixlen %u", kv->k.prefixlen);
		}
		assert_memory_equal(kv->k.addr, a, 16);
	}
	assert_int_equal(f.t.cfg.n_capture, 3);
	assert_int_equal(f.t.cfg.n_export, 3);
	assert_int_equal(f.t.cfg.mode, BF_MODE_ENFORCE);
	fx_free(&f);
}

static void test_header_example_decisions(void **state)
{
	const uint64_t nvr_cg[] = { 1, 50, 777 }, other_cg[] = { 1, 50, 778 };
	struct fx f;
	uint64_t rec, nvr, nobody;

	header_fx(&f, 0, 1);
	rec = apps_of(&f, DEV_SDA1, 42, 1000, other_cg, 3);
	nvr = apps_of(&f, DEV_SDA1, 7, 0, nvr_cg, 3);
	nobody = apps_of(&f, DEV_SDA1, 7, 0, other_cg, 3);
	assert_int_equal(rec, APPS(&f, "recognizer"));
	assert_int_equal(nvr, APPS(&f, "nvr"));
	assert_int_equal(nobody, 0);

	expect_capture(&f, rec, 81, 0, 7, ALLOW);
	expect_capture(&f, rec, 81, 5, 9, DENY | ANYAPP);
	expect_capture(&f, nvr, 81, 5, 8, ALLOW);
	expect_capture(&f, nvr, 81, 0, 8, ALLOW);
	expect_capture(&f, nobody, 81, 0, 9, DENY | ANYAPP);

	expect_export(&f, rec, "10.20.0.5", 8443, IPPROTO_TCP, 10, ALLOW);
	expect_export(&f, rec, "::ffff:10.20.0.5", 8443, IPPROTO_TCP, 10, ALLOW);
	expect_export(&f, rec, "10.20.0.5", 8443, IPPROTO_UDP, 12, DENY | ANYAPP | ANYOBJ);
	expect_export(&f, rec, "10.20.0.5", 443, IPPROTO_TCP, 12, DENY | ANYAPP | ANYOBJ);
	expect_export(&f, nvr, "10.20.0.5", 8443, IPPROTO_TCP, 12, DENY | ANYAPP | ANYOBJ);
	expect_export(&f, nobody, "127.0.0.1", 53, IPPROTO_UDP, 11, ALLOW | ANYAPP);
	expect_export(&f, nvr, "::1", 80, IPPROTO_TCP, 11, ALLOW | ANYAPP);
	expect_export(&f, nvr, "::2", 80, IPPROTO_TCP, 12, DENY | ANYAPP | ANYOBJ);
	expect_export(&f, rec, "128.0.0.1", 80, IPPROTO_TCP, 12, DENY | ANYAPP | ANYOBJ);
	fx_free(&f);
}

/* ---- first match ---- */

static void test_first_match_order(void **state)
{
	struct fx f;
	uint64_t a, b;

	fx_parse(&f,
		 "app a exe \"/bin/a\"\n"
		 "app b exe \"/bin/b\"\n"
		 "camera cam class video\n"
		 "capture deny a cam\n"         /* 4 */
		 "capture allow a cam\n"
		 "capture allow b cam\n"
		 "capture deny b cam\n"
		 "dest net 10.0.0.0/8\n"
		 "export allow a net\n"          /* 9 */
		 "export deny a net\n"
		 "export deny b net\n"
		 "export allow b net\n");
	res_exe(&f, "a", DEV_SDA1, 1);
	res_exe(&f, "b", DEV_SDA1, 2);
	res_cam(&f, "cam", 81, BF_ANY_MINOR);
	fx_compile(&f, 0, 1);
	a = apps_of(&f, DEV_SDA1, 1, 0, NULL, 0);
	b = apps_of(&f, DEV_SDA1, 2, 0, NULL, 0);
	assert_int_equal(a, APPS(&f, "a"));
	assert_int_equal(b, APPS(&f, "b"));

	expect_capture(&f, a, 81, 3, 4, DENY);
	expect_capture(&f, b, 81, 3, 6, ALLOW);
	expect_capture(&f, a | b, 81, 3, 4, DENY);
	expect_capture(&f, 0, 81, 3, NO_RULE, 0);
	expect_export(&f, a, "10.1.1.1", 80, IPPROTO_TCP, 9, ALLOW);
	expect_export(&f, b, "10.1.1.1", 80, IPPROTO_TCP, 11, DENY);
	expect_export(&f, a, "11.1.1.1", 80, IPPROTO_TCP, NO_RULE, 0);
	/* capture_ast and export_ast index the one file-ordered rule list */
	assert_int_equal(f.t.cfg.n_capture, 4);
	assert_int_equal(f.t.cfg.n_export, 4);
	for (uint32_t i = 0; i < 4; i++) {
		assert_int_equal(f.t.capture_ast[i], (int)i);
		assert_int_equal(f.t.export_ast[i], (int)(4 + i));
	}
	fx_free(&f);
}

static void test_any_and_default(void **state)
{
	struct fx f;
	uint64_t a;

	fx_parse(&f,
		 "app a exe \"/bin/a\"\n"
		 "camera c1 path \"/dev/video0\"\n"
		 "camera c2 path \"/dev/video1\"\n"
		 "dest one 10.0.0.1\n"
		 "dest all any\n"
		 "export allow a one\n"          /* 6 */
		 "capture allow a c1\n"
		 "capture allow any c2\n"
		 "capture deny a any\n"
		 "export deny any all\n"         /* 10 */
		 "export allow any any\n");
	res_exe(&f, "a", DEV_SDA1, 1);
	res_cam(&f, "c1", 81, 0);
	res_cam(&f, "c2", 81, 1);
	fx_compile(&f, 0, 1);
	a = apps_of(&f, DEV_SDA1, 1, 0, NULL, 0);
	assert_int_equal(a, 0x1);

	expect_capture(&f, a, 81, 0, 7, ALLOW);
	expect_capture(&f, a, 81, 1, 8, ALLOW | ANYAPP);
	/* "any" app covers a process that is no app at all */
	expect_capture(&f, 0, 81, 1, 8, ALLOW | ANYAPP);
	expect_capture(&f, 0, 81, 0, NO_RULE, 0);
	/* "any" camera matches even a device no camera names (the kernel never asks, but the rule says any) */
	expect_capture(&f, a, 81, 7, 9, DENY | ANYOBJ);
	expect_capture(&f, 0, 81, 7, NO_RULE, 0);

	expect_export(&f, a, "10.0.0.1", 1, IPPROTO_UDP, 6, ALLOW);
	expect_export(&f, a, "10.0.0.2", 1, IPPROTO_UDP, 10, DENY | ANYAPP);
	expect_export(&f, 0, "10.0.0.1", 1, IPPROTO_UDP, 10, DENY | ANYAPP);
	expect_export(&f, 0, "2001:db8::1", 443, IPPROTO_TCP, 10, DENY | ANYAPP);
	fx_free(&f);
}

static void test_default_deny_no_rules(void **state)
{
	struct fx f;
	uint32_t flags = 0xdead;

	fx_parse(&f, "app a user \"0\"\ncamera c class video\ndest d any\n");
	res_uid(&f, "a", 0);
	res_cam(&f, "c", 81, BF_ANY_MINOR);
	fx_compile(&f, 0, 1);
	assert_int_equal(f.t.cfg.n_capture, 0);
	assert_int_equal(f.t.cfg.n_export, 0);
	expect_capture(&f, 0x1, 81, 0, NO_RULE, 0);
	expect_export(&f, 0x1, "1.2.3.4", 80, IPPROTO_TCP, NO_RULE, 0);
	/* only the first n rules count: stale entries past n_capture must be ignored */
	f.t.capture[0] = (struct bf_rule){ .flags = BF_RF_ALLOW | BF_RF_ANY_APP | BF_RF_ANY_OBJ };
	assert_int_equal(bf_eval_rules(f.t.capture, 0, ~0ull, ~0ull, &flags), BF_RULE_DEFAULT);
	assert_int_equal(flags, 0);
	fx_free(&f);
}

static void test_audit_rule_and_mode(void **state)
{
	static const char body[] =
		"app a user \"0\"\n"
		"camera c class video\n"
		"dest d 10.0.0.0/8\n"
		"capture deny a c audit\n"       /* 4 */
		"capture allow a c\n"
		"capture allow any c\n"
		"export allow a d audit\n"       /* 7 */
		"export deny any d\n";
	struct fx f;
	char *text;

	fx_parse(&f, body);
	res_uid(&f, "a", 0);
	res_cam(&f, "c", 81, BF_ANY_MINOR);
	fx_compile(&f, 0, 1);
	assert_int_equal(f.t.cfg.mode, BF_MODE_ENFORCE);
	/*
	 * An audit rule is a trial: it is reported, but the next enforcing
	 * rule decides, so adding a trial can never open or close anything.
	 */
	expect_capture(&f, 0x1, 81, 0, 5, ALLOW);
	expect_capture_trial(&f, 0x1, 81, 0, 4, DENY | BF_RF_AUDIT);
	expect_capture(&f, 0, 81, 0, 6, ALLOW | ANYAPP);
	expect_capture_trial(&f, 0, 81, 0, NO_RULE, 0);
	expect_export(&f, 0x1, "10.9.9.9", 80, IPPROTO_TCP, 8, DENY | ANYAPP);
	expect_export_trial(&f, 0x1, "10.9.9.9", 80, IPPROTO_TCP, 7, ALLOW | BF_RF_AUDIT);
	expect_export(&f, 0, "10.9.9.9", 80, IPPROTO_TCP, 8, DENY | ANYAPP);
	expect_export_trial(&f, 0, "10.9.9.9", 80, IPPROTO_TCP, NO_RULE, 0);
	assert_int_equal(f.t.capture[1].flags, BF_RF_ALLOW);
	fx_free(&f);

	assert_true(asprintf(&text, "mode audit\n%s", body) > 0);
	fx_parse(&f, text);
	res_uid(&f, "a", 0);
	res_cam(&f, "c", 81, BF_ANY_MINOR);
	fx_compile(&f, 0, 1);
	assert_int_equal(f.t.cfg.mode, BF_MODE_AUDIT);
	/* mode audit is the agent's and kernel's business; rule flags stay as written */
	expect_capture(&f, 0x1, 81, 0, 6, ALLOW);
	expect_capture_trial(&f, 0x1, 81, 0, 5, DENY | BF_RF_AUDIT);
	assert_int_equal(f.t.capture[1].flags, BF_RF_ALLOW);
	fx_free(&f);
	free(text);
}

/* ---- apps ---- */

static void test_apps_multi_key(void **state)
{
	const uint64_t kiosk[] = { 1, 300, 500 }, ops[] = { 1, 400, 501 }, shallow[] = { 1, 300 };
	struct fx f;

	fx_parse(&f,
		 "app exe-user exe \"/opt/x\" user \"1000\"\n"
		 "app exe-cg   exe \"/opt/x\" cgroup \"/gate.slice/kiosk.service\"\n"
		 "app gone     exe \"/opt/gone\"\n"
		 "app anyone   user \"1000\"\n"
		 "app cg-only  cgroup \"/ops.slice\"\n"
		 "app nvr      unit \"nvr.service\" user \"nvr\"\n"
		 "app all3     exe \"/opt/y\" unit \"y.service\" user \"0\"\n");
	res_exe(&f, "exe-user", DEV_SDA1, 10);
	res_uid(&f, "exe-user", 1000);
	res_exe(&f, "exe-cg", DEV_SDA1, 10);
	res_cg(&f, "exe-cg", 500, 2);
	/* gone: exe_ok stays false, as when the file is missing */
	res_uid(&f, "anyone", 1000);
	res_cg(&f, "cg-only", 400, 1);
	res_cg(&f, "nvr", 600, 2);           /* its user "nvr" did not resolve */
	res_exe(&f, "all3", DEV_SDA1, 20);
	res_cg(&f, "all3", 501, 2);
	res_uid(&f, "all3", 0);
	fx_compile(&f, 0, 1);

	assert_int_equal(f.t.cfg.apps_no_exe, APPS(&f, "anyone cg-only nvr"));
	assert_int_equal(f.t.cfg.apps_no_cgroup, APPS(&f, "exe-user gone anyone"));
	assert_int_equal(f.t.cfg.apps_no_uid, APPS(&f, "exe-cg gone cg-only"));
	assert_int_equal(f.t.cfg.cg_levels, (1u << 1) | (1u << 2));
	/* one exe key carries both apps naming /opt/x; nothing for the unresolved /opt/gone */
	assert_int_equal(f.t.exe.n, 2);
	assert_int_equal(f.t.exe.v[0].v.mask, APPS(&f, "exe-user exe-cg"));
	assert_int_equal(f.t.uid.n, 2);

	assert_int_equal(apps_of(&f, DEV_SDA1, 10, 1000, kiosk, 3),
			 APPS(&f, "exe-user exe-cg anyone"));
	assert_int_equal(apps_of(&f, DEV_SDA1, 10, 0, kiosk, 3), APPS(&f, "exe-cg"));
	assert_int_equal(apps_of(&f, DEV_SDA1, 10, 1000, shallow, 2), APPS(&f, "exe-user anyone"));
	assert_int_equal(apps_of(&f, DEV_SDA1, 11, 1000, kiosk, 3), APPS(&f, "anyone"));
	assert_int_equal(apps_of(&f, DEV_SDA1, 11, 1000, ops, 3), APPS(&f, "anyone cg-only"));
	/* the same inode on another device is another file */
	assert_int_equal(apps_of(&f, DEV_SDA1 + 1, 10, 0, kiosk, 3), 0);
	assert_int_equal(apps_of(&f, DEV_SDA1, 20, 0, ops, 3), APPS(&f, "all3 cg-only"));
	assert_int_equal(apps_of(&f, DEV_SDA1, 20, 1, ops, 3), APPS(&f, "cg-only"));
	assert_int_equal(apps_of(&f, DEV_SDA1, 20, 0, kiosk, 3), 0);
	/* nvr's cgroup matches but its user key is unresolved: it can never match */
	{
		const uint64_t nvr_cg[] = { 1, 300, 600 };

		for (uint32_t uid = 0; uid < 2000; uid += 37)
			assert_int_equal(apps_of(&f, DEV_SDA1, 20, uid, nvr_cg, 3) & APPS(&f, "nvr"), 0);
	}
	/* gone never matches, whatever the exe, even the no-exe (0, 0) of a kernel thread */
	for (uint64_t ino = 0; ino < 64; ino++)
		assert_int_equal(apps_of(&f, DEV_SDA1, ino, 1000, kiosk, 3) & APPS(&f, "gone"), 0);
	assert_int_equal(apps_of(&f, 0, 0, 1000, kiosk, 3) & APPS(&f, "gone"), 0);
	fx_free(&f);
}

static void test_apps_cgroup_levels(void **state)
{
	const uint64_t deep[] = { 1, 11, 12, 13, 14, 15 };
	struct fx f;

	fx_parse(&f,
		 "app root-cg cgroup \"/\"\n"
		 "app lvl1    cgroup \"/a\"\n"
		 "app lvl4    cgroup \"/a/b/c/d\"\n"
		 "app lvl31   cgroup \"/deep\"\n");
	res_cg(&f, "root-cg", 1, 0);
	res_cg(&f, "lvl1", 11, 1);
	res_cg(&f, "lvl4", 14, 4);
	res_cg(&f, "lvl31", 99, 31);
	fx_compile(&f, 0, 1);
	assert_int_equal(f.t.cfg.cg_levels, (1u << 0) | (1u << 1) | (1u << 4) | (1u << 31));
	assert_int_equal(f.t.cfg.apps_no_cgroup, 0);
	/* an app's cgroup covers its whole subtree: found among the ancestors, not only the leaf */
	assert_int_equal(apps_of(&f, 0, 0, 0, deep, 6), APPS(&f, "root-cg lvl1 lvl4"));
	assert_int_equal(apps_of(&f, 0, 0, 0, deep, 4), APPS(&f, "root-cg lvl1"));
	assert_int_equal(apps_of(&f, 0, 0, 0, deep, 1), APPS(&f, "root-cg"));
	{
		const uint64_t other[] = { 1, 21, 22, 23, 14 };
		const uint64_t at31[32] = { [0] = 1, [31] = 99 };

		/* 14 at depth 4 is lvl4's cgroup whatever the path names above it */
		assert_int_equal(apps_of(&f, 0, 0, 0, other, 5), APPS(&f, "root-cg lvl4"));
		assert_int_equal(apps_of(&f, 0, 0, 0, at31, 32), APPS(&f, "root-cg lvl31"));
		/* the kernel only looks at depths some app sits at */
		assert_int_equal(apps_of(&f, 0, 0, 0, at31, 31), APPS(&f, "root-cg"));
	}
	fx_free(&f);
}

static void test_apps_shared_exe(void **state)
{
	struct fx f;

	/* python3 and a versioned name are one inode: both apps must match it */
	fx_parse(&f,
		 "app py  exe \"/usr/bin/python3\"\n"
		 "app py3 exe \"/usr/bin/python3.11\"\n"
		 "app sh  exe \"/bin/sh\"\n");
	res_exe(&f, "py", DEV_SDA1, 77);
	res_exe(&f, "py3", DEV_SDA1, 77);
	res_exe(&f, "sh", DEV_SDA1, 78);
	fx_compile(&f, 0, 1);
	assert_int_equal(f.t.exe.n, 2);
	assert_int_equal(apps_of(&f, DEV_SDA1, 77, 0, NULL, 0), APPS(&f, "py py3"));
	assert_int_equal(apps_of(&f, DEV_SDA1, 78, 0, NULL, 0), APPS(&f, "sh"));
	assert_int_equal(f.t.cfg.apps_no_cgroup, 0x7);
	assert_int_equal(f.t.cfg.apps_no_uid, 0x7);
	assert_int_equal(f.t.cfg.cg_levels, 0);
	fx_free(&f);
}

/* ---- cameras ---- */

static void test_cameras(void **state)
{
	struct fx f;
	bool class_key = false, exact_key = false;

	fx_parse(&f,
		 "camera all   class video\n"
		 "camera lobby path \"/dev/video0\"\n"
		 "camera raw   class usb, video path \"/dev/bus/usb/001/002\"\n"
		 "camera unplugged path \"/dev/video9\"\n");
	res_cam(&f, "all", 81, BF_ANY_MINOR);
	res_cam(&f, "lobby", 81, 0);
	res_cam(&f, "raw", 189, BF_ANY_MINOR);
	res_cam(&f, "raw", 81, BF_ANY_MINOR);
	res_cam(&f, "raw", 189, 1);
	fx_compile(&f, 1, 1);
	for (size_t i = 0; i < f.t.cam.n; i++) {
		const struct bf_kv_cam *kv = &f.t.cam.v[i];

		assert_int_equal(kv->k.slot, 1);
		if (kv->k.major == 81 && kv->k.minor == BF_ANY_MINOR) {
			class_key = true;
			assert_int_equal(kv->v.mask, CAMS(&f, "all raw"));
		}
		if (kv->k.major == 81 && kv->k.minor == 0) {
			exact_key = true;
			assert_int_equal(kv->v.mask & CAMS(&f, "lobby"), CAMS(&f, "lobby"));
		}
	}
	assert_true(class_key);
	assert_true(exact_key);
	assert_int_equal(bf_eval_cameras(&f.t, 81, 0), CAMS(&f, "all lobby raw"));
	assert_int_equal(bf_eval_cameras(&f.t, 81, 1), CAMS(&f, "all raw"));
	assert_int_equal(bf_eval_cameras(&f.t, 81, 300), CAMS(&f, "all raw"));
	assert_int_equal(bf_eval_cameras(&f.t, 189, 1), CAMS(&f, "raw"));
	assert_int_equal(bf_eval_cameras(&f.t, 189, 7), CAMS(&f, "raw"));
	assert_int_equal(bf_eval_cameras(&f.t, 1, 3), 0);
	/* minor 0 of another major is not video0 */
	assert_int_equal(bf_eval_cameras(&f.t, 82, 0), 0);
	fx_free(&f);
}

/* ---- destinations ---- */

static const char nested_dests[] =
	"dest d8    10.0.0.0/8\n"
	"dest d16   10.1.0.0/16, 192.168.0.0/16\n"
	"dest d24   10.1.2.0/24\n"
	"dest d32   10.1.2.3\n"
	"dest same  10.0.0.0/8, 10.1.2.0/24, 10.1.2.128/25\n"
	"dest dup   10.1.0.0/16\n"
	"dest v6    fd00::/16\n"
	"dest v6b   fd00:1::/32, 2001:db8::5\n";

static void test_dest_nested(void **state)
{
	struct fx f;

	fx_parse(&f, nested_dests);
	fx_compile(&f, 0, 1);
	assert_int_equal(sets_of(&f, "10.1.2.3", 80, IPPROTO_TCP),
			 SETS(&f, "d8 d16 d24 d32 same dup"));
	assert_int_equal(sets_of(&f, "10.1.2.4", 80, IPPROTO_TCP), SETS(&f, "d8 d16 d24 same dup"));
	assert_int_equal(sets_of(&f, "10.1.2.200", 80, IPPROTO_TCP),
			 SETS(&f, "d8 d16 d24 same dup"));
	assert_int_equal(sets_of(&f, "10.1.3.1", 80, IPPROTO_TCP), SETS(&f, "d8 d16 same dup"));
	assert_int_equal(sets_of(&f, "10.2.0.1", 80, IPPROTO_TCP), SETS(&f, "d8 same"));
	assert_int_equal(sets_of(&f, "10.255.255.255", 80, IPPROTO_TCP), SETS(&f, "d8 same"));
	assert_int_equal(sets_of(&f, "11.0.0.0", 80, IPPROTO_TCP), 0);
	assert_int_equal(sets_of(&f, "9.255.255.255", 80, IPPROTO_TCP), 0);
	assert_int_equal(sets_of(&f, "192.168.77.1", 80, IPPROTO_TCP), SETS(&f, "d16"));
	/* an IPv4 CIDR covers the IPv4-mapped IPv6 form of its addresses */
	assert_int_equal(sets_of(&f, "::ffff:10.1.2.3", 80, IPPROTO_TCP),
			 SETS(&f, "d8 d16 d24 d32 same dup"));
	/* but not the same 32 bits elsewhere in IPv6 (IPv4-compatible, NAT64) */
	assert_int_equal(sets_of(&f, "::10.1.2.3", 80, IPPROTO_TCP), 0);
	assert_int_equal(sets_of(&f, "64:ff9b::10.1.2.3", 80, IPPROTO_TCP), 0);
	assert_int_equal(sets_of(&f, "fd00:1::5", 80, IPPROTO_TCP), SETS(&f, "v6 v6b"));
	assert_int_equal(sets_of(&f, "fd00:2::1", 80, IPPROTO_TCP), SETS(&f, "v6"));
	assert_int_equal(sets_of(&f, "fe80::1", 80, IPPROTO_TCP), 0);
	assert_int_equal(sets_of(&f, "2001:db8::5", 80, IPPROTO_TCP), SETS(&f, "v6b"));
	assert_int_equal(sets_of(&f, "2001:db8::6", 80, IPPROTO_TCP), 0);
	/* IPv6 CIDRs never reach into IPv4 */
	assert_int_equal(sets_of(&f, "253.0.0.1", 80, IPPROTO_TCP), 0);
	for (size_t i = 0; i < f.t.dest.n; i++)
		assert_false((f.t.dest.v[i].v.mask & SETS(&f, "v6 v6b")) &&
			     f.t.dest.v[i].k.addr[10] == 0xff);
	fx_free(&f);
}

static void test_dest_duplicates_merge(void **state)
{
	struct fx f;
	size_t n16 = 0, n8 = 0;

	fx_parse(&f, nested_dests);
	fx_compile(&f, 0, 1);
	/* distinct prefixes: /8, two /16s, /24, /25, /32 in IPv4; /16, /32, /128 in IPv6 */
	assert_int_equal(f.t.dest.n, 9);
	for (size_t i = 0; i < f.t.dest.n; i++) {
		const struct bf_kv_dest *kv = &f.t.dest.v[i];

		if (kv->k.prefixlen == 32 + 96 + 16 && kv->k.addr[12] == 10) {
			n16++;
			assert_int_equal(kv->v.mask, SETS(&f, "d8 d16 same dup"));
		}
		if (kv->k.prefixlen == 32 + 96 + 8) {
			n8++;
			assert_int_equal(kv->v.mask, SETS(&f, "d8 same"));
		}
		for (size_t j = 0; j < i; j++)
			assert_false(kv->k.prefixlen == f.t.dest.v[j].k.prefixlen &&
				     memcmp(kv->k.addr, f.t.dest.v[j].k.addr, 16) == 0);
	}
	assert_int_equal(n16, 1);
	assert_int_equal(n8, 1);
	fx_free(&f);
}

static void test_dest_any(void **state)
{
	struct fx f;

	fx_parse(&f,
		 "dest lan 192.168.0.0/16\n"
		 "dest x any\n"
		 "dest web any tcp 443\n"
		 "dest host 192.168.1.1\n");
	fx_compile(&f, 0, 1);
	assert_int_equal(sets_of(&f, "192.168.1.1", 9, IPPROTO_UDP), SETS(&f, "lan x host"));
	assert_int_equal(sets_of(&f, "192.168.1.1", 443, IPPROTO_TCP), SETS(&f, "lan x web host"));
	assert_int_equal(sets_of(&f, "8.8.8.8", 53, IPPROTO_UDP), SETS(&f, "x"));
	assert_int_equal(sets_of(&f, "0.0.0.0", 0, 0), SETS(&f, "x"));
	assert_int_equal(sets_of(&f, "255.255.255.255", 443, IPPROTO_TCP), SETS(&f, "x web"));
	assert_int_equal(sets_of(&f, "::", 0, 0), SETS(&f, "x"));
	assert_int_equal(sets_of(&f, "2001:db8::1", 443, IPPROTO_TCP), SETS(&f, "x web"));
	assert_int_equal(sets_of(&f, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1, IPPROTO_UDP),
			 SETS(&f, "x"));
	fx_free(&f);
}

static void test_dest_ports(void **state)
{
	struct fx f;

	fx_parse(&f,
		 "dest rtsp    10.20.0.0/24 tcp 554, 8554\n"
		 "dest anytcp  10.20.0.5 tcp\n"
		 "dest dns     10.20.0.0/24 udp 53\n"
		 "dest anyudp  10.20.0.0/24 udp\n"
		 "dest anyprot 10.20.0.0/16\n");
	fx_compile(&f, 0, 1);
	assert_int_equal(f.t.cfg.port_any[BF_PROTO_ANY], SETS(&f, "anyprot"));
	assert_int_equal(f.t.cfg.port_any[BF_PROTO_TCP], SETS(&f, "anytcp"));
	assert_int_equal(f.t.cfg.port_any[BF_PROTO_UDP], SETS(&f, "anyudp"));
	assert_int_equal(f.t.port.n, 3);

	assert_int_equal(sets_of(&f, "10.20.0.5", 554, IPPROTO_TCP), SETS(&f, "rtsp anytcp anyprot"));
	assert_int_equal(sets_of(&f, "10.20.0.5", 8554, IPPROTO_TCP),
			 SETS(&f, "rtsp anytcp anyprot"));
	assert_int_equal(sets_of(&f, "10.20.0.5", 555, IPPROTO_TCP), SETS(&f, "anytcp anyprot"));
	assert_int_equal(sets_of(&f, "10.20.0.5", 80, IPPROTO_TCP), SETS(&f, "anytcp anyprot"));
	assert_int_equal(sets_of(&f, "10.20.0.5", 554, IPPROTO_UDP), SETS(&f, "anyudp anyprot"));
	assert_int_equal(sets_of(&f, "10.20.0.5", 53, IPPROTO_UDP), SETS(&f, "dns anyudp anyprot"));
	assert_int_equal(sets_of(&f, "10.20.0.5", 53, IPPROTO_TCP), SETS(&f, "anytcp anyprot"));
	/* neither TCP nor UDP (say ICMP): only sets that name no protocol */
	assert_int_equal(sets_of(&f, "10.20.0.5", 554, IPPROTO_ICMP), SETS(&f, "anyprot"));
	assert_int_equal(sets_of(&f, "10.20.0.5", 0, 0), SETS(&f, "anyprot"));
	assert_int_equal(sets_of(&f, "10.20.0.6", 554, IPPROTO_TCP), SETS(&f, "rtsp anyprot"));
	assert_int_equal(sets_of(&f, "10.20.1.5", 554, IPPROTO_TCP), SETS(&f, "anyprot"));
	assert_int_equal(sets_of(&f, "10.21.0.5", 554, IPPROTO_TCP), 0);
	fx_free(&f);
}

/* ---- longest-prefix construction, checked against brute force ---- */

struct gen_cidr {
	uint8_t addr[16];
	unsigned prefix;        /* 0..128 over the IPv6 form */
	unsigned set;
};

/* Template stores: one entry per inode, holders gathered; one not found now is left out. */
static uint64_t net_cams_of(const struct fx *f, const char *addr, uint16_t port, uint8_t proto)
{
	uint8_t a[16];

	addr_of(addr, a);
	return bf_eval_net_cameras(&f->t, a, port, proto);
}

/*
 * Network cameras share the dests' trie and port hash under their own key
 * slot: a camera address is no dest set's, a dest is no camera's, and a
 * policy with network cameras says so in its keys (every connect looks up).
 */
static void test_net_cameras(void **state)
{
	struct fx f;

	fx_parse(&f, "camera lobby path \"/dev/video0\"\n"
		     "camera gate net 192.168.50.21 tcp 554\n"
		     "camera yard net 192.168.50.0/24, 2001:db8::/64\n"
		     "camera push net 192.168.60.7 udp\n"
		     "dest cloud 10.0.0.0/8 tcp 443\n"
		     "dest near 192.168.60.8 tcp 443\n");
	fx_compile(&f, 1, 3);
	assert_true(f.t.cfg.keys & BF_KEY_NETCAM);
	assert_int_equal(net_cams_of(&f, "192.168.50.21", 554, IPPROTO_TCP), CAMS(&f, "gate yard"));
	assert_int_equal(net_cams_of(&f, "192.168.50.21", 80, IPPROTO_TCP), CAMS(&f, "yard"));
	assert_int_equal(net_cams_of(&f, "192.168.50.21", 554, IPPROTO_UDP), CAMS(&f, "yard"));
	assert_int_equal(net_cams_of(&f, "192.168.50.99", 554, IPPROTO_TCP), CAMS(&f, "yard"));
	assert_int_equal(net_cams_of(&f, "2001:db8::77", 8080, IPPROTO_TCP), CAMS(&f, "yard"));
	assert_int_equal(net_cams_of(&f, "192.168.60.7", 5004, IPPROTO_UDP), CAMS(&f, "push"));
	assert_int_equal(net_cams_of(&f, "192.168.60.7", 5004, IPPROTO_TCP), 0);
	assert_int_equal(net_cams_of(&f, "192.168.60.8", 443, IPPROTO_TCP), 0);
	assert_int_equal(net_cams_of(&f, "10.1.2.3", 443, IPPROTO_TCP), 0);
	/* and the other way: the dest sets never see a camera's prefix */
	assert_int_equal(sets_of(&f, "192.168.50.21", 554, IPPROTO_TCP), 0);
	assert_int_equal(sets_of(&f, "192.168.60.8", 443, IPPROTO_TCP), SETS(&f, "near"));
	assert_int_equal(sets_of(&f, "10.1.2.3", 443, IPPROTO_TCP), SETS(&f, "cloud"));
	for (size_t i = 0; i < f.t.dest.n; i++)
		assert_true(f.t.dest.v[i].k.slot[3] == 1 || f.t.dest.v[i].k.slot[3] == BF_NETCAM_SLOT(1));
	assert_int_equal(f.t.cfg.cam_port_any[BF_PROTO_ANY], CAMS(&f, "yard"));
	assert_int_equal(f.t.cfg.cam_port_any[BF_PROTO_UDP], CAMS(&f, "push"));
	assert_int_equal(f.t.cfg.port_any[BF_PROTO_ANY] | f.t.cfg.port_any[BF_PROTO_UDP], 0);
	fx_free(&f);
	/* A camera's host names resolve into its own slot, at the index after the dests. */
	fx_parse(&f, "dest cloud 10.0.0.0/8 tcp 443\n"
		     "camera door net host \"door-cam.lan\" tcp 80\n");
	{
		struct bf_cidr *a = calloc(1, sizeof(*a));

		assert_non_null(a);
		addr_of("192.168.70.4", a->addr);
		a->prefix = 128, a->v4 = true;
		f.r.dests = calloc(2, sizeof(*f.r.dests));
		assert_non_null(f.r.dests);
		f.r.n_dests = 2;
		f.r.dests[1].addrs = a;
		f.r.dests[1].n_addrs = 1;
	}
	fx_compile(&f, 0, 1);
	assert_int_equal(net_cams_of(&f, "192.168.70.4", 80, IPPROTO_TCP), CAMS(&f, "door"));
	assert_int_equal(sets_of(&f, "192.168.70.4", 80, IPPROTO_TCP), 0);
	fx_free(&f);
	/* An onvif camera also stands for its WS-Discovery probes; an rtsp one does not. */
	fx_parse(&f, "camera door net 192.168.70.4 tcp 80 onvif\n"
		     "camera gate net 192.168.70.5 tcp 554 rtsp\n");
	fx_compile(&f, 0, 1);
	assert_int_equal(net_cams_of(&f, "239.255.255.250", 3702, IPPROTO_UDP), CAMS(&f, "door"));
	assert_int_equal(net_cams_of(&f, "ff02::c", 3702, IPPROTO_UDP), CAMS(&f, "door"));
	assert_int_equal(net_cams_of(&f, "239.255.255.250", 3703, IPPROTO_UDP), 0);
	assert_int_equal(net_cams_of(&f, "192.168.70.5", 554, IPPROTO_TCP), CAMS(&f, "gate"));
	fx_free(&f);
	/* Without network cameras nothing is looked up on connect. */
	fx_parse(&f, "camera lobby path \"/dev/video0\"\ndest cloud 10.0.0.0/8 tcp 443\n");
	fx_compile(&f, 0, 1);
	assert_false(f.t.cfg.keys & BF_KEY_NETCAM);
	fx_free(&f);
}

static void test_template_stores(void **state)
{
	struct fx f;

	(void)state;
	fx_parse(&f, "app rec exe \"/opt/rec\"\napp enr exe \"/opt/enr\"\n"
		     "template-store rec \"/srv/tpl\"\n"
		     "template-store enr \"/srv/tpl\"\n"
		     "template-store enr \"/srv/link-to-tpl\"\n"	/* another name, the same inode */
		     "template-store rec \"/srv/later\"\n"
		     "template-store enr \"/srv/one.db\" audit\n");
	for (int i = 0; i < 3; i++)
		f.r.stores[i] = (struct bf_store_res){ .ok = true, .dir = true, .dev = 8u << 20 | 1, .ino = 77 };
	/* stores[3] was not found */
	f.r.stores[4] = (struct bf_store_res){ .ok = true, .dev = 8u << 20 | 1, .ino = 78 };
	fx_compile(&f, 1, 5);
	assert_int_equal(f.t.stores.n, 2);
	assert_int_equal(f.t.stores.s[0].ino, 77);
	assert_int_equal(f.t.stores.s[0].dev, 8u << 20 | 1);
	assert_int_equal(f.t.stores.s[0].apps, APPS(&f, "rec enr"));
	assert_int_equal(f.t.stores.s[0].flags, BF_STF_DIR);
	assert_int_equal(f.t.stores.s[0].line, 0);
	assert_int_equal(f.t.store_ast[0], 0);
	assert_int_equal(f.t.stores.s[1].ino, 78);
	assert_int_equal(f.t.stores.s[1].apps, APPS(&f, "enr"));
	assert_int_equal(f.t.stores.s[1].flags, BF_STF_AUDIT);
	assert_int_equal(f.t.store_ast[1], 4);
	/* the walk's first test: bits 77 % 64 and 78 % 64 */
	assert_int_equal(f.t.stores.ino_bits, (1ull << 13) | (1ull << 14));
	fx_free(&f);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

/* xorshift64*: a fixed seed makes every run test the same policy */
static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static void rnd_bits(uint8_t *addr, unsigned from)
{
	for (unsigned b = from; b < 128; b++)
		if (rnd() & 1)
			addr[b / 8] |= (uint8_t)(0x80u >> (b % 8));
		else
			addr[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
}

static void clear_bits(uint8_t *addr, unsigned from)
{
	for (unsigned b = from; b < 128; b++)
		addr[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
}

static bool contains(const uint8_t *net, unsigned prefix, const uint8_t *addr)
{
	for (unsigned b = 0; b < prefix; b++) {
		uint8_t m = (uint8_t)(0x80u >> (b % 8));

		if ((net[b / 8] & m) != (addr[b / 8] & m))
			return false;
	}
	return true;
}

static bool is_v4(const struct gen_cidr *c)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	return c->prefix >= 96 && memcmp(c->addr, mapped, 12) == 0;
}

static void gen_cidrs(struct gen_cidr *g, size_t n, unsigned n_sets)
{
	for (size_t i = 0; i < n; i++) {
		struct gen_cidr *c = &g[i];

		memset(c, 0, sizeof(*c));
		c->set = i < n_sets ? (unsigned)i : (unsigned)(rnd() % n_sets);
		if (i > 0 && rnd() % 10 == 0) {
			/* the same prefix again, usually in another set */
			const struct gen_cidr *twin = &g[rnd() % i];

			memcpy(c->addr, twin->addr, 16);
			c->prefix = twin->prefix;
		} else if (i > 0 && rnd() % 2) {
			/* nested inside an earlier one: this is what the union masks exist for */
			const struct gen_cidr *parent = &g[rnd() % i];

			memcpy(c->addr, parent->addr, 16);
			c->prefix = parent->prefix + (unsigned)(rnd() % (129 - parent->prefix));
			rnd_bits(c->addr, parent->prefix);
		} else if (rnd() % 2) {
			c->addr[10] = c->addr[11] = 0xff;
			c->prefix = 96 + (unsigned)(rnd() % 33);
			rnd_bits(c->addr, 96);
		} else {
			c->prefix = (unsigned)(rnd() % 129);
			rnd_bits(c->addr, 0);
		}
		clear_bits(c->addr, c->prefix);
	}
}

static char *gen_policy(const struct gen_cidr *g, size_t n, unsigned n_sets)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	for (unsigned s = 0; s < n_sets; s++) {
		const char *sep = "";

		fprintf(f, "dest s%u ", s);
		for (size_t i = 0; i < n; i++) {
			char txt[INET6_ADDRSTRLEN];

			if (g[i].set != s)
				continue;
			if (is_v4(&g[i])) {
				assert_non_null(inet_ntop(AF_INET, g[i].addr + 12, txt, sizeof(txt)));
				fprintf(f, "%s%s/%u", sep, txt, g[i].prefix - 96);
			} else {
				assert_non_null(inet_ntop(AF_INET6, g[i].addr, txt, sizeof(txt)));
				fprintf(f, "%s%s/%u", sep, txt, g[i].prefix);
			}
			sep = ", ";
		}
		fputc('\n', f);
	}
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void gen_addr(const struct gen_cidr *g, size_t n, uint8_t addr[16])
{
	unsigned kind = (unsigned)(rnd() % 20);

	memset(addr, 0, 16);
	if (kind < 12) {
		const struct gen_cidr *c = &g[rnd() % n];

		memcpy(addr, c->addr, 16);
		rnd_bits(addr, c->prefix);
	} else if (kind < 14) {
		/* the first and last address of a CIDR: off-by-one in a prefix shows here */
		const struct gen_cidr *c = &g[rnd() % n];

		memcpy(addr, c->addr, 16);
		if (kind == 13)
			for (unsigned b = c->prefix; b < 128; b++)
				addr[b / 8] |= (uint8_t)(0x80u >> (b % 8));
	} else if (kind < 17) {
		addr[10] = addr[11] = 0xff;
		rnd_bits(addr, 96);
	} else {
		rnd_bits(addr, 0);
	}
}

static void test_dest_lpm_property(void **state)
{
	enum { N_CIDRS = 200, N_SETS = 64, N_ADDRS = 5000 };
	static struct gen_cidr g[N_CIDRS];
	const uint32_t slot = 1;
	struct fx f;
	size_t hits = 0, multi = 0, distinct = 0;
	char *text;

	rng = 0x9e3779b97f4a7c15ull;
	gen_cidrs(g, N_CIDRS, N_SETS);
	text = gen_policy(g, N_CIDRS, N_SETS);
	fx_parse(&f, text);
	assert_int_equal(f.p->n_dests, N_SETS);
	fx_compile(&f, slot, 1);
	assert_int_equal(f.t.cfg.port_any[BF_PROTO_ANY], ~0ull);

	for (size_t i = 0; i < f.t.dest.n; i++) {
		const struct bf_kv_dest *kv = &f.t.dest.v[i];
		unsigned len = kv->k.prefixlen - 32;
		uint64_t want = 0;
		uint8_t trunc[16];

		assert_in_range(kv->k.prefixlen, 32, 32 + 128);
		assert_int_equal(kv->k.slot[0] | kv->k.slot[1] | kv->k.slot[2], 0);
		assert_int_equal(kv->k.slot[3], slot);
		memcpy(trunc, kv->k.addr, 16);
		clear_bits(trunc, len);
		assert_memory_equal(trunc, kv->k.addr, 16);
		/* each key carries every set with a CIDR containing it, and nothing else */
		for (size_t k = 0; k < N_CIDRS; k++)
			if (g[k].prefix <= len && contains(g[k].addr, g[k].prefix, kv->k.addr))
				want |= 1ull << g[k].set;
		assert_int_equal(kv->v.mask, want);
	}
	/* one key per distinct prefix */
	for (size_t k = 0; k < N_CIDRS; k++) {
		size_t found = 0, j;

		for (size_t i = 0; i < f.t.dest.n; i++)
			if (f.t.dest.v[i].k.prefixlen == 32 + g[k].prefix &&
			    memcmp(f.t.dest.v[i].k.addr, g[k].addr, 16) == 0)
				found++;
		assert_int_equal(found, 1);
		for (j = 0; j < k; j++)
			if (g[j].prefix == g[k].prefix && memcmp(g[j].addr, g[k].addr, 16) == 0)
				break;
		distinct += j == k;
	}
	assert_int_equal(f.t.dest.n, distinct);

	for (size_t n = 0; n < N_ADDRS; n++) {
		uint8_t addr[16];
		uint64_t want = 0, got;
		static const uint8_t protos[] = { 0, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };

		gen_addr(g, N_CIDRS, addr);
		for (size_t k = 0; k < N_CIDRS; k++)
			if (contains(g[k].addr, g[k].prefix, addr))
				want |= 1ull << g[k].set;
		got = bf_eval_dest_sets(&f.t, addr, (uint16_t)rnd(), protos[rnd() % 4]);
		if (got != want) {
			char txt[INET6_ADDRSTRLEN];

			inet_ntop(AF_INET6, addr, txt, sizeof(txt));
			fail_msg("%s: sets %#llx, brute force %#llx", txt, (unsigned long long)got,
				 (unsigned long long)want);
		}
		hits += want != 0;
		multi += __builtin_popcountll(want) >= 3;
	}
	/* the generator must really exercise nesting, or the test proves little */
	assert_true(hits > N_ADDRS / 2);
	assert_true(multi > N_ADDRS / 10);
	fx_free(&f);
	free(text);
}

/* ---- limits, slots, generation ---- */

static FILE *mem_open(char **buf, size_t *len, const char *head)
{
	FILE *f = open_memstream(buf, len);

	assert_non_null(f);
	fputs(head, f);
	return f;
}

/* HEAD, then N lines of FMT fed (i, i % 250); a macro so FMT stays a checked literal. */
#define repeat_lines(head, fmt, n)                                             \
	({                                                                     \
		char *buf_ = NULL;                                             \
		size_t len_ = 0;                                               \
		FILE *f_ = mem_open(&buf_, &len_, head);                       \
		for (unsigned i_ = 0; i_ < (n); i_++)                          \
			fprintf(f_, fmt "\n", i_, i_ % 250);                   \
		assert_int_equal(fclose(f_), 0);                               \
		buf_;                                                          \
	})

/* A table limit is the parser's to say now (check and load alike); the compiler's check stays as a backstop. */
static void expect_refused(const char *text, const char *want)
{
	struct bf_diags d = { 0 };
	struct bf_policy *p = NULL;
	size_t i;

	assert_int_equal(bf_policy_parse_string("t.policy", text, BF_PARSE_NO_FS_CHECKS, &p, &d), -EINVAL);
	assert_null(p);
	assert_int_equal(d.n_errors, 1);
	for (i = 0; i < d.n && strcmp(d.msgs[i], want) != 0; i++)
		;	/* the rest are warnings (rules the first shadows) */
	if (i == d.n)
		fail_msg("no \"%s\"; first diagnostic: %s", want, d.n ? d.msgs[0] : "(none)");
	bf_diags_free(&d);
}

static void expect_fits(const char *text)
{
	struct fx f;

	fx_parse(&f, text);
	fx_compile(&f, 0, 1);
	fx_free(&f);
}

static void test_limits(void **state)
{
	char *t;

	t = repeat_lines("", "app a%u user \"%u\"", 65);
	expect_refused(t, "t.policy:65:5: more than 64 apps (a kernel table limit): this is number 65");
	free(t);
	t = repeat_lines("", "camera c%u path \"/dev/video%u\"", 65);
	expect_refused(t, "t.policy:65:8: more than 64 cameras (a kernel table limit): this is number 65");
	free(t);
	t = repeat_lines("# sets\n", "dest d%u 10.0.%u.0/24", 65);
	expect_refused(t, "t.policy:66:6: more than 64 dests (a kernel table limit): this is number 65");
	free(t);
	t = repeat_lines("app a user \"0\"\ncamera c class video\n", "capture allow a c # %u %u", 129);
	expect_refused(t, "t.policy:131:1: more than 128 capture rules (a kernel table limit): this is number 129");
	free(t);
	t = repeat_lines("app a user \"0\"\ndest d any\n", "export deny a d # %u %u", 129);
	expect_refused(t, "t.policy:131:1: more than 128 export rules (a kernel table limit): this is number 129");
	free(t);

	t = repeat_lines("", "camera c%u path \"/dev/video%u\"", 64);
	expect_fits(t);
	free(t);
	t = repeat_lines("", "dest d%u 10.0.%u.0/24", 64);
	expect_fits(t);
	free(t);
	{
		char *caps = repeat_lines("app a user \"0\"\ncamera c class video\ndest d any\n",
					  "capture allow a c # %u %u", 128);
		char *both = repeat_lines(caps, "export allow a d # %u %u", 128);
		struct fx f;

		fx_parse(&f, both);
		fx_compile(&f, 0, 1);
		assert_int_equal(f.t.cfg.n_capture, 128);
		assert_int_equal(f.t.cfg.n_export, 128);
		assert_int_equal(f.t.export_ast[127], 255);
		fx_free(&f);
		free(caps);
		free(both);
	}
}

static void test_64_apps_use_every_bit(void **state)
{
	char *t = repeat_lines("", "app a%u user \"%u\"", 64);
	struct fx f;

	fx_parse(&f, t);
	for (size_t i = 0; i < 64; i++) {
		f.r.apps[i].uid_ok = true;
		f.r.apps[i].uid = (uint32_t)(i < 32 ? 0 : 1);
	}
	fx_compile(&f, 0, 1);
	assert_int_equal(f.t.cfg.apps_no_exe, ~0ull);
	assert_int_equal(f.t.cfg.apps_no_uid, 0);
	assert_int_equal(apps_of(&f, 0, 0, 0, NULL, 0), 0xffffffffull);
	assert_int_equal(apps_of(&f, 0, 0, 1, NULL, 0), 0xffffffff00000000ull);
	fx_free(&f);
	free(t);
}

static void check_slot(uint32_t slot)
{
	struct fx f;

	header_fx(&f, slot, 0xdeadbeef - slot);
	assert_int_equal(f.t.slot, slot);
	assert_int_equal(f.t.cfg.policy_seq, 0xdeadbeef - slot);
	for (size_t i = 0; i < f.t.exe.n; i++)
		assert_int_equal(f.t.exe.v[i].k.slot, slot);
	for (size_t i = 0; i < f.t.cgrp.n; i++)
		assert_int_equal(f.t.cgrp.v[i].k.slot, slot);
	for (size_t i = 0; i < f.t.cam.n; i++)
		assert_int_equal(f.t.cam.v[i].k.slot, slot);
	for (size_t i = 0; i < f.t.port.n; i++)
		assert_int_equal(f.t.port.v[i].k.slot, slot);
	for (size_t i = 0; i < f.t.dest.n; i++) {
		const uint8_t want[4] = { 0, 0, 0, (uint8_t)slot };

		assert_memory_equal(f.t.dest.v[i].k.slot, want, 4);
	}
	assert_true(f.t.exe.n && f.t.cgrp.n && f.t.cam.n && f.t.port.n && f.t.dest.n);
	/* the evaluators look in their own slot, like the kernel after reading bf_active */
	expect_capture(&f, apps_of(&f, DEV_SDA1, 42, 0, NULL, 0), 81, 0, 7, ALLOW);
	expect_export(&f, 0, "127.0.0.1", 1, IPPROTO_TCP, 11, ALLOW | ANYAPP);
	fx_free(&f);
}

static void test_slots_and_seq(void **state)
{
	struct fx f;

	check_slot(0);
	check_slot(1);
	fx_parse(&f, "app a user \"7\"\n");
	res_uid(&f, "a", 7);
	fx_compile(&f, 1, 3);
	assert_int_equal(f.t.uid.n, 1);
	assert_int_equal(f.t.uid.v[0].k.slot, 1);
	assert_int_equal(f.t.uid.v[0].k.uid, 7);
	fx_free(&f);
	/* an empty policy compiles to nothing but its config: deny-all by default */
	fx_parse(&f, "");
	fx_compile(&f, 0, 5);
	assert_int_equal(f.t.cfg.policy_seq, 5);
	assert_int_equal(f.t.cfg.n_capture + f.t.cfg.n_export, 0);
	assert_int_equal(f.t.exe.n + f.t.cgrp.n + f.t.uid.n + f.t.cam.n + f.t.port.n + f.t.dest.n, 0);
	fx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_example_tables),
		cmocka_unit_test(test_header_example_decisions),
		cmocka_unit_test(test_first_match_order),
		cmocka_unit_test(test_any_and_default),
		cmocka_unit_test(test_default_deny_no_rules),
		cmocka_unit_test(test_audit_rule_and_mode),
		cmocka_unit_test(test_apps_multi_key),
		cmocka_unit_test(test_apps_cgroup_levels),
		cmocka_unit_test(test_apps_shared_exe),
		cmocka_unit_test(test_cameras),
		cmocka_unit_test(test_dest_nested),
		cmocka_unit_test(test_dest_duplicates_merge),
		cmocka_unit_test(test_dest_any),
		cmocka_unit_test(test_dest_ports),
		cmocka_unit_test(test_net_cameras),
		cmocka_unit_test(test_template_stores),
		cmocka_unit_test(test_dest_lpm_property),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_64_apps_use_every_bit),
		cmocka_unit_test(test_slots_and_seq),
	};

	return cmocka_run_group_tests_name("compile", tests, NULL, NULL);
}
