/* test_agent_consent_ctl.c - unit tests for agent_consent_ctl.c: window-* and consent-* requests, their replies, refusals and records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bf_test.h"
#include "agent_consent_ctl.h"
#include "agent_ledger.h"
#include "consent_fixture.h"

/* Runs handler FN on the JSON TEXT as root at the fixture's now plus AFTER_NS; caller puts the reply. */
static struct json_object *ask(struct cfx *f, agent_ctl_fn fn, const char *text, int64_t after_ns)
{
	struct json_object *req = cfx_json(text), *reply;
	struct agent_ctl_req r = cfx_req(f, req, 0, cfx_now(after_ns));

	reply = fn(&r);
	json_object_put(req);
	assert_non_null(reply);
	return reply;
}

/* FN on TEXT is refused with CODE, and the refusal is a record of EVENT naming it. */
static void expect_refused(struct cfx *f, agent_ctl_fn fn, const char *text, const char *code,
			   const char *event)
{
	struct json_object *reply = ask(f, fn, text, 0), *rec;

	assert_non_null(cfx_error(reply));
	assert_string_equal(cfx_error(reply), code);
	json_object_put(reply);
	rec = bff_find(f->b, "event", event);
	assert_non_null(rec);
	assert_string_equal(bff_str(rec, "error.code"), code);
	assert_string_equal(bff_str(rec, "verdict"), "deny");
	json_object_put(rec);
}

#define OPEN_G1 "{\"cmd\":\"window-open\",\"consent\":\"g1\",\"app\":\"recognizer\",\"camera\":\"lobby\""

static void test_window_open(void **state)
{
	struct cfx *f = *state;
	struct json_object *reply = ask(f, agent_ctl_window_open, OPEN_G1 ",\"for\":\"5s\"}", 0), *rec;

	assert_null(cfx_error(reply));
	assert_int_equal(bff_int(reply, "window.id"), 1);
	assert_string_equal(bff_str(reply, "window.consent"), "g1");
	assert_string_equal(bff_str(reply, "window.subject"), "p-g1");
	assert_string_equal(bff_str(reply, "window.purpose"), "entry");
	assert_string_equal(bff_str(reply, "window.rule"), CFX_RULE);
	assert_string_equal(bff_str(reply, "window.start"), "2026-03-01T00:00:00.000000000Z");
	assert_string_equal(bff_str(reply, "window.end"), "2026-03-01T00:00:05.000000000Z");
	json_object_put(reply);
	rec = bff_find(f->b, "event", "window-open");
	assert_non_null(rec);
	assert_string_equal(bff_str(rec, "verdict"), "allow");
	assert_int_equal(bff_int(rec, "for_ms"), 5000);
	assert_int_equal(bff_int(rec, "by.uid"), 0);
	json_object_put(rec);
	/* "for" defaults to the rule's window */
	reply = ask(f, agent_ctl_window_open, OPEN_G1 "}", 0);
	assert_string_equal(bff_str(reply, "window.end"), "2026-03-01T00:00:10.000000000Z");
	json_object_put(reply);
}

static void test_window_open_refusals(void **state)
{
	struct cfx *f = *state;

	expect_refused(f, agent_ctl_window_open, OPEN_G1 ",\"for\":\"11s\"}", "window-too-long", "window-refuse");
	expect_refused(f, agent_ctl_window_open, OPEN_G1 ",\"for\":\"0s\"}", "bad-window", "window-refuse");
	expect_refused(f, agent_ctl_window_open,
		       "{\"cmd\":\"window-open\",\"consent\":\"g2\",\"app\":\"recognizer\",\"camera\":\"lobby\"}",
		       "grant-revoked", "window-refuse");
	expect_refused(f, agent_ctl_window_open,
		       "{\"cmd\":\"window-open\",\"consent\":\"g3\",\"app\":\"recognizer\",\"camera\":\"lobby\"}",
		       "grant-expired", "window-refuse");
	expect_refused(f, agent_ctl_window_open,
		       "{\"cmd\":\"window-open\",\"consent\":\"g4\",\"app\":\"recognizer\",\"camera\":\"lobby\"}",
		       "grant-not-yet", "window-refuse");
	expect_refused(f, agent_ctl_window_open,
		       "{\"cmd\":\"window-open\",\"consent\":\"g1\",\"app\":\"nobody\",\"camera\":\"lobby\"}",
		       "unknown-app", "window-refuse");
	expect_refused(f, agent_ctl_window_open,
		       "{\"cmd\":\"window-open\",\"consent\":\"g1\",\"app\":\"recognizer\",\"camera\":\"gate\"}",
		       "no-consent-rule", "window-refuse");
	assert_int_equal(f->ag->consent.n_win, 0);
	assert_int_equal(f->w.set_puts, 0);
}

static void test_window_open_needs_usable_ledger(void **state)
{
	struct cfx *f = *state;
	struct json_object *rec;

	cfx_write_ledger(f, "not json\n");
	agent_consent_refresh_ledger(f->ag, true, CFX_REAL);
	expect_refused(f, agent_ctl_window_open, OPEN_G1 "}", "ledger-invalid", "window-refuse");
	rec = bff_find(f->b, "event", "window-refuse");
	assert_string_equal(bff_str(rec, "request.consent"), "g1");
	json_object_put(rec);
}

static void test_window_close_and_list(void **state)
{
	struct cfx *f = *state;
	struct json_object *reply;

	json_object_put(ask(f, agent_ctl_window_open, OPEN_G1 "}", 0));
	json_object_put(ask(f, agent_ctl_window_open, OPEN_G1 "}", 0));
	reply = ask(f, agent_ctl_window_close, "{\"cmd\":\"window-close\",\"id\":1}", 3 * CFX_S);
	assert_null(cfx_error(reply));
	assert_string_equal(bff_str(reply, "window.ended"), "2026-03-01T00:00:03.000000000Z");
	assert_string_equal(bff_str(reply, "window.reason"), "window closed");
	json_object_put(reply);
	reply = ask(f, agent_ctl_window_list, "{\"cmd\":\"window-list\"}", 3 * CFX_S);
	assert_int_equal(json_object_array_length(json_object_object_get(reply, "windows")), 1);
	assert_int_equal(bff_int(json_object_array_get_idx(json_object_object_get(reply, "windows"), 0), "id"), 2);
	json_object_put(reply);
	expect_refused(f, agent_ctl_window_close, "{\"cmd\":\"window-close\",\"id\":1}", "no-window", "request-refuse");
	expect_refused(f, agent_ctl_window_close, "{\"cmd\":\"window-close\",\"id\":\"1\"}", "bad-request", "request-refuse");
}

#define GRANT_G9 "{\"cmd\":\"consent-grant\",\"grant\":{\"id\":\"g9\",\"subject\":\"p-9\",\"purpose\":\"entry\"," \
	"\"cameras\":[\"lobby\"],\"expires\":\"2027-01-01T00:00:00Z\",\"notice\":\"v3\"}}"

static void test_consent_grant(void **state)
{
	struct cfx *f = *state;
	struct json_object *reply = ask(f, agent_ctl_consent_grant, GRANT_G9, 0), *rec;

	assert_null(cfx_error(reply));
	assert_string_equal(bff_str(reply, "grant.id"), "g9");
	assert_string_equal(bff_str(reply, "grant.state"), "active");
	/* "granted" defaults to now */
	assert_string_equal(bff_str(reply, "grant.granted"), "2026-03-01T00:00:00.000000000Z");
	json_object_put(reply);
	assert_non_null(bf_ledger_find(&f->ag->consent.ledger, "g9"));
	rec = bff_find(f->b, "event", "grant");
	assert_non_null(rec);
	assert_string_equal(bff_str(rec, "consent.subject"), "p-9");
	json_object_put(rec);
	expect_refused(f, agent_ctl_consent_grant, GRANT_G9, "exists", "request-refuse");
	expect_refused(f, agent_ctl_consent_grant, "{\"cmd\":\"consent-grant\"}", "bad-request", "request-refuse");
	/* A NUL in a camera name is refused, not cut short to "lobby" (issue: hostile input, fault 6). */
	expect_refused(f, agent_ctl_consent_grant, "{\"cmd\":\"consent-grant\",\"grant\":{\"id\":\"g10\","
		       "\"subject\":\"p-10\",\"purpose\":\"entry\",\"cameras\":[\"lobby\\u0000x\"],"
		       "\"expires\":\"2027-01-01T00:00:00Z\",\"notice\":\"v3\"}}", "bad-request", "request-refuse");
	assert_null(bf_ledger_find(&f->ag->consent.ledger, "g10"));
	/* a generated id when none is given: c-YYYYMMDD-HHMMSS-XXXX at now */
	reply = ask(f, agent_ctl_consent_grant, "{\"cmd\":\"consent-grant\",\"grant\":{\"subject\":\"p-8\","
		    "\"purpose\":\"entry\",\"cameras\":[\"lobby\"],\"expires\":\"2027-01-01T00:00:00Z\",\"notice\":\"v3\"}}", 0);
	assert_null(cfx_error(reply));
	assert_memory_equal(bff_str(reply, "grant.id"), "c-20260301-000000-", 18);
	json_object_put(reply);
}

/* A revoke closes the grant's open windows before the reply, and both are logged. */
static void test_consent_revoke_closes_windows(void **state)
{
	struct cfx *f = *state;
	struct json_object *reply, *closed;
	struct bf_window_info *w;

	json_object_put(ask(f, agent_ctl_window_open, OPEN_G1 "}", 0));
	reply = ask(f, agent_ctl_consent_revoke, "{\"cmd\":\"consent-revoke\",\"id\":\"g1\"}", 2 * CFX_S);
	assert_null(cfx_error(reply));
	assert_string_equal(bff_str(reply, "revoked"), "g1");
	closed = json_object_object_get(reply, "closed_windows");
	assert_int_equal(json_object_array_length(closed), 1);
	assert_int_equal(json_object_get_int(json_object_array_get_idx(closed, 0)), 1);
	json_object_put(reply);
	w = agent_window_find(&f->ag->consent, 1, false);
	assert_int_equal(w->state, BF_WINDOW_ENDED);
	assert_int_equal(w->end_reason, BF_WEND_REVOKED);
	assert_false(f->w.set_present);
	assert_int_equal(bff_count_where(f->b, "event", "revoke"), 1);
	assert_int_equal(bff_count_where(f->b, "reason", "grant revoked"), 1);
	expect_refused(f, agent_ctl_consent_revoke, "{\"cmd\":\"consent-revoke\",\"id\":\"g1\"}",
		       "already-revoked", "request-refuse");
	expect_refused(f, agent_ctl_consent_revoke, "{\"cmd\":\"consent-revoke\",\"id\":\"nope\"}",
		       "no-grant", "request-refuse");
	/* a withdrawal is never postponed */
	expect_refused(f, agent_ctl_consent_revoke,
		       "{\"cmd\":\"consent-revoke\",\"id\":\"g4\",\"time\":\"2026-03-02T00:00:00Z\"}",
		       "bad-request", "request-refuse");
}

static void test_consent_list_and_show(void **state)
{
	struct cfx *f = *state;
	struct json_object *reply, *grants;
	static const char *const want[] = { "active", "revoked", "expired", "pending" };

	reply = ask(f, agent_ctl_consent_list, "{\"cmd\":\"consent-list\"}", 0);
	grants = json_object_object_get(reply, "grants");
	assert_int_equal(json_object_array_length(grants), 4);
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(bff_str(json_object_array_get_idx(grants, i), "state"), want[i]);
	json_object_put(reply);
	json_object_put(ask(f, agent_ctl_window_open, OPEN_G1 "}", 0));
	reply = ask(f, agent_ctl_consent_show, "{\"cmd\":\"consent-show\",\"id\":\"g1\"}", 0);
	assert_string_equal(bff_str(reply, "grant.subject"), "p-g1");
	assert_int_equal(json_object_array_length(json_object_object_get(
		json_object_object_get(reply, "grant"), "windows")), 1);
	json_object_put(reply);
	reply = ask(f, agent_ctl_consent_show, "{\"cmd\":\"consent-show\",\"id\":\"g2\"}", 0);
	assert_string_equal(bff_str(reply, "grant.revoked"), "2026-02-01T00:00:00.000000000Z");
	json_object_put(reply);
	expect_refused(f, agent_ctl_consent_show, "{\"cmd\":\"consent-show\",\"id\":\"g0\"}", "no-grant", "request-refuse");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_window_open, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_window_open_refusals, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_window_open_needs_usable_ledger, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_window_close_and_list, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_consent_grant, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_consent_revoke_closes_windows, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_consent_list_and_show, cfx_setup, cfx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
