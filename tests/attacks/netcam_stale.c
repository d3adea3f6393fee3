/* netcam_stale.c - attack: the app pulls a network camera's stream inside its consent window and reads on after the window has ended. */
#include <sys/stat.h>
#include <sys/time.h>

#include "attack.h"

#define ROUTE "netcam_stale"

int main(int argc, char **argv)
{
	struct timeval tv = { .tv_sec = 3 };
	struct sockaddr_storage cam;
	struct stat st;
	char buf[1000];
	socklen_t len;
	ssize_t n;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: " ROUTE " CAMERA-ADDR:PORT READY-FILE GO-FILE\n");
		return 2;
	}
	at_need_inet(ROUTE, argv[1], &cam, &len);
	fd = socket(cam.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(fd, (struct sockaddr *)&cam, len) < 0) {
		at_result(ROUTE, "error", "the pull inside the window: %s", at_errname(errno));
		return 1;
	}
	n = recv(fd, buf, sizeof(buf), MSG_WAITALL);
	if (n <= 0) {
		at_result(ROUTE, "error", "no frame inside the window: %s", n < 0 ? at_errname(errno) : "end of stream");
		return 1;
	}
	/* Told when the window has ended (the runner sees the agent's record of it). */
	close(open(argv[2], O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	for (int i = 0; i < 900 && stat(argv[3], &st) != 0; i++)
		usleep(100000);
	n = recv(fd, buf, sizeof(buf), MSG_WAITALL);
	if (n < 0)
		return at_report_errno(ROUTE, "recv after the window", errno);
	at_result(ROUTE, "through", "read %zd more bytes of the stream after the window ended", n);
	return 0;
}
