/* test_agent_ledger.c - unit tests for agent_ledger.c: the ledger reread on change, windows ended by revokes, expiry and a broken ledger, windows adopted at start. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "bf_test.h"
#include "agent_ledger.h"
#include "consent_fixture.h"

#define REVOKE_G1 "{\"type\":\"revoke\",\"id\":\"g1\",\"time\":\"2026-03-01T00:00:01Z\"}\n"

/* cfx_ledger and then LINE. */
static void append_ledger(struct cfx *f, const char *line)
{
	char text[4096];

	snprintf(text, sizeof(text), "%s%s", cfx_ledger, line);
	cfx_write_ledger(f, text);
}

/* The window's end in the log: event window-close, with REASON. */
static void expect_closed(struct cfx *f, const char *reason)
{
	struct json_object *rec = bff_find(f->b, "event", "window-close");

	assert_non_null(rec);
	assert_string_equal(bff_str(rec, "reason"), reason);
	assert_string_equal(bff_str(rec, "consent.id"), "g1");
	json_object_put(rec);
}

static void test_start_reads_ledger(void **state)
{
	struct cfx *f = *state;
	struct json_object *st = agent_consent_status(&f->ag->consent, f->ledger, 2000);

	assert_int_equal(f->ag->consent.ledger_err, 0);
	assert_int_equal(f->ag->consent.ledger.n_grants, 4);
	/* a usable ledger at start is no news: only changes of state are logged */
	assert_int_equal(bff_count_where(f->b, "event", "ledger-ok"), 0);
	assert_int_equal(bff_count_where(f->b, "event", "ledger-invalid"), 0);
	assert_string_equal(bff_str(st, "ledger"), f->ledger);
	assert_string_equal(bff_str(st, "ledger_state"), "ok");
	assert_int_equal(bff_int(st, "grants"), 4);
	assert_int_equal(bff_int(st, "windows_open"), 0);
	assert_int_equal(bff_int(st, "grace_ms"), 2000);
	json_object_put(st);
}

static void test_no_ledger_means_no_grants(void **state)
{
	struct cfx *f = cfx_new(cfx_policy, NULL);
	struct json_object *st = agent_consent_status(&f->ag->consent, f->ledger, 0);

	assert_int_equal(f->ag->consent.ledger_err, -ENOENT);
	assert_int_equal(bff_count_where(f->b, "event", "ledger-missing"), 1);
	assert_string_equal(bff_str(st, "ledger_state"), "missing (no grants yet)");
	json_object_put(st);
	cfx_free(f);
}

/* A revoke written to the ledger ends the grant's window at the next look, with its reason. */
static void test_revoke_ends_window(void **state)
{
	struct cfx *f = *state;
	struct bf_window_info *w = cfx_open(f, 10000, cfx_now(0));

	append_ledger(f, REVOKE_G1);
	agent_consent_refresh_ledger(f->ag, false, CFX_REAL + 2 * CFX_S);
	assert_int_equal(w->state, BF_WINDOW_ENDED);
	assert_int_equal(w->end_reason, BF_WEND_REVOKED);
	assert_int_equal(w->ended_ns, CFX_REAL + 2 * CFX_S);
	assert_false(f->w.set_present);
	expect_closed(f, "grant revoked");
}

/* The tick looks at the ledger at most once a second of boot time. */
static void test_tick_rereads_once_a_second(void **state)
{
	struct cfx *f = *state;
	struct bf_window_info *w = cfx_open(f, 10000, cfx_now(0));

	agent_ledger_tick(f->ag, cfx_now(0));
	append_ledger(f, REVOKE_G1);
	agent_ledger_tick(f->ag, cfx_now(CFX_S - 1));
	assert_int_equal(w->state, BF_WINDOW_OPEN);
	agent_ledger_tick(f->ag, cfx_now(CFX_S));
	assert_int_equal(w->state, BF_WINDOW_ENDED);
	assert_int_equal(w->end_reason, BF_WEND_REVOKED);
}

/* A grant that runs out while its window is open ends the window. */
static void test_grant_expiry_ends_window(void **state)
{
	struct cfx *f = *state;
	struct bf_window_info *w = cfx_open(f, 10000, cfx_now(0));

	agent_consent_refresh_ledger(f->ag, false, CFX_REAL + 1);
	assert_int_equal(w->state, BF_WINDOW_OPEN);
	/* g1 expires 2026-07-01T00:00:00Z */
	agent_consent_refresh_ledger(f->ag, false, 1782864000LL * CFX_S);
	assert_int_equal(w->end_reason, BF_WEND_GRANT_ENDED);
	expect_closed(f, "grant expired or no longer in the ledger");
}

/* A malformed ledger is logged with its diagnostics and no window stands on it. */
static void test_invalid_ledger_ends_windows(void **state)
{
	struct cfx *f = *state;
	struct bf_window_info *w = cfx_open(f, 10000, cfx_now(0));
	struct json_object *rec, *st;

	append_ledger(f, "{\"type\":\"grant\"\n");
	agent_consent_refresh_ledger(f->ag, false, CFX_REAL + CFX_S);
	assert_true(f->ag->consent.ledger_err != 0 && f->ag->consent.ledger_err != -ENOENT);
	assert_int_equal(w->end_reason, BF_WEND_LEDGER);
	expect_closed(f, "the consent ledger is unusable");
	rec = bff_find(f->b, "event", "ledger-invalid");
	assert_non_null(rec);
	assert_non_null(strstr(json_object_to_json_string(rec), "consent.jsonl:6"));
	json_object_put(rec);
	st = agent_consent_status(&f->ag->consent, f->ledger, 0);
	assert_string_equal(bff_str(st, "ledger_state"), "UNUSABLE");
	assert_non_null(bff_str(st, "ledger_error"));
	json_object_put(st);
	/* repaired: said once, and usable again */
	cfx_write_ledger(f, cfx_ledger);
	agent_consent_refresh_ledger(f->ag, false, CFX_REAL + 2 * CFX_S);
	assert_int_equal(f->ag->consent.ledger_err, 0);
	assert_int_equal(bff_count_where(f->b, "event", "ledger-ok"), 1);
}

/*
 * A last line cut short by a power cut (no newline) is no record: the
 * ledger stays usable, the windows on it stand, and the cut is logged once.
 */
static void test_torn_last_line_logged(void **state)
{
	struct cfx *f = *state;
	struct bf_window_info *w = cfx_open(f, 10000, cfx_now(0));
	struct json_object *rec;
	size_t grants = f->ag->consent.ledger.n_grants;

	append_ledger(f, "{\"type\":\"revoke\",\"id\":\"g1\",\"ti");
	agent_consent_refresh_ledger(f->ag, false, CFX_REAL + CFX_S);
	assert_int_equal(f->ag->consent.ledger_err, 0);
	assert_int_equal(f->ag->consent.ledger.n_grants, grants);
	assert_int_equal(w->state, BF_WINDOW_OPEN);
	rec = bff_find(f->b, "event", "ledger-torn");
	assert_non_null(rec);
	assert_int_equal(bff_int(rec, "line"), 6);
	assert_int_equal(bff_int(rec, "bytes"), 30);	/* {"type":"revoke","id":"g1","ti */
	json_object_put(rec);
	/* looked at again unchanged: not logged again */
	agent_consent_refresh_ledger(f->ag, false, CFX_REAL + 2 * CFX_S);
	assert_int_equal(bff_count_where(f->b, "event", "ledger-torn"), 1);
}

/* Whoever can write the ledger can forge consent: a group-writable one is refused. */
static void test_writable_ledger_refused(void **state)
{
	struct cfx *f = *state;

	assert_int_equal(chmod(f->ledger, 0620), 0);
	agent_consent_refresh_ledger(f->ag, true, CFX_REAL);
	assert_int_equal(f->ag->consent.ledger_err, -EPERM);
	assert_non_null(strstr(f->ag->consent.ledger_why, "group- or world-writable"));
}

/* Windows the previous agent left in the pinned map are adopted, and said so. */
static void test_start_adopts_windows(void **state)
{
	struct cfx *f = cfx_new(cfx_policy, cfx_ledger);
	struct bf_window_info adopted = { .id = 9, .state = BF_WINDOW_OPEN, .consent = "g1",
					  .app = "recognizer", .camera = "lobby", .purpose = "entry" };
	struct json_object *rec;

	/* a restart: the agent stops, its windows stay in the kernel, the next one starts */
	agent_consent_stop(f->ag);
	f->w.adopt[0] = adopted;
	f->w.n_adopt = 1;
	assert_int_equal(agent_consent_start(f->ag), 0);
	assert_int_equal(f->ag->consent.n_win, 1);
	assert_non_null(agent_window_find(&f->ag->consent, 9, true));
	rec = bff_find(f->b, "event", "window-adopt");
	assert_non_null(rec);
	assert_string_equal(bff_str(rec, "state"), "open");
	assert_int_equal(bff_int(rec, "consent.window.id"), 9);
	json_object_put(rec);
	cfx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_start_reads_ledger, cfx_setup, cfx_teardown),
		cmocka_unit_test(test_no_ledger_means_no_grants),
		cmocka_unit_test_setup_teardown(test_revoke_ends_window, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_tick_rereads_once_a_second, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_grant_expiry_ends_window, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_invalid_ledger_ends_windows, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_torn_last_line_logged, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_writable_ledger_refused, cfx_setup, cfx_teardown),
		cmocka_unit_test(test_start_adopts_windows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
