/* test_util.c - bf_pathf refuses to truncate a path silently. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "util.h"

static void test_fits(void **state)
{
	char buf[16];

	assert_int_equal(bf_pathf(buf, sizeof(buf), "%s/%s", "/a", "b"), 0);
	assert_string_equal(buf, "/a/b");
}

/* Exactly full (15 chars + NUL) fits; one more is an error, not a shorter path. */
static void test_boundary(void **state)
{
	char buf[16];

	assert_int_equal(bf_pathf(buf, sizeof(buf), "%s", "/123456789abcde"), 0);
	assert_int_equal(bf_pathf(buf, sizeof(buf), "%s", "/123456789abcdef"), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fits),
		cmocka_unit_test(test_boundary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
