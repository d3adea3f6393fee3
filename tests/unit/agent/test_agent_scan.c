/* test_agent_scan.c - at start, processes already holding a camera (a fake /proc) are tainted and logged with the policy's verdict. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bf_test.h"
#include "agent_fixture.h"
#include "agent_scan.h"

/* Pids no real process can have (above pid_max): nothing here reaches a live process. */
#define VIEWER  100001
#define THIEF   100002
#define IDLE    100003
#define OUTSIDE 100004

static int setup(void **state)
{
	struct bff *f = bff_new();

	bff_mkdir(f, "cgroup/guarded/app");
	bff_mkdir(f, "cgroup/other");
	snprintf(f->ag.scope.cgroup, sizeof(f->ag.scope.cgroup), "%s", bff_path(f, "cgroup/guarded"));
	/* /dev/null stands in for the camera: a character device every test host has. */
	bff_use_policy(f, "app viewer exe \"/bin/true\"\n"     /* 1 */
			  "camera nul path \"/dev/null\"\n"     /* 2 */
			  "capture allow viewer nul\n"          /* 3 */
			  "capture deny any nul\n");            /* 4 */
	bff_proc(f, VIEWER, "/bin/true", "/guarded/app", "viewer", 1000, 0);
	bff_symlink(f, "/dev/null", "proc/100001/fd/3");
	bff_proc(f, THIEF, "/bin/sh", "/guarded", "thief", 1001, 0);
	bff_symlink(f, "/dev/zero", "proc/100002/fd/0");        /* a char device, not a camera */
	bff_symlink(f, "/dev/null", "proc/100002/fd/5");
	bff_proc(f, IDLE, "/bin/true", "/guarded/app", "idle", 1000, 0);
	bff_symlink(f, "/etc/hostname", "proc/100003/fd/1");
	bff_proc(f, OUTSIDE, "/bin/true", "/other", "outside", 1000, 0);
	bff_symlink(f, "/dev/null", "proc/100004/fd/3");
	*state = f;
	return 0;
}

/* The record for process PID ("pid" is a number: matched by hand). */
static struct json_object *held(struct bff *f, int64_t pid)
{
	struct json_object *arr = bff_records(f), *found = NULL;

	for (size_t i = 0; i < json_object_array_length(arr) && !found; i++) {
		struct json_object *r = json_object_array_get_idx(arr, i);
		const char *ev = bff_str(r, "event");

		if (ev && !strcmp(ev, "held_at_start") && bff_int(r, "pid") == pid)
			found = json_object_get(r);
	}
	json_object_put(arr);
	return found;
}

static bool tainted(struct bff *f, uint32_t pid)
{
	for (size_t i = 0; i < f->kern.n_taints; i++)
		if (f->kern.taints[i].tgid == pid)
			return true;
	return false;
}

static void test_allowed_holder(void **state)
{
	struct bff *f = *state;
	struct json_object *rec;

	agent_scan_holders(&f->ag);
	rec = held(f, VIEWER);
	assert_non_null(rec);
	assert_string_equal(bff_str(rec, "kind"), "capture");
	assert_string_equal(bff_str(rec, "verdict"), "allow");
	assert_false(bff_bool(rec, "enforced"));        /* opened before the agent was there */
	assert_string_equal(bff_str(rec, "rule"), "t.policy:3");
	assert_string_equal(bff_str(rec, "app"), "viewer");
	assert_string_equal(bff_str(rec, "camera"), "nul");
	assert_string_equal(bff_str(rec, "device"), "1:3");
	assert_string_equal(bff_str(rec, "cgroup"), "/guarded/app");
	assert_string_equal(bff_str(rec, "comm"), "viewer");
	assert_int_equal(bff_int(rec, "uid"), 1000);
	json_object_put(rec);
	assert_true(tainted(f, VIEWER));
}

/* Holding the camera against the policy: tainted all the same, and the record says deny. */
static void test_denied_holder(void **state)
{
	struct bff *f = *state;
	struct json_object *rec;

	agent_scan_holders(&f->ag);
	rec = held(f, THIEF);
	assert_non_null(rec);
	assert_string_equal(bff_str(rec, "verdict"), "deny");
	assert_string_equal(bff_str(rec, "rule"), "t.policy:4");
	assert_null(bff_str(rec, "app"));
	assert_string_equal(bff_str(rec, "exe"), "/bin/sh");
	json_object_put(rec);
	assert_true(tainted(f, THIEF));
	for (size_t i = 0; i < f->kern.n_taints; i++)
		if (f->kern.taints[i].tgid == THIEF) {
			assert_int_equal(f->kern.taints[i].t.origin_tgid, THIEF);
			assert_int_equal(f->kern.taints[i].t.major, 1);
			assert_int_equal(f->kern.taints[i].t.minor, 3);
		}
}

/* No camera held, or outside the guarded subtree: left alone. */
static void test_others_left_alone(void **state)
{
	struct bff *f = *state;

	agent_scan_holders(&f->ag);
	assert_null(held(f, IDLE));
	assert_null(held(f, OUTSIDE));
	assert_false(tainted(f, IDLE));
	assert_false(tainted(f, OUTSIDE));
	assert_int_equal(f->kern.n_taints, 2);
}

/* What the kernel would match the process as: its app bits from exe and cgroup. */
static void test_pid_apps(void **state)
{
	struct bff *f = *state;
	char exe[256];
	uint64_t apps = 99;

	assert_int_equal(agent_pid_apps(&f->ag, VIEWER, 1000, &apps, exe, sizeof(exe)), 0);
	assert_int_equal(apps, 1);
	assert_string_equal(exe, "/bin/true");
	assert_int_equal(agent_pid_apps(&f->ag, THIEF, 1001, &apps, exe, sizeof(exe)), 0);
	assert_int_equal(apps, 0);
	assert_int_not_equal(agent_pid_apps(&f->ag, 100999, 0, &apps, exe, sizeof(exe)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_allowed_holder, setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_denied_holder, setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_others_left_alone, setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_pid_apps, setup, bff_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
