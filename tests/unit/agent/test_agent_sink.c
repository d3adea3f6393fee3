/* test_agent_sink.c - the record sink: records reach the log, failures are counted, rules are named FILE:LINE. */
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
#include "agent_policy.h"
#include "agent_sink.h"

static void test_emit_writes_agent_record(void **state)
{
	struct bff *f = *state;
	struct json_object *rec = agent_log_begin(&f->ag.log, "hello");

	bf_json_add_str(rec, "note", "from the test");
	agent_emit(&f->ag, rec);
	rec = bff_find(f, "event", "hello");
	assert_non_null(rec);
	assert_string_equal(bff_str(rec, "kind"), "agent");
	assert_string_equal(bff_str(rec, "note"), "from the test");
	assert_int_equal(bff_int(rec, "seq"), 1);
	json_object_put(rec);
	assert_int_equal(f->ag.log.errors, 0);
}

/* A log that cannot take the record: counted, for status and metrics. */
static void test_emit_failure_counted(void **state)
{
	struct bff *f = *state;
	struct bf_audit *full = NULL;

	if (bf_audit_open(&full, "/dev/full", false) != 0)
		skip();
	bf_audit_close(f->ag.log.audit);
	f->ag.log.audit = full;
	agent_log_emit(&f->ag.log, agent_log_begin(&f->ag.log, "lost-one"));
	agent_emit(&f->ag, agent_log_begin(&f->ag.log, "lost-two"));
	assert_int_equal(f->ag.log.errors, 2);
}

static void test_rule_ref(void **state)
{
	struct bff *f = *state;
	struct bf_loaded *ld = bff_compile(f, "camera c class video\n"     /* 1 */
					      "capture allow any c\n"      /* 2 */
					      "capture deny any c\n", 1);  /* 3 */
	struct json_object *o = json_object_new_object();

	agent_add_rule_ref(o, "first", ld, ld->tables.capture_ast, 0);
	agent_add_rule_ref(o, "second", ld, ld->tables.capture_ast, 1);
	agent_add_rule_ref(o, "none", ld, ld->tables.capture_ast, BF_RULE_DEFAULT);
	assert_string_equal(bff_str(o, "first"), "t.policy:2");
	assert_string_equal(bff_str(o, "second"), "t.policy:3");
	assert_string_equal(bff_str(o, "none"), "default");
	json_object_put(o);
	bf_loaded_free(ld);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_emit_writes_agent_record, bff_setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_emit_failure_counted, bff_setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_rule_ref, bff_setup, bff_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
