/* test_agent_ctl.c - unit tests for agent_ctl.c: one table routes every command, unknown ones get "unknown-cmd", and who may ask what is enforced. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bf_test.h"
#include "consent_fixture.h"

/* Dispatches TEXT from (UID, PID) at the fixture's now; caller puts the reply. */
static struct json_object *call(struct cfx *f, const char *text, uint32_t uid, int32_t pid)
{
	struct bf_ctl_client c = { .uid = uid, .pid = pid };
	struct json_object *req = cfx_json(text);
	struct json_object *reply = agent_ctl_dispatch(f->ag, &c, req, cfx_now(0));

	json_object_put(req);
	assert_non_null(reply);
	return reply;
}

/* The table says what docs/control-protocol.md's "Who may ask what" says. */
static void test_table_matches_protocol(void **state)
{
	static const struct { const char *cmd; enum agent_ctl_who who; } doc[] = {
		{ "status", AGENT_CTL_ANYONE }, { "reload", AGENT_CTL_ROOT },
		{ "window-open", AGENT_CTL_BROKER }, { "window-close", AGENT_CTL_BROKER },
		{ "window-list", AGENT_CTL_BROKER }, { "consent-revoke", AGENT_CTL_BROKER },
		{ "consent-grant", AGENT_CTL_ROOT }, { "consent-list", AGENT_CTL_ROOT },
		{ "consent-show", AGENT_CTL_ROOT }, { "stop", AGENT_CTL_ROOT }, { "detach", AGENT_CTL_ROOT },
		{ "trust", AGENT_CTL_ROOT },
	};

	for (size_t i = 0; i < sizeof(doc) / sizeof(doc[0]); i++) {
		const struct agent_ctl_cmd *c = agent_ctl_find(doc[i].cmd);

		assert_non_null(c);
		assert_int_equal(c->who, doc[i].who);
		assert_non_null(c->fn);
	}
	assert_null(agent_ctl_find("window-"));
	assert_null(agent_ctl_find("Status"));
}

static void test_unknown_command(void **state)
{
	struct cfx *f = *state;
	struct json_object *reply = call(f, "{\"cmd\":\"frobnicate\"}", 0, 4242);

	assert_string_equal(cfx_error(reply), "unknown-cmd");
	assert_string_equal(bff_str(reply, "error.message"), "unknown command \"frobnicate\"");
	json_object_put(reply);
	/* a consent-family prefix does not make a command */
	reply = call(f, "{\"cmd\":\"window-frob\"}", 0, 4242);
	assert_string_equal(cfx_error(reply), "unknown-cmd");
	json_object_put(reply);
}

/* reload is root's; its refusal is a plain error, not a consent record. */
static void test_reload_needs_root(void **state)
{
	struct cfx *f = *state;
	size_t before = bff_count(f->b);
	struct json_object *reply = call(f, "{\"cmd\":\"reload\"}", 1000, 4242);

	assert_string_equal(cfx_error(reply), "forbidden");
	assert_string_equal(bff_str(reply, "error.message"), "reload needs root (peer uid 1000)");
	json_object_put(reply);
	assert_int_equal(bff_count(f->b), before);
}

/* A non-root peer that is no broker is refused, and the refusal is logged with who asked. */
static void test_window_open_refused_to_non_broker(void **state)
{
	struct cfx *f = *state;
	struct json_object *reply = call(f, "{\"cmd\":\"window-open\",\"consent\":\"g1\",\"app\":\"recognizer\","
					 "\"camera\":\"lobby\"}", 1000, 4242), *rec;

	assert_string_equal(cfx_error(reply), "forbidden");
	assert_non_null(strstr(bff_str(reply, "error.message"), "window-open needs root or a broker app; pid 4242"));
	json_object_put(reply);
	rec = bff_find(f->b, "event", "window-refuse");
	assert_non_null(rec);
	assert_int_equal(bff_int(rec, "by.uid"), 1000);
	assert_false(bff_bool(rec, "by.broker"));
	assert_string_equal(bff_str(rec, "consent.subject"), "p-g1");
	json_object_put(rec);
	assert_int_equal(f->ag->consent.n_win, 0);
}

/* The broker app may open windows and withdraw consent, not grant or read the ledger. */
static void test_broker_rights(void **state)
{
	struct cfx *f = *state;
	struct json_object *reply = call(f, "{\"cmd\":\"window-open\",\"consent\":\"g1\",\"app\":\"recognizer\","
					 "\"camera\":\"lobby\"}", 1000, CFX_BROKER_PID), *rec;

	assert_null(cfx_error(reply));
	/* the dispatcher's time is the window's start */
	assert_string_equal(bff_str(reply, "window.start"), "2026-03-01T00:00:00.000000000Z");
	json_object_put(reply);
	rec = bff_find(f->b, "event", "window-open");
	assert_true(bff_bool(rec, "by.broker"));
	assert_string_equal(bff_str(rec, "by.app"), "doorctl");
	json_object_put(rec);
	reply = call(f, "{\"cmd\":\"consent-list\"}", 1000, CFX_BROKER_PID);
	assert_string_equal(cfx_error(reply), "forbidden");
	assert_string_equal(bff_str(reply, "error.message"), "consent-list needs root (peer uid 1000)");
	json_object_put(reply);
	reply = call(f, "{\"cmd\":\"consent-revoke\",\"id\":\"g1\"}", 1000, CFX_BROKER_PID);
	assert_null(cfx_error(reply));
	json_object_put(reply);
}

static void test_status_for_anyone(void **state)
{
	struct cfx *f = *state;
	struct json_object *reply = call(f, "{\"cmd\":\"status\"}", 65534, 4242);

	assert_null(cfx_error(reply));
	assert_non_null(bff_str(reply, "status.mode"));
	json_object_put(reply);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_matches_protocol),
		cmocka_unit_test_setup_teardown(test_unknown_command, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_reload_needs_root, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_window_open_refused_to_non_broker, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_broker_rights, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_status_for_anyone, cfx_setup, cfx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
