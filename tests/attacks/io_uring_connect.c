/* io_uring_connect.c - attack: a tainted process connects to a third party through io_uring (inline and in an io-wq worker). */
#include "attack.h"
#include "uring.h"

#define ROUTE "io_uring_connect"

/*
 * The connect runs in io_uring's context, not in a connect() syscall; with
 * IOSQE_ASYNC it runs in an io-wq worker thread. Both must still be judged
 * as this (tainted) process. 0 or the errno of the step that failed.
 */
static int ring_connect(struct at_ring *r, const struct sockaddr_storage *ss, socklen_t len,
			unsigned char flags, const char **step)
{
	struct io_uring_sqe sqe;
	char tok[128];
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), res;

	*step = "socket";
	if (fd < 0)
		return errno;
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_CONNECT;
	sqe.flags = flags;
	sqe.fd = fd;
	sqe.addr = (uint64_t)(uintptr_t)ss;
	sqe.off = len;
	*step = flags & IOSQE_ASYNC ? "io_uring connect (inline, then io-wq)" : "io_uring connect";
	res = at_ring_run(r, &sqe);
	if (res == 0) {
		memset(&sqe, 0, sizeof(sqe));
		sqe.opcode = IORING_OP_SEND;
		sqe.fd = fd;
		sqe.addr = (uint64_t)(uintptr_t)tok;
		sqe.len = (uint32_t)at_token(tok, sizeof(tok), ROUTE);
		*step = "io_uring send";
		res = at_ring_run(r, &sqe);
		res = res < 0 ? res : 0;
	}
	close(fd);
	return -res;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	struct at_ring ring;
	const char *step;
	socklen_t len;
	int err, async = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: " ROUTE " CAMERA A.B.C.D:PORT\n");
		return 2;
	}
	at_taint(ROUTE, argv[1]);
	at_need_inet(ROUTE, argv[2], &ss, &len);
	err = at_ring_init(&ring);
	if (err) {
		at_result(ROUTE, "skip", "io_uring_setup: %s (io_uring unavailable here)", at_errname(err));
		return 0;
	}
	err = ring_connect(&ring, &ss, len, 0, &step);
	if (err == EPERM) {
		async = 1;
		err = ring_connect(&ring, &ss, len, IOSQE_ASYNC, &step);
	}
	if (err)
		return at_report_errno(ROUTE, step, err);
	at_result(ROUTE, "through", "io_uring connect%s and send: ok",
		  async ? " (EPERM inline, but through from io-wq)" : "");
	return 0;
}
