/* unix_abstract.c - attack: a tainted process connects to a unix stream socket at an abstract-namespace name (no file at all) and sends. */
#include "attack.h"

#define ROUTE "unix_abstract"

int main(int argc, char **argv)
{
	struct sockaddr_un sun;
	socklen_t len;
	char tok[128];
	size_t n;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: " ROUTE " CAMERA @NAME\n");
		return 2;
	}
	at_taint(ROUTE, argv[1]);
	if (!at_unix_addr(argv[2], &sun, &len)) {
		at_result(ROUTE, "error", "bad unix address \"%s\"", argv[2]);
		return 1;
	}
	n = at_token(tok, sizeof(tok), ROUTE);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return at_report_errno(ROUTE, "socket", errno);
	/* A local uploader on the other end could forward anything it is handed. */
	if (connect(fd, (struct sockaddr *)&sun, len) < 0)
		return at_report_errno(ROUTE, "connect", errno);
	if (send(fd, tok, n, MSG_NOSIGNAL) != (ssize_t)n)
		return at_report_errno(ROUTE, "send", errno);
	at_result(ROUTE, "through", "connect and send: ok");
	return 0;
}
