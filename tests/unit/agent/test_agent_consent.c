/* test_agent_consent.c - unit tests for agent_consent.c: capture windows open and end at the right times, holders past their window, consent in capture records. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bf_test.h"
#include "consent_fixture.h"

#define MS 1000000LL

/* A window opened at now: its times, its kernel entry and record, in boot time for the kernel. */
static void test_open_times_and_kernel_entry(void **state)
{
	struct cfx *f = *state;
	struct bf_window_info *w = cfx_open(f, 10000, cfx_now(0));
	struct json_object *o;
	int app = bf_policy_app(f->ag->policy.cur->policy, "recognizer");
	int cam = bf_policy_camera(f->ag->policy.cur->policy, "lobby");

	assert_int_equal(w->id, 1);
	assert_int_equal(w->state, BF_WINDOW_OPEN);
	assert_int_equal(w->start_ns, CFX_REAL);
	assert_int_equal(w->end_ns, CFX_REAL + 10 * CFX_S);
	assert_int_equal(w->end_boot_ns, CFX_BOOT + 10 * CFX_S);
	/* the kernel entry of recognizer lets it open lobby until the end, in boot time */
	assert_true(f->w.set_present);
	assert_int_equal(f->w.set_app, app);
	assert_int_equal(f->w.set.cam[cam].end_ns, CFX_BOOT + 10 * CFX_S);
	assert_int_equal(f->w.set.cam[cam].window_id, 1);
	assert_int_equal(f->w.info_puts, 1);
	o = agent_window_json(&f->ag->consent, w);
	assert_string_equal(bff_str(o, "start"), "2026-03-01T00:00:00.000000000Z");
	assert_string_equal(bff_str(o, "end"), "2026-03-01T00:00:10.000000000Z");
	assert_string_equal(bff_str(o, "subject"), "p-g1");
	assert_string_equal(bff_str(o, "notice"), "v3");
	assert_null(bff_str(o, "reason"));
	json_object_put(o);
	assert_ptr_equal(agent_window_find(&f->ag->consent, 1, true), w);
	assert_null(agent_window_find(&f->ag->consent, 2, false));
}

/* The tick ends a window exactly at its end in boot time, not a nanosecond before. */
static void test_expires_at_end(void **state)
{
	struct cfx *f = *state;
	struct bf_window_info *w = cfx_open(f, 10000, cfx_now(0));
	struct json_object *rec;

	agent_consent_tick(f->ag, cfx_now(10 * CFX_S - 1));
	assert_int_equal(w->state, BF_WINDOW_OPEN);
	assert_int_equal(bff_count_where(f->b, "event", "window-expire"), 0);
	/* wall time moved further than boot time (an NTP step): boot time decides */
	agent_consent_tick(f->ag, (struct agent_now){ .real_ns = CFX_REAL + 60 * CFX_S,
						      .boot_ns = CFX_BOOT + 10 * CFX_S });
	assert_int_equal(w->state, BF_WINDOW_ENDED);
	assert_int_equal(w->end_reason, BF_WEND_EXPIRED);
	/* an expiry ended at its end, however late the agent noticed */
	assert_int_equal(w->ended_ns, CFX_REAL + 10 * CFX_S);
	assert_false(f->w.set_present);	/* the app's kernel entry is gone */
	rec = bff_find(f->b, "event", "window-expire");
	assert_non_null(rec);
	assert_string_equal(bff_str(rec, "reason"), "window expired");
	assert_string_equal(bff_str(rec, "consent.id"), "g1");
	assert_string_equal(bff_str(rec, "consent.window.ended"), "2026-03-01T00:00:10.000000000Z");
	assert_string_equal(bff_str(rec, "rule"), CFX_RULE);
	json_object_put(rec);
}

/* A capture event as the kernel sends it: recognizer opening lobby (81:0) under rule 0. */
static struct bf_event capture(uint32_t flags, uint32_t window)
{
	return (struct bf_event){ .kind = BF_KIND_CAPTURE, .flags = flags, .tgid = 777, .pid = 777,
				  .major = 81, .minor = 0, .rule = 0, .window = window,
				  .objs = 1ull << 0 };
}

/* Runs agent_consent_on_capture on E and returns the record's "consent" member (caller puts REC). */
static struct json_object *on_capture(struct cfx *f, const struct bf_event *e, struct json_object **rec)
{
	struct json_object *c;

	*rec = json_object_new_object();
	agent_consent_on_capture(f->ag, f->ag->policy.cur, e, *rec);
	assert_true(json_object_object_get_ex(*rec, "consent", &c));
	return c;
}

static void test_capture_without_window_flagged(void **state)
{
	struct cfx *f = *state;
	struct bf_event e = capture(BF_EF_CONSENT | BF_EF_NO_WINDOW | BF_EF_DENY_RULE, 0);
	struct json_object *rec, *c = on_capture(f, &e, &rec);

	assert_string_equal(bff_str(c, "purpose"), "entry");
	assert_string_equal(bff_str(c, "reason"), "no window");
	assert_string_equal(bff_str(rec, "reason"), "no window");
	json_object_put(rec);
}

static void test_capture_in_window_names_consent(void **state)
{
	struct cfx *f = *state;
	struct bf_window_info *w = cfx_open(f, 10000, cfx_now(0));
	struct bf_event e = capture(BF_EF_CONSENT | BF_EF_ALLOW, w->id);
	struct json_object *rec, *c = on_capture(f, &e, &rec);

	assert_string_equal(bff_str(c, "id"), "g1");
	assert_string_equal(bff_str(c, "subject"), "p-g1");
	assert_int_equal(bff_int(c, "window.id"), w->id);
	assert_null(bff_str(rec, "reason"));
	/* the opener is followed, to be checked once the window is over */
	assert_int_equal(w->n_holders, 1);
	assert_int_equal(w->holders[0].tgid, 777);
	json_object_put(rec);
}

static void test_capture_after_expiry_says_expired(void **state)
{
	struct cfx *f = *state;
	struct bf_window_info *w = cfx_open(f, 10000, cfx_now(0));
	uint32_t id = w->id;
	struct bf_event e = capture(BF_EF_CONSENT | BF_EF_NO_WINDOW | BF_EF_WIN_EXPIRED, id);
	struct json_object *rec, *c;

	agent_consent_tick(f->ag, cfx_now(10 * CFX_S));
	c = on_capture(f, &e, &rec);
	assert_string_equal(bff_str(c, "reason"), "window expired");
	assert_int_equal(bff_int(c, "last_window.window.id"), id);
	json_object_put(rec);
}

/* Past its window and the grace, a process still holding the camera is terminated and logged. */
static void test_holder_terminated_after_grace(void **state)
{
	struct cfx *f = *state;
	struct bf_window_info *w = cfx_open(f, 10000, cfx_now(0));
	struct bf_event e = capture(BF_EF_CONSENT | BF_EF_ALLOW, w->id);
	struct json_object *rec, *c = on_capture(f, &e, &rec);
	uint32_t id = w->id;

	json_object_put(rec);
	(void)c;
	f->w.holder_pid = 777;
	agent_consent_tick(f->ag, cfx_now(10 * CFX_S));
	agent_consent_tick(f->ag, cfx_now(12 * CFX_S - 1));	/* grace is 2s */
	assert_int_equal(f->w.kills, 0);
	agent_consent_tick(f->ag, cfx_now(12 * CFX_S));
	assert_int_equal(f->w.kills, 1);
	assert_int_equal(f->w.killed, 777);
	rec = bff_find(f->b, "event", "holder-terminate");
	assert_non_null(rec);
	assert_int_equal(bff_int(rec, "pid"), 777);
	assert_string_equal(bff_str(rec, "device"), "81:0");
	assert_true(bff_bool(rec, "enforced"));
	assert_int_equal(bff_int(rec, "consent.window.id"), id);
	json_object_put(rec);
	/* retired: out of the pinned map and the live list */
	assert_int_equal(f->w.last_del, id);
	assert_int_equal(f->ag->consent.n_win, 0);
}

/* A window the kernel could not take is not left half-open. */
static void test_open_fails_cleanly(void **state)
{
	struct cfx *f = *state;
	struct bf_window_info proto = { .consent = "g1", .app = "recognizer", .camera = "lobby",
					.purpose = "entry" }, *w = NULL;

	f->w.set_err = -ENOSPC;
	assert_int_equal(agent_window_open(f->ag, &proto, 1000, cfx_now(0), &w), -ENOSPC);
	assert_null(w);
	assert_int_equal(f->ag->consent.n_win, 0);
	assert_int_equal(f->w.info_dels, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_times_and_kernel_entry, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_expires_at_end, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_capture_without_window_flagged, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_capture_in_window_names_consent, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_capture_after_expiry_says_expired, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_holder_terminated_after_grace, cfx_setup, cfx_teardown),
		cmocka_unit_test_setup_teardown(test_open_fails_cleanly, cfx_setup, cfx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
