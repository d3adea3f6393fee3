/* netcam_export.c - attack: the app pulls a network camera's stream (allowed), then sends to a third party. */
#include <sys/time.h>

#include "attack.h"

#define ROUTE "netcam_export"

int main(int argc, char **argv)
{
	struct timeval tv = { .tv_sec = 3 };
	struct sockaddr_storage cam, third;
	socklen_t clen, tlen;
	char buf[4096];
	ssize_t n;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: " ROUTE " CAMERA-ADDR:PORT A.B.C.D:PORT\n");
		return 2;
	}
	at_need_inet(ROUTE, argv[1], &cam, &clen);
	at_need_inet(ROUTE, argv[2], &third, &tlen);
	/* The pull taints, as opening a camera node does; refused, the attack proves nothing. */
	fd = socket(cam.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(fd, (struct sockaddr *)&cam, clen) < 0) {
		at_result(ROUTE, "error", "the app's pull: %s (not tainted, the attack proves nothing)",
			  at_errname(errno));
		return 1;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	close(fd);
	if (n <= 0) {
		at_result(ROUTE, "error", "the camera sent nothing");
		return 1;
	}
	return at_connect_report(ROUTE, &third, tlen, SOCK_STREAM);
}
