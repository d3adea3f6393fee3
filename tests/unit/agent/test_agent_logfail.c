/* test_agent_logfail.c - an audit log that cannot be written: the kernel is told, losses are counted and reported once it works again. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "bf_test.h"
#include "agent_fixture.h"
#include "agent_logfail.h"
#include "agent_sink.h"

#define SEC 1000000000ull

static struct rlimit saved;

static int setup(void **state)
{
	struct bff *f = bff_new();

	bff_use_policy(f, "camera c class video\ncapture deny any c\n");
	agent_emit(&f->ag, agent_log_begin(&f->ag.log, "before"));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	setrlimit(RLIMIT_FSIZE, &saved);
	bff_free(*state);
	return 0;
}

/* The disk is "full": no file of this process may grow past its size now (EFBIG, not SIGXFSZ). */
static void fill_disk(struct bff *f)
{
	struct stat st;
	struct rlimit lim;

	assert_int_equal(stat(f->log_path, &st), 0);
	getrlimit(RLIMIT_FSIZE, &saved);
	lim = (struct rlimit){ .rlim_cur = (rlim_t)st.st_size, .rlim_max = saved.rlim_max };
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
}

static void free_disk(void)
{
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
}

static void test_healthy_log_is_ok(void **state)
{
	struct bff *f = *state;
	struct json_object *st;

	agent_check_log(&f->ag, 5 * SEC);
	assert_false(f->ag.log.failed);
	assert_int_equal(f->kern.log_failed_calls, 0);
	st = agent_log_state(&f->ag);
	assert_string_equal(json_object_get_string(st), "ok");
	json_object_put(st);
}

/* A failed write: counted, the kernel told at once, the status says what is refused. */
static void test_failure_counted_and_reported(void **state)
{
	struct bff *f = *state;
	struct json_object *st;

	fill_disk(f);
	agent_emit(&f->ag, agent_log_begin(&f->ag.log, "lost-1"));
	agent_emit(&f->ag, agent_log_begin(&f->ag.log, "lost-2"));
	assert_int_equal(f->ag.log.errors, 2);
	agent_check_log(&f->ag, 5 * SEC);
	assert_true(f->ag.log.failed);
	assert_true(f->kern.log_failed);
	st = agent_log_state(&f->ag);
	assert_non_null(strstr(json_object_get_string(st), "FAILING since"));
	assert_non_null(strstr(json_object_get_string(st), "2 records lost"));
	assert_non_null(strstr(json_object_get_string(st), "camera opens are refused"));
	json_object_put(st);
	free_disk();
}

/* Once it can be written: one record closes the gap, counting the records lost and the captures refused. */
static void test_recovery_record(void **state)
{
	struct bff *f = *state;
	struct json_object *rec;

	f->kern.stats[BF_STAT_LOGFAIL_DENY] = 10;
	fill_disk(f);
	agent_emit(&f->ag, agent_log_begin(&f->ag.log, "lost-1"));
	agent_check_log(&f->ag, 5 * SEC);       /* failing: started, a retry fails too */
	f->kern.stats[BF_STAT_LOGFAIL_DENY] = 13;
	free_disk();
	agent_check_log(&f->ag, 5 * SEC + SEC / 2);     /* retried once a second, no more */
	assert_true(f->ag.log.failed);
	assert_null(bff_find(f, "event", "log-failure"));
	agent_check_log(&f->ag, 6 * SEC + SEC / 2);
	assert_false(f->ag.log.failed);
	assert_false(f->kern.log_failed);
	rec = bff_find(f, "event", "log-failure");
	assert_non_null(rec);
	assert_int_equal(bff_int(rec, "records_lost"), 1);
	assert_int_equal(bff_int(rec, "captures_refused"), 3);
	assert_string_equal(bff_str(rec, "policy"), "deny-capture");
	assert_string_equal(bff_str(rec, "error"), "File too large");
	json_object_put(rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_healthy_log_is_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_counted_and_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recovery_record, setup, teardown),
	};

	getrlimit(RLIMIT_FSIZE, &saved);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
