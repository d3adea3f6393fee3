/* test_consent.c - unit tests for the consent ledger: every malformed record with its FILE:LINE, appends, checks, guardians, file modes. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "bf_test.h"

#include "consent/consent.h"

#define S 1000000000LL
/* 2026-01-01T00:00:00Z and 2026-07-01T00:00:00Z */
#define T_JAN 1767225600LL
#define T_JUL 1782864000LL

#define Q(x) "\"" x "\""
#define TJAN Q("2026-01-01T00:00:00Z")
#define TJUL Q("2026-07-01T00:00:00Z")
#define CAMS "[\"lobby\"]"
/* A grant line; every argument is raw JSON so a test can break any one of them. */
#define G(id, cams, gr, ex, extra)                                                       \
	"{\"type\":\"grant\",\"id\":" id ",\"subject\":\"p-7f3a\",\"purpose\":\"entry\"," \
	"\"cameras\":" cams ",\"granted\":" gr ",\"expires\":" ex ",\"notice\":\"v3\"" extra "}\n"
#define OKG(id) G(Q(id), CAMS, TJAN, TJUL, "")
#define REV(id, t) "{\"type\":\"revoke\",\"id\":" Q(id) ",\"time\":" Q(t) "}\n"

static char tmpdir[64];

/* ---- helpers ---- */

static int setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/bfconsent.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	bft_rm_tree(tmpdir);
	return 0;
}

static char *tpath(const char *rel)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", tmpdir, rel) > 0);
	return p;
}

static void write_file(const char *path, const char *text, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	close(fd);
}

/*
 * Loads text from a file and expects exactly the diagnostics in want
 * (NULL-terminated "LINE: reason" tails, the path is prefixed here).
 */
static void expect_diags_n(const char *text, size_t n, const char *const *want)
{
	char *path = tpath("ledger.jsonl"), *full;
	struct bf_ledger l;
	struct bf_diags d = { 0 };
	size_t i;
	int r;

	write_file(path, text, n);
	memset(&l, 0xa5, sizeof(l));
	r = bf_ledger_load(path, &l, &d);
	for (i = 0; i < d.n; i++)
		print_message("  diag: %s\n", d.msgs[i]);
	assert_int_equal(r, -EINVAL);
	/* never loaded half-way */
	assert_null(l.grants);
	assert_int_equal(l.n_grants, 0);
	for (i = 0; want[i]; i++) {
		assert_true(i < d.n);
		assert_true(asprintf(&full, "%s:%s", path, want[i]) > 0);
		assert_string_equal(d.msgs[i], full);
		free(full);
	}
	assert_int_equal(d.n, i);
	assert_int_equal(d.n_errors, i);
	bf_diags_free(&d);
	free(path);
}

static void expect_diags(const char *text, const char *const *want)
{
	expect_diags_n(text, strlen(text), want);
}

#define EXPECT(text, ...) expect_diags(text, (const char *const[]){ __VA_ARGS__, NULL })

static void load_ok(const char *path, struct bf_ledger *l)
{
	struct bf_diags d = { 0 };
	size_t i;
	int r = bf_ledger_load(path, l, &d);

	for (i = 0; i < d.n; i++)
		print_message("  diag: %s\n", d.msgs[i]);
	assert_int_equal(r, 0);
	assert_int_equal(d.n, 0);
	bf_diags_free(&d);
}

static void load_text_ok(const char *text, struct bf_ledger *l)
{
	char *path = tpath("ledger.jsonl");

	write_file(path, text, strlen(text));
	load_ok(path, l);
	free(path);
}

static struct bf_consent_grant mkgrant(const char *id, const char *camera, int64_t from,
				       int64_t to)
{
	static char *cams[4];
	struct bf_consent_grant g = { 0 };

	strcpy(g.id, id);
	strcpy(g.subject, "p-7f3a");
	strcpy(g.purpose, "entry");
	strcpy(g.notice, "v3");
	if (!strcmp(camera, "any")) {
		g.any_camera = true;
	} else {
		cams[0] = (char *)camera;
		g.cameras = cams;
		g.n_cameras = 1;
	}
	g.granted_ns = from;
	g.expires_ns = to;
	return g;
}

static void check_is(const struct bf_ledger *l, const char *id, const char *purpose,
			 const char *camera, int64_t now, int err, const char *why)
{
	const char *w = NULL;

	assert_int_equal(bf_consent_check(l, id, purpose, camera, now, &w), err);
	assert_string_equal(w, why);
}

/* ---- malformed records, one reason each ---- */

static void test_not_json(void **state)
{
	EXPECT("{\"type\":\"grant\"\n", "1: not valid JSON");
	EXPECT(OKG("c1") "{\"type\":\"revoke\"} x\n", "2: not valid JSON");
	EXPECT("{'type':'grant'}\n", "1: not valid JSON");
	EXPECT(OKG("c1") "{\"type\":\"revoke\",}\n", "2: not valid JSON");
	EXPECT("{\"type\":\"revoke\"}}\n", "1: not valid JSON");
	EXPECT(OKG("c1") OKG("c2") "{\"type\":\"revoke\"} {}\n", "3: not valid JSON");
	/* invalid UTF-8 inside a string */
	EXPECT("{\"type\":\"grant\",\"subject\":\"\xff\"}\n", "1: not valid JSON");
}

static void test_not_object(void **state)
{
	EXPECT("[1,2]\n", "1: record is not a JSON object");
	EXPECT("null\n", "1: record is not a JSON object");
	EXPECT(OKG("c1") "\"grant\"\n", "2: record is not a JSON object");
	EXPECT("42\n", "1: record is not a JSON object");
}

static void test_type(void **state)
{
	EXPECT("{\"id\":\"c1\"}\n", "1: missing \"type\"");
	EXPECT("{\"type\":\"grnat\",\"id\":\"c1\"}\n",
	       "1: unknown \"type\" (expected \"grant\" or \"revoke\")");
	EXPECT("{\"type\":1}\n", "1: \"type\" is not a string");
	EXPECT("{\"type\":\"\"}\n", "1: \"type\" is empty");
}

static void test_missing_fields(void **state)
{
	EXPECT("{\"type\":\"grant\",\"id\":\"c1\",\"purpose\":\"entry\",\"cameras\":" CAMS
	       ",\"granted\":" TJAN ",\"expires\":" TJUL ",\"notice\":\"v3\"}\n",
	       "1: missing \"subject\"");
	EXPECT("{\"type\":\"grant\",\"subject\":\"p\",\"purpose\":\"entry\",\"cameras\":" CAMS
	       ",\"granted\":" TJAN ",\"expires\":" TJUL ",\"notice\":\"v3\"}\n",
	       "1: missing \"id\"");
	EXPECT("{\"type\":\"grant\",\"id\":\"c1\",\"subject\":\"p\",\"purpose\":\"entry\","
	       "\"granted\":" TJAN ",\"expires\":" TJUL "}\n",
	       "1: missing \"cameras\"", "1: missing \"notice\"");
	/* everything missing at once: every reason, in field order */
	EXPECT("{\"type\":\"grant\"}\n", "1: missing \"id\"", "1: missing \"subject\"",
	       "1: missing \"purpose\"", "1: missing \"cameras\"", "1: missing \"granted\"",
	       "1: missing \"expires\"", "1: missing \"notice\"");
	EXPECT("{\"type\":\"revoke\"}\n", "1: missing \"id\"", "1: missing \"time\"");
}

static void test_empty_and_nonstring_fields(void **state)
{
	EXPECT(G("7", CAMS, TJAN, TJUL, ""), "1: \"id\" is not a string");
	EXPECT(G("null", CAMS, TJAN, TJUL, ""), "1: \"id\" is not a string");
	EXPECT(G(Q(""), CAMS, TJAN, TJUL, ""), "1: \"id\" is empty");
	EXPECT(G(Q("c1"), CAMS, "20260101", TJUL, ""), "1: \"granted\" is not a string");
	EXPECT("{\"type\":\"grant\",\"id\":\"c1\",\"subject\":\"p\",\"purpose\":\"entry\","
	       "\"cameras\":" CAMS ",\"granted\":" TJAN ",\"expires\":" TJUL ",\"notice\":\"\"}\n",
	       "1: \"notice\" is empty");
	EXPECT("{\"type\":\"grant\",\"id\":\"c1\",\"subject\":{},\"purpose\":\"entry\","
	       "\"cameras\":" CAMS ",\"granted\":" TJAN ",\"expires\":" TJUL ",\"notice\":\"v\"}\n",
	       "1: \"subject\" is not a string");
	EXPECT("{\"type\":\"grant\",\"id\":\"c1\",\"subject\":\"p\\u0000x\",\"purpose\":\"entry\","
	       "\"cameras\":" CAMS ",\"granted\":" TJAN ",\"expires\":" TJUL ",\"notice\":\"v\"}\n",
	       "1: \"subject\" contains a NUL character");
	EXPECT(G(Q("c1"), CAMS, TJAN, TJUL, ",\"guardian\":\"\""), "1: \"guardian\" is empty");
}

static void test_id_syntax(void **state)
{
	char text[512];
	char id[130];

	memset(id, 'a', 128);
	id[128] = '\0';
	snprintf(text, sizeof(text), G("\"%s\"", CAMS, TJAN, TJUL, ""), id);
	EXPECT(text, "1: \"id\" is longer than 127 characters");
	EXPECT(G(Q("c 1"), CAMS, TJAN, TJUL, ""),
	       "1: \"id\" has a character outside [A-Za-z0-9._:-]");
	EXPECT(G(Q("c/1"), CAMS, TJAN, TJUL, ""),
	       "1: \"id\" has a character outside [A-Za-z0-9._:-]");
	EXPECT(G(Q("c\xc3\xa9"), CAMS, TJAN, TJUL, ""),
	       "1: \"id\" has a character outside [A-Za-z0-9._:-]");
	EXPECT(G(Q("c\\n1"), CAMS, TJAN, TJUL, ""),
	       "1: \"id\" has a character outside [A-Za-z0-9._:-]");
	/* a pseudonym is a token too, which keeps "Zhang Wei" out (not "ZhangWei") */
	EXPECT("{\"type\":\"grant\",\"id\":\"c1\",\"subject\":\"Zhang Wei\",\"purpose\":\"entry\","
	       "\"cameras\":" CAMS ",\"granted\":" TJAN ",\"expires\":" TJUL ",\"notice\":\"v\"}\n",
	       "1: \"subject\" has a character outside [A-Za-z0-9._:-]");
	EXPECT(OKG("c1") REV("c\"1", "2026-02-01T00:00:00Z"), "2: not valid JSON");
	EXPECT(OKG("c1") "{\"type\":\"revoke\",\"id\":\"c*1\",\"time\":" TJAN "}\n",
	       "2: \"id\" has a character outside [A-Za-z0-9._:-]");
}

static void test_id_max_length_ok(void **state)
{
	struct bf_ledger l;
	char text[512], id[128];

	memset(id, 'a', 127);
	id[127] = '\0';
	snprintf(text, sizeof(text), G("\"%s\"", CAMS, TJAN, TJUL, ""), id);
	load_text_ok(text, &l);
	assert_non_null(bf_ledger_find(&l, id));
	bf_ledger_free(&l);
}

static void test_duplicate_id(void **state)
{
	EXPECT(OKG("c1") OKG("c2") OKG("c1"), "3: duplicate grant id (first granted on line 1)");
	/* ids are case-sensitive: C1 is another grant */
	EXPECT(OKG("c1") OKG("C1") OKG("C1"), "3: duplicate grant id (first granted on line 2)");
}

static void test_bad_times(void **state)
{
	static const char *const bad[] = {
		Q("2026-02-30T00:00:00Z"), Q("2025-02-29T00:00:00Z"), Q("2026-13-01T00:00:00Z"),
		Q("2026-00-10T00:00:00Z"), Q("2026-04-31T00:00:00Z"), Q("2026-01-01T24:00:00Z"),
		Q("2026-01-01T00:60:00Z"), Q("2026-12-31T23:59:60Z"), Q("2026-01-01T00:00:00"),
		Q("2026-01-01 00:00:00Z"), Q("2026-1-01T00:00:00Z"), Q("2026-01-01T00:00:00+08"),
		Q("2026-01-01T00:00:00+0800"), Q("2026-01-01T00:00:00+24:00"),
		Q("2026-01-01T00:00:00.Z"), Q("2026-01-01T00:00:00.1234567890Z"),
		Q("2026-01-01T00:00:00ZZ"), Q("2026-01-01T00:00:00Z "), Q("tomorrow"),
		Q("1767225600"), Q("+2026-01-01T00:00:00Z"), Q("2026-01-01T00:00:00+08:0x"),
	};
	char text[512];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("  time %s\n", bad[i]);
		snprintf(text, sizeof(text), G(Q("c1"), CAMS, "%s", TJUL, ""), bad[i]);
		EXPECT(text, "1: \"granted\" is not an RFC 3339 date-time");
		snprintf(text, sizeof(text),
			 OKG("c1") "{\"type\":\"revoke\",\"id\":\"c1\",\"time\":%s}\n", bad[i]);
		EXPECT(text, "2: \"time\" is not an RFC 3339 date-time");
	}
	EXPECT(G(Q("c1"), CAMS, Q("1969-12-31T23:59:59Z"), TJUL, ""),
	       "1: \"granted\" is outside 1970-01-01 .. 2262-04-11");
	EXPECT(G(Q("c1"), CAMS, TJAN, Q("2262-04-12T00:00:00Z"), ""),
	       "1: \"expires\" is outside 1970-01-01 .. 2262-04-11");
	/* an offset can push a date that looks fine out of range */
	EXPECT(G(Q("c1"), CAMS, Q("1970-01-01T00:00:00+08:00"), TJUL, ""),
	       "1: \"granted\" is outside 1970-01-01 .. 2262-04-11");
}

static void test_expires_not_after_granted(void **state)
{
	EXPECT(G(Q("c1"), CAMS, TJAN, TJAN, ""), "1: \"expires\" is not after \"granted\"");
	EXPECT(G(Q("c1"), CAMS, TJUL, TJAN, ""), "1: \"expires\" is not after \"granted\"");
	/* the same instant written in two zones */
	EXPECT(G(Q("c1"), CAMS, TJAN, Q("2026-01-01T08:00:00+08:00"), ""),
	       "1: \"expires\" is not after \"granted\"");
}

static void test_cameras(void **state)
{
	EXPECT(G(Q("c1"), Q("lobby"), TJAN, TJUL, ""), "1: \"cameras\" is not an array");
	EXPECT(G(Q("c1"), "[]", TJAN, TJUL, ""), "1: \"cameras\" is empty");
	EXPECT(G(Q("c1"), "[\"Lobby\"]", TJAN, TJUL, ""),
	       "1: \"cameras\" entry 1 is not a camera name");
	EXPECT(G(Q("c1"), "[\"lobby\",5]", TJAN, TJUL, ""),
	       "1: \"cameras\" entry 2 is not a camera name");
	EXPECT(G(Q("c1"), "[\"lobby\",\"\",\"-x\",null]", TJAN, TJUL, ""),
	       "1: \"cameras\" entry 2 is not a camera name",
	       "1: \"cameras\" entry 3 is not a camera name",
	       "1: \"cameras\" entry 4 is not a camera name");
	EXPECT(G(Q("c1"), "[\"any\",\"lobby\"]", TJAN, TJUL, ""),
	       "1: \"any\" cannot be combined with other cameras");
	EXPECT(G(Q("c1"), "[\"lobby\",\"any\"]", TJAN, TJUL, ""),
	       "1: \"any\" cannot be combined with other cameras");
	EXPECT(G(Q("c1"), "[\"lobby\",\"gate\",\"lobby\"]", TJAN, TJUL, ""),
	       "1: \"cameras\" lists \"lobby\" twice");
	EXPECT(G(Q("c1"), "[[\"lobby\"]]", TJAN, TJUL, ""),
	       "1: \"cameras\" entry 1 is not a camera name");
}

static void test_too_many_cameras(void **state)
{
	char *text, *p;
	int i;

	text = malloc(16 * 1024);
	assert_non_null(text);
	p = text + sprintf(text, "{\"type\":\"grant\",\"id\":\"c1\",\"subject\":\"p\","
			   "\"purpose\":\"entry\",\"cameras\":[");
	for (i = 0; i < BF_CONSENT_MAX_CAMERAS + 1; i++)
		p += sprintf(p, "%s\"c%d\"", i ? "," : "", i);
	sprintf(p, "],\"granted\":" TJAN ",\"expires\":" TJUL ",\"notice\":\"v\"}\n");
	EXPECT(text, "1: \"cameras\" lists more than 256 cameras");
	free(text);
}

static void test_purpose(void **state)
{
	EXPECT("{\"type\":\"grant\",\"id\":\"c1\",\"subject\":\"p\",\"purpose\":\"Entry\","
	       "\"cameras\":" CAMS ",\"granted\":" TJAN ",\"expires\":" TJUL ",\"notice\":\"v\"}\n",
	       "1: \"purpose\" is not a name ([a-z0-9][a-z0-9_.-]*, at most 63 characters)");
	EXPECT("{\"type\":\"grant\",\"id\":\"c1\",\"subject\":\"p\",\"purpose\":\"any\","
	       "\"cameras\":" CAMS ",\"granted\":" TJAN ",\"expires\":" TJUL ",\"notice\":\"v\"}\n",
	       "1: \"purpose\" cannot be \"any\": consent is given for one purpose");
}

static void test_guardian_unknown(void **state)
{
	EXPECT(OKG("c1") G(Q("m1"), CAMS, TJAN, TJUL, ",\"guardian\":\"c9\""),
	       "2: \"guardian\" names no earlier grant");
	/* defined later in the file is not good enough */
	EXPECT(G(Q("m1"), CAMS, TJAN, TJUL, ",\"guardian\":\"c1\"") OKG("c1"),
	       "1: \"guardian\" names no earlier grant");
	EXPECT(G(Q("m1"), CAMS, TJAN, TJUL, ",\"guardian\":\"m1\""),
	       "1: \"guardian\" names no earlier grant");
	EXPECT(OKG("c1") G(Q("m1"), CAMS, TJAN, TJUL, ",\"guardian\":\"c 1\""),
	       "2: \"guardian\" has a character outside [A-Za-z0-9._:-]");
}

static void test_unknown_field(void **state)
{
	EXPECT(G(Q("c1"), CAMS, TJAN, TJUL, ",\"gaurdian\":\"c0\""),
	       "1: unknown field \"gaurdian\"");
	EXPECT(G(Q("c1"), CAMS, TJAN, TJUL, ",\"face\\u001b[2J\":1"), "1: unknown field");
	/* a grant's fields do not belong in a revoke */
	EXPECT(OKG("c1") "{\"type\":\"revoke\",\"id\":\"c1\",\"time\":" TJAN ",\"subject\":\"p\"}\n",
	       "2: unknown field \"subject\"");
}

static void test_revoke_unknown(void **state)
{
	EXPECT(OKG("c1") REV("c2", "2026-02-01T00:00:00Z"), "2: revoke of unknown grant id");
	/* a revoke before its grant is a revoke of an unknown id */
	EXPECT(REV("c1", "2026-02-01T00:00:00Z") OKG("c1"), "1: revoke of unknown grant id");
}

static void test_revoke_twice(void **state)
{
	EXPECT(OKG("c1") REV("c1", "2026-02-01T00:00:00Z") REV("c1", "2026-03-01T00:00:00Z"),
	       "3: grant already revoked on line 2");
}

static void test_revoke_before_grant(void **state)
{
	EXPECT(OKG("c1") REV("c1", "2025-12-31T23:59:59.999999999Z"),
	       "2: \"time\" is before the grant's \"granted\"");
}

static void test_line_too_long(void **state)
{
	size_t n = BF_LEDGER_MAX_LINE + 1, head = strlen(OKG("c1")) - 2;
	char *text = malloc(n + 64);

	/* a valid grant padded with JSON whitespace to exactly the limit loads */
	assert_non_null(text);
	memcpy(text, OKG("c1"), head);
	memset(text + head, ' ', BF_LEDGER_MAX_LINE - head - 1);
	strcpy(text + BF_LEDGER_MAX_LINE - 1, "}\n");
	{
		struct bf_ledger l;
		struct bf_diags d = { 0 };

		assert_int_equal(bf_ledger_parse("mem", text, BF_LEDGER_MAX_LINE + 1, &l, &d), 0);
		bf_ledger_free(&l);
	}
	/* one byte more does not */
	memcpy(text, OKG("c1"), head);
	memset(text + head, ' ', n - head - 1);
	strcpy(text + n - 1, "}\n");
	expect_diags_n(text, n + 1, (const char *const[]){ "1: line is longer than 65536 bytes", NULL });
	/* with no newline at all, the length is what is reported */
	expect_diags_n(text, n, (const char *const[]){ "1: line is longer than 65536 bytes", NULL });
	free(text);
}

/*
 * A last line with no newline is an append a power cut stopped before its
 * fsync, never acknowledged: the ledger loads without it (all consent
 * stopped before), says where it is, and the next append cuts it off.
 * Damage anywhere else still fails the whole ledger closed.
 */
static void test_torn_last_line(void **state)
{
	const char *text = OKG("c1") OKG("c2");
	char *path = tpath("torn.jsonl"), *after;
	struct bf_consent_grant g = mkgrant("c3", "lobby", T_JAN * S, T_JUL * S);
	struct bf_ledger l;
	size_t len, whole = strlen(OKG("c1"));

	for (size_t cut = 1; cut <= 20; cut += 19) {
		write_file(path, text, strlen(text) - cut);
		load_ok(path, &l);
		assert_int_equal(l.n_grants, 1);
		assert_int_equal(l.n_lines, 1);
		assert_int_equal(l.torn_line, 2);
		assert_int_equal(l.torn_at, whole);
		assert_int_equal(l.torn_bytes, strlen(text) - cut - whole);
		bf_ledger_free(&l);
	}
	/* the next append removes the cut and lands on a line of its own */
	assert_int_equal(bf_ledger_append_grant(path, &g, NULL), 0);
	load_ok(path, &l);
	assert_int_equal(l.n_grants, 2);
	assert_int_equal(l.torn_bytes, 0);
	assert_non_null(bf_ledger_find(&l, "c3"));
	assert_null(bf_ledger_find(&l, "c2"));
	bf_ledger_free(&l);
	after = bft_slurp(path, &len);
	assert_memory_equal(after, OKG("c1"), whole);
	assert_int_equal(after[len - 1], '\n');
	free(after);
	free(path);
	/* a cut record in the middle is damage, not a torn append */
	EXPECT(OKG("c1") "{\"type\":\"gra\n" OKG("c2"), "2: not valid JSON");
}

static void test_empty_line(void **state)
{
	EXPECT(OKG("c1") "\n" OKG("c2"), "2: empty line");
	EXPECT("\n", "1: empty line");
}

/* ---- one pass ---- */

static void test_all_errors_one_pass(void **state)
{
	EXPECT(OKG("c1")
	       "not json\n"
	       OKG("c2")
	       G(Q("c3"), "[]", TJAN, TJAN, "")
	       OKG("c1")
	       REV("c9", "2026-02-01T00:00:00Z")
	       REV("c2", "2026-02-01T00:00:00Z")
	       REV("c2", "2026-02-01T00:00:00Z")
	       "\n"
	       REV("c3", "2026-02-01T00:00:00Z"),
	       "2: not valid JSON",
	       "4: \"cameras\" is empty",
	       "4: \"expires\" is not after \"granted\"",
	       "5: duplicate grant id (first granted on line 1)",
	       "6: revoke of unknown grant id",
	       "8: grant already revoked on line 7",
	       "9: empty line");
	/* c3 was bad but had a good id: its revoke on line 10 is not a cascade */
}

static void test_file_problems(void **state)
{
	char *missing = tpath("nope.jsonl"), *full;
	struct bf_ledger l;
	struct bf_diags d = { 0 };

	assert_int_equal(bf_ledger_load(missing, &l, &d), -ENOENT);
	assert_int_equal(d.n, 1);
	assert_true(asprintf(&full, "%s: No such file or directory", missing) > 0);
	assert_string_equal(d.msgs[0], full);
	free(full);
	bf_diags_free(&d);
	assert_int_equal(bf_ledger_load(tmpdir, &l, &d), -EINVAL);
	assert_true(asprintf(&full, "%s: not a regular file", tmpdir) > 0);
	assert_string_equal(d.msgs[0], full);
	free(full);
	bf_diags_free(&d);
	assert_null(l.grants);
	free(missing);
}

static void test_empty_file(void **state)
{
	struct bf_ledger l;

	load_text_ok("", &l);
	assert_int_equal(l.n_grants, 0);
	assert_int_equal(l.n_lines, 0);
	assert_null(bf_ledger_find(&l, "c1"));
	check_is(&l, "c1", "entry", "lobby", T_JAN * S, -ENOENT, "no such grant");
	bf_ledger_free(&l);
}

/* ---- appends ---- */

static void check_round_trip(const char *path);

static void test_round_trip(void **state)
{
	char *path = tpath("var/lib/biofence/consent.jsonl"), *text;
	struct bf_consent_grant g = mkgrant("c1", "any", T_JAN * S + 123, T_JUL * S);
	static char *two[] = { "lobby", "gate-2" };
	size_t len;

	assert_int_equal(bf_ledger_append_grant(path, &g, NULL), 0);
	g = mkgrant("c2", "lobby", T_JAN * S, T_JUL * S);
	g.cameras = two;
	g.n_cameras = 2;
	assert_int_equal(bf_ledger_append_grant(path, &g, NULL), 0);
	g = mkgrant("m1", "lobby", T_JAN * S, T_JUL * S);
	strcpy(g.guardian, "c2");
	assert_int_equal(bf_ledger_append_grant(path, &g, NULL), 0);
	assert_int_equal(bf_ledger_append_revoke(path, "c1", (T_JAN + 60) * S, NULL), 0);

	text = bft_slurp(path, &len);
	assert_string_equal(text,
		"{\"type\":\"grant\",\"id\":\"c1\",\"subject\":\"p-7f3a\",\"purpose\":\"entry\","
		"\"cameras\":[\"any\"],\"granted\":\"2026-01-01T00:00:00.000000123Z\","
		"\"expires\":\"2026-07-01T00:00:00.000000000Z\",\"notice\":\"v3\"}\n"
		"{\"type\":\"grant\",\"id\":\"c2\",\"subject\":\"p-7f3a\",\"purpose\":\"entry\","
		"\"cameras\":[\"lobby\",\"gate-2\"],\"granted\":\"2026-01-01T00:00:00.000000000Z\","
		"\"expires\":\"2026-07-01T00:00:00.000000000Z\",\"notice\":\"v3\"}\n"
		"{\"type\":\"grant\",\"id\":\"m1\",\"subject\":\"p-7f3a\",\"purpose\":\"entry\","
		"\"cameras\":[\"lobby\"],\"granted\":\"2026-01-01T00:00:00.000000000Z\","
		"\"expires\":\"2026-07-01T00:00:00.000000000Z\",\"notice\":\"v3\",\"guardian\":\"c2\"}\n"
		"{\"type\":\"revoke\",\"id\":\"c1\",\"time\":\"2026-01-01T00:01:00.000000000Z\"}\n");
	free(text);
	check_round_trip(path);
	free(path);
}

/* What test_round_trip wrote, read back through the loader. */
static void check_round_trip(const char *path)
{
	const struct bf_consent_grant *f;
	struct bf_ledger l;

	load_ok(path, &l);
	assert_int_equal(l.n_grants, 3);
	assert_int_equal(l.n_revokes, 1);
	assert_int_equal(l.n_lines, 4);
	f = bf_ledger_find(&l, "c1");
	assert_non_null(f);
	assert_true(f->any_camera);
	assert_int_equal(f->n_cameras, 0);
	assert_true(f->granted_ns == T_JAN * S + 123);
	assert_true(f->expires_ns == T_JUL * S);
	assert_true(f->revoked);
	assert_true(f->revoked_ns == (T_JAN + 60) * S);
	assert_int_equal(f->line, 1);
	assert_int_equal(f->revoke_line, 4);
	f = bf_ledger_find(&l, "c2");
	assert_non_null(f);
	assert_false(f->any_camera);
	assert_int_equal(f->n_cameras, 2);
	assert_string_equal(f->cameras[0], "lobby");
	assert_string_equal(f->cameras[1], "gate-2");
	assert_string_equal(f->subject, "p-7f3a");
	assert_string_equal(f->purpose, "entry");
	assert_string_equal(f->notice, "v3");
	assert_string_equal(f->guardian, "");
	assert_false(f->revoked);
	assert_string_equal(bf_ledger_find(&l, "m1")->guardian, "c2");
	assert_null(bf_ledger_find(&l, "c3"));
	assert_null(bf_ledger_find(&l, NULL));
	bf_ledger_free(&l);
}

static void test_file_and_dir_modes(void **state)
{
	char *path = tpath("a/b/consent.jsonl"), *a = tpath("a"), *b = tpath("a/b");
	struct bf_consent_grant g = mkgrant("c1", "lobby", T_JAN * S, T_JUL * S);
	struct stat st;
	mode_t old = umask(0);	/* the modes must not depend on the caller's umask */

	assert_int_equal(bf_ledger_append_grant(path, &g, NULL), 0);
	umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(a, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(stat(b, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* an existing ledger keeps the mode its owner gave it */
	assert_int_equal(chmod(path, 0640), 0);
	g = mkgrant("c2", "lobby", T_JAN * S, T_JUL * S);
	assert_int_equal(bf_ledger_append_grant(path, &g, NULL), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	/* and so does an existing directory */
	assert_int_equal(stat(tmpdir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);	/* mkdtemp's */
	free(path);
	free(a);
	free(b);
}

/* Appends that must be refused, each leaving the file byte-identical. */
static void expect_refused(const char *path, int r, int err, struct bf_diags *d,
			   const char *before, size_t before_len, const char *want)
{
	char *after, *full;
	size_t len;

	assert_int_equal(r, err);
	after = bft_slurp(path, &len);
	assert_int_equal(len, before_len);
	assert_memory_equal(after, before, len);
	free(after);
	if (want) {
		assert_int_equal(d->n, 1);
		assert_true(asprintf(&full, "%s:%s", path, want) > 0);
		assert_string_equal(d->msgs[0], full);
		free(full);
	}
	bf_diags_free(d);
}

static void test_refused_appends(void **state)
{
	char *path = tpath("refused.jsonl"), *before;
	struct bf_consent_grant g = mkgrant("c1", "lobby", T_JAN * S, T_JUL * S);
	struct bf_diags d = { 0 };
	size_t len;

	assert_int_equal(bf_ledger_append_grant(path, &g, NULL), 0);
	assert_int_equal(bf_ledger_append_revoke(path, "c1", T_JAN * S + 5, NULL), 0);
	g = mkgrant("c2", "lobby", T_JAN * S, T_JUL * S);
	assert_int_equal(bf_ledger_append_grant(path, &g, NULL), 0);
	before = bft_slurp(path, &len);

	g = mkgrant("c1", "lobby", T_JAN * S, T_JUL * S);
	expect_refused(path, bf_ledger_append_grant(path, &g, &d), -EEXIST, &d, before, len,
		       " refused record: duplicate grant id (first granted on line 1)");
	expect_refused(path, bf_ledger_append_revoke(path, "c9", T_JUL * S, &d), -ENOENT, &d,
		       before, len, " refused record: revoke of unknown grant id");
	expect_refused(path, bf_ledger_append_revoke(path, "c1", T_JUL * S, &d), -EALREADY, &d,
		       before, len, " refused record: grant already revoked on line 2");
	expect_refused(path, bf_ledger_append_revoke(path, "c2", T_JAN * S - 1, &d), -EINVAL, &d,
		       before, len, " refused record: \"time\" is before the grant's \"granted\"");
	expect_refused(path, bf_ledger_append_revoke(path, "c2", -1, &d), -EINVAL, &d,
		       before, len, " refused record: missing \"time\"");
	expect_refused(path, bf_ledger_append_revoke(path, "c\"2", T_JUL * S, &d), -EINVAL, &d,
		       before, len, " refused record: \"id\" has a character outside [A-Za-z0-9._:-]");
	g = mkgrant("m1", "lobby", T_JAN * S, T_JUL * S);
	strcpy(g.guardian, "c7");
	expect_refused(path, bf_ledger_append_grant(path, &g, &d), -ENOENT, &d, before, len,
		       " refused record: \"guardian\" names no earlier grant");
	g = mkgrant("c3", "lobby", T_JUL * S, T_JUL * S);
	expect_refused(path, bf_ledger_append_grant(path, &g, &d), -EINVAL, &d, before, len,
		       " refused record: \"expires\" is not after \"granted\"");
	g = mkgrant("c3", "Lobby", T_JAN * S, T_JUL * S);
	expect_refused(path, bf_ledger_append_grant(path, &g, &d), -EINVAL, &d, before, len,
		       " refused record: \"cameras\" entry 1 is not a camera name");
	g = mkgrant("c3", "lobby", T_JAN * S, T_JUL * S);
	g.any_camera = true;
	expect_refused(path, bf_ledger_append_grant(path, &g, &d), -EINVAL, &d, before, len,
		       " refused record: \"any\" cannot be combined with other cameras");
	g = mkgrant("c3", "lobby", T_JAN * S, T_JUL * S);
	g.n_cameras = 0;
	expect_refused(path, bf_ledger_append_grant(path, &g, &d), -EINVAL, &d, before, len,
		       " refused record: \"cameras\" is empty");
	g = mkgrant("c3", "lobby", T_JAN * S, T_JUL * S);
	g.subject[0] = '\0';
	expect_refused(path, bf_ledger_append_grant(path, &g, &d), -EINVAL, &d, before, len,
		       " refused record: \"subject\" is empty");
	g = mkgrant("c3", "lobby", T_JAN * S, T_JUL * S);
	strcpy(g.purpose, "any");
	expect_refused(path, bf_ledger_append_grant(path, &g, &d), -EINVAL, &d, before, len,
		       " refused record: \"purpose\" cannot be \"any\": consent is given for one purpose");
	free(before);
	free(path);
}

static void test_append_to_invalid_ledger(void **state)
{
	char *path = tpath("damaged.jsonl"), *before, *full;
	struct bf_consent_grant g = mkgrant("c2", "lobby", T_JAN * S, T_JUL * S);
	const char *text = OKG("c1") "{\"type\":\"gra\n" OKG("c9");
	struct bf_diags d = { 0 };
	size_t len;

	/* damage in the middle (not a torn last append) fails closed: no append, nothing changed */
	write_file(path, text, strlen(text));
	before = bft_slurp(path, &len);
	assert_int_equal(bf_ledger_append_grant(path, &g, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_true(asprintf(&full, "%s:2: not valid JSON", path) > 0);
	assert_string_equal(d.msgs[0], full);
	free(full);
	expect_refused(path, -EINVAL, -EINVAL, &d, before, len, NULL);
	free(before);
	free(path);
}

static void test_refused_first_append_creates_nothing(void **state)
{
	char *dir = tpath("fresh"), *path = tpath("fresh/consent.jsonl");
	struct bf_consent_grant g = mkgrant("c1", "lobby", T_JAN * S, T_JUL * S);
	struct bf_diags d = { 0 };
	struct stat st;

	strcpy(g.guardian, "c0");
	assert_int_equal(bf_ledger_append_grant(path, &g, &d), -ENOENT);
	assert_int_equal(d.n, 1);
	bf_diags_free(&d);
	assert_int_equal(bf_ledger_append_revoke(path, "c1", T_JAN * S, NULL), -ENOENT);
	assert_int_equal(stat(dir, &st), -1);
	assert_int_equal(errno, ENOENT);
	free(dir);
	free(path);
}

/* ---- checks ---- */

static void test_check_coverage(void **state)
{
	struct bf_ledger l;

	load_text_ok(OKG("c1") G(Q("c2"), "[\"any\"]", TJAN, TJUL, "")
		     G(Q("c3"), "[\"lobby\",\"gate\"]", TJAN, TJUL, ""), &l);
	check_is(&l, "c1", "entry", "lobby", T_JAN * S, 0, "ok");
	check_is(&l, "c1", "marketing", "lobby", T_JAN * S, -EACCES,
		     "purpose not covered by the grant");
	check_is(&l, "c1", "entry", "gate", T_JAN * S, -EPERM,
		     "camera not covered by the grant");
	/* "any" in a request is not a wildcard: only an "any" grant covers it */
	check_is(&l, "c1", "entry", "any", T_JAN * S, -EPERM,
		     "camera not covered by the grant");
	check_is(&l, "c2", "entry", "gate", T_JAN * S, 0, "ok");
	check_is(&l, "c2", "entry", "any", T_JAN * S, 0, "ok");
	check_is(&l, "c2", "exit", "gate", T_JAN * S, -EACCES,
		     "purpose not covered by the grant");
	check_is(&l, "c3", "entry", "gate", T_JAN * S, 0, "ok");
	check_is(&l, "c3", "entry", "garage", T_JAN * S, -EPERM,
		     "camera not covered by the grant");
	check_is(&l, "c4", "entry", "lobby", T_JAN * S, -ENOENT, "no such grant");
	check_is(&l, "C1", "entry", "lobby", T_JAN * S, -ENOENT, "no such grant");
	/* why may be NULL */
	assert_int_equal(bf_consent_check(&l, "c1", "entry", "lobby", T_JAN * S, NULL), 0);
	bf_ledger_free(&l);
}

static void test_check_time_bounds(void **state)
{
	struct bf_ledger l;

	load_text_ok(OKG("c1"), &l);
	check_is(&l, "c1", "entry", "lobby", T_JAN * S - 1, -EKEYREJECTED,
		     "grant not yet in force");
	/* valid on [granted, expires): granted is in, expires is out */
	check_is(&l, "c1", "entry", "lobby", T_JAN * S, 0, "ok");
	check_is(&l, "c1", "entry", "lobby", T_JUL * S - 1, 0, "ok");
	check_is(&l, "c1", "entry", "lobby", T_JUL * S, -EKEYEXPIRED, "grant expired");
	/* time is checked before coverage: an expired grant says so, whatever was asked */
	check_is(&l, "c1", "marketing", "gate", T_JUL * S, -EKEYEXPIRED, "grant expired");
	bf_ledger_free(&l);
}

static void test_revocation_takes_effect(void **state)
{
	char *path = tpath("revoke.jsonl");
	struct bf_consent_grant g = mkgrant("c1", "lobby", T_JAN * S, T_JUL * S);
	struct bf_ledger l;
	int64_t now = (T_JAN + 3600) * S;

	assert_int_equal(bf_ledger_append_grant(path, &g, NULL), 0);
	load_ok(path, &l);
	check_is(&l, "c1", "entry", "lobby", now, 0, "ok");
	bf_ledger_free(&l);
	assert_int_equal(bf_ledger_append_revoke(path, "c1", now, NULL), 0);
	load_ok(path, &l);
	check_is(&l, "c1", "entry", "lobby", now, -EKEYREVOKED, "grant revoked");
	/* a revoke ends the grant for every time asked about, earlier ones too: fail closed */
	check_is(&l, "c1", "entry", "lobby", now - S, -EKEYREVOKED, "grant revoked");
	/* revoked beats expired: the more useful reason */
	check_is(&l, "c1", "entry", "lobby", T_JUL * S, -EKEYREVOKED, "grant revoked");
	bf_ledger_free(&l);
	free(path);
}

static void test_guardian_chain(void **state)
{
	struct bf_ledger l;
	int64_t now = T_JAN * S;

	load_text_ok(
		/* g1: a guardian's grant for the lobby only, until July */
		OKG("g1")
		/* m1: a minor, any camera, guarded by g1 */
		G(Q("m1"), "[\"any\"]", TJAN, TJUL, ",\"guardian\":\"g1\"")
		/* g2: a guardian whose grant ends in February */
		G(Q("g2"), "[\"any\"]", TJAN, Q("2026-02-01T00:00:00Z"), "")
		G(Q("m2"), "[\"any\"]", TJAN, TJUL, ",\"guardian\":\"g2\"")
		/* g3 revoked; m3 guarded by it */
		OKG("g3")
		G(Q("m3"), CAMS, TJAN, TJUL, ",\"guardian\":\"g3\"")
		REV("g3", "2026-01-02T00:00:00Z")
		/* a chain: m4 guarded by m1, guarded by g1 */
		G(Q("m4"), CAMS, TJAN, TJUL, ",\"guardian\":\"m1\""),
		&l);
	check_is(&l, "m1", "entry", "lobby", now, 0, "ok");
	/* the minor's grant covers the gate, the guardian's does not */
	check_is(&l, "m1", "entry", "gate", now, -EPERM,
		     "camera not covered by the guardian's grant");
	check_is(&l, "m1", "exit", "lobby", now, -EACCES,
		     "purpose not covered by the grant");
	check_is(&l, "m2", "entry", "lobby", now, 0, "ok");
	check_is(&l, "m2", "entry", "lobby", (T_JAN + 31 * 86400) * S, -EKEYEXPIRED,
		     "guardian's grant expired");
	check_is(&l, "m3", "entry", "lobby", now, -EKEYREVOKED, "guardian's grant revoked");
	check_is(&l, "m4", "entry", "lobby", now, 0, "ok");
	check_is(&l, "m4", "entry", "lobby", T_JAN * S - 1, -EKEYREJECTED,
		     "grant not yet in force");
	bf_ledger_free(&l);

	/* the guardian's grant may start later than the minor's */
	load_text_ok(G(Q("g1"), CAMS, Q("2026-02-01T00:00:00Z"), TJUL, "")
		     G(Q("m1"), CAMS, TJAN, TJUL, ",\"guardian\":\"g1\""), &l);
	check_is(&l, "m1", "entry", "lobby", now, -EKEYREJECTED,
		     "guardian's grant not yet in force");
	bf_ledger_free(&l);
}

static void test_many_grants(void **state)
{
	size_t n = 3000, cap = n * 256 + 512, i;
	char *text = malloc(cap), *p = text, id[32];
	struct bf_ledger l;
	struct bf_diags d = { 0 };

	assert_non_null(text);
	for (i = 0; i < n; i++)
		p += sprintf(p, G("\"id-%zu\"", CAMS, TJAN, TJUL, ""), i);
	assert_int_equal(bf_ledger_parse("mem", text, (size_t)(p - text), &l, &d), 0);
	assert_int_equal(l.n_grants, n);
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "id-%zu", i);
		assert_int_equal(bf_ledger_find(&l, id)->line, i + 1);
	}
	assert_null(bf_ledger_find(&l, "id-3000"));
	bf_ledger_free(&l);
	p += sprintf(p, OKG("id-1234"));
	assert_int_equal(bf_ledger_parse("mem", text, (size_t)(p - text), &l, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.msgs[0], "mem:3001: duplicate grant id (first granted on line 1235)");
	bf_diags_free(&d);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_json),
		cmocka_unit_test(test_not_object),
		cmocka_unit_test(test_type),
		cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_empty_and_nonstring_fields),
		cmocka_unit_test(test_id_syntax),
		cmocka_unit_test(test_id_max_length_ok),
		cmocka_unit_test(test_duplicate_id),
		cmocka_unit_test(test_bad_times),
		cmocka_unit_test(test_expires_not_after_granted),
		cmocka_unit_test(test_cameras),
		cmocka_unit_test(test_too_many_cameras),
		cmocka_unit_test(test_purpose),
		cmocka_unit_test(test_guardian_unknown),
		cmocka_unit_test(test_unknown_field),
		cmocka_unit_test(test_revoke_unknown),
		cmocka_unit_test(test_revoke_twice),
		cmocka_unit_test(test_revoke_before_grant),
		cmocka_unit_test(test_line_too_long),
		cmocka_unit_test(test_torn_last_line),
		cmocka_unit_test(test_empty_line),
		cmocka_unit_test(test_all_errors_one_pass),
		cmocka_unit_test(test_file_problems),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_file_and_dir_modes),
		cmocka_unit_test(test_refused_appends),
		cmocka_unit_test(test_append_to_invalid_ledger),
		cmocka_unit_test(test_refused_first_append_creates_nothing),
		cmocka_unit_test(test_check_coverage),
		cmocka_unit_test(test_check_time_bounds),
		cmocka_unit_test(test_revocation_takes_effect),
		cmocka_unit_test(test_guardian_chain),
		cmocka_unit_test(test_many_grants),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
