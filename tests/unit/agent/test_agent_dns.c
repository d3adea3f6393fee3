/* test_agent_dns.c - policy host names: cached answers between loads, "dns" records when addresses move, the status. */
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
#include "agent_dns.h"

static const char *policy_text =
	"camera c class video\n"
	"dest door host \"door.gate.lan\" tcp 8443\n"
	"dest fixed 10.0.0.1\n"
	"export allow any door\n";

/* A policy whose host names have been looked up in DNS (NULL: no resolver thread, so no answer). */
static struct bf_loaded *resolved(struct bff *f)
{
	struct bf_loaded *ld = bff_compile(f, policy_text, 1);

	agent_resolve_hosts_cached(NULL, ld);
	assert_non_null(ld->res.dests);
	return ld;
}

static void set_addrs(struct bf_dest_res *d, const char *const *v4, size_t n)
{
	free(d->addrs);
	d->addrs = calloc(n, sizeof(*d->addrs));
	d->n_addrs = n;
	d->why[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		unsigned a, b, c, e;

		sscanf(v4[i], "%u.%u.%u.%u", &a, &b, &c, &e);
		d->addrs[i] = (struct bf_cidr){ .addr = { [10] = 0xff, [11] = 0xff, (uint8_t)a, (uint8_t)b,
							  (uint8_t)c, (uint8_t)e }, .prefix = 128, .v4 = true };
	}
}

/* With no answer yet the name is said to be unresolved, and nothing is made up for it. */
static void test_no_answer_is_unresolved(void **state)
{
	struct bff *f = *state;
	struct bf_loaded *ld = resolved(f);

	assert_int_equal(ld->res.dests[0].n_addrs, 0);
	assert_true(ld->res.dests[0].why[0] != '\0');
	bf_loaded_free(ld);
}

/* The addresses behind a name moved: one record naming both lists; fixed dests say nothing. */
static void test_change_logged(void **state)
{
	struct bff *f = *state;
	struct bf_loaded *old = resolved(f), *now = resolved(f);
	static const char *const before[] = { "192.0.2.10" }, *const after[] = { "192.0.2.10", "192.0.2.11" };
	struct json_object *rec, *a;

	set_addrs(&old->res.dests[0], before, 1);
	set_addrs(&now->res.dests[0], after, 2);
	agent_log_dns_change(&f->ag.log, old, now);
	assert_int_equal(bff_count_where(f, "event", "dns"), 1);
	rec = bff_find(f, "event", "dns");
	assert_string_equal(bff_str(rec, "dest_set"), "door");
	assert_true(json_object_object_get_ex(rec, "addresses", &a));
	assert_int_equal(json_object_array_length(a), 2);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(a, 1)), "192.0.2.11");
	assert_true(json_object_object_get_ex(rec, "previous", &a));
	assert_int_equal(json_object_array_length(a), 1);
	assert_null(bff_str(rec, "why"));
	json_object_put(rec);
	/* The same answers again: no record. */
	agent_log_dns_change(&f->ag.log, now, now);
	assert_int_equal(bff_count_where(f, "event", "dns"), 1);
	bf_loaded_free(old);
	bf_loaded_free(now);
}

static void test_status(void **state)
{
	struct bff *f = *state;
	static const char *const addrs[] = { "192.0.2.10" };
	struct json_object *st, *door, *a;

	bff_use_policy(f, policy_text);
	set_addrs(&f->ag.policy.cur->res.dests[0], addrs, 1);
	st = agent_dns_status(&f->ag);
	assert_false(json_object_object_get_ex(st, "fixed", NULL));    /* no host names */
	assert_true(json_object_object_get_ex(st, "door", &door));
	assert_true(json_object_object_get_ex(door, "addresses", &a));
	assert_string_equal(json_object_get_string(json_object_array_get_idx(a, 0)), "192.0.2.10");
	json_object_put(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_answer_is_unresolved, bff_setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_change_logged, bff_setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_status, bff_setup, bff_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
