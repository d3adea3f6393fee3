/* netcam_pull.c - attack: a program the policy does not name pulls a network camera's stream, over TCP (RTSP-like) or UDP (a request, frames back). */
#include <sys/time.h>

#include "attack.h"

int main(int argc, char **argv)
{
	struct timeval tv = { .tv_sec = 3 };
	struct sockaddr_storage ss;
	const char *route;
	char buf[4096];
	size_t got = 0;
	socklen_t len;
	ssize_t n;
	int tcp, fd;

	if (argc != 3 || (strcmp(argv[1], "tcp") != 0 && strcmp(argv[1], "udp") != 0)) {
		fprintf(stderr, "usage: netcam_pull tcp|udp CAMERA-ADDR:PORT\n");
		return 2;
	}
	tcp = strcmp(argv[1], "tcp") == 0;
	route = tcp ? "netcam_pull" : "netcam_udp_pull";
	at_need_inet(route, argv[2], &ss, &len);
	fd = socket(ss.ss_family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return at_report_errno(route, "socket", errno);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (tcp ? connect(fd, (struct sockaddr *)&ss, len) < 0 :
		  sendto(fd, "PLAY\n", 5, 0, (struct sockaddr *)&ss, len) < 0)
		return at_report_errno(route, tcp ? "connect" : "sendto", errno);
	while (got < sizeof(buf) && (n = recv(fd, buf, sizeof(buf) - got, 0)) > 0)
		got += (size_t)n;
	close(fd);
	if (!got) {
		at_result(route, "error", "%s went through, but the camera sent nothing", tcp ? "connect" : "sendto");
		return 0;
	}
	at_result(route, "through", "read %zu bytes of the camera's stream", got);
	return 0;
}
