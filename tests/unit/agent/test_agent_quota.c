/* test_agent_quota.c - export quotas: ids that survive reloads and restarts, quota-hit records, the status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "bf_test.h"
#include "agent_fixture.h"
#include "agent_quota.h"
#include "util.h"

static const char *policy_text =
	"app recognizer user \"0\"\n"
	"camera c class video\n"
	"dest controller 10.20.0.5 tcp 8443\n"
	"export allow recognizer controller quota 1MiB/hour\n"
	"export deny any any\n";

/* The rule's quota gets an id named "APP/DEST" in the kernel, and its limit in the tables. */
static void test_install_names_quota(void **state)
{
	struct bff *f = *state;
	const struct bf_tables *t;

	bff_use_policy(f, policy_text);
	t = &f->ag.policy.cur->tables;
	assert_string_equal(f->kern.quota[1].name, "recognizer/controller");
	assert_int_equal(t->export[0].quota, 1);
	assert_true(t->export[0].flags & BF_RF_QUOTA);
	assert_int_equal(t->quota_cfg[1].bytes, 1024 * 1024);
	assert_int_equal(t->quota_cfg[1].period_ns, 3600ull * 1000000000ull);
}

/* A restarted agent finds the id its predecessor gave, so the count carries over. */
static void test_id_carries_over(void **state)
{
	struct bff *f = *state;

	snprintf(f->kern.quota[1].name, sizeof(f->kern.quota[1].name), "old/gone");
	snprintf(f->kern.quota[5].name, sizeof(f->kern.quota[5].name), "recognizer/controller");
	f->kern.quota[5].bytes = 4096;
	bff_use_policy(f, policy_text);
	assert_int_equal(f->ag.policy.cur->tables.export[0].quota, 5);
	assert_int_equal(f->kern.quota[5].bytes, 4096);         /* not started afresh */
	assert_string_equal(f->kern.quota[1].name, "old/gone"); /* not needed: left alone */
}

/* The kernel says a quota ran out: a deny record naming the pair and the limit. */
static void test_quota_hit_record(void **state)
{
	struct bff *f = *state;
	struct bf_event e = { .kind = BF_KIND_QUOTA, .rule = 1, .objs = 1048576, .apps = 1048600,
			      .tgid = 321, .flags = BF_EF_ENFORCED, .policy_seq = 1 };
	struct json_object *rec;

	bff_use_policy(f, policy_text);
	agent_quota_event(&f->ag, &e);
	rec = bff_find(f, "event", "quota-hit");
	assert_non_null(rec);
	assert_string_equal(bff_str(rec, "kind"), "export");
	assert_string_equal(bff_str(rec, "verdict"), "deny");
	assert_true(bff_bool(rec, "enforced"));
	assert_string_equal(bff_str(rec, "quota.name"), "recognizer/controller");
	assert_int_equal(bff_int(rec, "quota.bytes_per_period"), 1048576);
	assert_int_equal(bff_int(rec, "quota.sent_this_period"), 1048600);
	assert_string_equal(bff_str(rec, "app"), "recognizer");
	assert_string_equal(bff_str(rec, "dest_set"), "controller");
	assert_int_equal(bff_int(rec, "pid"), 321);
	assert_non_null(strstr(bff_str(rec, "reason"), "dropped"));
	json_object_put(rec);
}

/* Status: what was sent in the current period; a period that ended counts as nothing sent. */
static void test_status(void **state)
{
	struct bff *f = *state;
	struct json_object *arr, *q;

	bff_use_policy(f, policy_text);
	f->kern.quota[1].bytes = 777;
	f->kern.quota[1].dropped = 3;
	f->kern.quota[1].period_start_ns = (uint64_t)bf_now_ns(CLOCK_BOOTTIME);
	arr = agent_quota_status(&f->ag);
	assert_int_equal(json_object_array_length(arr), 1);
	q = json_object_array_get_idx(arr, 0);
	assert_string_equal(bff_str(q, "name"), "recognizer/controller");
	assert_int_equal(bff_int(q, "bytes_per_period"), 1048576);
	assert_int_equal(bff_int(q, "period_s"), 3600);
	assert_int_equal(bff_int(q, "sent_this_period"), 777);
	assert_int_equal(bff_int(q, "dropped"), 3);
	json_object_put(arr);
	f->kern.quota[1].period_start_ns = 0;   /* long over (unless booted within the hour) */
	if ((uint64_t)bf_now_ns(CLOCK_BOOTTIME) < 3600ull * 1000000000ull)
		return;
	arr = agent_quota_status(&f->ag);
	assert_int_equal(bff_int(json_object_array_get_idx(arr, 0), "sent_this_period"), 0);
	json_object_put(arr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_install_names_quota, bff_setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_id_carries_over, bff_setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_quota_hit_record, bff_setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_status, bff_setup, bff_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
