/* test_agent_unpriv.c - the agent's parser and resolver processes, for real: confined, answering, and outliving every worker that crashes, hangs or breaks its filter. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "bf_test.h"
#include "agent_fixture.h"
#include "agent_unpriv.h"

#define FAULT_FILE "/tmp/bf-unpriv-fault"

static int setup(void **state)
{
	struct bff *f = bff_new();

	unlink(FAULT_FILE);
	assert_int_equal(agent_unpriv_start(&f->ag), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct bff *f = *state;

	agent_unpriv_stop(&f->ag);
	assert_int_equal(f->ag.privsep.parser.pid, 0);
	bff_free(f);
	return 0;
}

/* A field of /proc/PID/status, as text. */
static void proc_field(pid_t pid, const char *key, char *out, size_t len)
{
	char path[64], line[256];
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fp = fopen(path, "r");
	assert_non_null(fp);
	out[0] = 0;
	while (fgets(line, sizeof(line), fp))
		if (strncmp(line, key, strlen(key)) == 0 && line[strlen(key)] == ':') {
			snprintf(out, len, "%s", line + strlen(key) + 1 + strspn(line + strlen(key) + 1, " \t"));
			out[strcspn(out, "\n")] = 0;
		}
	fclose(fp);
}

static char *describe(const struct bf_policy *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	bf_policy_describe(p, fp);
	fclose(fp);
	return buf;
}

/*
 * The helpers run with no capability, no_new_privs and a filter of their
 * own; / is read-only for them; the two that read nothing of root's are
 * nobody.
 */
static void test_confined(void **state)
{
	struct bff *f = *state;
	struct bf_unpriv *u[] = { &f->ag.privsep.parser, &f->ag.privsep.resolver, &f->ag.privsep.requests };
	char v[128], path[64], line[512];

	for (size_t i = 0; i < 3; i++) {
		FILE *fp;
		bool ro = false;

		assert_true(u[i]->pid > 0);
		assert_true(u[i]->confined);
		proc_field(u[i]->pid, "CapEff", v, sizeof(v));
		assert_string_equal(v, "0000000000000000");
		proc_field(u[i]->pid, "CapPrm", v, sizeof(v));
		assert_string_equal(v, "0000000000000000");
		proc_field(u[i]->pid, "CapBnd", v, sizeof(v));
		assert_string_equal(v, "0000000000000000");
		proc_field(u[i]->pid, "NoNewPrivs", v, sizeof(v));
		assert_string_equal(v, "1");
		proc_field(u[i]->pid, "Seccomp", v, sizeof(v));
		assert_string_equal(v, "2");
		proc_field(u[i]->pid, "Uid", v, sizeof(v));
		assert_string_equal(v, i == 0 ? "0\t0\t0\t0" : "65534\t65534\t65534\t65534");
		proc_field(u[i]->pid, "Groups", v, sizeof(v));
		if (i)
			assert_string_equal(v, "");
		/* Its root mount, as it sees it: read-only (in a namespace of its own: ours is untouched). */
		snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)u[i]->pid);
		fp = fopen(path, "r");
		assert_non_null(fp);
		while (fgets(line, sizeof(line), fp)) {
			char mnt[256], opts[128];

			if (sscanf(line, "%*s %*s %*s %*s %255s %127s", mnt, opts) == 2 && strcmp(mnt, "/") == 0)
				ro = strncmp(opts, "ro", 2) == 0 && (opts[2] == ',' || !opts[2]);
		}
		fclose(fp);
		assert_true(ro);
	}
	assert_int_not_equal(access("/tmp", W_OK), -1);
}

/* A policy file read by the parser process comes back the same as read here, diagnostics too. */
static void test_parse(void **state)
{
	struct bff *f = *state;
	struct bf_diags d1 = { 0 }, d2 = { 0 };
	struct bf_policy *p1 = NULL, *p2 = NULL;
	const char *path = bff_path(f, "p/gate.policy");
	char *a, *b;

	bff_write(f, "p/gate.policy", "camera lobby class video\n"
		  "app rec exe \"/bin/true\"\n"
		  "dest ctl 10.0.0.5 tcp 443\n"
		  "capture allow rec lobby\n"
		  "export allow rec ctl\n");
	chmod(path, 0644);
	assert_int_equal(agent_unpriv_parse(&f->ag.privsep.parser, path, 0, &p1, &d1), 0);
	assert_int_equal(bf_policy_parse(path, 0, &p2, &d2), 0);
	a = describe(p1);
	b = describe(p2);
	assert_string_equal(a, b);
	free(a);
	free(b);
	bf_policy_free(p1);
	bf_policy_free(p2);
	bf_diags_free(&d1);
	bf_diags_free(&d2);

	bff_write(f, "p/bad.policy", "camera\ncapture allow nobody lobby\n");
	assert_int_equal(agent_unpriv_parse(&f->ag.privsep.parser, bff_path(f, "p/bad.policy"), 0, &p1, &d1),
			 -EINVAL);
	assert_null(p1);
	assert_true(d1.n >= 2);
	assert_non_null(strstr(d1.msgs[0], "bad.policy:1:"));
	bf_diags_free(&d1);

	/* A path relative to the agent's cwd, as `make run` gives one (realpath asks for the cwd). */
	assert_int_equal(agent_unpriv_parse(&f->ag.privsep.parser, "policies/default.policy", 0, &p1, &d1), 0);
	bf_policy_free(p1);
	bf_diags_free(&d1);

	/* The embedded default policy (no file at all) is parsed there too. */
	assert_int_equal(agent_unpriv_parse(&f->ag.privsep.parser, NULL, 0, &p1, &d1), 0);
	assert_non_null(p1);
	bf_policy_free(p1);
	bf_diags_free(&d1);
	assert_int_equal(f->ag.privsep.parser.failures, 0);
}

/* Each fault ends its worker only: the reason comes back, and the next request is answered. */
static void expect_fault(struct bf_unpriv *u, const char *fault, const char *why_part)
{
	struct bf_dns_answer a;
	unsigned long failures = u->failures;
	char why[192];

	assert_int_equal(agent_unpriv_fault(u, fault, why, sizeof(why)), -EIO);
	if (!strstr(why, why_part))
		fail_msg("fault %s: \"%s\", want \"%s\"", fault, why, why_part);
	assert_int_equal(u->failures, failures + 1);
	assert_string_equal(u->last_failure, why);
	assert_true(u->fd >= 0);
	assert_int_equal(kill(u->pid, 0), 0);
	assert_int_equal(agent_unpriv_fault(u, "ok", why, sizeof(why)), 0);
	if (strcmp(u->role, "resolver") == 0)
		assert_int_equal(agent_unpriv_lookup(u, "localhost", &a), 0);
}

static void test_faults(void **state)
{
	struct bff *f = *state;

	struct bf_unpriv *all[] = { &f->ag.privsep.parser, &f->ag.privsep.resolver, &f->ag.privsep.requests };
	char why[192];

	for (int i = 0; i < 3; i++) {
		struct bf_unpriv *u = all[i];

		expect_fault(u, "segv", "killed by signal 11");
		expect_fault(u, "write", "seccomp");
		assert_int_equal(access(FAULT_FILE, F_OK), -1);
		expect_fault(u, "exec", "seccomp");
		expect_fault(u, "garbage", "not a reply");
		expect_fault(u, "hang", "time limit");
		/*
		 * No helper reaches a unix socket (as root, the agent's control
		 * socket would take the parser for root); only the resolver
		 * speaks to the network; the requests helper makes no socket at all.
		 */
		if (u == &f->ag.privsep.requests) {
			expect_fault(u, "unix", "seccomp");
			expect_fault(u, "inet", "seccomp");
			continue;
		}
		assert_int_equal(agent_unpriv_fault(u, "unix", why, sizeof(why)), 0);
		assert_string_equal(why, "Permission denied");
		assert_int_equal(agent_unpriv_fault(u, "inet", why, sizeof(why)), 0);
		assert_string_equal(why, u == &f->ag.privsep.resolver ? "opened" : "Permission denied");
	}
}

/*
 * The resolver, as nobody under its filter, answers as this process is
 * answered: the same addresses, or the same failure (a pristine root from
 * mmdebstrap has no /etc/hosts, so not even localhost resolves there).
 */
static void test_lookup(void **state)
{
	struct bff *f = *state;
	struct bf_dns_answer a, want;
	static const uint8_t v4[16] = { [10] = 0xff, [11] = 0xff, 127, 0, 0, 1 };
	static const uint8_t v6[16] = { [15] = 1 };
	bool loopback = false;

	bf_dns_lookup("localhost", &want);
	assert_int_equal(agent_unpriv_lookup(&f->ag.privsep.resolver, "localhost", &a), 0);
	assert_int_equal(a.err, want.err);
	assert_int_equal(a.n, want.n);
	assert_memory_equal(a.addrs, want.addrs, a.n * sizeof(a.addrs[0]));
	for (size_t i = 0; i < a.n; i++)
		loopback |= !memcmp(a.addrs[i], v4, 16) || !memcmp(a.addrs[i], v6, 16);
	assert_true(loopback || want.err);
	assert_int_equal(agent_unpriv_lookup(&f->ag.privsep.resolver, "no-such-host.invalid", &a), 0);
	assert_int_not_equal(a.err, 0);
}

/* A zygote that is gone: every later request fails at once, says so, and status shows it. */
static void test_gone(void **state)
{
	struct bff *f = *state;
	struct bf_unpriv *u = &f->ag.privsep.parser;
	struct bf_diags d = { 0 };
	struct bf_policy *p = NULL;
	struct json_object *j;

	assert_int_equal(kill(u->pid, SIGKILL), 0);
	assert_int_equal(agent_unpriv_parse(u, NULL, 0, &p, &d), -EIO);
	assert_null(p);
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(d.msgs[0], "the parser's zygote is gone"));
	bf_diags_free(&d);
	assert_int_equal(u->fd, -1);
	assert_int_equal(agent_unpriv_parse(u, NULL, 0, &p, &d), -EIO);
	bf_diags_free(&d);
	j = agent_unpriv_json(&f->ag);
	assert_false(json_object_get_boolean(json_object_object_get(json_object_object_get(j, "parser"), "running")));
	assert_true(json_object_get_boolean(json_object_object_get(json_object_object_get(j, "resolver"), "running")));
	json_object_put(j);
}

/* A control request is parsed there and rebuilt here from typed items: the same value, or the same refusal. */
static void test_ctl(void **state)
{
	struct bff *f = *state;
	struct bf_unpriv *u = &f->ag.privsep.requests;
	char good[] = "{\"cmd\":\"consent-grant\",\"subject\":\"r-1\",\"n\":-7,\"d\":2.5,"
		      "\"l\":[true,false,null,{\"a\":\"\\u00e9\"}],\"o\":{}}";
	struct json_object *want = json_tokener_parse(good), *req, *err;
	static const struct { const char *line; const char *code; } bad[] = {
		{ "{\"cmd\":", "bad-json" },
		{ "[1,2]", "bad-json" },
		{ "{\"verb\":\"status\"}", "no-cmd" },
		{ "{\"cmd\":7}", "no-cmd" },
		{ "\"status\"", "bad-json" },
	};

	req = agent_unpriv_ctl(u, good, strlen(good), &err);
	assert_non_null(req);
	assert_null(err);
	assert_true(json_object_equal(req, want));
	json_object_put(req);
	json_object_put(want);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		req = agent_unpriv_ctl(u, bad[i].line, strlen(bad[i].line), &err);
		assert_null(req);
		assert_non_null(err);
		assert_string_equal(json_object_get_string(json_object_object_get(json_object_object_get(err, "error"), "code")), bad[i].code);
		json_object_put(err);
	}
	/* A NUL inside the line: refused, not cut short there. */
	req = agent_unpriv_ctl(u, "{\"cmd\":\"status\"}\0x", 18, &err);
	assert_null(req);
	assert_string_equal(json_object_get_string(json_object_object_get(json_object_object_get(err, "error"), "code")), "bad-json");
	json_object_put(err);
	assert_int_equal(u->failures, 0);
}

/* --no-confine: the helpers still run apart, and say they are not confined, and why. */
static void test_no_confine(void **state)
{
	struct bff *f = bff_new();
	struct json_object *j, *p;
	char v[64];

	f->ag.opt.no_confine = true;
	assert_int_equal(agent_unpriv_start(&f->ag), 0);
	assert_false(f->ag.privsep.parser.confined);
	proc_field(f->ag.privsep.parser.pid, "Seccomp", v, sizeof(v));
	assert_string_equal(v, "0");
	j = agent_unpriv_json(&f->ag);
	p = json_object_object_get(j, "parser");
	assert_string_equal(json_object_get_string(json_object_object_get(p, "why_not")), "--no-confine");
	json_object_put(j);
	agent_unpriv_stop(&f->ag);
	bff_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_confined, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone, setup, teardown),
		cmocka_unit_test(test_no_confine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
