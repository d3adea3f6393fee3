/* fuzz_ctl.c - libFuzzer harness: any bytes from a control-socket client (root or not, by the first byte), framed, parsed and answered by the agent's own dispatcher on a fake kernel. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "agent_ctl.h"
#include "agent_fixture.h"
#include "ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broker, an app, a consent rule: the requests that need them get past their first checks. */
static const char policy[] =
	"camera lobby path \"/dev/video0\"\n"
	"app recognizer exe \"/usr/bin/true\"\n"
	"app doorctl exe \"/usr/bin/false\"\n"
	"broker doorctl\n"
	"capture allow recognizer lobby consent entry window 3s\n"
	"capture deny any any\n";

static struct bff *fx;

/* libFuzzer exits through exit() at the end of its time: the fixture's temp tree goes with it. */
static void cleanup(void)
{
	bff_free(fx);
}

static struct bff *agent(void)
{
	if (!fx) {
		fx = bff_new();
		bff_use_policy(fx, policy);
		atexit(cleanup);
	}
	/* An earlier input's stop or detach must not end what the next one sees. */
	fx->ag.admin.stop = fx->ag.admin.detached = false;
	return fx;
}

static void drain(int fd)
{
	char buf[65536];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bff *f = agent();
	struct bf_ctl_client c = { .fd = -1 };
	int sv[2], rc;

	if (size < 1 || size > 64 * 1024 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return 0;
	c.fd = sv[0];
	c.uid = c.gid = data[0] & 1 ? 0 : 65534;
	c.pid = getpid();
	c.since_ms = c.last_ms = bf_ctl_now_ms();
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	if (write(sv[1], data + 1, size - 1) < 0)
		goto out;
	shutdown(sv[1], SHUT_WR);
	do {
		rc = bf_ctl_client_input(&c, NULL, agent_ctl_handle, &f->ag);
		drain(sv[1]);
	} while (rc == 0);
out:
	bf_ctl_client_close(&c);
	close(sv[1]);
	return 0;
}
