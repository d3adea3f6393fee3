/* udp_sendto.c - attack: a tainted process sends an unconnected UDP datagram to a third party. */
#include "attack.h"

#define ROUTE "udp_sendto"

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
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return at_report_errno(ROUTE, "socket", errno);
	/* No connect(): every datagram carries its own address, so sendmsg4 must judge each one. */
	if (sendto(fd, tok, n, 0, (struct sockaddr *)&ss, len) != (ssize_t)n)
		return at_report_errno(ROUTE, "sendto", errno);
	at_result(ROUTE, "through", "sendto: %zu bytes", n);
	return 0;
}
