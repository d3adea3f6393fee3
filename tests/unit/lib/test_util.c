/* test_util.c - bf_pathf refuses to truncate a path silently. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "bf_test.h"
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

/* mkdir -p: every missing level is made with MODE, what exists is left as it is, a file in the way is an error. */
static void test_mkdir_all(void **state)
{
	char root[] = "/tmp/bf-unit-util.XXXXXX", path[256];
	struct stat st;

	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/a/b/c", root);
	assert_int_equal(bf_mkdir_all(path, 0700), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(bf_mkdir_all(path, 0700), 0);          /* again: nothing to do */
	snprintf(path, sizeof(path), "%s/a/file", root);
	fclose(fopen(path, "w"));
	snprintf(path, sizeof(path), "%s/a/file/d", root);
	assert_int_equal(bf_mkdir_all(path, 0700), -ENOTDIR);
	/* parents only: the last component is left for the caller's socket or log */
	snprintf(path, sizeof(path), "%s/x/y/log", root);
	assert_int_equal(bf_mkdir_parents(path, 0700, false), 0);
	snprintf(path, sizeof(path), "%s/x/y", root);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/x/y/log", root);
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(bft_rm_tree(root), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fits),
		cmocka_unit_test(test_boundary),
		cmocka_unit_test(test_read_field),
		cmocka_unit_test(test_mkdir_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
