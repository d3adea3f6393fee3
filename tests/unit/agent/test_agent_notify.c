/* test_agent_notify.c - sd_notify as systemd would receive it, on a NOTIFY_SOCKET bound here; the watchdog's pace on a fake clock. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "bf_test.h"
#include "agent_fixture.h"
#include "agent_notify.h"

struct nfx {
	struct bff *f;
	int fd;         /* systemd's end */
};

static int setup(void **state)
{
	struct nfx *n = calloc(1, sizeof(*n));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	n->f = bff_new();
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", bff_path(n->f, "notify"));
	n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(n->fd >= 0);
	assert_int_equal(bind(n->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setenv("NOTIFY_SOCKET", sa.sun_path, 1);
	*state = n;
	return 0;
}

static int teardown(void **state)
{
	struct nfx *n = *state;

	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	close(n->fd);
	bff_free(n->f);
	free(n);
	return 0;
}

/* The next message systemd got, or "" if none is waiting (sd_notify has sent it before returning). */
static const char *received(struct nfx *n)
{
	static char buf[512];
	ssize_t len = recv(n->fd, buf, sizeof(buf) - 1, 0);

	buf[len > 0 ? len : 0] = '\0';
	return buf;
}

static void test_ready(void **state)
{
	struct nfx *n = *state;

	agent_notify_ready("enforcing");
	assert_string_equal(received(n), "READY=1\nSTATUS=enforcing");
	assert_string_equal(received(n), "");
}

static void test_reloading_and_stopping(void **state)
{
	struct nfx *n = *state;

	agent_notify_reloading();
	assert_string_equal(received(n), "RELOADING=1\nSTATUS=reloading the policy");
	agent_notify_stopping("stopping");
	assert_string_equal(received(n), "STOPPING=1\nSTATUS=stopping");
}

static void test_failed_says_errno(void **state)
{
	struct nfx *n = *state;

	agent_notify_failed(-ENOENT, "start failed");
	assert_string_equal(received(n), "STATUS=start failed\nERRNO=2");
}

/* WatchdogSec=2s: pinged at the first turn, then once a second (half of it), never more often. */
static void test_watchdog_paced(void **state)
{
	struct nfx *n = *state;
	struct bf_watchdog w = { 0 };
	char pid[32];

	setenv("WATCHDOG_USEC", "2000000", 1);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	agent_notify_watchdog(&w, 10000000);
	assert_string_equal(received(n), "WATCHDOG=1");
	agent_notify_watchdog(&w, 10500000);
	assert_string_equal(received(n), "");
	agent_notify_watchdog(&w, 11000000);
	assert_string_equal(received(n), "WATCHDOG=1");
}

/* No WatchdogSec=: never a ping, however many turns. */
static void test_watchdog_off(void **state)
{
	struct nfx *n = *state;
	struct bf_watchdog w = { 0 };

	agent_notify_watchdog(&w, 10000000);
	agent_notify_watchdog(&w, 90000000);
	assert_string_equal(received(n), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reloading_and_stopping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_says_errno, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watchdog_paced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watchdog_off, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
