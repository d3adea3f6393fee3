/* test_confine.c - the reader's confinement (log show, stats, verify, report) applied for real to a forked child: files open read-only, nothing else. */
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
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "bf_test.h"
#include "confine.h"

static char dir[] = "/tmp/bf-confine-unit.XXXXXX";

/* FN's status in a child confined as a reader: its exit code, or 128 + the signal. */
static int as_reader(int (*fn)(void))
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		if (bf_confine_reader())
			_exit(99);
		_exit(fn());
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static char path[64];

static int read_file(void)
{
	char buf[8];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	return fd >= 0 && read(fd, buf, sizeof(buf)) == 5 && memcmp(buf, "hello", 5) == 0 ? 0 : 1;
}

static int open_for_write(void)
{
	open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	return 2;
}

static int create(void)
{
	char p[80];

	snprintf(p, sizeof(p), "%s/new", dir);
	open(p, O_RDONLY | O_CREAT | O_CLOEXEC, 0600);	/* O_CREAT with read-only access: still a write */
	return 3;
}

static int do_rename(void)
{
	char p[80];

	snprintf(p, sizeof(p), "%s/moved", dir);
	rename(path, p);
	return 4;
}

static int do_socket(void)
{
	socket(AF_INET, SOCK_DGRAM, 0);
	return 5;
}

static int do_exec(void)
{
	char *const argv[] = { "true", NULL }, *const envp[] = { NULL };

	execve("/bin/true", argv, envp);
	return 6;
}

static int write_held(void)
{
	/* What it already holds it may write: stdout, the report's page. */
	return write(STDOUT_FILENO, "", 0) == 0 ? 0 : 7;
}

static void test_reader(void **state)
{
	FILE *fp;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/log", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("hello", fp);
	fclose(fp);
	assert_int_equal(as_reader(read_file), 0);
	assert_int_equal(as_reader(write_held), 0);
	assert_int_equal(as_reader(open_for_write), 128 + SIGSYS);
	assert_int_equal(as_reader(create), 128 + SIGSYS);
	assert_int_equal(as_reader(do_rename), 128 + SIGSYS);
	assert_int_equal(as_reader(do_socket), 128 + SIGSYS);
	assert_int_equal(as_reader(do_exec), 128 + SIGSYS);
	/* and the file is as it was */
	assert_int_equal(read_file(), 0);
	assert_int_equal(access(dir, F_OK), 0);
	assert_int_equal(bft_rm_tree(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
