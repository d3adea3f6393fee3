/* test_loader.c - unit tests for loader.c's parts that need no kernel: the guarded cgroup as the LSM programs see it. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "bf_test.h"
#include "bpf/loader.h"

/* Depth counts the directories below the root; the id is the directory's inode, as cgroup2 numbers it. */
static void test_scope_id(void **state)
{
	char root[] = "/tmp/bf-unit-loader.XXXXXX", path[PATH_MAX];
	struct bf_scope_id id;
	struct stat st;

	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/gate.slice", root);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/gate.slice/cam.service", root);
	assert_int_equal(mkdir(path, 0700), 0);

	assert_int_equal(bf_scope_id_of(root, root, &id), 0);
	assert_int_equal(id.level, 0);
	assert_int_equal(stat(root, &st), 0);
	assert_true(id.cgid == st.st_ino);

	assert_int_equal(bf_scope_id_of(root, path, &id), 0);
	assert_int_equal(id.level, 2);
	assert_int_equal(stat(path, &st), 0);
	assert_true(id.cgid == st.st_ino);

	/* Outside the root, or a sibling that only shares its prefix: refused, not guessed. */
	assert_int_equal(bf_scope_id_of(path, root, &id), -EINVAL);
	snprintf(path, sizeof(path), "%sx", root);
	assert_int_equal(bf_scope_id_of(root, path, &id), -EINVAL);
	snprintf(path, sizeof(path), "%s/gone", root);
	assert_int_equal(bf_scope_id_of(root, path, &id), -ENOENT);
	assert_int_equal(bft_rm_tree(root), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scope_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
