/* tcp_fastopen.c - attack: a tainted process connects and sends in one sendto(MSG_FASTOPEN), with no connect() call. */
#include "attack.h"

#define ROUTE "tcp_fastopen"

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char tok[128];
	size_t n;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: " ROUTE " CAMERA A.B.C.D:PORT\n");
		return 2;
	}
	at_taint(ROUTE, argv[1]);
	at_need_inet(ROUTE, argv[2], &ss, &len);
	n = at_token(tok, sizeof(tok), ROUTE);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return at_report_errno(ROUTE, "socket", errno);
	/*
	 * With no cookie cached the kernel sends a plain SYN and queues the data
	 * for after the handshake; either way the connect is implicit here.
	 */
	if (sendto(fd, tok, n, MSG_FASTOPEN | MSG_NOSIGNAL, (struct sockaddr *)&ss, len) < 0)
		return at_report_errno(ROUTE, "sendto(MSG_FASTOPEN)", errno);
	/* Fast open may queue the bytes; closing flushes them, so give them a moment first. */
	usleep(100 * 1000);
	at_result(ROUTE, "through", "sendto(MSG_FASTOPEN): %zu bytes", n);
	close(fd);
	return 0;
}
