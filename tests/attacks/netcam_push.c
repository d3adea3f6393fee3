/* netcam_push.c - attack: a program the policy does not name binds a UDP port and receives the frames a network camera pushes to it unasked (RTP). */
#include <sys/time.h>

#include "attack.h"

#define ROUTE "netcam_push"

int main(int argc, char **argv)
{
	struct timeval tv = { .tv_sec = 3 };
	struct sockaddr_storage ss;
	char buf[4096];
	socklen_t len;
	ssize_t n;
	int fd, one = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: " ROUTE " BIND-ADDR:PORT\n");
		return 2;
	}
	at_need_inet(ROUTE, argv[1], &ss, &len);
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0)
		return at_report_errno(ROUTE, "bind", errno);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		at_result(ROUTE, "blocked", "nothing arrived in 3 s");
		return 0;
	}
	if (n < 0)
		return at_report_errno(ROUTE, "recv", errno);
	at_result(ROUTE, "through", "received %zd bytes the camera pushed", n);
	return 0;
}
