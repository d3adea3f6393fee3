/* test_agent_policy.c - loading, installing, reloading and re-resolving the policy in force, and the records each leaves. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "bf_test.h"
#include "agent_fixture.h"
#include "agent_policy.h"

static int setup(void **state)
{
	struct bff *f = bff_new();
	char text[1024];

	bff_symlink(f, "/dev/null", "dev/video0");
	bff_write(f, "bin/recognizer", "#!/bin/sh\n");
	snprintf(text, sizeof(text),
		 "app recognizer exe \"%s/bin/recognizer\"\n"
		 "camera lobby path \"%s/dev/video0\"\n"
		 "capture allow recognizer lobby\n"
		 "capture deny any lobby\n", f->dir, f->dir);
	bff_write(f, "etc/biofence.policy", text);
	f->ag.opt.policy = strdup(bff_path(f, "etc/biofence.policy"));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct bff *f = *state;

	free((char *)f->ag.opt.policy);
	bff_free(f);
	return 0;
}

/* Load and install as agent_start does: the tables go to the slot not in force, with the next seq. */
static void start(struct bff *f)
{
	struct bf_diags d = { 0 };
	struct bf_loaded *ld = NULL;
	char err[256];

	assert_int_equal(agent_load_policy(&f->ag, &ld, &d), 0);
	bf_diags_free(&d);
	assert_int_equal(agent_install(&f->ag, ld, err, sizeof(err)), 0);
}

static void test_load_and_install(void **state)
{
	struct bff *f = *state;
	const struct bf_loaded *cur;

	f->kern.active = (struct bf_active){ .slot = 0, .policy_seq = 6 };
	start(f);
	cur = f->ag.policy.cur;
	assert_non_null(cur);
	assert_int_equal(cur->seq, 7);
	assert_int_equal(f->kern.active.slot, 1);
	assert_int_equal(f->kern.active.policy_seq, 7);
	assert_string_equal(cur->source, f->ag.opt.policy);
	assert_int_equal(strlen(cur->digest), 64);
	assert_int_equal(cur->res.cameras[0].n_keys, 1);        /* /dev/null, 1:3 */
	assert_true(f->ag.hotplug.rewatch);                     /* the main loop re-watches */
}

static void test_reload_applied(void **state)
{
	struct bff *f = *state;
	struct json_object *reply = json_object_new_object(), *rec;
	const struct bf_loaded *first;

	start(f);
	first = f->ag.policy.cur;
	bff_write(f, "etc/biofence.policy", "camera all class video\ncapture deny any all\n");
	assert_int_equal(agent_reload(&f->ag, "SIGHUP", reply), 0);
	assert_ptr_equal(f->ag.policy.prev, first);     /* kept to explain queued events */
	rec = bff_find(f, "event", "reload");
	assert_non_null(rec);
	assert_string_equal(bff_str(rec, "result"), "applied");
	assert_string_equal(bff_str(rec, "trigger"), "SIGHUP");
	assert_string_equal(bff_str(rec, "sha256"), f->ag.policy.cur->digest);
	assert_int_equal(bff_int(rec, "policy_seq"), 2);
	assert_string_equal(bff_str(reply, "sha256"), f->ag.policy.cur->digest);
	json_object_put(rec);
	json_object_put(reply);
}

/* A policy that does not parse changes nothing, and says why. */
static void test_reload_refused_keeps_policy(void **state)
{
	struct bff *f = *state;
	struct json_object *rec, *diags;
	const struct bf_loaded *first;

	start(f);
	first = f->ag.policy.cur;
	bff_write(f, "etc/biofence.policy", "capture allow nobody nothing\n");
	assert_int_not_equal(agent_reload(&f->ag, "control", NULL), 0);
	assert_ptr_equal(f->ag.policy.cur, first);
	assert_int_equal(f->kern.installs, 1);
	rec = bff_find(f, "event", "reload");
	assert_string_equal(bff_str(rec, "result"), "refused");
	assert_string_equal(bff_str(rec, "kept_sha256"), first->digest);
	assert_true(json_object_object_get_ex(rec, "diagnostics", &diags));
	assert_true(json_object_array_length(diags) > 0);
	json_object_put(rec);
}

/* 10,000 bad lines: the record shows the first 20 and the total, not a 700 KB list. */
static void test_reload_refused_record_capped(void **state)
{
	struct bff *f = *state;
	struct json_object *rec, *diags;
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	start(f);
	assert_non_null(m);
	for (int i = 0; i < 10000; i++)
		fprintf(m, "xyzzy %d\n", i);
	assert_int_equal(fclose(m), 0);
	bff_write(f, "etc/biofence.policy", text);
	free(text);
	assert_int_not_equal(agent_reload(&f->ag, "control", NULL), 0);
	rec = bff_find(f, "event", "reload");
	assert_string_equal(bff_str(rec, "result"), "refused");
	assert_true(json_object_object_get_ex(rec, "diagnostics", &diags));
	assert_int_equal(json_object_array_length(diags), 20);
	assert_int_equal(bff_int(rec, "diagnostics_total"), 10000);
	assert_true(strlen(json_object_to_json_string(rec)) < 8192);
	json_object_put(rec);
}

static void test_reload_refused_by_kernel(void **state)
{
	struct bff *f = *state;
	struct json_object *rec;

	start(f);
	f->kern.install_err = -EIO;
	assert_int_equal(agent_reload(&f->ag, "control", NULL), -EIO);
	rec = bff_find(f, "event", "reload");
	assert_string_equal(bff_str(rec, "result"), "refused");
	assert_non_null(strstr(bff_str(rec, "error"), "writing the tables"));
	json_object_put(rec);
}

/* The camera's node went away: a re-resolve installs tables without it and says so. */
static void test_reresolve_camera_gone(void **state)
{
	struct bff *f = *state;
	struct json_object *rec, *devs;

	start(f);
	unlink(bff_path(f, "dev/video0"));
	agent_reresolve(&f->ag, "uevent remove /dev/video0");
	assert_int_equal(f->kern.installs, 2);
	assert_int_equal(f->ag.policy.cur->res.cameras[0].n_keys, 0);
	assert_true(f->ag.policy.cur->owns_policy);     /* the newest table set owns the shared policy */
	assert_false(f->ag.policy.prev->owns_policy);
	rec = bff_find(f, "camera", "lobby");
	assert_non_null(rec);
	assert_string_equal(bff_str(rec, "event"), "resolve");
	assert_false(bff_bool(rec, "can_match"));
	assert_string_equal(bff_str(rec, "trigger"), "uevent remove /dev/video0");
	assert_true(json_object_object_get_ex(rec, "previous", &devs));
	assert_string_equal(json_object_get_string(json_object_array_get_idx(devs, 0)), "1:3");
	json_object_put(rec);
}

/* Nothing moved: no install, no record. */
static void test_reresolve_nothing_changed(void **state)
{
	struct bff *f = *state;
	size_t before;

	start(f);
	before = bff_count(f);
	agent_reresolve(&f->ag, "periodic");
	assert_int_equal(f->kern.installs, 1);
	assert_int_equal(bff_count(f), before);
}

/* The app's exe was replaced (an upgrade): a new inode is what the tables must name. */
static void test_reresolve_app_upgraded(void **state)
{
	struct bff *f = *state;
	struct json_object *rec;

	start(f);
	/* Written beside and renamed over, as package managers do: a new inode, never the old one's. */
	bff_write(f, "bin/recognizer.new", "#!/bin/sh\n# v2\n");
	assert_int_equal(rename(bff_path(f, "bin/recognizer.new"), bff_path(f, "bin/recognizer")), 0);
	agent_reresolve(&f->ag, "periodic");
	rec = bff_find(f, "app", "recognizer");
	assert_non_null(rec);
	assert_true(bff_bool(rec, "can_match"));
	assert_non_null(bff_str(rec, "exe_inode"));
	assert_string_equal(bff_str(rec, "trigger"), "periodic");
	json_object_put(rec);
}

static void test_unresolved_lists_what_cannot_match(void **state)
{
	struct bff *f = *state;
	struct json_object *arr;

	unlink(bff_path(f, "dev/video0"));
	start(f);
	arr = agent_unresolved(f->ag.policy.cur);
	assert_int_equal(json_object_array_length(arr), 1);
	assert_non_null(strstr(json_object_get_string(json_object_array_get_idx(arr, 0)), "camera lobby"));
	json_object_put(arr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_and_install, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_applied, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_refused_keeps_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_refused_record_capped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_refused_by_kernel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reresolve_camera_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reresolve_nothing_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reresolve_app_upgraded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unresolved_lists_what_cannot_match, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
