/* test_agent_options.c - unit tests for agent_options.c: biofenced's command line as a sysadmin types it, and what it refuses. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bf_test.h"
#include "agent_options.h"
#include "defaults.h"
#include "version.h"

/* Parses the NULL-terminated words after "biofenced"; returns what agent_parse_options does. */
static int parse(struct bf_options *o, enum agent_mode *mode, ...)
{
	char *argv[32] = { "biofenced" };
	int argc = 1;
	va_list ap;

	va_start(ap, mode);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	return agent_parse_options(argc, argv, o, mode);
}

/* No options: enforce, with the documented default places. */
static void test_defaults(void **state)
{
	struct bf_options o;
	enum agent_mode mode;

	assert_int_equal(parse(&o, &mode, NULL), 0);
	assert_int_equal(mode, AGENT_RUN);
	assert_null(o.policy);          /* the default path, else the embedded deny-all */
	assert_null(o.cgroup);          /* the cgroup2 root */
	assert_string_equal(o.pin_dir, BF_DEFAULT_PIN_DIR);
	assert_string_equal(o.log, BF_DEFAULT_LOG);
	assert_string_equal(o.control, BF_DEFAULT_CONTROL);
	assert_null(o.syslog);
	assert_null(o.metrics);
	assert_int_equal(o.ringbuf_size, 0);
	assert_false(o.echo);
	assert_int_equal(o.verbosity, 0);
}

/* Every option lands in its field; a second parse starts from the defaults again. */
static void test_every_option(void **state)
{
	struct bf_options o;
	enum agent_mode mode;

	assert_int_equal(parse(&o, &mode, "--policy", "/etc/p", "--cgroup", "/sys/fs/cgroup/gate",
			       "--pin-dir", "/sys/fs/bpf/x", "--log", "/l", "--control", "/c.sock",
			       "--consent", "/cons", "--log-key", "/k", "--ringbuf-size", "65536",
			       "--echo", "--syslog", "/dev/log", "--metrics", "/m.prom", "-v", "-v",
			       NULL), 0);
	assert_int_equal(mode, AGENT_RUN);
	assert_string_equal(o.policy, "/etc/p");
	assert_string_equal(o.cgroup, "/sys/fs/cgroup/gate");
	assert_string_equal(o.pin_dir, "/sys/fs/bpf/x");
	assert_string_equal(o.log, "/l");
	assert_string_equal(o.control, "/c.sock");
	assert_string_equal(o.consent, "/cons");
	assert_string_equal(o.log_key, "/k");
	assert_int_equal(o.ringbuf_size, 65536);
	assert_true(o.echo);
	assert_string_equal(o.syslog, "/dev/log");
	assert_string_equal(o.metrics, "/m.prom");
	assert_int_equal(o.verbosity, 2);

	assert_int_equal(parse(&o, &mode, "-n", NULL), 0);
	assert_int_equal(mode, AGENT_CHECK);
	assert_string_equal(o.log, BF_DEFAULT_LOG);
	assert_false(o.echo);
}

/* The ring buffer must be a power of two the kernel takes: anything else is refused, not rounded. */
static void test_ringbuf_size_refused(void **state)
{
	static const char *const bad[] = { "4095", "6000", "0", "2147483648", "1m", "", "-4096" };
	struct bf_options o;
	enum agent_mode mode;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(&o, &mode, "--ringbuf-size", bad[i], NULL), -EINVAL);
	assert_int_equal(parse(&o, &mode, "--ringbuf-size", "0x1000", NULL), 0);
	assert_int_equal(o.ringbuf_size, 4096);
	assert_int_equal(parse(&o, &mode, "--ringbuf-size", "1073741824", NULL), 0);
}

/* Unknown options, missing values and stray words are errors: the agent never starts on a typo. */
static void test_bad_command_lines(void **state)
{
	struct bf_options o;
	enum agent_mode mode;

	assert_int_equal(parse(&o, &mode, "--polcy", "/etc/p", NULL), -EINVAL);
	assert_int_equal(parse(&o, &mode, "--policy", NULL), -EINVAL);
	assert_int_equal(parse(&o, &mode, "/etc/biofence/biofence.policy", NULL), -EINVAL);
	assert_int_equal(parse(&o, &mode, "-x", NULL), -EINVAL);
}

/* --help and --version are answers, not errors, and the parser no longer exits on them. */
static void test_help_and_version(void **state)
{
	struct bf_options o;
	enum agent_mode mode;
	char buf[4096];
	FILE *out;

	assert_int_equal(parse(&o, &mode, "--help", NULL), 0);
	assert_int_equal(mode, AGENT_HELP);
	assert_int_equal(parse(&o, &mode, "-V", NULL), 0);
	assert_int_equal(mode, AGENT_VERSION);

	out = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(out);
	agent_print_info(out, AGENT_VERSION);
	fclose(out);
	assert_string_equal(buf, "biofenced " BF_VERSION "\n");

	out = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(out);
	agent_print_info(out, AGENT_HELP);
	fclose(out);
	assert_non_null(strstr(buf, "usage: biofenced"));
	assert_non_null(strstr(buf, BF_DEFAULT_PIN_DIR));       /* the defaults it names are the real ones */
	assert_non_null(strstr(buf, "--ringbuf-size"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_option),
		cmocka_unit_test(test_ringbuf_size_refused),
		cmocka_unit_test(test_bad_command_lines),
		cmocka_unit_test(test_help_and_version),
	};

	/* getopt's complaints and the usage go to stderr: expected here. */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
