/* test_cli_util.c - the CLI's "+180d" times, grant ids, grant states, option parsing, tables, public keys, and the audit log's files as logrotate leaves them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bf_test.h"
#include "cli_common.h"
#include "audit/logkey.h"
#include "rfc3339.h"

#define S (1000000000LL)
/* 2026-11-22T10:00:00Z, with a fraction so relative times visibly keep it */
#define NOW (1795341600LL * S + 123)

static void test_relative_units(void **state)
{
	int64_t ns;

	assert_int_equal(cli_parse_time("+180d", NOW, &ns), 0);
	assert_true(ns == NOW + 180 * 86400 * S);
	assert_int_equal(cli_parse_time("+2h", NOW, &ns), 0);
	assert_true(ns == NOW + 7200 * S);
	assert_int_equal(cli_parse_time("+30m", NOW, &ns), 0);
	assert_true(ns == NOW + 1800 * S);
	assert_int_equal(cli_parse_time("+45s", NOW, &ns), 0);
	assert_true(ns == NOW + 45 * S);
	/* "now" itself is a time; whether it may be an expiry is the ledger's call */
	assert_int_equal(cli_parse_time("+0s", NOW, &ns), 0);
	assert_true(ns == NOW);
	assert_int_equal(cli_parse_time("+007d", NOW, &ns), 0);
	assert_true(ns == NOW + 7 * 86400 * S);
}

/* One number, one unit, nothing else: anything looser would be a guess at what was meant. */
static void test_relative_malformed(void **state)
{
	static const char *const bad[] = { "+", "+d", "+10", "+10x", "+10dd", "+ 10d", "+-1d",
					   "++1d", "+1d2h", "+10D", "+1.5d", "+10ms", "+10d ",
					   "+10w", "10d", "", "-10d" };
	int64_t ns = 42;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("%s\n", bad[i]);
		assert_int_equal(cli_parse_time(bad[i], NOW, &ns), -EINVAL);
	}
	assert_true(ns == 42);
}

/* Past 2262-04-11 an int64_t of ns wraps: refused, never wrapped into the past. */
static void test_relative_range(void **state)
{
	int64_t ns = 42;

	assert_int_equal(cli_parse_time("+80000d", NOW, &ns), 0);
	assert_int_equal(cli_parse_time("+90000d", NOW, &ns), -ERANGE);
	assert_int_equal(cli_parse_time("+9223372036854775807s", NOW, &ns), -ERANGE);
	assert_int_equal(cli_parse_time("+99999999999999999999999999d", NOW, &ns), -ERANGE);
	/* malformed wins over too large: the message must name the real mistake */
	assert_int_equal(cli_parse_time("+99999999999999999999999999x", NOW, &ns), -EINVAL);
	assert_int_equal(cli_parse_time("+1s", -1, &ns), -ERANGE);
	assert_int_equal(cli_parse_time("+0s", INT64_MAX, &ns), 0);
	assert_int_equal(cli_parse_time("+1s", INT64_MAX - S + 1, &ns), -ERANGE);
}

static void test_absolute(void **state)
{
	int64_t ns, want;

	assert_int_equal(bf_parse_rfc3339("2027-05-22T00:00:00Z", &want), 0);
	assert_int_equal(cli_parse_time("2027-05-22T00:00:00Z", NOW, &ns), 0);
	assert_true(ns == want);
	assert_int_equal(cli_parse_time("2027-05-22T02:00:00+02:00", NOW, &ns), 0);
	assert_true(ns == want);
	assert_int_equal(cli_parse_time("2027-02-30T00:00:00Z", NOW, &ns), -EINVAL);
	assert_int_equal(cli_parse_time("2027-05-22", NOW, &ns), -EINVAL);
	assert_int_equal(cli_parse_time("2300-01-01T00:00:00Z", NOW, &ns), -ERANGE);
}

static void assert_id_shape(const char *id)
{
	assert_int_equal(strlen(id), BF_CLI_ID_BUFSZ - 1);
	assert_memory_equal(id, "c-20261122-100000-", 18);
	for (size_t i = 18; i < 22; i++)
		assert_non_null(strchr("0123456789abcdef", id[i]));
}

/* The agent's format, UTC: an operator must not be able to tell who made an id. */
static void test_make_id(void **state)
{
	char ids[8][BF_CLI_ID_BUFSZ], tiny[BF_CLI_ID_BUFSZ - 1];
	size_t distinct = 1;

	for (size_t i = 0; i < 8; i++) {
		assert_int_equal(cli_make_id(ids[i], sizeof(ids[i]), NOW), 0);
		assert_id_shape(ids[i]);
		if (i && strcmp(ids[i], ids[0]))
			distinct++;
	}
	/* eight equal draws of 16 random bits would mean the bits are not random */
	assert_true(distinct > 1);
	assert_int_equal(cli_make_id(tiny, sizeof(tiny), NOW), -ENAMETOOLONG);
}

static void test_grant_state(void **state)
{
	struct bf_consent_grant g = { .granted_ns = 100, .expires_ns = 200 };

	assert_string_equal(cli_grant_state(&g, 99), "pending");
	assert_string_equal(cli_grant_state(&g, 100), "active");
	assert_string_equal(cli_grant_state(&g, 199), "active");
	/* [granted, expires): at expires it is over, as bf_consent_check says */
	assert_string_equal(cli_grant_state(&g, 200), "expired");
	g.revoked = true;
	assert_string_equal(cli_grant_state(&g, 150), "revoked");
	assert_string_equal(cli_grant_state(&g, 99), "revoked");
	assert_string_equal(cli_grant_state(&g, 300), "revoked");
}

struct parsed {
	const char *app, *camera, *pos[2];
	bool json;
	size_t n_pos;
};

static int parse(struct parsed *p, int argc, char **argv)
{
	const struct cli_opt opts[] = { { "app", &p->app, NULL },
					{ "camera", &p->camera, NULL },
					{ "json", NULL, &p->json } };

	*p = (struct parsed){ 0 };
	return cli_parse_opts("test", argc, argv, opts, 3, p->pos, 2, &p->n_pos);
}

static void test_opts_accepted(void **state)
{
	char *a1[] = { "x", "--app", "rec", "7", "--camera=lobby", "--json", "--", "--app" };
	char *a2[] = { "x", "-h" };
	struct parsed p;

	assert_int_equal(parse(&p, 8, a1), 0);
	assert_string_equal(p.app, "rec");
	assert_string_equal(p.camera, "lobby");
	assert_true(p.json);
	assert_int_equal(p.n_pos, 2);
	assert_string_equal(p.pos[0], "7");
	assert_string_equal(p.pos[1], "--app");
	assert_int_equal(parse(&p, 2, a2), 1);
}

static void test_opts_refused(void **state)
{
	char *twice[] = { "x", "--app", "a", "--app", "b" };
	char *prefix[] = { "x", "--cam", "lobby" };
	char *unknown[] = { "x", "--bogus" };
	char *short_opt[] = { "x", "-j" };
	char *no_value[] = { "x", "--app" };
	char *flag_value[] = { "x", "--json=yes" };
	char *extra[] = { "x", "1", "2", "3" };
	struct parsed p;

	assert_int_equal(parse(&p, 5, twice), -EINVAL);
	assert_int_equal(parse(&p, 3, prefix), -EINVAL);
	assert_int_equal(parse(&p, 2, unknown), -EINVAL);
	assert_int_equal(parse(&p, 2, short_opt), -EINVAL);
	assert_int_equal(parse(&p, 2, no_value), -EINVAL);
	assert_int_equal(parse(&p, 2, flag_value), -EINVAL);
	assert_int_equal(parse(&p, 4, extra), -EINVAL);
}

static void touch(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

/* LOG.N[.gz] from the highest N (the oldest), then LOG; nothing else beside it. */
static void test_log_files(void **state)
{
	char dir[] = "/tmp/bf-cliutil.XXXXXX", log[64], want[64], **files;
	static const char *const order[] = { "audit.jsonl.10.gz", "audit.jsonl.9", "audit.jsonl.2",
					     "audit.jsonl.1", "audit.jsonl" };
	static const char *const noise[] = { "audit.jsonl.head", "audit.jsonl.head.tmp", "audit.jsonl.1.tmp",
					     "audit.jsonl-20261206", "audit.jsonl.x", "audit.jsonl.",
					     "audit.jsonl.gz", "other.jsonl.1", "audit.jsonl.2.bz2" };
	size_t n;

	assert_non_null(mkdtemp(dir));
	snprintf(log, sizeof(log), "%s/audit.jsonl", dir);
	assert_int_equal(cli_log_files(log, &files, &n), -ENOENT);
	for (size_t i = 0; i < sizeof(noise) / sizeof(noise[0]); i++)
		touch(dir, noise[i], "x\n");
	assert_int_equal(cli_log_files(log, &files, &n), -ENOENT);
	touch(dir, "audit.jsonl.2", "");
	touch(dir, "audit.jsonl.1", "");
	touch(dir, "audit.jsonl.9", "");
	touch(dir, "audit.jsonl.10.gz", "");
	/* the live file missing (just renamed away): the rotations alone */
	assert_int_equal(cli_log_files(log, &files, &n), 0);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "%s/%s", dir, order[i]);
		assert_string_equal(files[i], want);
	}
	cli_log_files_free(files, n);
	touch(dir, "audit.jsonl", "");
	touch(dir, "audit.jsonl.1.gz", "");	/* compressed and plain both: read plain, once */
	assert_int_equal(cli_log_files(log, &files, &n), 0);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "%s/%s", dir, order[i]);
		assert_string_equal(files[i], want);
	}
	cli_log_files_free(files, n);
	assert_int_equal(cli_log_files("/nonexistent-dir/audit.jsonl", &files, &n), -ENOENT);
	bft_rm_tree(dir);
}

/* FILE.gz reads as its text; anything else as it is. */
static void test_log_fopen(void **state)
{
	char dir[] = "/tmp/bf-cliutil.XXXXXX", cmd[128], path[64], line[64];
	FILE *fp;

	assert_non_null(mkdtemp(dir));
	touch(dir, "a", "one\ntwo\n");
	snprintf(cmd, sizeof(cmd), "gzip -nc %s/a > %s/a.gz", dir, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/a.gz", dir);
	fp = cli_log_fopen(path);
	assert_non_null(fp);
	assert_non_null(fgets(line, sizeof(line), fp));
	assert_string_equal(line, "one\n");
	assert_non_null(fgets(line, sizeof(line), fp));
	assert_string_equal(line, "two\n");
	assert_null(fgets(line, sizeof(line), fp));
	assert_int_equal(fclose(fp), 0);
	snprintf(path, sizeof(path), "%s/a", dir);
	fp = cli_log_fopen(path);
	assert_non_null(fp);
	assert_non_null(fgets(line, sizeof(line), fp));
	assert_string_equal(line, "one\n");
	fclose(fp);
	snprintf(path, sizeof(path), "%s/none.gz", dir);
	assert_null(cli_log_fopen(path));
	assert_int_equal(errno, ENOENT);
	assert_ptr_equal(cli_log_fopen("-"), stdin);
	bft_rm_tree(dir);
}

/* What fn(arg) printed on stdout. */
static char *capture(void (*fn)(const void *), const void *arg)
{
	char path[] = "/tmp/bf-cliout.XXXXXX";
	int fd = mkstemp(path), saved = dup(STDOUT_FILENO);
	size_t len;
	char *out;

	assert_true(fd >= 0 && saved >= 0);
	fflush(stdout);
	assert_true(dup2(fd, STDOUT_FILENO) >= 0);
	fn(arg);
	fflush(stdout);
	assert_true(dup2(saved, STDOUT_FILENO) >= 0);
	close(saved);
	close(fd);
	out = bft_slurp(path, &len);
	unlink(path);
	return out;
}

static void table_3x2(const void *indent)
{
	char *cells[] = { "ID", "STATE", "c-1", "active", "c-20260101", NULL };

	cli_print_table(indent, 2, 3, cells);
}

/* Columns as wide as their widest cell, two spaces apart, the last one unpadded. */
static void test_print_table(void **state)
{
	char *out = capture(table_3x2, "");

	assert_string_equal(out, "ID          STATE\n"
				 "c-1         active\n"
				 "c-20260101  ?\n");
	free(out);
	out = capture(table_3x2, "  ");
	assert_string_equal(out, "  ID          STATE\n"
				 "  c-1         active\n"
				 "  c-20260101  ?\n");
	free(out);
}

static void upper_name(struct json_object *row, const void *ctx, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", (const char *)ctx, cli_str(row, "name"));
	for (char *p = buf; *p; p++)
		*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
}

static void rows_of(const void *json)
{
	static const struct cli_col cols[] = {
		{ "ID", "id", NULL }, { "NAME", NULL, upper_name }, { "NOTE", "note", NULL },
	};
	struct json_object *arr = json_tokener_parse(json);

	cli_print_rows(arr, cols, CLI_N(cols), "x-", "nothing here");
	json_object_put(arr);
}

/* A member by key ("" when absent) or by a cell function, under the header; EMPTY when no row. */
static void test_print_rows(void **state)
{
	char *out = capture(rows_of, "[{\"id\":\"1\",\"name\":\"lobby\",\"note\":\"n\"},"
				      "{\"id\":\"22\",\"name\":\"gate\"}]");

	assert_string_equal(out, "ID  NAME     NOTE\n"
				 "1   X-LOBBY  n\n"
				 "22  X-GATE   \n");
	free(out);
	out = capture(rows_of, "[]");
	assert_string_equal(out, "nothing here\n");
	free(out);
	out = capture(rows_of, "{}");	/* not an array: no rows either */
	assert_string_equal(out, "nothing here\n");
	free(out);
}

static const struct cli_usage test_usage = { .lines = "       biofence test FILE...\n" };

/* Files given, or --log's, never both; a parse result other than 0 is the exit code it means. */
static void test_log_input(void **state)
{
	const char *pos[] = { "a.log", "b.log" }, *const *files = NULL;
	char **owned = (char **)1;
	size_t n = 0;

	assert_int_equal(cli_log_input("test", &test_usage, 0, NULL, pos, 2, &files, &n, &owned),
			 CLI_GO_ON);
	assert_ptr_equal(files, pos);
	assert_int_equal(n, 2);
	assert_null(owned);
	assert_int_equal(cli_log_input("test", &test_usage, 0, "x.log", pos, 2, &files, &n, &owned), 2);
	assert_int_equal(cli_log_input("test", &test_usage, 0, "/nonexistent-dir/x.log", pos, 0, &files,
				       &n, &owned), 1);
	assert_int_equal(cli_log_input("test", &test_usage, -EINVAL, NULL, pos, 0, &files, &n, &owned),
			 2);
	assert_int_equal(cli_log_input("test", &test_usage, -ENOMEM, NULL, pos, 0, &files, &n, &owned),
			 1);
	assert_int_equal(cli_log_input("test", &test_usage, 1, NULL, pos, 0, &files, &n, &owned), 0);
}

/* --pub names a key that must load; a file that is no key is -EINVAL, a missing one -ENOENT. */
static void test_load_pub(void **state)
{
	char dir[] = "/tmp/bf-clipub.XXXXXX", path[64];
	struct bf_logkey *pub = (struct bf_logkey *)1;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/none.pub", dir);
	assert_int_equal(cli_load_pub("test", path, &pub), -ENOENT);
	assert_null(pub);
	touch(dir, "junk.pub", "not a key\n");
	snprintf(path, sizeof(path), "%s/junk.pub", dir);
	assert_int_equal(cli_load_pub("test", path, &pub), -EINVAL);
	bft_rm_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relative_units),	cmocka_unit_test(test_relative_malformed),
		cmocka_unit_test(test_relative_range),	cmocka_unit_test(test_absolute),
		cmocka_unit_test(test_make_id),		cmocka_unit_test(test_grant_state),
		cmocka_unit_test(test_opts_accepted),	cmocka_unit_test(test_opts_refused),
		cmocka_unit_test(test_log_files),	cmocka_unit_test(test_log_fopen),
		cmocka_unit_test(test_print_table),	cmocka_unit_test(test_print_rows),
		cmocka_unit_test(test_log_input),	cmocka_unit_test(test_load_pub),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
