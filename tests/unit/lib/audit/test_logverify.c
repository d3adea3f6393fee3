/* test_logverify.c - unit tests for the audit chain verifier: logs written here per docs/audit-chain.md, tampered each way, the break's FILE:LINE and kind. */
#include <errno.h>
#include <fcntl.h>
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
#include <openssl/evp.h>

#include "bf_test.h"

#include "audit/logverify.h"

#define ZEROS "0000000000000000000000000000000000000000000000000000000000000000"
#define NREC 10

static char tmpdir[64];

static int setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/bflogverify.XXXXXX");
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

/* ---- the test's own writer, straight from docs/audit-chain.md ---- */

static void hex_sha256(const char *buf, size_t n, char hex[65])
{
	unsigned char md[32];
	unsigned int len = 0;

	assert_true(EVP_Digest(buf, n, md, &len, EVP_sha256(), NULL));
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/*
 * A record line (with its newline): the body ends with prev; hash is the
 * SHA-256 of that body, and goes in as the last member.
 */
static char *record(uint64_t seq, const char *prev, char hash[65])
{
	char *body, *line;

	assert_true(asprintf(&body,
			     "{\"seq\":%llu,\"time\":\"2026-01-01T00:00:00Z\",\"host\":\"gate1\","
			     "\"kind\":\"capture\",\"app\":\"cam-app\",\"camera\":\"lobby\",\"prev\":\"%s\"}",
			     (unsigned long long)seq, prev) > 0);
	hex_sha256(body, strlen(body), hash);
	body[strlen(body) - 1] = '\0';
	assert_true(asprintf(&line, "%s,\"hash\":\"%s\"}\n", body, hash) > 0);
	free(body);
	return line;
}

/* n records from seq 1 linked to prev; last gets the last hash. */
static void chain(char **lines, size_t n, const char *prev, char last[65])
{
	char p[65];

	snprintf(p, sizeof(p), "%s", prev);
	for (size_t i = 0; i < n; i++) {
		lines[i] = record(i + 1, p, last);
		memcpy(p, last, 65);
	}
}

static void free_lines(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
}

/* Writes lines[order[i]] for each i (order NULL: all n in order). */
static char *write_log(const char *name, char **lines, size_t n, const size_t *order)
{
	char *path = tpath(name);
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	for (size_t i = 0; i < n; i++)
		fputs(lines[order ? order[i] : i], fp);
	assert_int_equal(fclose(fp), 0);
	return path;
}

static struct bf_lv_report verify_n(const char *const *files, size_t n, const struct bf_lv_head *head)
{
	struct bf_lv_report rep;

	assert_int_equal(bf_logverify(files, n, head, NULL, NULL, &rep), 0);
	return rep;
}

static struct bf_lv_report verify1(const char *path, const struct bf_lv_head *head)
{
	return verify_n(&path, 1, head);
}

static void expect_break(const struct bf_lv_report *rep, enum bf_lv_kind kind, const char *file,
			 uint64_t line, uint64_t seq)
{
	if (rep->kind != kind)
		fail_msg("kind %d (%s: %s), want %d", rep->kind, bf_lv_kind_words(rep->kind),
			 rep->detail, kind);
	assert_string_equal(rep->file, file);
	assert_int_equal(rep->line, line);
	assert_int_equal(rep->seq, seq);
}

static void expect_intact(const struct bf_lv_report *rep, uint64_t records, uint64_t first,
			  uint64_t last)
{
	if (rep->kind != BF_LV_INTACT)
		fail_msg("%s:%llu: %s: %s", rep->file, (unsigned long long)rep->line,
			 bf_lv_kind_words(rep->kind), rep->detail);
	assert_int_equal(rep->records, records);
	assert_int_equal(rep->first_seq, first);
	assert_int_equal(rep->last_seq, last);
}

/* ---- tests ---- */

static void test_intact(void **state)
{
	char *lines[NREC], last[65], *path;
	struct bf_lv_report rep;
	struct bf_lv_head head = { .seq = NREC };

	chain(lines, NREC, ZEROS, last);
	path = write_log("a.log", lines, NREC, NULL);
	rep = verify1(path, NULL);
	expect_intact(&rep, NREC, 1, NREC);
	assert_false(rep.continues);
	assert_int_equal(rep.prechain, 0);
	memcpy(head.hash, last, 65);
	rep = verify1(path, &head);
	expect_intact(&rep, NREC, 1, NREC);
	free_lines(lines, NREC);
	free(path);
}

static void test_edit_one_byte(void **state)
{
	char *lines[NREC], last[65], *path, *p;
	struct bf_lv_report rep;

	chain(lines, NREC, ZEROS, last);
	p = strstr(lines[4], "gate1");
	p[4] = '2';
	path = write_log("a.log", lines, NREC, NULL);
	rep = verify1(path, NULL);
	expect_break(&rep, BF_LV_EDITED, path, 5, 5);
	assert_int_equal(rep.records, 4);
	free_lines(lines, NREC);
	free(path);
}

static void test_delete_middle(void **state)
{
	char *lines[NREC], last[65], *path;
	const size_t order[] = { 0, 1, 2, 3, 5, 6, 7, 8, 9 };
	struct bf_lv_report rep;

	chain(lines, NREC, ZEROS, last);
	path = write_log("a.log", lines, 9, order);
	rep = verify1(path, NULL);
	expect_break(&rep, BF_LV_DELETED, path, 5, 6);
	assert_non_null(strstr(rep.detail, "records 5..5 are gone"));
	free_lines(lines, NREC);
	free(path);
}

/* The first file may be a partial log, so a lost first record shows only as where it starts. */
static void test_delete_first(void **state)
{
	char *lines[NREC], *more[3], last[65], last2[65], *path, *path2;
	const char *files[2];
	struct bf_lv_report rep;

	chain(lines, NREC, ZEROS, last);
	path = write_log("a.log", lines + 1, NREC - 1, NULL);
	rep = verify1(path, NULL);
	expect_intact(&rep, NREC - 1, 2, NREC);
	assert_true(rep.continues);
	free(path);
	/* the next file's first record, though, must link to the file before */
	path = write_log("a.log", lines, NREC, NULL);
	chain(more, 3, last, last2);
	path2 = write_log("b.log", more + 1, 2, NULL);
	files[0] = path, files[1] = path2;
	rep = verify_n(files, 2, NULL);
	expect_break(&rep, BF_LV_DELETED, path2, 1, 2);
	free_lines(lines, NREC);
	free_lines(more, 3);
	free(path);
	free(path2);
}

static void test_delete_last_and_head(void **state)
{
	char *lines[NREC], last[65], *path;
	struct bf_lv_report rep;
	struct bf_lv_head head = { .seq = NREC };

	chain(lines, NREC, ZEROS, last);
	memcpy(head.hash, last, 65);
	path = write_log("a.log", lines, NREC - 1, NULL);
	/* without the head, nothing says the log went on */
	rep = verify1(path, NULL);
	expect_intact(&rep, NREC - 1, 1, NREC - 1);
	rep = verify1(path, &head);
	expect_break(&rep, BF_LV_END_TRUNCATED, path, NREC - 1, NREC - 1);
	assert_string_equal(rep.detail, "the log ends at seq 9, the head is seq 10");
	free_lines(lines, NREC);
	free(path);
}

static void test_head_mismatch(void **state)
{
	char *lines[NREC], last[65], *path;
	struct bf_lv_report rep;
	struct bf_lv_head head = { .seq = NREC };

	chain(lines, NREC, ZEROS, last);
	path = write_log("a.log", lines, NREC, NULL);
	memcpy(head.hash, ZEROS, 65);
	rep = verify1(path, &head);
	expect_break(&rep, BF_LV_HEAD_MISMATCH, path, NREC, NREC);
	head.seq = NREC - 2;
	memcpy(head.hash, last, 65);
	rep = verify1(path, &head);
	expect_break(&rep, BF_LV_HEAD_MISMATCH, path, NREC, NREC);
	free_lines(lines, NREC);
	free(path);
}

static void test_insert_copy(void **state)
{
	char *lines[NREC], last[65], *path;
	/* record 3 again, after record 7 */
	const size_t order[] = { 0, 1, 2, 3, 4, 5, 6, 2, 7, 8, 9 };
	struct bf_lv_report rep;

	chain(lines, NREC, ZEROS, last);
	path = write_log("a.log", lines, 11, order);
	rep = verify1(path, NULL);
	expect_break(&rep, BF_LV_REORDERED, path, 8, 3);
	free_lines(lines, NREC);
	free(path);
}

static void test_swap(void **state)
{
	char *lines[NREC], last[65], *path;
	const size_t adjacent[] = { 0, 1, 2, 4, 3, 5, 6, 7, 8, 9 };
	const size_t apart[] = { 0, 1, 6, 3, 4, 5, 2, 7, 8, 9 };
	struct bf_lv_report rep;

	chain(lines, NREC, ZEROS, last);
	path = write_log("a.log", lines, NREC, adjacent);
	rep = verify1(path, NULL);
	/* seq 5 where 4 was due, but 4 comes later: a reordering, not a deletion */
	expect_break(&rep, BF_LV_REORDERED, path, 4, 5);
	free(path);
	path = write_log("b.log", lines, NREC, apart);
	rep = verify1(path, NULL);
	expect_break(&rep, BF_LV_REORDERED, path, 3, 7);
	free_lines(lines, NREC);
	free(path);
}

static void test_truncated_mid_line(void **state)
{
	char *lines[NREC], last[65], *path;
	struct bf_lv_report rep;
	struct stat sb;

	chain(lines, NREC, ZEROS, last);
	path = write_log("a.log", lines, NREC, NULL);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(truncate(path, sb.st_size - 40), 0);
	rep = verify1(path, NULL);
	expect_break(&rep, BF_LV_TRUNCATED, path, NREC, 0);
	assert_int_equal(rep.records, NREC - 1);
	/* only the newline gone */
	assert_int_equal(truncate(path, sb.st_size - 1), 0);
	rep = verify1(path, NULL);
	expect_break(&rep, BF_LV_TRUNCATED, path, NREC, 0);
	free_lines(lines, NREC);
	free(path);
}

static void test_files_linked(void **state)
{
	char *a[5], *b[5], l1[65], l2[65], *pa, *pb, *pa_cut;
	const char *files[2];
	struct bf_lv_report rep;

	chain(a, 5, ZEROS, l1);
	chain(b, 5, l1, l2);
	pa = write_log("a.log", a, 5, NULL);
	pb = write_log("b.log", b, 5, NULL);
	files[0] = pa, files[1] = pb;
	rep = verify_n(files, 2, NULL);
	expect_intact(&rep, 10, 1, 5);
	/* the last record of the first file dropped: the link to the next breaks */
	pa_cut = write_log("a-cut.log", a, 4, NULL);
	files[0] = pa_cut;
	rep = verify_n(files, 2, NULL);
	expect_break(&rep, BF_LV_MISSING, pb, 1, 1);
	/* the files in the wrong order */
	files[0] = pb, files[1] = pa;
	rep = verify_n(files, 2, NULL);
	expect_break(&rep, BF_LV_MISSING, pa, 1, 1);
	free_lines(a, 5);
	free_lines(b, 5);
	free(pa);
	free(pb);
	free(pa_cut);
}

static void test_hash_wrong_length(void **state)
{
	char *lines[NREC], last[65], *path, *p;
	struct bf_lv_report rep;

	chain(lines, NREC, ZEROS, last);
	/* 63 hex digits: drop one before the closing quote */
	p = lines[4] + strlen(lines[4]) - 4;
	memmove(p, p + 1, strlen(p + 1) + 1);
	path = write_log("a.log", lines, NREC, NULL);
	rep = verify1(path, NULL);
	expect_break(&rep, BF_LV_EDITED, path, 5, 5);
	free(path);
	/* the same as the file's last line is "not a whole record": a cut */
	path = write_log("b.log", lines, 5, NULL);
	rep = verify1(path, NULL);
	expect_break(&rep, BF_LV_TRUNCATED, path, 5, 5);
	free_lines(lines, NREC);
	free(path);
}

static void test_not_json(void **state)
{
	char *lines[NREC], last[65], *path, h[65];
	const char *body = "not json at all}";
	struct bf_lv_report rep;

	chain(lines, NREC, ZEROS, last);
	free(lines[4]);
	lines[4] = strdup("not json at all\n");
	path = write_log("a.log", lines, NREC, NULL);
	rep = verify1(path, NULL);
	expect_break(&rep, BF_LV_EDITED, path, 5, 0);
	free(path);
	/* a hash that matches its bytes does not make a line a record */
	hex_sha256(body, strlen(body), h);
	free(lines[4]);
	assert_true(asprintf(&lines[4], "not json at all,\"hash\":\"%s\"}\n", h) > 0);
	path = write_log("b.log", lines, NREC, NULL);
	rep = verify1(path, NULL);
	expect_break(&rep, BF_LV_EDITED, path, 5, 0);
	assert_non_null(strstr(rep.detail, "its hash matches but it is no record"));
	free_lines(lines, NREC);
	free(path);
}

static void test_prechain_prefix(void **state)
{
	char *lines[8], last[65], p[65], *path;
	struct bf_lv_report rep;

	for (int i = 0; i < 3; i++)
		assert_true(asprintf(&lines[i], "{\"seq\":%d,\"kind\":\"capture\",\"host\":\"gate1\"}\n",
				     i + 1) > 0);
	memcpy(p, ZEROS, 65);
	for (int i = 3; i < 8; i++) {
		lines[i] = record((uint64_t)i + 1, p, last);
		memcpy(p, last, 65);
	}
	path = write_log("a.log", lines, 8, NULL);
	rep = verify1(path, NULL);
	expect_intact(&rep, 5, 4, 8);
	assert_int_equal(rep.prechain, 3);
	assert_int_equal(rep.prechain_first, 1);
	assert_int_equal(rep.prechain_last, 3);
	free(path);
	/* once the chain has started, an unchained record is a break */
	free(lines[6]);
	lines[6] = strdup("{\"seq\":7,\"kind\":\"capture\",\"host\":\"gate1\"}\n");
	path = write_log("b.log", lines, 8, NULL);
	rep = verify1(path, NULL);
	expect_break(&rep, BF_LV_EDITED, path, 7, 7);
	free_lines(lines, 8);
	free(path);
}

static void test_empty_and_unreadable(void **state)
{
	char *path = tpath("empty.log"), *none = tpath("none.log");
	const char *files[2] = { path, none };
	struct bf_lv_report rep;

	fclose(fopen(path, "w"));
	rep = verify1(path, NULL);
	expect_break(&rep, BF_LV_EMPTY, path, 0, 0);
	assert_int_equal(bf_logverify(files, 2, NULL, NULL, NULL, &rep), -ENOENT);
	assert_string_equal(rep.file, none);
	free(path);
	free(none);
}

static void test_line_too_long(void **state)
{
	char *lines[2], last[65], *path = tpath("long.log");
	FILE *fp;
	struct bf_lv_report rep;
	const char *f = path;

	chain(lines, 2, ZEROS, last);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(lines[0], fp);
	for (unsigned i = 0; i < BF_LV_LINE_MAX + 10; i++)
		fputc('x', fp);
	fputc('\n', fp);
	fclose(fp);
	assert_int_equal(bf_logverify(&f, 1, NULL, NULL, NULL, &rep), -EFBIG);
	assert_string_equal(rep.file, path);
	assert_int_equal(rep.line, 2);
	free_lines(lines, 2);
	free(path);
}

#define BIG 200000

static void progress_cb(void *ctx, const char *file, uint64_t done, uint64_t total)
{
	uint64_t *last = ctx;

	assert_true(done <= total);
	assert_true(done >= *last);
	*last = done;
}

/* Written straight to the file: 200,000 records must stream, not be held. */
static void test_big_log(void **state)
{
	char *path = tpath("big.log"), prev[65], hash[65];
	FILE *fp = fopen(path, "w");
	struct bf_lv_report rep;
	const char *f = path;
	uint64_t done = 0;
	struct stat sb;

	assert_non_null(fp);
	memcpy(prev, ZEROS, 65);
	for (uint64_t s = 1; s <= BIG; s++) {
		char *line = record(s, prev, hash);

		fputs(line, fp);
		free(line);
		memcpy(prev, hash, 65);
	}
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(bf_logverify(&f, 1, NULL, progress_cb, &done, &rep), 0);
	expect_intact(&rep, BIG, 1, BIG);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(done, (uint64_t)sb.st_size);
	free(path);
}

static void test_parse_head(void **state)
{
	struct bf_lv_head h;
	char upper[80];

	snprintf(upper, sizeof(upper), "12:ABCDEF%.58s", ZEROS);
	assert_int_equal(bf_lv_parse_head("12:" ZEROS, &h), 0);
	assert_int_equal(h.seq, 12);
	assert_string_equal(h.hash, ZEROS);
	assert_int_equal(bf_lv_parse_head("0:" ZEROS, &h), -EINVAL);
	assert_int_equal(bf_lv_parse_head("12 " ZEROS, &h), -EINVAL);
	assert_int_equal(bf_lv_parse_head("12:" ZEROS "0", &h), -EINVAL);
	assert_int_equal(bf_lv_parse_head("x12:" ZEROS, &h), -EINVAL);
	assert_int_equal(bf_lv_parse_head(upper, &h), -EINVAL);
}

/* <log>.head (a within head): its record must be in the chain; later records are allowed and counted. */
static void test_head_within(void **state)
{
	char *a[NREC], *b[NREC], last_a[65], last_b[65], *pa, *pb;
	const char *both[2];
	struct bf_lv_report rep;
	struct bf_lv_head head = { .within = true };

	chain(a, NREC, ZEROS, last_a);
	chain(b, NREC, last_a, last_b);
	pa = write_log("a.log", a, NREC, NULL);
	pb = write_log("b.log", b, NREC, NULL);
	both[0] = pa;
	both[1] = pb;
	/* the head at the end */
	head.seq = NREC;
	memcpy(head.hash, last_b, 65);
	rep = verify_n(both, 2, &head);
	expect_intact(&rep, 2 * NREC, 1, NREC);
	assert_int_equal(rep.after_head, 0);
	assert_string_equal(rep.head_file, pb);
	/* the head before the end: 3 records after it */
	head.seq = NREC - 3;
	memcpy(head.hash, strstr(b[NREC - 4], "\"hash\":\"") + 8, 64);	/* seq 7's hash */
	head.hash[64] = '\0';
	rep = verify_n(both, 2, &head);
	expect_intact(&rep, 2 * NREC, 1, NREC);
	assert_int_equal(rep.after_head, 3);
	/* the head in the earlier file (written at rotation), only the later file given: it links to it */
	head.seq = NREC;
	memcpy(head.hash, last_a, 65);
	rep = verify1(pb, &head);
	expect_intact(&rep, NREC, 1, NREC);
	assert_true(rep.continues);
	assert_int_equal(rep.after_head, NREC);
	assert_null(rep.head_file);
	free(pb);
	/* the end cut off before the head: truncated, blamed on the last record */
	head.seq = NREC;
	memcpy(head.hash, last_b, 65);
	pb = write_log("b.log", b, NREC - 2, NULL);
	both[1] = pb;	/* the old name was freed: it only worked while malloc handed the same block back */
	rep = verify_n(both, 2, &head);
	expect_break(&rep, BF_LV_END_TRUNCATED, pb, NREC - 2, NREC - 2);
	assert_string_equal(rep.detail, "the log ends at seq 8, the head file says the agent wrote seq 10");
	/* the head's seq is in the last file with another hash: the end was replaced */
	head.seq = NREC - 3;
	rep = verify_n(both, 2, &head);
	expect_break(&rep, BF_LV_HEAD_MISMATCH, pb, NREC - 2, NREC - 3);
	/* a seq only the earlier file reaches is no mismatch: the later file is cut */
	head.seq = NREC - 1;
	rep = verify_n(both, 2, &head);
	expect_break(&rep, BF_LV_END_TRUNCATED, pb, NREC - 2, NREC - 2);
	free_lines(a, NREC);
	free_lines(b, NREC);
	free(pa);
	free(pb);
}

/* A line of kind and event, chained to prev. */
static char *kind_record(uint64_t seq, const char *prev, const char *kind, const char *event,
			 char hash[65])
{
	char *body, *line;

	assert_true(asprintf(&body, "{\"seq\":%llu,\"time\":\"2026-01-01T00:00:00Z\",\"host\":\"gate1\","
			     "\"kind\":\"%s\",\"event\":\"%s\",\"prev\":\"%s\"}",
			     (unsigned long long)seq, kind, event, prev) > 0);
	hex_sha256(body, strlen(body), hash);
	body[strlen(body) - 1] = '\0';
	assert_true(asprintf(&line, "%s,\"hash\":\"%s\"}\n", body, hash) > 0);
	free(body);
	return line;
}

static void test_ends_with_stop(void **state)
{
	char *l[4], h[4][65], *path;
	struct bf_lv_report rep;

	l[0] = kind_record(1, ZEROS, "agent", "start", h[0]);
	l[1] = kind_record(2, h[0], "agent", "stop", h[1]);
	l[2] = kind_record(3, h[1], "checkpoint", "", h[2]);
	l[3] = kind_record(4, h[2], "capture", "", h[3]);
	path = write_log("a.log", l, 2, NULL);
	rep = verify1(path, NULL);
	assert_true(rep.ends_with_stop);
	free(path);
	/* the checkpoint signed at stop comes after the stop record */
	path = write_log("a.log", l, 3, NULL);
	rep = verify1(path, NULL);
	assert_true(rep.ends_with_stop);
	free(path);
	path = write_log("a.log", l, 4, NULL);
	rep = verify1(path, NULL);
	assert_false(rep.ends_with_stop);
	free(path);
	path = write_log("a.log", l, 1, NULL);
	rep = verify1(path, NULL);
	assert_false(rep.ends_with_stop);
	free_lines(l, 4);
	free(path);
}

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static void test_head_file(void **state)
{
	char *path = tpath("a.log.head");
	struct bf_lv_head h;

	write_text(path, "12 " ZEROS "\n");
	assert_int_equal(bf_lv_read_head_file(path, &h), 0);
	assert_int_equal(h.seq, 12);
	assert_string_equal(h.hash, ZEROS);
	assert_true(h.within);
	write_text(path, "12 " ZEROS);	/* the agent always ends it with a newline */
	assert_int_equal(bf_lv_read_head_file(path, &h), -EINVAL);
	write_text(path, "0 " ZEROS "\n");
	assert_int_equal(bf_lv_read_head_file(path, &h), -EINVAL);
	write_text(path, "12:" ZEROS "\n");
	assert_int_equal(bf_lv_read_head_file(path, &h), -EINVAL);
	write_text(path, "12 " ZEROS "0\n");
	assert_int_equal(bf_lv_read_head_file(path, &h), -EINVAL);
	write_text(path, "12 " ZEROS "\nmore\n");
	assert_int_equal(bf_lv_read_head_file(path, &h), 0);	/* one line is read: the rest is not the head */
	write_text(path, "");
	assert_int_equal(bf_lv_read_head_file(path, &h), -EINVAL);
	unlink(path);
	assert_int_equal(bf_lv_read_head_file(path, &h), -ENOENT);
	/* --head's form is never within */
	h.within = true;
	assert_int_equal(bf_lv_parse_head("3:" ZEROS, &h), 0);
	assert_false(h.within);
	free(path);
}

/* FILE.gz is read through zlib, and chains on to the next file like any other. */
static void test_gz(void **state)
{
	char *a[NREC], *b[NREC], last_a[65], last_b[65], *pa, *pb, *cmd, *gz;
	const char *both[2];
	struct bf_lv_report rep;

	chain(a, NREC, ZEROS, last_a);
	chain(b, NREC, last_a, last_b);
	pa = write_log("a.log", a, NREC, NULL);
	pb = write_log("b.log", b, NREC, NULL);
	assert_true(asprintf(&cmd, "gzip -n '%s'", pa) > 0);
	assert_int_equal(system(cmd), 0);
	gz = tpath("a.log.gz");
	both[0] = gz;
	both[1] = pb;
	rep = verify_n(both, 2, NULL);
	expect_intact(&rep, 2 * NREC, 1, NREC);
	/* a cut inside the compressed file is found like any other */
	free(cmd);
	assert_true(asprintf(&cmd, "head -n 9 '%s' | gzip -n > '%s'", pb, gz) > 0);
	assert_int_equal(system(cmd), 0);
	both[1] = pb;
	rep = verify_n(both, 2, NULL);
	expect_break(&rep, BF_LV_MISSING, pb, 1, 1);
	free_lines(a, NREC);
	free_lines(b, NREC);
	free(cmd);
	free(gz);
	free(pa);
	free(pb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_intact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_one_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_middle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_last_and_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_head_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_swap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_mid_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_files_linked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hash_wrong_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prechain_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_and_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_big_log, setup, teardown),
		cmocka_unit_test(test_parse_head),
		cmocka_unit_test_setup_teardown(test_head_within, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ends_with_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_head_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gz, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
