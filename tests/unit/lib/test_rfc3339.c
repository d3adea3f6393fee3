/* test_rfc3339.c - unit tests for rfc3339.c: times written as every record carries them, and read back from any offset and fraction. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bf_test.h"
#include "rfc3339.h"

#define S 1000000000LL
#define JAN (1767225600LL * S)  /* 2026-01-01T00:00:00Z */

static void test_rfc3339_epoch(void **state)
{
	char buf[BF_RFC3339_BUFSZ];

	assert_int_equal(bf_format_rfc3339(buf, sizeof(buf), 0), 0);
	assert_string_equal(buf, "1970-01-01T00:00:00.000000000Z");
	assert_int_equal(bf_format_rfc3339(buf, sizeof(buf), 1), 0);
	assert_string_equal(buf, "1970-01-01T00:00:00.000000001Z");
}

static void test_rfc3339_known_dates(void **state)
{
	char buf[BF_RFC3339_BUFSZ];

	assert_int_equal(bf_format_rfc3339(buf, sizeof(buf), 1795322293123456789ull), 0);
	assert_string_equal(buf, "2026-11-22T04:38:13.123456789Z");
	/* leap day, last nanosecond of it */
	assert_int_equal(bf_format_rfc3339(buf, sizeof(buf), 951868799999999999ull), 0);
	assert_string_equal(buf, "2000-02-29T23:59:59.999999999Z");
}

static void test_rfc3339_short_buffer(void **state)
{
	char buf[BF_RFC3339_BUFSZ];

	assert_int_equal(bf_format_rfc3339(buf, BF_RFC3339_BUFSZ - 1, 0), -ERANGE);
	assert_int_equal(bf_format_rfc3339(NULL, 0, 0), -ERANGE);
}

static void test_rfc3339_values(void **state)
{
	static const struct {
		const char *s;
		int64_t ns;
	} good[] = {
		{ "2026-01-01T00:00:00Z", JAN },
		{ "2026-01-01t00:00:00z", JAN },
		{ "2026-01-01T08:00:00+08:00", JAN },
		{ "2025-12-31T19:30:00-04:30", JAN },
		{ "2026-01-01T00:00:00-00:00", JAN },
		{ "2026-01-01T00:00:00.5Z", JAN + 500000000 },
		{ "2026-01-01T00:00:00.000000001Z", JAN + 1 },
		{ "2026-01-01T00:00:00.123456789+00:00", JAN + 123456789 },
		{ "2024-02-29T00:00:00Z", 1709164800LL * S },
		{ "2000-02-29T12:00:00Z", 951825600LL * S },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2262-04-11T23:47:16.854775807Z", INT64_MAX },
	};
	int64_t ns;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		print_message("  time %s\n", good[i].s);
		assert_int_equal(bf_parse_rfc3339(good[i].s, &ns), 0);
		assert_true(ns == good[i].ns);
	}
	assert_int_equal(bf_parse_rfc3339("2262-04-11T23:47:16.854775808Z", &ns), -ERANGE);
	assert_int_equal(bf_parse_rfc3339("1900-02-29T00:00:00Z", &ns), -EINVAL);
	assert_int_equal(bf_parse_rfc3339("", &ns), -EINVAL);
}

/* What a policy author or a broker might type by mistake: refused, never guessed. */
static void test_rfc3339_malformed(void **state)
{
	static const char *const bad[] = {
		"2026-01-01", "2026-01-01T00:00:00", "2026-01-01 00:00:00Z", "2026-13-01T00:00:00Z",
		"2026-02-29T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:00:60Z",
		"2026-01-01T00:00:00+25:00", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00Zjunk",
	};
	int64_t ns;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("  time %s\n", bad[i]);
		assert_int_equal(bf_parse_rfc3339(bad[i], &ns), -EINVAL);
	}
}

/* What is written reads back to the same nanosecond. */
static void test_rfc3339_round_trip(void **state)
{
	static const uint64_t t[] = { 0, 1, 951868799999999999ull, 1795322293123456789ull };
	char buf[BF_RFC3339_BUFSZ];
	int64_t ns;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(bf_format_rfc3339(buf, sizeof(buf), t[i]), 0);
		assert_int_equal(bf_parse_rfc3339(buf, &ns), 0);
		assert_true((uint64_t)ns == t[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339_epoch),
		cmocka_unit_test(test_rfc3339_known_dates),
		cmocka_unit_test(test_rfc3339_short_buffer),
		cmocka_unit_test(test_rfc3339_values),
		cmocka_unit_test(test_rfc3339_malformed),
		cmocka_unit_test(test_rfc3339_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
