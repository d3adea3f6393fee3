/* test_metrics.c - unit tests for the Prometheus textfile: every metric with HELP and TYPE, and a file replaced whole. */
#include <errno.h>
#include <fcntl.h>
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

#include "metrics.h"

static const struct bf_metrics sample = {
	.events = 1001, .capture_denials = 2, .export_denials = 3, .ipc_denials = 4,
	.socket_denials = 5, .lost_events = 6, .log_errors = 7, .windows_open = 8,
	.quota_drops = 9, .syslog_errors = 10, .agent_up = true, .enforcing = true,
};

static const struct {
	const char *name, *type;
	unsigned long long value;
} want[] = {
	{ "biofence_agent_up", "gauge", 1 },
	{ "biofence_enforcing", "gauge", 1 },
	{ "biofence_events_total", "counter", 1001 },
	{ "biofence_capture_denials_total", "counter", 2 },
	{ "biofence_export_denials_total", "counter", 3 },
	{ "biofence_ipc_denials_total", "counter", 4 },
	{ "biofence_socket_denials_total", "counter", 5 },
	{ "biofence_lost_events_total", "counter", 6 },
	{ "biofence_log_errors_total", "counter", 7 },
	{ "biofence_windows_open", "gauge", 8 },
	{ "biofence_quota_drops_total", "counter", 9 },
	{ "biofence_syslog_errors_total", "counter", 10 },
};
#define N_WANT (sizeof(want) / sizeof(want[0]))

/* The value line of NAME in TEXT, -1 if absent; also checks its HELP and TYPE come right before it. */
static long long value_of(const char *text, size_t i)
{
	char help[128], type[128], line[128];
	const char *h, *t, *v;
	unsigned long long val;

	snprintf(help, sizeof(help), "# HELP %s ", want[i].name);
	snprintf(type, sizeof(type), "\n# TYPE %s %s\n", want[i].name, want[i].type);
	snprintf(line, sizeof(line), "\n%s ", want[i].name);
	h = strstr(text, help);
	t = strstr(text, type);
	v = strstr(text, line);
	if (!h || !t || !v || !(h < t && t < v) || (h != text && h[-1] != '\n'))
		return -1;
	if (sscanf(v + strlen(line), "%llu", &val) != 1)
		return -1;
	return (long long)val;
}

static void test_format_every_metric(void **state)
{
	char buf[4096];
	int n;

	(void)state;
	n = bf_metrics_format(buf, sizeof(buf), &sample);
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(buf));
	for (size_t i = 0; i < N_WANT; i++)
		assert_int_equal(value_of(buf, i), (long long)want[i].value);
	/* counters, and only counters, end in _total (Prometheus naming) */
	for (size_t i = 0; i < N_WANT; i++)
		assert_int_equal(strstr(want[i].name, "_total") != NULL, strcmp(want[i].type, "counter") == 0);
}

/* The grammar the textfile collector accepts: comments, or "name value", every line ended. */
static void test_format_lines(void **state)
{
	char buf[4096], name[128], *line, *save = NULL;
	unsigned long long v;
	size_t values = 0;
	int n, used;

	(void)state;
	n = bf_metrics_format(buf, sizeof(buf), &(struct bf_metrics){ 0 });
	assert_true(n > 0);
	assert_int_equal(buf[n - 1], '\n');
	assert_null(strstr(buf, "\n\n"));
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#') {
			assert_true(strncmp(line, "# HELP biofence_", 16) == 0 ||
				    strncmp(line, "# TYPE biofence_", 16) == 0);
			continue;
		}
		assert_int_equal(sscanf(line, "%127[a-z_] %llu%n", name, &v, &used), 2);
		assert_int_equal((size_t)used, strlen(line));
		assert_int_equal(v, 0);
		values++;
	}
	assert_int_equal(values, N_WANT);
}

static void test_format_agent_down(void **state)
{
	struct bf_metrics m = sample;
	char buf[4096];

	(void)state;
	m.agent_up = false;
	m.enforcing = false;
	assert_true(bf_metrics_format(buf, sizeof(buf), &m) > 0);
	assert_non_null(strstr(buf, "\nbiofence_agent_up 0\n"));
	assert_non_null(strstr(buf, "\nbiofence_enforcing 0\n"));
	m.events = UINT64_MAX;
	assert_true(bf_metrics_format(buf, sizeof(buf), &m) > 0);
	assert_non_null(strstr(buf, "\nbiofence_events_total 18446744073709551615\n"));
}

static void test_format_short_buffer(void **state)
{
	char buf[4096];
	int need;

	(void)state;
	need = bf_metrics_format(buf, sizeof(buf), &sample);
	assert_true(need > 0);
	for (int n = 0; n <= need; n++)
		assert_int_equal(bf_metrics_format(buf, (size_t)n, &sample), -ERANGE);
	assert_int_equal(bf_metrics_format(buf, (size_t)need + 1, &sample), need);
}

struct fixture {
	char dir[64];
	char path[128];
	char tmp[136];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/bfmetrics.%d.XXXXXX", (int)getpid());
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/biofence.prom", f->dir);
	snprintf(f->tmp, sizeof(f->tmp), "%s.tmp", f->path);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	bft_rm_tree(f->dir);
	free(f);
	return 0;
}

static void test_write_replaces(void **state)
{
	struct fixture *f = *state;
	struct stat st1, st2;
	char *got;
	size_t len;

	assert_int_equal(bf_metrics_write(f->path, "a 1\n", 4), 0);
	got = bft_slurp(f->path, &len);
	assert_string_equal(got, "a 1\n");
	free(got);
	assert_int_equal(stat(f->path, &st1), 0);
	assert_int_equal(st1.st_mode & 07777, 0644);
	assert_int_equal(access(f->tmp, F_OK), -1);
	assert_int_equal(bf_metrics_write(f->path, "b 22\n", 5), 0);
	got = bft_slurp(f->path, &len);
	assert_string_equal(got, "b 22\n");
	free(got);
	/* a new inode: renamed over, never rewritten in place */
	assert_int_equal(stat(f->path, &st2), 0);
	assert_int_not_equal(st1.st_ino, st2.st_ino);
	assert_int_equal(access(f->tmp, F_OK), -1);
}

static void test_write_errors(void **state)
{
	struct fixture *f = *state;
	char path[160];
	char *got;
	size_t len;

	snprintf(path, sizeof(path), "%s/missing/biofence.prom", f->dir);
	assert_int_equal(bf_metrics_write(path, "a 1\n", 4), -ENOENT);
	/* a planted link at the temp name is not followed */
	assert_int_equal(bf_metrics_write(f->path, "a 1\n", 4), 0);
	assert_int_equal(symlink("/etc/passwd", f->tmp), 0);
	assert_int_equal(bf_metrics_write(f->path, "b 2\n", 4), -ELOOP);
	got = bft_slurp(f->path, &len);
	assert_string_equal(got, "a 1\n");
	free(got);
	unlink(f->tmp);
	/* a directory where the file should be: the rename fails, no .tmp stays */
	unlink(f->path);
	assert_int_equal(mkdir(f->path, 0755), 0);
	assert_int_equal(bf_metrics_write(f->path, "c 3\n", 4), -EISDIR);
	assert_int_equal(access(f->tmp, F_OK), -1);
	rmdir(f->path);
}

/* A reader racing the writer sees one whole version or the other, never a mix or a part. */
static void test_write_atomic_under_readers(void **state)
{
	struct fixture *f = *state;
	char a[3000], b[200], buf[4096];
	int status, bad = 0, fd;
	ssize_t n;
	pid_t pid;

	memset(a, 'a', sizeof(a) - 1);
	a[sizeof(a) - 1] = '\n';
	memset(b, 'b', sizeof(b) - 1);
	b[sizeof(b) - 1] = '\n';
	assert_int_equal(bf_metrics_write(f->path, a, sizeof(a)), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (;;) {
			fd = open(f->path, O_RDONLY);
			n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
			if (fd >= 0)
				close(fd);
			if (!((n == sizeof(a) && memcmp(buf, a, sizeof(a)) == 0) ||
			      (n == sizeof(b) && memcmp(buf, b, sizeof(b)) == 0)))
				_exit(1);
		}
	}
	for (int i = 0; i < 300; i++)
		bad |= bf_metrics_write(f->path, i % 2 ? a : b, i % 2 ? sizeof(a) : sizeof(b));
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(bad, 0);
	/* killed by us, not exited on a torn read */
	assert_true(WIFSIGNALED(status));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_every_metric),
		cmocka_unit_test(test_format_lines),
		cmocka_unit_test(test_format_agent_down),
		cmocka_unit_test(test_format_short_buffer),
		cmocka_unit_test_setup_teardown(test_write_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_atomic_under_readers, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
