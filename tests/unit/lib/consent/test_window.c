/* test_window.c - unit tests for capture-window requests: what a control-socket client gets back for hostile requests and for each policy and ledger refusal. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bf_test.h"

#include "consent/window.h"

#define S 1000000000LL
/* 2026-03-01T00:00:00Z: every grant below is judged at this instant */
#define NOW (1772323200LL * S)

/* ---- requests ---- */

/* A request that parses: each test breaks one thing in it. */
static struct json_object *good_req(void)
{
	struct json_object *o = json_object_new_object();

	assert_non_null(o);
	json_object_object_add(o, "cmd", json_object_new_string("window-open"));
	json_object_object_add(o, "consent", json_object_new_string("g1"));
	json_object_object_add(o, "app", json_object_new_string("recognizer"));
	json_object_object_add(o, "camera", json_object_new_string("lobby"));
	return o;
}

/* good_req() with KEY set to the N bytes at S (which may hold a NUL). */
static struct json_object *req_with(const char *key, const char *s, size_t n)
{
	struct json_object *o = good_req();

	json_object_object_add(o, key, json_object_new_string_len(s, (int)n));
	return o;
}

static struct json_object *req_with_str(const char *key, const char *s)
{
	return req_with(key, s, strlen(s));
}

/* Parses REQ (and frees it), expecting a refusal with CODE and, if MSG is given, exactly MSG. */
static void expect_refused(struct json_object *req, const char *code, const char *msg)
{
	struct bf_window_req out;
	struct bf_window_err err = { 0 };

	assert_int_equal(bf_window_req_parse(req, &out, &err), -EINVAL);
	json_object_put(req);
	assert_non_null(err.code);
	assert_string_equal(err.code, code);
	assert_non_null(memchr(err.msg, '\0', sizeof(err.msg)));
	assert_true(err.msg[0] != '\0');
	if (msg)
		assert_string_equal(err.msg, msg);
}

/* Parses REQ (and frees it), expecting it to be accepted. */
static struct bf_window_req expect_parsed(struct json_object *req)
{
	struct bf_window_req out;
	struct bf_window_err err = { 0 };
	int rc = bf_window_req_parse(req, &out, &err);

	if (rc)
		fail_msg("refused: %s: %s", err.code, err.msg);
	json_object_put(req);
	return out;
}

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static const char *const members[] = { "consent", "app", "camera", "for" };
#define N_MEMBERS (sizeof(members) / sizeof(members[0]))

static void test_req_good(void **state)
{
	struct bf_window_req r = expect_parsed(good_req());

	assert_string_equal(r.consent, "g1");
	assert_string_equal(r.app, "recognizer");
	assert_string_equal(r.camera, "lobby");
	assert_false(r.has_for);
	assert_int_equal(r.for_ms, 0);

	/* the whole consent-id alphabet, upper case included, unlike policy names */
	r = expect_parsed(req_with_str("consent", "C-2026:0001.a_Z9"));
	assert_string_equal(r.consent, "C-2026:0001.a_Z9");
	/* a name may start with a digit and hold . _ - after the first character */
	r = expect_parsed(req_with_str("camera", "9th-floor_cam.2"));
	assert_string_equal(r.camera, "9th-floor_cam.2");
}

static void test_req_missing(void **state)
{
	char want[64];

	for (size_t i = 0; i < 3; i++) {
		struct json_object *o = good_req();

		json_object_object_del(o, members[i]);
		snprintf(want, sizeof(want), "missing \"%s\"", members[i]);
		expect_refused(o, "bad-request", want);
	}
	expect_refused(json_object_new_object(), "bad-request", "missing \"consent\"");
}

/* Every JSON type that is not a string, for every member, "for" included. */
static void test_req_wrong_types(void **state)
{
	char want[64];

	for (size_t i = 0; i < N_MEMBERS; i++) {
		for (int t = 0; t < 7; t++) {
			struct json_object *o = good_req(), *v = NULL;

			switch (t) {
			case 0: v = json_object_new_int(10); break;
			case 1: v = NULL; break;	/* JSON null */
			case 2: v = json_object_new_array(); break;
			case 3: v = json_object_new_object(); break;
			case 4: v = json_object_new_boolean(1); break;
			case 5: v = json_object_new_double(1.5); break;
			case 6:
				v = json_object_new_array();
				json_object_array_add(v, json_object_new_string("lobby"));
				break;
			}
			json_object_object_add(o, members[i], v);
			snprintf(want, sizeof(want), "\"%s\" is not a string", members[i]);
			expect_refused(o, "bad-request", want);
		}
	}
}

static void test_req_empty(void **state)
{
	expect_refused(req_with_str("consent", ""), "bad-request",
		       "\"consent\" must be 1 to 127 characters");
	expect_refused(req_with_str("app", ""), "bad-request", "\"app\" must be 1 to 63 characters");
	expect_refused(req_with_str("camera", ""), "bad-request",
		       "\"camera\" must be 1 to 63 characters");
	/* an empty "for" is a bad string before it is a bad duration */
	expect_refused(req_with_str("for", ""), "bad-request", "\"for\" must be 1 to 31 characters");
}

/* The longest string each buffer holds is accepted whole; one more byte is refused, never cut. */
static void test_req_lengths(void **state)
{
	char *s = repeat('a', BF_CONSENT_TOKEN_MAX - 1);
	struct bf_window_req r = expect_parsed(req_with_str("consent", s));

	assert_string_equal(r.consent, s);
	free(s);
	s = repeat('a', BF_CONSENT_TOKEN_MAX);
	expect_refused(req_with_str("consent", s), "bad-request",
		       "\"consent\" must be 1 to 127 characters");
	free(s);

	s = repeat('a', BF_NAME_MAX - 1);
	r = expect_parsed(req_with_str("app", s));
	assert_string_equal(r.app, s);
	r = expect_parsed(req_with_str("camera", s));
	assert_string_equal(r.camera, s);
	free(s);
	s = repeat('a', BF_NAME_MAX);
	expect_refused(req_with_str("app", s), "bad-request", "\"app\" must be 1 to 63 characters");
	expect_refused(req_with_str("camera", s), "bad-request",
		       "\"camera\" must be 1 to 63 characters");
	free(s);

	/* "for" reads into 32 bytes: leading zeros make a valid duration of any length */
	s = repeat('0', 31);
	memcpy(s + 28, "10s", 3);
	r = expect_parsed(req_with_str("for", s));
	assert_true(r.has_for);
	assert_int_equal(r.for_ms, 10000);
	free(s);
	s = repeat('0', 32);
	memcpy(s + 29, "10s", 3);
	expect_refused(req_with_str("for", s), "bad-request", "\"for\" must be 1 to 31 characters");
	free(s);
}

/* A NUL would cut the string short in every later strcmp and log line: refused, wherever it is. */
static void test_req_nul(void **state)
{
	char want[64];

	for (size_t i = 0; i < N_MEMBERS; i++) {
		snprintf(want, sizeof(want), "\"%s\" contains a NUL character", members[i]);
		expect_refused(req_with(members[i], "g1\0x", 4), "bad-request", want);
		expect_refused(req_with(members[i], "\0g1", 3), "bad-request", want);
		expect_refused(req_with(members[i], "10s\0", 4), "bad-request", want);
	}
}

static void test_req_consent_syntax(void **state)
{
	static const char *const bad[] = {
		"g 1", "g/1", "../g1", "g\xc3\xa9", "\xe2\x80\x8bg1", "g1\n", "g\"1", "g\\1", "g1;",
	};
	static const char want[] = "\"consent\" is not a consent id ([A-Za-z0-9._:-])";

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_refused(req_with_str("consent", bad[i]), "bad-request", want);
}

static void test_req_name_syntax(void **state)
{
	static const char *const bad[] = {
		"Lobby", "lobbY", "-lobby", ".lobby", "_lobby", "lob by", "lob/by", "l\xc3\xb6" "bby",
		"lobby\t", "lob:by",
	};
	static const char app_msg[] = "\"app\" is not a policy name ([a-z0-9][a-z0-9_.-]*)";
	static const char cam_msg[] = "\"camera\" is not a policy name ([a-z0-9][a-z0-9_.-]*)";

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_refused(req_with_str("app", bad[i]), "bad-request", app_msg);
		expect_refused(req_with_str("camera", bad[i]), "bad-request", cam_msg);
	}
	/* both bad: the message names the first, so the client fixes them in order */
	{
		struct json_object *o = req_with_str("app", "Recognizer");

		json_object_object_add(o, "camera", json_object_new_string("Lobby"));
		expect_refused(o, "bad-request", app_msg);
	}
	/*
	 * "any" is a well-formed name, so the parser takes it; it is not a
	 * wildcard here. No policy app or camera can be named any, so
	 * bf_window_plan answers unknown-app / unknown-camera
	 * (test_plan_unknown).
	 */
	expect_parsed(req_with_str("app", "any"));
	expect_parsed(req_with_str("camera", "any"));
}

/* A misspelt "for" must not silently give the rule's full window. */
static void test_req_unknown_member(void **state)
{
	char *k;

	expect_refused(req_with_str("fro", "1s"), "bad-request", "unknown member \"fro\"");
	expect_refused(req_with_str("window", "1s"), "bad-request", "unknown member \"window\"");
	expect_refused(req_with_str("for_ms", "1s"), "bad-request", "unknown member \"for_ms\"");
	/* the echo is bounded: 32 plain characters are shown, 33 are not */
	k = repeat('x', 32);
	{
		char want[64];

		snprintf(want, sizeof(want), "unknown member \"%s\"", k);
		expect_refused(req_with_str(k, "1s"), "bad-request", want);
	}
	free(k);
	k = repeat('x', 33);
	expect_refused(req_with_str(k, "1s"), "bad-request", "unknown member");
	free(k);
	k = repeat('x', 3000);
	expect_refused(req_with_str(k, "1s"), "bad-request", "unknown member");
	free(k);
	/* client text that could forge or garble a log line is never echoed */
	expect_refused(req_with_str("f\xc3\xb6r", "1s"), "bad-request", "unknown member");
	expect_refused(req_with_str("fo\"r", "1s"), "bad-request", "unknown member");
	expect_refused(req_with_str("fo\nr", "1s"), "bad-request", "unknown member");
	expect_refused(req_with_str("fo%sr", "1s"), "bad-request", "unknown member");
	/* the echo takes lower case only, so "For" is refused but not shown */
	expect_refused(req_with_str("For", "1s"), "bad-request", "unknown member");
	/* an unknown member is reported even when everything else is missing */
	{
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "bogus", json_object_new_int(1));
		expect_refused(o, "bad-request", "unknown member \"bogus\"");
	}
}

static void test_req_for_ok(void **state)
{
	static const struct { const char *s; uint32_t ms; } ok[] = {
		{ "10s", 10000 }, { "1ms", 1 }, { "500ms", 500 }, { "1m", 60000 }, { "1h", 3600000 },
		{ "010s", 10000 },
		/* the largest a uint32_t of ms holds: the policy check bounds it, not the parser */
		{ "4294967s", 4294967000u }, { "4294967295ms", 4294967295u },
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct bf_window_req r = expect_parsed(req_with_str("for", ok[i].s));

		assert_true(r.has_for);
		assert_int_equal(r.for_ms, ok[i].ms);
	}
}

static void test_req_for_bad(void **state)
{
	static const char *const malformed[] = {
		"-1s", "+1s", "1.5s", "10", "s", "ms", " 10s", "10s ", "10 s", "10S", "10sec", "1e1s",
		"0x10s", "10s10s", "\xef\xbc\x91s", "1d",
	};
	static const char not_dur[] = "\"for\" is not a duration (e.g. \"500ms\", \"10s\", \"1m\")";
	static const char zero[] = "\"for\" is 0: a window must have a length";
	static const char range[] = "\"for\" is out of range";

	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++)
		expect_refused(req_with_str("for", malformed[i]), "bad-window", not_dur);
	expect_refused(req_with_str("for", "0s"), "bad-window", zero);
	expect_refused(req_with_str("for", "0ms"), "bad-window", zero);
	expect_refused(req_with_str("for", "000h"), "bad-window", zero);
	expect_refused(req_with_str("for", "4294968s"), "bad-window", range);
	expect_refused(req_with_str("for", "4294967296ms"), "bad-window", range);
	/* digits beyond any uint32_t must not wrap around to a small window */
	expect_refused(req_with_str("for", "18446744073709551617ms"), "bad-window", range);
	expect_refused(req_with_str("for", "99999999999999999999h"), "bad-window", range);
	/* a bad unit wins over a huge number: the text is not a duration at all */
	expect_refused(req_with_str("for", "99999999999999999999x"), "bad-window", not_dur);
	/* a number is the wrong type, not a duration in some unit we would have to guess */
	{
		struct json_object *o = good_req();

		json_object_object_add(o, "for", json_object_new_int(10));
		expect_refused(o, "bad-request", "\"for\" is not a string");
	}
}

/* ---- hostile bytes ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* xorshift64*: fixed seed, so a failure replays the same way */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static char rnd_byte(void)
{
	static const char json_ish[] = "{}[]\",:\\ 0123456789sm-._/uaAxz";

	/* half structural or duration characters, to reach deep into the parser; half any byte but NUL */
	if (rnd() & 1)
		return json_ish[rnd() % (sizeof(json_ish) - 1)];
	return (char)(1 + rnd() % 255);
}

static void test_req_mutations(void **state)
{
	static const char base[] = "{\"cmd\":\"window-open\",\"consent\":\"g1\",\"app\":\"recognizer\","
				   "\"camera\":\"lobby\",\"for\":\"10s\"}";
	char buf[sizeof(base) + 16];
	unsigned objects = 0, accepted = 0, refused = 0;

	for (int iter = 0; iter < 10000; iter++) {
		size_t len = sizeof(base) - 1;
		int n_mut = 1 + (int)(rnd() % 3);
		struct json_object *o;
		struct bf_window_req out;
		struct bf_window_err err;
		int rc;

		memcpy(buf, base, len + 1);
		for (int m = 0; m < n_mut; m++) {
			size_t at = rnd() % len;

			switch (rnd() % 3) {
			case 0:
				buf[at] = rnd_byte();
				break;
			case 1:
				if (len + 1 < sizeof(buf)) {
					memmove(buf + at + 1, buf + at, len - at + 1);
					buf[at] = rnd_byte();
					len++;
				}
				break;
			default:
				if (len > 1) {
					memmove(buf + at, buf + at + 1, len - at);
					len--;
				}
				break;
			}
		}
		o = json_tokener_parse(buf);
		if (!o)
			continue;
		if (!json_object_is_type(o, json_type_object)) {
			/* ctl.c answers bad-json first, but the parser must not trust that. */
			assert_int_equal(bf_window_req_parse(o, &out, &err), -EINVAL);
			assert_string_equal(err.code, "bad-request");
			json_object_put(o);
			continue;
		}
		objects++;
		err.code = NULL;
		memset(err.msg, 'X', sizeof(err.msg));
		rc = bf_window_req_parse(o, &out, &err);
		if (rc == 0) {
			accepted++;
			assert_true(bf_consent_token_ok(out.consent));
			assert_true(bf_consent_name_ok(out.app));
			assert_true(bf_consent_name_ok(out.camera));
			assert_true(!out.has_for || out.for_ms > 0);
		} else {
			if (rc != -EINVAL)
				fail_msg("rc %d for %s", rc, buf);
			refused++;
			assert_non_null(err.code);
			assert_true(strcmp(err.code, "bad-request") == 0 ||
				    strcmp(err.code, "bad-window") == 0);
			assert_non_null(memchr(err.msg, '\0', sizeof(err.msg)));
			assert_true(err.msg[0] != '\0');
		}
		json_object_put(o);
	}
	/* otherwise the mutator has stopped reaching the code under test */
	print_message("  %u objects: %u accepted, %u refused\n", objects, accepted, refused);
	assert_true(objects > 1000);
	assert_true(accepted > 100);
	assert_true(refused > 100);
}

/* ---- plans: policy and ledger ---- */

/* A policy in force, the host it was resolved on (made up), its tables and a ledger. */
struct wfx {
	struct bf_policy *p;
	struct bf_resolved r;
	struct bf_tables t;
	struct bf_ledger l;
};

static const char policy_text[] =
	"camera lobby path \"/dev/video0\"\n"				/* 1 */
	"camera gate path \"/dev/video1\"\n"				/* 2 */
	"camera all class video\n"					/* 3 */
	"app recognizer exe \"/opt/r\"\n"				/* 4 */
	"app doorctl exe \"/opt/d\"\n"					/* 5 */
	"app nvr exe \"/opt/n\"\n"					/* 6 */
	"broker doorctl\n"						/* 7 */
	"capture allow recognizer lobby consent entry window 10s\n"	/* 8 */
	"capture allow recognizer gate consent staff window 5s\n"	/* 9 */
	"capture allow nvr all\n"					/* 10 */
	"capture deny any any\n";					/* 11 */

/*
 * A class rule before the rule on lobby's own name, and no catch-all
 * rule, so that an app with no rule falls to the default deny.
 */
static const char class_first_text[] =
	"camera lobby path \"/dev/video0\"\n"
	"camera all class video\n"
	"app recognizer exe \"/opt/r\"\n"
	"app doorctl exe \"/opt/d\"\n"
	"broker doorctl\n"
	"capture allow recognizer all consent staff\n"			/* 6 */
	"capture allow recognizer lobby consent entry window 10s\n";	/* 7 */

#define TJAN "2026-01-01T00:00:00Z"
#define TJUL "2026-07-01T00:00:00Z"
#define G(id, purpose, cams, gr, ex, extra)                                                       \
	"{\"type\":\"grant\",\"id\":\"" id "\",\"subject\":\"p-" id "\",\"purpose\":\"" purpose "\"," \
	"\"cameras\":" cams ",\"granted\":\"" gr "\",\"expires\":\"" ex "\",\"notice\":\"v3\"" extra "}\n"
#define REV(id, t) "{\"type\":\"revoke\",\"id\":\"" id "\",\"time\":\"" t "\"}\n"

static const char ledger_text[] =
	G("g1", "entry", "[\"lobby\"]", TJAN, TJUL, "")
	G("g2", "entry", "[\"any\"]", "2025-01-01T00:00:00Z", "2025-06-01T00:00:00Z", "")
	G("g3", "entry", "[\"any\"]", TJAN, TJUL, "")
	G("g4", "staff", "[\"gate\"]", "2026-06-01T00:00:00Z", "2026-12-01T00:00:00Z", "")
	G("g5", "staff", "[\"gate\"]", TJAN, TJUL, "")
	G("g6", "entry", "[\"gate\"]", TJAN, TJUL, "")
	/* g8, a guardian whose grant is withdrawn; g7, the minor's grant that leans on it */
	G("g8", "entry", "[\"lobby\"]", TJAN, TJUL, "")
	G("g7", "entry", "[\"lobby\"]", TJAN, TJUL, ",\"guardian\":\"g8\"")
	G("g10", "staff", "[\"lobby\"]", TJAN, TJUL, "")
	REV("g3", "2026-02-01T00:00:00Z")
	REV("g8", "2026-02-01T00:00:00Z");

static int cam_ix(const struct bf_policy *p, const char *name)
{
	for (size_t i = 0; i < p->n_cameras; i++)
		if (strcmp(p->cameras[i].name, name) == 0)
			return (int)i;
	fail_msg("no camera %s", name);
	return -1;
}

static int app_ix(const struct bf_policy *p, const char *name)
{
	for (size_t i = 0; i < p->n_apps; i++)
		if (strcmp(p->apps[i].name, name) == 0)
			return (int)i;
	fail_msg("no app %s", name);
	return -1;
}

static void set_cam(struct wfx *f, const char *name, uint32_t major, uint32_t minor)
{
	struct bf_camera_res *cr = &f->r.cameras[cam_ix(f->p, name)];

	cr->keys[0] = (struct bf_cam_dev){ .major = major, .minor = minor };
	cr->n_keys = 1;
}

static struct wfx *wfx_new(const char *text)
{
	struct wfx *f = calloc(1, sizeof(*f));
	struct bf_diags d = { 0 };
	char err[256] = "";
	int rc;

	assert_non_null(f);
	rc = bf_policy_parse_string("t.policy", text, BF_PARSE_NO_FS_CHECKS, &f->p, &d);
	if (rc)
		fail_msg("policy: %d, %s", rc, d.n ? d.msgs[0] : "(no diagnostic)");
	bf_diags_free(&d);
	f->r.apps = calloc(f->p->n_apps, sizeof(*f->r.apps));
	f->r.cameras = calloc(f->p->n_cameras, sizeof(*f->r.cameras));
	assert_non_null(f->r.apps);
	assert_non_null(f->r.cameras);
	/* distinct binaries, as on a real host; the window checks only use the app bit */
	for (size_t i = 0; i < f->p->n_apps; i++) {
		f->r.apps[i].exe_ok = true;
		f->r.apps[i].exe_dev = (8ull << 20) | 1;
		f->r.apps[i].exe_ino = 1000 + i;
	}
	set_cam(f, "lobby", 81, 0);
	set_cam(f, "all", 81, BF_ANY_MINOR);
	for (size_t i = 0; i < f->p->n_cameras; i++)
		if (strcmp(f->p->cameras[i].name, "gate") == 0)
			set_cam(f, "gate", 81, 1);
	rc = bf_compile(f->p, &f->r, 0, 1, &f->t, err, sizeof(err));
	if (rc)
		fail_msg("bf_compile: %d (%s)", rc, err);
	rc = bf_ledger_parse("t.jsonl", ledger_text, strlen(ledger_text), &f->l, &d);
	if (rc)
		fail_msg("ledger: %d, %s", rc, d.n ? d.msgs[0] : "(no diagnostic)");
	bf_diags_free(&d);
	return f;
}

static int setup_main(void **state)
{
	*state = wfx_new(policy_text);
	return 0;
}

static int setup_class_first(void **state)
{
	*state = wfx_new(class_first_text);
	return 0;
}

static int teardown_wfx(void **state)
{
	struct wfx *f = *state;

	bf_ledger_free(&f->l);
	bf_tables_free(&f->t);
	bf_resolved_free(&f->r);
	bf_policy_free(f->p);
	free(f);
	return 0;
}

/* Goes through the parser, as the agent does, then plans at NOW. */
static int plan(struct wfx *f, const char *consent, const char *app, const char *cam,
		const char *for_, struct bf_window_plan *out, struct bf_window_err *err)
{
	struct json_object *o = json_object_new_object();
	struct bf_window_req req;
	int rc;

	json_object_object_add(o, "cmd", json_object_new_string("window-open"));
	json_object_object_add(o, "consent", json_object_new_string(consent));
	json_object_object_add(o, "app", json_object_new_string(app));
	json_object_object_add(o, "camera", json_object_new_string(cam));
	if (for_)
		json_object_object_add(o, "for", json_object_new_string(for_));
	rc = bf_window_req_parse(o, &req, err);
	json_object_put(o);
	if (rc)
		fail_msg("request refused: %s: %s", err->code, err->msg);
	memset(err, 0, sizeof(*err));
	return bf_window_plan(f->p, &f->r, &f->t, &f->l, &req, NOW, out, err);
}

/* A refusal with errno RC and CODE whose message contains MSG. */
static void expect_plan_refused(struct wfx *f, const char *consent, const char *app,
				const char *cam, const char *for_, int rc, const char *code,
				const char *msg)
{
	struct bf_window_plan out;
	struct bf_window_err err;
	int got = plan(f, consent, app, cam, for_, &out, &err);

	if (got != rc || !err.code || strcmp(err.code, code) != 0 || !strstr(err.msg, msg))
		fail_msg("%s %s %s for %s: got %d %s \"%s\", want %d %s \"...%s...\"", consent, app, cam,
			 for_ ? for_ : "-", got, err.code ? err.code : "(null)", err.msg, rc, code, msg);
}

static struct bf_window_plan expect_plan_ok(struct wfx *f, const char *consent, const char *app,
					    const char *cam, const char *for_)
{
	struct bf_window_plan out;
	struct bf_window_err err;
	int rc = plan(f, consent, app, cam, for_, &out, &err);

	if (rc)
		fail_msg("%s %s %s: %d %s: %s", consent, app, cam, rc, err.code, err.msg);
	return out;
}

static void test_plan_unknown(void **state)
{
	struct wfx *f = *state;

	expect_plan_refused(f, "g1", "ghost", "lobby", NULL, -EINVAL, "unknown-app",
			    "the policy in force has no app \"ghost\"");
	expect_plan_refused(f, "g1", "recognizer", "ghost", NULL, -EINVAL, "unknown-camera",
			    "the policy in force has no camera \"ghost\"");
	/* "any" is no wildcard: the policy language forbids naming an app or camera "any" */
	expect_plan_refused(f, "g1", "any", "lobby", NULL, -EINVAL, "unknown-app", "no app \"any\"");
	expect_plan_refused(f, "g1", "recognizer", "any", NULL, -EINVAL, "unknown-camera",
			    "no camera \"any\"");
	/* policy checks come before the ledger: an unknown grant is not what is reported */
	expect_plan_refused(f, "g9", "ghost", "ghost", NULL, -EINVAL, "unknown-app", "ghost");
}

static void test_plan_no_consent_rule(void **state)
{
	struct wfx *f = *state;

	/* nvr may open every camera anyway: a window would mean nothing */
	expect_plan_refused(f, "g1", "nvr", "lobby", NULL, -EINVAL, "no-consent-rule",
			    "nvr opening lobby is decided by t.policy:10, not a consent rule");
	expect_plan_refused(f, "g1", "doorctl", "lobby", NULL, -EINVAL, "no-consent-rule",
			    "doorctl opening lobby is decided by t.policy:11, not a consent rule");
	/* the class camera itself is no device of lobby or gate: only the catch-all decides */
	expect_plan_refused(f, "g1", "recognizer", "all", NULL, -EINVAL, "no-consent-rule",
			    "decided by t.policy:11");
}

static void test_plan_window_length(void **state)
{
	struct wfx *f = *state;
	struct bf_window_plan pl;

	expect_plan_refused(f, "g1", "recognizer", "lobby", "11s", -EINVAL, "window-too-long",
			    "a 11s window is longer than the 10s the rule at t.policy:8 allows");
	expect_plan_refused(f, "g1", "recognizer", "lobby", "10001ms", -EINVAL, "window-too-long",
			    "t.policy:8");
	expect_plan_refused(f, "g5", "recognizer", "gate", "6s", -EINVAL, "window-too-long",
			    "a 6s window is longer than the 5s the rule at t.policy:9 allows");
	expect_plan_refused(f, "g5", "recognizer", "gate", "5001ms", -EINVAL, "window-too-long",
			    "t.policy:9");
	/* the length is judged before the grant: no ledger lookup for a request that cannot pass */
	expect_plan_refused(f, "g9", "recognizer", "lobby", "1h", -EINVAL, "window-too-long",
			    "t.policy:8");

	pl = expect_plan_ok(f, "g1", "recognizer", "lobby", "10s");
	assert_int_equal(pl.for_ms, 10000);
	pl = expect_plan_ok(f, "g5", "recognizer", "gate", "5s");
	assert_int_equal(pl.for_ms, 5000);
	pl = expect_plan_ok(f, "g5", "recognizer", "gate", "1ms");
	assert_int_equal(pl.for_ms, 1);
	/* no "for": the rule's whole window */
	pl = expect_plan_ok(f, "g1", "recognizer", "lobby", NULL);
	assert_int_equal(pl.for_ms, 10000);
	pl = expect_plan_ok(f, "g5", "recognizer", "gate", NULL);
	assert_int_equal(pl.for_ms, 5000);
}

static void test_plan_consent(void **state)
{
	struct wfx *f = *state;

	expect_plan_refused(f, "g2", "recognizer", "lobby", NULL, -EKEYEXPIRED, "grant-expired",
			    "consent g2: grant expired (purpose entry, camera lobby)");
	expect_plan_refused(f, "g3", "recognizer", "lobby", NULL, -EKEYREVOKED, "grant-revoked",
			    "consent g3: grant revoked");
	expect_plan_refused(f, "g4", "recognizer", "gate", NULL, -EKEYREJECTED, "grant-not-yet",
			    "consent g4: grant not yet in force");
	expect_plan_refused(f, "g9", "recognizer", "lobby", NULL, -ENOENT, "no-grant",
			    "consent g9: no such grant");
	/* the gate rule asks for staff; g6 is an entry grant, though for the gate */
	expect_plan_refused(f, "g6", "recognizer", "gate", NULL, -EACCES, "purpose-not-covered",
			    "(purpose staff, camera gate)");
	/*
	 * g1 (entry, lobby) on the gate fails on both counts; bf_consent_check
	 * checks the purpose before the camera, so the purpose is reported.
	 */
	expect_plan_refused(f, "g1", "recognizer", "gate", NULL, -EACCES, "purpose-not-covered",
			    "consent g1: purpose not covered by the grant");
	/* right purpose, wrong camera */
	expect_plan_refused(f, "g6", "recognizer", "lobby", NULL, -EPERM, "camera-not-covered",
			    "consent g6: camera not covered by the grant");
	expect_plan_refused(f, "g10", "recognizer", "gate", NULL, -EPERM, "camera-not-covered",
			    "camera not covered");
	/* the minor's own grant is fine; the guardian's withdrawal ends it too */
	expect_plan_refused(f, "g7", "recognizer", "lobby", NULL, -EKEYREVOKED, "grant-revoked",
			    "consent g7: guardian's grant revoked");
}

static void test_plan_ok(void **state)
{
	struct wfx *f = *state;
	struct bf_window_plan pl = expect_plan_ok(f, "g1", "recognizer", "lobby", NULL);
	uint32_t flags;

	assert_int_equal(pl.app, app_ix(f->p, "recognizer"));
	assert_int_equal(pl.camera, cam_ix(f->p, "lobby"));
	assert_int_equal(pl.rule, 0);
	assert_int_equal(f->p->rules[pl.rule_ast].src.line, 8);
	assert_string_equal(pl.purpose, "entry");
	assert_ptr_equal(pl.purpose, f->p->rules[pl.rule_ast].purpose);
	/* the id the kernel's rule carries, so the window and the rule agree */
	assert_int_equal(pl.purpose_id, bf_purpose_id(f->p, "entry"));
	assert_int_equal(pl.purpose_id, f->t.capture[pl.rule].purpose);
	assert_true(pl.purpose_id != 0);
	assert_int_equal(pl.for_ms, 10000);
	assert_ptr_equal(pl.grant, bf_ledger_find(&f->l, "g1"));
	assert_string_equal(pl.grant->id, "g1");
	assert_int_equal(bf_window_rule(&f->r, &f->t, pl.app, pl.camera, &flags), pl.rule);
	assert_true(flags & BF_RF_CONSENT);

	pl = expect_plan_ok(f, "g5", "recognizer", "gate", "2s");
	assert_int_equal(pl.camera, cam_ix(f->p, "gate"));
	assert_int_equal(pl.rule, 1);
	assert_int_equal(f->p->rules[pl.rule_ast].src.line, 9);
	assert_string_equal(pl.purpose, "staff");
	assert_int_equal(pl.purpose_id, bf_purpose_id(f->p, "staff"));
	assert_true(pl.purpose_id != bf_purpose_id(f->p, "entry"));
	assert_int_equal(pl.for_ms, 2000);
	assert_string_equal(pl.grant->id, "g5");
}

/*
 * A device of lobby also matches the "all" class key, so the kernel finds
 * the class rule first. The window must be planned under that rule (and
 * its purpose), or the kernel would never honour it.
 */
static void test_plan_class_rule_first(void **state)
{
	struct wfx *f = *state;
	struct bf_window_plan pl;
	uint32_t flags;

	assert_int_equal(bf_window_rule(&f->r, &f->t, app_ix(f->p, "recognizer"),
					cam_ix(f->p, "lobby"), &flags), 0);
	assert_true(flags & BF_RF_CONSENT);

	pl = expect_plan_ok(f, "g10", "recognizer", "lobby", NULL);
	assert_int_equal(pl.rule, 0);
	assert_int_equal(f->p->rules[pl.rule_ast].src.line, 6);
	assert_string_equal(pl.purpose, "staff");
	assert_int_equal(pl.purpose_id, f->t.capture[0].purpose);
	/* the class rule names no window: the default, under the default max-window */
	assert_int_equal(pl.for_ms, BF_WINDOW_DEFAULT_MS);
	/* an entry grant fits the rule on lobby's name, which never decides */
	expect_plan_refused(f, "g1", "recognizer", "lobby", NULL, -EACCES, "purpose-not-covered",
			    "(purpose staff, camera lobby)");
	/* no rule for doorctl at all: the default deny decides */
	assert_int_equal(bf_window_rule(&f->r, &f->t, app_ix(f->p, "doorctl"),
					cam_ix(f->p, "lobby"), &flags), BF_RULE_DEFAULT);
	assert_int_equal(flags, 0);
	expect_plan_refused(f, "g1", "doorctl", "lobby", NULL, -EINVAL, "no-consent-rule",
			    "no rule lets doorctl open lobby: nothing to open a window for");
}

/* ---- consent codes ---- */

/* Each code from the errno a real bf_consent_check gives, not from a list copied from window.c. */
static void test_consent_codes(void **state)
{
	static const struct {
		const char *id, *purpose, *camera;
		int err;
		const char *code;
	} c[] = {
		{ "g9", "entry", "lobby", -ENOENT, "no-grant" },
		{ "g3", "entry", "lobby", -EKEYREVOKED, "grant-revoked" },
		{ "g4", "staff", "gate", -EKEYREJECTED, "grant-not-yet" },
		{ "g2", "entry", "lobby", -EKEYEXPIRED, "grant-expired" },
		{ "g1", "staff", "lobby", -EACCES, "purpose-not-covered" },
		{ "g1", "entry", "gate", -EPERM, "camera-not-covered" },
	};
	struct wfx *f = *state;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int rc = bf_consent_check(&f->l, c[i].id, c[i].purpose, c[i].camera, NOW, NULL);

		assert_int_equal(rc, c[i].err);
		assert_string_equal(bf_window_consent_code(rc), c[i].code);
	}
	/* anything bf_consent_check does not document is ours to fix, not the client's */
	assert_string_equal(bf_window_consent_code(-EINVAL), "internal");
	assert_string_equal(bf_window_consent_code(-ENOMEM), "internal");
	assert_string_equal(bf_window_consent_code(EPERM), "internal");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_req_good),
		cmocka_unit_test(test_req_missing),
		cmocka_unit_test(test_req_wrong_types),
		cmocka_unit_test(test_req_empty),
		cmocka_unit_test(test_req_lengths),
		cmocka_unit_test(test_req_nul),
		cmocka_unit_test(test_req_consent_syntax),
		cmocka_unit_test(test_req_name_syntax),
		cmocka_unit_test(test_req_unknown_member),
		cmocka_unit_test(test_req_for_ok),
		cmocka_unit_test(test_req_for_bad),
		cmocka_unit_test(test_req_mutations),
		cmocka_unit_test_setup_teardown(test_plan_unknown, setup_main, teardown_wfx),
		cmocka_unit_test_setup_teardown(test_plan_no_consent_rule, setup_main, teardown_wfx),
		cmocka_unit_test_setup_teardown(test_plan_window_length, setup_main, teardown_wfx),
		cmocka_unit_test_setup_teardown(test_plan_consent, setup_main, teardown_wfx),
		cmocka_unit_test_setup_teardown(test_plan_ok, setup_main, teardown_wfx),
		cmocka_unit_test_setup_teardown(test_plan_class_rule_first, setup_class_first,
						teardown_wfx),
		cmocka_unit_test_setup_teardown(test_consent_codes, setup_main, teardown_wfx),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
