/* test_agent_status.c - unit tests for agent_status.c: the status JSON carries what docs/control-protocol.md and biofence status promise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bf_test.h"
#include "agent_status.h"
#include "consent_fixture.h"

static struct json_object *status_with(struct cfx *f, bool attached)
{
	struct agent_kernel_view k = { .attached = attached };

	k.stats[BF_STAT_EVENTS] = 41;
	k.stats[BF_STAT_CAPTURE_DENY] = 7;
	k.stats[BF_STAT_EXPORT_DENY] = 3;
	k.stats[BF_STAT_LOST] = 2;
	return agent_status_json(f->ag, &k);
}

static void test_status_fields(void **state)
{
	struct cfx *f = *state;
	struct json_object *s;

	cfx_open(f, 10000, cfx_now(0));
	s = status_with(f, true);
	assert_true(bff_bool(s, "enforcing"));
	assert_true(bff_bool(s, "attached"));
	assert_string_equal(bff_str(s, "mode"), "enforce");
	assert_string_equal(bff_str(s, "policy.source"), "t.policy");
	assert_non_null(bff_str(s, "policy.sha256"));
	assert_non_null(bff_str(s, "backends.capture"));
	assert_non_null(bff_str(s, "backends.export"));
	assert_true(json_object_is_type(json_object_object_get(s, "not_enforced"), json_type_array));
	assert_int_equal(bff_int(s, "counters.events"), 41);
	assert_int_equal(bff_int(s, "counters.capture_denials"), 7);
	assert_int_equal(bff_int(s, "counters.export_denials"), 3);
	assert_int_equal(bff_int(s, "counters.lost"), 2);
	assert_int_equal(bff_int(s, "consent.windows_open"), 1);
	assert_int_equal(bff_int(s, "consent.grace_ms"), 2000);
	assert_string_equal(bff_str(s, "consent.ledger"), f->ledger);
	assert_string_equal(bff_str(s, "log"), f->b->log_path);
	assert_non_null(bff_str(s, "log_head.hash"));
	assert_string_equal(bff_str(s, "log_state"), "ok");
	json_object_put(s);
}

/* Never claim what is gone: detached programs, or audit mode, are not "enforcing". */
static void test_not_enforcing_when_detached_or_audit(void **state)
{
	struct cfx *f = *state;
	struct json_object *s = status_with(f, false);

	assert_false(bff_bool(s, "enforcing"));
	assert_false(bff_bool(s, "attached"));
	json_object_put(s);
	cfx_free(f);
	*state = f = cfx_new("mode audit\n" "app recognizer exe \"/opt/r\"\n", NULL);
	s = status_with(f, true);
	assert_false(bff_bool(s, "enforcing"));
	assert_string_equal(bff_str(s, "mode"), "audit");
	json_object_put(s);
}

/* The status command wraps the same report, with the fake kernel's counters. */
static void test_status_command(void **state)
{
	struct cfx *f = *state;
	struct json_object *req = cfx_json("{\"cmd\":\"status\"}"), *reply;
	struct agent_ctl_req r = cfx_req(f, req, 1000, cfx_now(0));

	f->b->kern.stats[BF_STAT_EVENTS] = 5;
	reply = agent_ctl_status(&r);
	assert_null(cfx_error(reply));
	assert_int_equal(bff_int(reply, "status.counters.events"), 5);
	/* the test's pin dir has no links: not attached */
	assert_false(bff_bool(reply, "status.attached"));
	json_object_put(reply);
	json_object_put(req);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_status_fields, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_not_enforcing_when_detached_or_audit, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_status_command, cfx_setup, cfx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
