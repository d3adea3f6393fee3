/* af_packet.c - attack: a tainted root process writes a whole IPv4/UDP packet to the link with an AF_PACKET socket, below every IP hook. */
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "attack.h"

#define ROUTE "af_packet"

static uint16_t ip_sum(const void *p, size_t n)
{
	const uint16_t *w = p;
	uint32_t s = 0;

	for (; n > 1; n -= 2)
		s += *w++;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/*
 * usage: af_packet CAMERA A.B.C.D:PORT IFNAME [DELAY_MS]
 * The packet goes out on IFNAME (the runner uses lo). With DELAY_MS the
 * socket is held that long before the send: a holder the agent's scan for
 * packet sockets has time to find (route af_packet_late).
 */
int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *dst = (struct sockaddr_in *)&ss;
	struct sockaddr_ll ll;
	unsigned char pkt[256];
	struct iphdr *ip = (struct iphdr *)pkt;
	struct udphdr *udp = (struct udphdr *)(pkt + sizeof(*ip));
	size_t hdr = sizeof(*ip) + sizeof(*udp), n;
	socklen_t len;
	int fd;

	const char *route = argc > 4 ? ROUTE "_late" : ROUTE;
	unsigned delay_ms = argc > 4 ? (unsigned)strtoul(argv[4], NULL, 10) : 0;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: " ROUTE " CAMERA A.B.C.D:PORT IFNAME [DELAY_MS]\n");
		return 2;
	}
	at_taint(route, argv[1]);
	at_need_inet(route, argv[2], &ss, &len);
	if (ss.ss_family != AF_INET) {
		at_result(route, "error", "IPv4 targets only");
		return 1;
	}
	memset(pkt, 0, sizeof(pkt));
	n = hdr + at_token((char *)pkt + hdr, sizeof(pkt) - hdr, route);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons((unsigned short)n);
	ip->saddr = htonl(INADDR_LOOPBACK);
	ip->daddr = dst->sin_addr.s_addr;
	ip->check = ip_sum(ip, sizeof(*ip));
	udp->uh_sport = htons(40001);
	udp->uh_dport = dst->sin_port;
	udp->uh_ulen = htons((unsigned short)(n - sizeof(*ip)));
	/* SOCK_DGRAM: the kernel adds the link header; nothing above the device sees the packet. */
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_IP));
	if (fd < 0)
		return at_report_errno(route, "socket(AF_PACKET)", errno);
	memset(&ll, 0, sizeof(ll));
	ll.sll_family = AF_PACKET;
	ll.sll_protocol = htons(ETH_P_IP);
	ll.sll_ifindex = (int)if_nametoindex(argv[3]);
	ll.sll_halen = ETH_ALEN;	/* all-zero address: lo's own, so it is delivered to this host */
	if (ll.sll_ifindex == 0) {
		at_result(route, "error", "no interface %s", argv[3]);
		return 1;
	}
	/* Holding the socket, tainted, for DELAY_MS: long enough for a once-a-second scan. */
	if (delay_ms)
		usleep(delay_ms * 1000);
	if (sendto(fd, pkt, n, 0, (struct sockaddr *)&ll, sizeof(ll)) != (ssize_t)n)
		return at_report_errno(route, "sendto(AF_PACKET)", errno);
	at_result(route, "through", "a %zu-byte IPv4 packet written to %s", n, argv[3]);
	return 0;
}
