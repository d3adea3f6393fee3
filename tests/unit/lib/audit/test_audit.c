/* test_audit.c - unit tests for the audit log writer: time format, seq, one-line records, hostile strings. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "bf_test.h"

#include "audit/audit.h"
#include "audit/logkey.h"
#include "audit/logverify.h"
#include "sha256.h"

#define REPL "\xef\xbf\xbd"	/* U+FFFD */

struct fixture {
	char dir[64];
	char log[128];
};

struct lines {
	char *data;
	char *line[512];
	size_t n;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	umask(022);
	snprintf(f->dir, sizeof(f->dir), "/tmp/bfaudit.%d.XXXXXX", (int)getpid());
	if (!mkdtemp(f->dir))
		return -1;
	/* two missing levels, so open has to create parents */
	snprintf(f->log, sizeof(f->log), "%s/var/biofence/audit.jsonl", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	bft_rm_tree(f->dir);
	free(f);
	return 0;
}

/* Splits a log into lines; the file must end with a newline. */
static void read_lines(const char *path, struct lines *l)
{
	size_t len;
	char *p, *nl;

	l->data = bft_slurp(path, &len);
	l->n = 0;
	if (len == 0)
		return;
	assert_int_equal(l->data[len - 1], '\n');
	for (p = l->data; (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = '\0';
		assert_true(l->n < 512);
		l->line[l->n++] = p;
	}
}

static void append_raw(const char *path, const char *s, size_t n)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0640);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, n), (ssize_t)n);
	close(fd);
}

static void append_str(const char *path, const char *s)
{
	append_raw(path, s, strlen(s));
}

static struct json_object *parse_line(const char *line)
{
	struct json_object *o = json_tokener_parse(line);

	assert_non_null(o);
	assert_true(json_object_is_type(o, json_type_object));
	return o;
}

static uint64_t line_seq(const char *line)
{
	struct json_object *o = parse_line(line), *v;
	uint64_t seq;

	assert_true(json_object_object_get_ex(o, "seq", &v));
	seq = json_object_get_uint64(v);
	json_object_put(o);
	return seq;
}

/*
 * Independent of the writer's table-driven check: decode by the lead
 * byte's bit pattern, then reject overlongs, surrogates and > U+10FFFF.
 */
static int check_utf8(const unsigned char *p, size_t n)
{
	static const uint32_t min_cp[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t i = 0, k, j;
	uint32_t cp;

	while (i < n) {
		k = p[i] < 0x80 ? 1 : (p[i] >> 5) == 6 ? 2 : (p[i] >> 4) == 14 ? 3 :
		    (p[i] >> 3) == 30 ? 4 : 0;
		if (k == 0 || i + k > n)
			return 0;
		cp = k == 1 ? p[i] : (uint32_t)(p[i] & (0x7f >> k));
		for (j = 1; j < k; j++) {
			if ((p[i + j] >> 6) != 2)
				return 0;
			cp = (cp << 6) | (p[i + j] & 0x3f);
		}
		if (cp < min_cp[k] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		i += k;
	}
	return 1;
}

static void test_json_str_repair(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain", "plain" },
		{ "\xf0\x9f\x98\x80 \xe6\x97\xa5", "\xf0\x9f\x98\x80 \xe6\x97\xa5" },
		{ "\xff", REPL },
		{ "a\x80z", "a" REPL "z" },
		{ "\xc0\xaf", REPL REPL },			/* overlong '/' */
		{ "\xe0\x80\xaf", REPL REPL REPL },		/* overlong, 3 bytes */
		{ "\xe2\x82", REPL REPL },			/* truncated at end */
		{ "\xe2\x82x", REPL REPL "x" },			/* truncated mid-string */
		{ "\xed\xa0\x80", REPL REPL REPL },		/* surrogate U+D800 */
		{ "\xf4\x90\x80\x80", REPL REPL REPL REPL },	/* U+110000 */
		{ "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf" },	/* U+10FFFF is fine */
	};
	struct json_object *o;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		o = bf_json_str(cases[i].in);
		assert_non_null(o);
		assert_string_equal(json_object_get_string(o), cases[i].out);
		json_object_put(o);
	}
	assert_null(bf_json_str(NULL));
}

static void test_json_add_null(void **state)
{
	struct json_object *o = json_object_new_object(), *v;

	bf_json_add_str(o, "exe", NULL);
	bf_json_add_u64(o, "big", UINT64_MAX);
	assert_true(json_object_object_get_ex(o, "exe", &v));
	assert_null(v);
	assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
			    "{\"exe\":null,\"big\":18446744073709551615}");
	json_object_put(o);
}

static int emit_simple(struct bf_audit *a, const char *comm)
{
	struct json_object *rec = bf_audit_begin(a, "capture", 1795322293123456789ull);

	bf_json_add_str(rec, "comm", comm);
	return bf_audit_emit(a, rec);
}

static void test_open_creates_parents(void **state)
{
	struct fixture *f = *state;
	struct bf_audit *a;
	char parent[160];
	struct stat st;

	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	assert_int_equal(bf_audit_next_seq(a), 1);
	bf_audit_close(a);
	assert_int_equal(stat(f->log, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_size, 0);
	snprintf(parent, sizeof(parent), "%s/var/biofence", f->dir);
	assert_int_equal(stat(parent, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0750);
}

static void test_seq_continues_across_reopen(void **state)
{
	struct fixture *f = *state;
	struct bf_audit *a;
	struct lines l;
	size_t i;

	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(emit_simple(a, "cam"), 0);
	assert_int_equal(bf_audit_next_seq(a), 4);
	bf_audit_close(a);

	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	assert_int_equal(bf_audit_next_seq(a), 4);
	assert_int_equal(emit_simple(a, "cam"), 0);
	bf_audit_close(a);

	read_lines(f->log, &l);
	assert_int_equal(l.n, 4);
	for (i = 0; i < l.n; i++)
		assert_int_equal(line_seq(l.line[i]), i + 1);
	free(l.data);
}

static void test_partial_last_line(void **state)
{
	static const char partial[] = "{\"seq\":3,\"time\":\"2026-11";
	struct fixture *f = *state;
	struct bf_audit *a;
	struct lines l;

	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	assert_int_equal(emit_simple(a, "one"), 0);
	assert_int_equal(emit_simple(a, "two"), 0);
	bf_audit_close(a);
	append_str(f->log, partial);

	/* reopening without writing must leave the file alone */
	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	assert_int_equal(bf_audit_next_seq(a), 3);
	bf_audit_close(a);

	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	assert_int_equal(bf_audit_next_seq(a), 3);
	assert_int_equal(emit_simple(a, "three"), 0);
	bf_audit_close(a);

	read_lines(f->log, &l);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.line[2], partial);
	assert_int_equal(line_seq(l.line[3]), 3);
	free(l.data);

	/* now the partial line is a complete non-record line: skipped */
	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	assert_int_equal(bf_audit_next_seq(a), 4);
	bf_audit_close(a);
}

static void test_foreign_lines_skipped(void **state)
{
	struct fixture *f = *state;
	struct bf_audit *a;

	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	assert_int_equal(emit_simple(a, "x"), 0);
	bf_audit_close(a);
	append_str(f->log, "garbage\n\n[1]\n{\"seq\":\"9\"}\n");
	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	assert_int_equal(bf_audit_next_seq(a), 2);
	bf_audit_close(a);
}

static void test_no_record_anywhere_starts_at_one(void **state)
{
	struct fixture *f = *state;
	struct bf_audit *a;

	struct lines l;

	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	bf_audit_close(a);
	append_str(f->log, "junk\n\njunk");
	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	assert_int_equal(bf_audit_next_seq(a), 1);
	assert_int_equal(emit_simple(a, "x"), 0);
	bf_audit_close(a);
	read_lines(f->log, &l);
	assert_int_equal(l.n, 4);
	assert_int_equal(line_seq(l.line[3]), 1);
	free(l.data);
}

static void test_long_tail(void **state)
{
	struct fixture *f = *state;
	struct bf_audit *a;
	char *big = malloc(40000);

	assert_non_null(big);
	memset(big, 'e', 39999);
	big[39999] = '\0';
	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	assert_int_equal(emit_simple(a, "a"), 0);
	assert_int_equal(emit_simple(a, big), 0);	/* last record > 4 windows */
	bf_audit_close(a);
	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	assert_int_equal(bf_audit_next_seq(a), 3);
	bf_audit_close(a);

	/* a long partial line after it */
	append_raw(f->log, big, 20000);
	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	assert_int_equal(bf_audit_next_seq(a), 3);
	bf_audit_close(a);
	free(big);
}

static void test_no_record_in_tail_refused(void **state)
{
	struct fixture *f = *state;
	struct bf_audit *a;
	char junk[4096];
	size_t i;

	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	assert_int_equal(emit_simple(a, "x"), 0);
	bf_audit_close(a);
	memset(junk, 'j', sizeof(junk));
	junk[sizeof(junk) - 1] = '\n';
	for (i = 0; i < BF_AUDIT_MAX_LINE / sizeof(junk) + 1; i++)
		append_raw(f->log, junk, sizeof(junk));
	assert_int_equal(bf_audit_open(&a, f->log, false), -EBADMSG);
	assert_null(a);
}

#define CONTROLS "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f" \
	"\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f"

/* want == NULL: the input is valid UTF-8 and must come back unchanged */
static const struct {
	const char *in, *want;
} hostile[] = {
	{ "quo\"te", NULL },
	{ "back\\slash\\", NULL },
	{ "new\nline", NULL },
	{ "cr\rtab\tff\f", NULL },
	{ CONTROLS, NULL },
	{ "</script><script>alert(1)</script>", NULL },
	{ "ls\xe2\x80\xa8sep\xe2\x80\xa9", NULL },		/* U+2028, U+2029 */
	{ "nel\xc2\x85" "csi\xc2\x9b", NULL },			/* C1 controls */
	{ "\"},{\"seq\":0,\"kind\":\"agent\"", NULL },
	{ "\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80", NULL },
	{ "", NULL },
	{ "\xff", REPL },
	{ "\xc0\xaf", REPL REPL },
	{ "\x80", REPL },
	{ "ab\xe2\x82", "ab" REPL REPL },
	{ "\xfe\n\xed\xbf\xbf\"", REPL "\n" REPL REPL REPL "\"" },
};
#define N_HOSTILE (sizeof(hostile) / sizeof(hostile[0]))

/* What a line-oriented reader or a terminal could trip on must not be raw. */
static void assert_line_safe(const char *line)
{
	const unsigned char *p = (const unsigned char *)line;
	size_t i, n = strlen(line);

	assert_true(check_utf8(p, n));
	for (i = 0; i < n; i++) {
		assert_true(p[i] >= 0x20 && p[i] != 0x7f);
		if (p[i] == 0xc2 && i + 1 < n)
			assert_true(p[i + 1] > 0x9f);
	}
	assert_null(strstr(line, "\xe2\x80\xa8"));
	assert_null(strstr(line, "\xe2\x80\xa9"));
}

static void assert_common_order(struct json_object *o)
{
	static const char *const want[] = { "seq", "time", "host", "kind" };
	size_t i = 0;

	json_object_object_foreach(o, key, val) {
		(void)val;
		if (i == 4)
			break;
		assert_string_equal(key, want[i]);
		i++;
	}
	assert_int_equal(i, 4);
}

static void test_hostile_names(void **state)
{
	struct fixture *f = *state;
	struct json_object *rec, *o, *v;
	char exe[512], want_exe[512];
	struct bf_audit *a;
	struct lines l;
	size_t i;

	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	for (i = 0; i < N_HOSTILE; i++) {
		rec = bf_audit_begin(a, "capture", bf_audit_now_ns());
		snprintf(exe, sizeof(exe), "/usr/bin/%s", hostile[i].in);
		bf_json_add_str(rec, "comm", hostile[i].in);
		bf_json_add_str(rec, "exe", exe);
		assert_int_equal(bf_audit_emit(a, rec), 0);
	}
	bf_audit_close(a);

	read_lines(f->log, &l);
	assert_int_equal(l.n, N_HOSTILE);
	for (i = 0; i < l.n; i++) {
		const char *want = hostile[i].want ? hostile[i].want : hostile[i].in;

		assert_line_safe(l.line[i]);
		assert_non_null(strstr(l.line[i], "\"exe\":\"/usr/bin/"));
		o = parse_line(l.line[i]);
		assert_common_order(o);
		assert_true(json_object_object_get_ex(o, "seq", &v));
		assert_int_equal(json_object_get_uint64(v), i + 1);
		assert_true(json_object_object_get_ex(o, "comm", &v));
		assert_string_equal(json_object_get_string(v), want);
		snprintf(want_exe, sizeof(want_exe), "/usr/bin/%s", want);
		assert_true(json_object_object_get_ex(o, "exe", &v));
		assert_string_equal(json_object_get_string(v), want_exe);
		json_object_put(o);
	}
	free(l.data);
}

static void test_record_fields(void **state)
{
	struct fixture *f = *state;
	char host[HOST_NAME_MAX + 1] = "", want[512], hex[65];
	uint8_t digest[32];
	struct bf_audit *a;
	struct lines l;

	gethostname(host, sizeof(host) - 1);
	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	assert_int_equal(emit_simple(a, "gate"), 0);
	bf_audit_close(a);
	snprintf(want, sizeof(want),
		 "{\"seq\":1,\"time\":\"2026-11-22T04:38:13.123456789Z\","
		 "\"host\":\"%s\",\"kind\":\"capture\",\"comm\":\"gate\",\"prev\":\"%064d\"}",
		 host, 0);
	/* docs/audit-chain.md: hash = sha256(the line without its hash member) */
	assert_int_equal(bf_sha256_buf(want, strlen(want), digest), 0);
	bf_sha256_hex(digest, hex);
	snprintf(want + strlen(want) - 1, sizeof(want) - strlen(want) + 1, ",\"hash\":\"%s\"}", hex);
	read_lines(f->log, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.line[0], want);
	free(l.data);
}

/* The member VALUE of KEY in a line (our writer's layout: "KEY":"VALUE"). */
static void member(const char *line, const char *key, char out[65])
{
	char pat[32];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	p = strstr(line, pat);
	assert_non_null(p);
	memcpy(out, p + strlen(pat), 64);
	out[64] = '\0';
}

static void test_chain_links_and_resumes(void **state)
{
	struct fixture *f = *state;
	char h1[65], p2[65], h2[65], p3[65];
	struct bf_audit *a;
	struct lines l;

	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	assert_int_equal(emit_simple(a, "one"), 0);
	assert_int_equal(emit_simple(a, "two"), 0);
	bf_audit_close(a);
	/* a restarted writer continues the chain from the file's last record */
	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	assert_int_equal(emit_simple(a, "three"), 0);
	bf_audit_close(a);
	read_lines(f->log, &l);
	assert_int_equal(l.n, 3);
	member(l.line[0], "hash", h1);
	member(l.line[1], "prev", p2);
	member(l.line[1], "hash", h2);
	member(l.line[2], "prev", p3);
	assert_string_equal(p2, h1);
	assert_string_equal(p3, h2);
	free(l.data);
}

/* The writer and the verifier were written apart, from docs/audit-chain.md: they must agree. */
static void test_writer_meets_verifier(void **state)
{
	struct fixture *f = *state;
	char key[160], pub[170], id[BF_LOGKEY_ID_LEN];
	const char *files[] = { f->log };
	struct bf_logkey *priv, *pubk;
	struct bf_lv_report rep;
	struct bf_audit *a;
	size_t len;
	char *text, *sig;

	snprintf(key, sizeof(key), "%s/log.key", f->dir);
	snprintf(pub, sizeof(pub), "%s.pub", key);
	assert_int_equal(bf_logkey_generate(key, id), 0);
	assert_int_equal(bf_logkey_load(key, false, &priv), 0);
	assert_int_equal(bf_logkey_load(pub, true, &pubk), 0);
	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	for (int i = 0; i < 50; i++)
		assert_int_equal(emit_simple(a, i % 7 ? "gate" : "bad\xff\x01 name \"quoted\""), 0);
	assert_int_equal(bf_audit_since_checkpoint(a), 50);
	assert_int_equal(bf_audit_checkpoint(a, priv), 0);
	assert_int_equal(bf_audit_since_checkpoint(a), 0);
	assert_int_equal(emit_simple(a, "after"), 0);
	bf_audit_close(a);
	assert_int_equal(bf_logverify_signed(files, 1, NULL, pubk, NULL, NULL, &rep), 0);
	assert_int_equal(rep.kind, BF_LV_INTACT);
	assert_int_equal(rep.records, 52);
	assert_int_equal(rep.checkpoints, 1);
	assert_int_equal(rep.signed_seq, 51);
	/* without the key the checkpoint is counted, not trusted */
	assert_int_equal(bf_logverify(files, 1, NULL, NULL, NULL, &rep), 0);
	assert_int_equal(rep.unchecked, 1);
	/* one changed byte of the signature: the line's hash breaks first */
	text = bft_slurp(f->log, &len);
	sig = strstr(text, "\"sig\":\"");
	assert_non_null(sig);
	sig[8] = sig[8] == 'A' ? 'B' : 'A';
	{
		FILE *out = fopen(f->log, "w");

		assert_non_null(out);
		fwrite(text, 1, len, out);
		fclose(out);
	}
	free(text);
	assert_int_equal(bf_logverify_signed(files, 1, NULL, pubk, NULL, NULL, &rep), 0);
	assert_int_equal(rep.kind, BF_LV_EDITED);
	assert_int_equal(rep.seq, 51);
	bf_logkey_free(priv);
	bf_logkey_free(pubk);
}

/*
 * A record past the line limit (a refused reload quoting 100,000 bad
 * lines wrote 7.4 MB) is written as a stand-in that says so: the chain
 * verifies, and a restarted writer finds its place in the tail.
 */
static void test_oversize_record_stands_in(void **state)
{
	struct fixture *f = *state;
	const char *files[] = { f->log };
	struct json_object *rec, *arr;
	struct bf_lv_report rep;
	struct bf_audit *a;
	struct lines l;
	char line[128];
	size_t total = 0;

	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	assert_int_equal(emit_simple(a, "before"), 0);
	rec = bf_audit_begin(a, "agent", bf_audit_now_ns());
	assert_non_null(rec);
	bf_json_add_str(rec, "event", "reload");
	bf_json_add_str(rec, "result", "refused");
	arr = json_object_new_array();
	for (int i = 0; total <= BF_AUDIT_MAX_LINE; i++) {
		snprintf(line, sizeof(line), "p.policy:%d:1: unknown statement \"xyzzy\" (expected ...)", i + 1);
		json_object_array_add(arr, json_object_new_string(line));
		total += strlen(line) + 3;
	}
	json_object_object_add(rec, "diagnostics", arr);
	assert_int_equal(bf_audit_emit(a, rec), 0);
	assert_int_equal(emit_simple(a, "after"), 0);
	bf_audit_close(a);
	read_lines(f->log, &l);
	assert_int_equal(l.n, 3);
	assert_true(strlen(l.line[1]) < 1024);
	assert_non_null(strstr(l.line[1], "\"event\":\"reload\""));
	assert_non_null(strstr(l.line[1], "\"truncated\":{\"bytes\":"));
	assert_null(strstr(l.line[1], "xyzzy"));
	free(l.data);
	assert_int_equal(bf_logverify(files, 1, NULL, NULL, NULL, &rep), 0);
	assert_int_equal(rep.kind, BF_LV_INTACT);
	assert_int_equal(rep.records, 3);
	/* and the next writer resumes after it */
	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	assert_int_equal(emit_simple(a, "resumed"), 0);
	bf_audit_close(a);
	assert_int_equal(bf_logverify(files, 1, NULL, NULL, NULL, &rep), 0);
	assert_int_equal(rep.kind, BF_LV_INTACT);
	assert_int_equal(rep.records, 4);
}

static void test_chain_follows_rotation(void **state)
{
	struct fixture *f = *state;
	char old[160], last[65], first_prev[65], head[160];
	struct bf_audit *a;
	struct lines l;
	FILE *hf;

	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	assert_int_equal(emit_simple(a, "before"), 0);
	assert_int_equal(bf_audit_follow_rotation(a), 0);	/* nothing moved */
	snprintf(old, sizeof(old), "%s.1", f->log);
	assert_int_equal(rename(f->log, old), 0);
	assert_int_equal(bf_audit_follow_rotation(a), 1);
	assert_int_equal(emit_simple(a, "after"), 0);
	bf_audit_close(a);
	read_lines(old, &l);
	member(l.line[l.n - 1], "hash", last);
	free(l.data);
	read_lines(f->log, &l);
	assert_int_equal(l.n, 1);
	assert_non_null(strstr(l.line[0], "\"seq\":1,"));	/* a new file: seq from 1 */
	member(l.line[0], "prev", first_prev);
	assert_string_equal(first_prev, last);
	free(l.data);
	/* moved away while no writer ran: the .head file carries the chain on */
	read_lines(f->log, &l);
	member(l.line[0], "hash", last);
	free(l.data);
	snprintf(head, sizeof(head), "%s.head", f->log);
	hf = fopen(head, "r");
	assert_non_null(hf);
	fclose(hf);
	assert_int_equal(unlink(f->log), 0);
	unlink(old);
	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	assert_int_equal(emit_simple(a, "fresh"), 0);
	bf_audit_close(a);
	read_lines(f->log, &l);
	member(l.line[0], "prev", first_prev);
	assert_string_equal(first_prev, last);
	free(l.data);
	unlink(head);
}

static void test_echo(void **state)
{
	static const char partial[] = "{\"seq\":";
	struct fixture *f = *state;
	char echo[160], *logged, *echoed;
	size_t loglen, echolen;
	struct bf_audit *a;
	int saved, fd;

	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	bf_audit_close(a);
	append_str(f->log, partial);
	snprintf(echo, sizeof(echo), "%s/echo.out", f->dir);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	fd = open(echo, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	assert_int_equal(bf_audit_open(&a, f->log, true), 0);
	assert_int_equal(emit_simple(a, "one"), 0);
	assert_int_equal(emit_simple(a, "two\n"), 0);
	bf_audit_close(a);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);

	/* stdout gets the records, not the newline that ended the partial line */
	logged = bft_slurp(f->log, &loglen);
	echoed = bft_slurp(echo, &echolen);
	assert_int_equal(loglen, strlen(partial) + 1 + echolen);
	assert_memory_equal(logged + strlen(partial) + 1, echoed, echolen);
	free(logged);
	free(echoed);
}

static void test_emit_rejects(void **state)
{
	struct fixture *f = *state;
	struct bf_audit *a;

	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	assert_int_equal(bf_audit_emit(a, NULL), -ENOMEM);
	assert_int_equal(bf_audit_emit(a, json_object_new_object()), -EINVAL);
	assert_int_equal(bf_audit_next_seq(a), 1);
	assert_int_equal(emit_simple(a, "ok"), 0);
	assert_int_equal(bf_audit_next_seq(a), 2);
	bf_audit_close(a);
}

static void test_write_error_keeps_seq(void **state)
{
	struct bf_audit *a;

	if (access("/dev/full", W_OK) != 0)
		skip();
	assert_int_equal(bf_audit_open(&a, "/dev/full", false), 0);
	assert_int_equal(emit_simple(a, "x"), -ENOSPC);
	assert_int_equal(bf_audit_next_seq(a), 1);
	bf_audit_close(a);
}

/*
 * A record lost to a full memory (no record could be made, as when
 * bf_audit_begin's allocation failed) is counted like one lost to a full
 * disk, and the recovery record clears the count: never dropped unsaid.
 */
static void test_oom_record_counted(void **state)
{
	struct fixture *f = *state;
	uint64_t since, unwritten;
	struct bf_audit *a;
	int err;

	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	assert_false(bf_audit_failing(a, &since, &unwritten, &err));
	assert_int_equal(bf_audit_emit(a, NULL), -ENOMEM);
	assert_int_equal(bf_audit_emit(a, NULL), -ENOMEM);
	assert_true(bf_audit_failing(a, &since, &unwritten, &err));
	assert_int_equal(unwritten, 2);
	assert_int_equal(err, -ENOMEM);
	assert_int_equal(bf_audit_emit_recovery(a, bf_audit_begin(a, "agent", bf_audit_now_ns())), 0);
	assert_false(bf_audit_failing(a, &since, &unwritten, &err));
	bf_audit_close(a);
}

/* A file size limit forces a short write followed by EFBIG mid-record. */
static void test_short_write_cut_back(void **state)
{
	struct fixture *f = *state;
	struct rlimit old, lim;
	void (*oldsig)(int);
	struct bf_audit *a;
	struct stat st;
	struct lines l;
	int r;

	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	assert_int_equal(emit_simple(a, "one"), 0);
	assert_int_equal(stat(f->log, &st), 0);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	if (old.rlim_max != RLIM_INFINITY && old.rlim_max < (rlim_t)st.st_size + 4096)
		skip();
	lim = old;
	lim.rlim_cur = (rlim_t)st.st_size + 20;
	oldsig = signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &lim);
	r = emit_simple(a, "a comm far longer than the twenty bytes left");
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, oldsig);
	assert_int_equal(r, -EFBIG);
	assert_int_equal(bf_audit_next_seq(a), 2);
	{
		uint64_t since, lost;
		int err;
		struct json_object *rec;

		/* the failure is remembered until a report of it gets through */
		assert_true(bf_audit_failing(a, &since, &lost, &err));
		assert_int_equal(lost, 1);
		assert_int_equal(err, -EFBIG);
		assert_true(since > 0);
		rec = bf_audit_begin(a, "agent", 1795322293123456789ull);
		bf_json_add_str(rec, "event", "log-failure");
		assert_int_equal(bf_audit_emit_recovery(a, rec), 0);
		assert_false(bf_audit_failing(a, &since, &lost, &err));
	}
	assert_int_equal(emit_simple(a, "two"), 0);
	bf_audit_close(a);

	/* the short write was cut back off: the log holds whole records only */
	read_lines(f->log, &l);
	assert_int_equal(l.n, 3);
	assert_int_equal(line_seq(l.line[0]), 1);
	assert_int_equal(line_seq(l.line[1]), 2);	/* the failure's report */
	assert_int_equal(line_seq(l.line[2]), 3);
	free(l.data);
	assert_int_equal(bf_audit_open(&a, f->log, false), 0);
	assert_int_equal(bf_audit_next_seq(a), 4);
	bf_audit_close(a);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* mkdir -p above a path (the log's), or the parent alone (the control socket's). */
static void test_mkdir_parents(void **state)
{
	char dir[] = "/tmp/bf-mkdirp.XXXXXX", path[128];
	struct stat st;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a/b/ctl.sock", dir);
	/* the parent alone: its own parent must be there */
	assert_int_equal(bf_mkdir_parents(path, 0750, true), -ENOENT);
	snprintf(path, sizeof(path), "%s/a", dir);
	assert_int_equal(stat(path, &st), -1);
	snprintf(path, sizeof(path), "%s/a/b/audit.jsonl", dir);
	assert_int_equal(bf_mkdir_parents(path, 0750, false), 0);
	snprintf(path, sizeof(path), "%s/a/b", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0750 & ~umask(umask(0)));
	/* existing directories are fine, and the last level alone now works */
	snprintf(path, sizeof(path), "%s/a/b/audit.jsonl", dir);
	assert_int_equal(bf_mkdir_parents(path, 0750, false), 0);
	snprintf(path, sizeof(path), "%s/a/c/ctl.sock", dir);
	assert_int_equal(bf_mkdir_parents(path, 0700, true), 0);
	snprintf(path, sizeof(path), "%s/a/c", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	/* a path with no directory part has nothing to make */
	assert_int_equal(bf_mkdir_parents("audit.jsonl", 0750, false), 0);
	bft_rm_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mkdir_parents),
		cmocka_unit_test(test_json_str_repair),
		cmocka_unit_test(test_json_add_null),
		T(test_open_creates_parents),
		T(test_seq_continues_across_reopen),
		T(test_partial_last_line),
		T(test_foreign_lines_skipped),
		T(test_no_record_anywhere_starts_at_one),
		T(test_long_tail),
		T(test_no_record_in_tail_refused),
		T(test_hostile_names),
		T(test_record_fields),
		T(test_chain_links_and_resumes),
		T(test_oversize_record_stands_in),
		T(test_oom_record_counted),
		T(test_chain_follows_rotation),
		T(test_writer_meets_verifier),
		T(test_echo),
		T(test_emit_rejects),
		cmocka_unit_test(test_write_error_keeps_seq),
		T(test_short_write_cut_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
