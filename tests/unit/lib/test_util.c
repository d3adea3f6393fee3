/* test_util.c - bf_pathf refuses to truncate a path silently. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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

/* The first line with the prefix wins; its newline is cut; absence is -ENOENT. */
static void test_read_field(void **state)
{
	char path[] = "/tmp/bfutil.XXXXXX", out[32], tiny[4];
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	assert_non_null(f);
	fputs("1:name=systemd:/x\n0::/gate.slice/kiosk\n0::/second\n", f);
	fclose(f);
	assert_int_equal(bf_read_field(path, "0::", out, sizeof(out)), 0);
	assert_string_equal(out, "/gate.slice/kiosk");
	assert_int_equal(bf_read_field(path, "Uid:", out, sizeof(out)), -ENOENT);
	assert_int_equal(bf_read_field(path, "0::", tiny, sizeof(tiny)), -ENAMETOOLONG);
	unlink(path);
	assert_int_equal(bf_read_field(path, "0::", out, sizeof(out)), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fits),
		cmocka_unit_test(test_boundary),
		cmocka_unit_test(test_read_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
