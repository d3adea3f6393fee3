/* test_agent_ctl_req.c - unit tests for agent_ctl_req.c: who is asking, matched to the policy as the kernel matches processes, and how a record names them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bf_test.h"
#include "consent_fixture.h"

#define VIEWER_PID 4545         /* a fake process run by "nobody": the app viewer, no broker */
#define STRANGER_PID 4646       /* a fake process no app of the policy matches */

static int setup(void **state)
{
	char policy[2048];
	struct cfx *f;

	/* The fixture's policy, and one app that is only a user: no exe, no broker. */
	snprintf(policy, sizeof(policy), "%sapp viewer user \"nobody\"\n", cfx_policy);
	f = cfx_new(policy, cfx_ledger);
	bff_proc(f->b, VIEWER_PID, "/usr/bin/true", "/", "viewer", 65534, 0);
	bff_proc(f->b, STRANGER_PID, "/usr/bin/true", "/", "stranger", 1000, 0);
	*state = f;
	return 0;
}

static struct agent_peer identify(struct cfx *f, uint32_t uid, int32_t pid)
{
	struct bf_ctl_client c = { .uid = uid, .pid = pid };
	struct agent_peer p;

	agent_peer_identify(f->ag, &c, &p);
	return p;
}

/* The broker app's binary, run by an ordinary user: a broker, named by its app. */
static void test_broker_is_identified(void **state)
{
	struct cfx *f = *state;
	struct agent_peer p = identify(f, 1000, CFX_BROKER_PID);

	assert_false(p.root);
	assert_true(p.broker);
	assert_string_equal(p.app, "doorctl");
	assert_string_equal(p.exe, bff_path(f->b, "doorctl"));
}

/* A process that is an app of the policy, but not its broker: the app, and no broker rights. */
static void test_app_that_is_no_broker(void **state)
{
	struct cfx *f = *state;
	struct agent_peer p = identify(f, 65534, VIEWER_PID);

	assert_false(p.root);
	assert_false(p.broker);
	assert_string_equal(p.app, "viewer");
}

/* Root is root whatever it runs; a process no app matches is no app, however it is named. */
static void test_root_and_strangers(void **state)
{
	struct cfx *f = *state;
	struct agent_peer p = identify(f, 0, STRANGER_PID);

	assert_true(p.root);
	assert_false(p.broker);
	assert_null(p.app);
	p = identify(f, 1000, STRANGER_PID);
	assert_false(p.root);
	assert_null(p.app);
	/* A peer gone before it is looked at: nothing is made up about it. */
	p = identify(f, 1000, 4747);
	assert_null(p.app);
	assert_string_equal(p.exe, "");
}

/* The "by" member of a record says who asked: pid, uid, exe, app, broker; what is unknown is null. */
static void test_peer_json(void **state)
{
	struct cfx *f = *state;
	struct bf_ctl_client c = { .uid = 1000, .pid = CFX_BROKER_PID };
	struct agent_peer p;
	struct json_object *o;

	agent_peer_identify(f->ag, &c, &p);
	o = agent_peer_json(&c, &p);
	assert_int_equal(bff_int(o, "pid"), CFX_BROKER_PID);
	assert_int_equal(bff_int(o, "uid"), 1000);
	assert_string_equal(bff_str(o, "exe"), bff_path(f->b, "doorctl"));
	assert_string_equal(bff_str(o, "app"), "doorctl");
	assert_true(bff_bool(o, "broker"));
	json_object_put(o);

	c.pid = 4747;
	agent_peer_identify(f->ag, &c, &p);
	o = agent_peer_json(&c, &p);
	assert_null(bff_str(o, "exe"));
	assert_null(bff_str(o, "app"));
	assert_false(bff_bool(o, "broker"));
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_broker_is_identified, setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_app_that_is_no_broker, setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_root_and_strangers, setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_peer_json, setup, cfx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
