/* test_cli_util.c - the CLI's "+180d" times, grant ids, grant states and option parsing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cli_common.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relative_units),	cmocka_unit_test(test_relative_malformed),
		cmocka_unit_test(test_relative_range),	cmocka_unit_test(test_absolute),
		cmocka_unit_test(test_make_id),		cmocka_unit_test(test_grant_state),
		cmocka_unit_test(test_opts_accepted),	cmocka_unit_test(test_opts_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
