/* unix_dgram.c - attack: a tainted process sends an unconnected unix datagram to an unlisted path. */
#include "attack.h"

#define ROUTE "unix_dgram"

int main(int argc, char **argv)
{
	struct sockaddr_un sun;
	socklen_t len;
	char tok[128];
	size_t n;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: " ROUTE " CAMERA /PATH\n");
		return 2;
	}
	at_taint(ROUTE, argv[1]);
	if (!at_unix_addr(argv[2], &sun, &len)) {
		at_result(ROUTE, "error", "bad unix address \"%s\"", argv[2]);
		return 1;
	}
	n = at_token(tok, sizeof(tok), ROUTE);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return at_report_errno(ROUTE, "socket", errno);
	/* No connect(): the sendmsg hook, not the connect hook, is the one that must judge it. */
	if (sendto(fd, tok, n, 0, (struct sockaddr *)&sun, len) != (ssize_t)n)
		return at_report_errno(ROUTE, "sendto", errno);
	at_result(ROUTE, "through", "sendto: %zu bytes", n);
	return 0;
}
