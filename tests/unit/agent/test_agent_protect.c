/* test_agent_protect.c - unit tests for agent_protect.c: a self-protection refusal becomes a "protect" record; stop, detach and trust over the control socket are root's and logged; status says when nothing protects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bf_test.h"
#include "agent_fixture.h"
#include "agent_ctl.h"
#include "agent_events.h"
#include "agent_protect.h"

static int setup(void **state)
{
	struct bff *f = bff_new();

	bff_use_policy(f, "capture deny any any\n");
	*state = f;
	return 0;
}

/* A refusal as bf_refuse() in bpf/protect.bpf.c makes it. */
static struct bf_event refusal(uint32_t what, uint32_t detail, uint32_t obj)
{
	struct bf_event e = { .kind = BF_KIND_PROTECT, .pid = 777, .tgid = 777, .ppid = 1, .uid = 0,
			      .flags = BF_EF_LSM | BF_EF_ENFORCED | BF_EF_DENY_RULE,
			      .rule = BF_RULE_DEFAULT, .access = what, .major = detail, .window = obj };

	memcpy(e.comm, "bpftool", 7);
	return e;
}

static struct json_object *call(struct bff *f, const char *text, uint32_t uid)
{
	struct bf_ctl_client c = { .uid = uid, .pid = 4242 };
	struct json_object *req = json_tokener_parse(text);
	struct json_object *reply = agent_ctl_dispatch(&f->ag, &c, req, (struct agent_now){ 0 });

	json_object_put(req);
	assert_non_null(reply);
	return reply;
}

static void test_signal_refusal_is_a_protect_record(void **state)
{
	struct bff *f = *state;
	struct bf_event e = refusal(BF_PROT_SIGNAL, 9, 812);
	struct json_object *rec;

	assert_int_equal(agent_on_event(&f->ag, &e, sizeof(e)), 0);
	rec = bff_find(f, "kind", "protect");
	assert_non_null(rec);
	assert_string_equal(bff_str(rec, "verdict"), "deny");
	assert_true(bff_bool(rec, "enforced"));
	assert_string_equal(bff_str(rec, "rule"), "builtin");
	assert_string_equal(bff_str(rec, "event"), "signal");
	assert_string_equal(bff_str(rec, "hook"), "lsm/task_kill");
	assert_int_equal(bff_int(rec, "signal"), 9);
	assert_int_equal(bff_int(rec, "target_pid"), 812);
	assert_string_equal(bff_str(rec, "comm"), "bpftool");
	json_object_put(rec);
}

static void test_map_and_rename_refusals(void **state)
{
	struct bff *f = *state;
	struct bf_event m = refusal(BF_PROT_MAP_WRITE, 3, 17), r = refusal(BF_PROT_PIN_UNLINK, 2, 0);
	struct json_object *rec;

	agent_on_event(&f->ag, &m, sizeof(m));
	agent_on_event(&f->ag, &r, sizeof(r));
	rec = bff_find(f, "event", "map-write");
	assert_non_null(rec);
	assert_string_equal(bff_str(rec, "hook"), "lsm/bpf_map");
	assert_int_equal(bff_int(rec, "object_id"), 17);
	json_object_put(rec);
	rec = bff_find(f, "event", "pin-unlink");
	assert_non_null(rec);
	assert_string_equal(bff_str(rec, "call"), "rename");
	assert_string_equal(bff_str(rec, "hook"), "lsm/inode_rename");
	json_object_put(rec);
}

static void test_stop_is_roots_and_names_who(void **state)
{
	struct bff *f = *state;
	struct json_object *reply = call(f, "{\"cmd\":\"stop\"}", 1000);

	assert_string_equal(bff_str(reply, "error.code"), "forbidden");
	assert_false(f->ag.admin.stop);
	json_object_put(reply);
	reply = call(f, "{\"cmd\":\"stop\"}", 0);
	assert_true(bff_bool(reply, "ok"));
	assert_true(f->ag.admin.stop);
	assert_false(f->ag.admin.detached);
	assert_string_equal(f->ag.admin.by, "biofence stop (pid 4242, uid 0)");
	json_object_put(reply);
}

static void test_detach_removes_pins_logs_and_stops(void **state)
{
	struct bff *f = *state;
	struct json_object *reply, *rec;

	bff_mkdir(f, "pins");
	bff_mkdir(f, "pins/links");
	f->ag.opt.pin_dir = bff_path(f, "pins");
	reply = call(f, "{\"cmd\":\"detach\",\"pin_dir\":\"/elsewhere\"}", 0);
	assert_string_equal(bff_str(reply, "error.code"), "wrong-pin-dir");
	assert_false(f->ag.admin.stop);
	assert_null(bff_find(f, "event", "detach"));
	json_object_put(reply);
	reply = call(f, "{\"cmd\":\"detach\"}", 0);
	assert_true(bff_bool(reply, "ok"));
	assert_true(f->ag.admin.stop && f->ag.admin.detached);
	json_object_put(reply);
	rec = bff_find(f, "event", "detach");
	assert_non_null(rec);
	assert_int_equal(bff_int(rec, "by.uid"), 0);
	assert_string_equal(bff_str(rec, "by.via"), "control socket");
	json_object_put(rec);
}

static void test_trust_needs_an_absolute_path(void **state)
{
	struct bff *f = *state;
	struct json_object *reply = call(f, "{\"cmd\":\"trust\",\"path\":\"biofenced\"}", 0);

	assert_string_equal(bff_str(reply, "error.code"), "bad-request");
	json_object_put(reply);
	reply = call(f, "{\"cmd\":\"trust\",\"path\":\"/usr/sbin/biofenced\"}", 1000);
	assert_string_equal(bff_str(reply, "error.code"), "forbidden");
	json_object_put(reply);
}

static void test_unset_protection_says_not_protected(void **state)
{
	struct bff *f = *state;

	assert_string_equal(agent_protection(&f->ag), "NOT PROTECTED: not set up");
	snprintf(f->ag.ld.protect_why, sizeof(f->ag.ld.protect_why), "NOT PROTECTED: turned off with --no-protect");
	assert_string_equal(agent_protection(&f->ag), "NOT PROTECTED: turned off with --no-protect");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_signal_refusal_is_a_protect_record, setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_map_and_rename_refusals, setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_stop_is_roots_and_names_who, setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_detach_removes_pins_logs_and_stops, setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_trust_needs_an_absolute_path, setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_unset_protection_says_not_protected, setup, bff_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
