/* listener.c - the runner's ears: listen as the allowed destination and as every third party, log each byte that arrives. */
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "attack.h"

/*
 * usage: listener PORT UNIX_STREAM_PATH UNIX_DGRAM_PATH @ABSTRACT
 * Listens on TCP and UDP at 127.0.0.1:PORT (the destination the policy
 * allows), 127.0.0.2:PORT and [::1]:PORT (third parties), and on the unix
 * sockets given. Prints "ready" once every socket is bound, then one line
 * per read: "got LABEL LEN TEXT" (TEXT with non-printables as '.'), so the
 * runner can prove "through" by bytes received, not by a return code.
 * It also watches lo itself ("link:lo"): a frame an AF_PACKET socket
 * writes to lo reaches the link, where a third party on a real network
 * would take it, but this host's IP stack does not hand it up to the
 * 127.0.0.2 socket (a 127/8 packet arriving from outside the IP output
 * path, presumably refused as martian), so only the link shows it.
 * Runs outside the test cgroup: the third party is not judged.
 */
#define MAXFD 128

static struct pollfd pfd[MAXFD];
static char label[MAXFD][160];
enum kind { DGRAM, LISTENING, CONNECTED, LINK };
static enum kind kind[MAXFD];
static int nfd;

static void add(int fd, const char *lab, enum kind k)
{
	if (nfd == MAXFD) {
		close(fd);	/* the attacks make a handful of connections, never this many */
		return;
	}
	pfd[nfd].fd = fd;
	pfd[nfd].events = POLLIN;
	snprintf(label[nfd], sizeof(label[nfd]), "%s", lab);
	kind[nfd++] = k;
}

static void drop(int i)
{
	close(pfd[i].fd);
	nfd--;
	pfd[i] = pfd[nfd];
	memcpy(label[i], label[nfd], sizeof(label[i]));
	kind[i] = kind[nfd];
}

static int bind_one(const struct sockaddr *sa, socklen_t len, int type, const char *lab)
{
	int one = 1, rc, fd = socket(sa->sa_family, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		goto fail;
	if (sa->sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	rc = bind(fd, sa, len);
	if (rc < 0 && sa->sa_family == AF_INET6 && errno == EADDRNOTAVAIL) {
		/* No ::1 on lo: the IPv6 route then reports an error the runner shows; the rest still runs. */
		printf("no-ipv6\n");
		close(fd);
		return 0;
	}
	if (rc < 0 || (type == SOCK_STREAM && listen(fd, 16) < 0))
		goto fail;
	add(fd, lab, type == SOCK_STREAM ? LISTENING : DGRAM);
	return 0;
fail:
	fprintf(stderr, "listener: %s: %s\n", lab, strerror(errno));
	return -1;
}

static int bind_inet(const char *spec, int port)
{
	char addr[64], lab[80];
	struct sockaddr_storage ss;
	socklen_t len;

	snprintf(addr, sizeof(addr), "%s:%d", spec, port);
	if (!at_inet_addr(addr, &ss, &len))
		return -1;
	snprintf(lab, sizeof(lab), "%s/tcp", addr);
	if (bind_one((struct sockaddr *)&ss, len, SOCK_STREAM, lab))
		return -1;
	snprintf(lab, sizeof(lab), "%s/udp", addr);
	return bind_one((struct sockaddr *)&ss, len, SOCK_DGRAM, lab);
}

static int bind_unix(const char *spec, int type)
{
	struct sockaddr_un sun;
	char lab[160];
	socklen_t len;

	if (!at_unix_addr(spec, &sun, &len))
		return -1;
	snprintf(lab, sizeof(lab), "unix:%s/%s", spec, type == SOCK_STREAM ? "stream" : "dgram");
	return bind_one((struct sockaddr *)&sun, len, type, lab);
}

/* Every frame leaving on lo, as a third party on the link would see it. */
static int bind_link(const char *ifname)
{
	struct sockaddr_ll ll;
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ALL));

	memset(&ll, 0, sizeof(ll));
	ll.sll_family = AF_PACKET;
	ll.sll_protocol = htons(ETH_P_ALL);
	ll.sll_ifindex = (int)if_nametoindex(ifname);
	if (fd < 0 || ll.sll_ifindex == 0 || bind(fd, (struct sockaddr *)&ll, sizeof(ll)) < 0) {
		fprintf(stderr, "listener: link %s: %s\n", ifname, strerror(errno));
		return -1;
	}
	add(fd, "link:lo", LINK);
	return 0;
}

static void show(const char *lab, const char *buf, ssize_t n)
{
	printf("got %s %zd ", lab, n);
	for (ssize_t i = 0; i < n; i++)
		putchar(buf[i] >= 0x20 && buf[i] < 0x7f ? buf[i] : '.');
	putchar('\n');
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int port;

	if (argc != 5) {
		fprintf(stderr, "usage: listener PORT UNIX_STREAM_PATH UNIX_DGRAM_PATH @ABSTRACT\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	port = atoi(argv[1]);
	/* Exit 3 on any bind failure: the runner picks another port and tries again. */
	if (bind_inet("127.0.0.1", port) || bind_inet("127.0.0.2", port) ||
	    bind_inet("[::1]", port) || bind_unix(argv[2], SOCK_STREAM) ||
	    bind_unix(argv[3], SOCK_DGRAM) || bind_unix(argv[4], SOCK_STREAM) || bind_link("lo"))
		return 3;
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		if (poll(pfd, (nfds_t)nfd, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		for (int i = nfd - 1; i >= 0; i--) {
			char buf[4096];
			ssize_t n;

			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (kind[i] == LISTENING) {
				int c = accept4(pfd[i].fd, NULL, NULL, SOCK_CLOEXEC);

				if (c >= 0)
					add(c, label[i], CONNECTED);
				continue;
			}
			if (kind[i] == LINK) {
				static const char tok[] = "bf-attack route=";
				struct sockaddr_ll from;
				socklen_t fl = sizeof(from);
				const char *at;

				n = recvfrom(pfd[i].fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
				/* lo shows each frame twice, leaving and arriving: count it once. */
				if (n > 0 && from.sll_pkttype == PACKET_OUTGOING &&
				    (at = memmem(buf, (size_t)n, tok, sizeof(tok) - 1)))
					show(label[i], at, n - (at - buf));
				continue;
			}
			n = recv(pfd[i].fd, buf, sizeof(buf), 0);
			if (n > 0)
				show(label[i], buf, n);
			/* 0 on a datagram socket is an empty datagram; on a connection it is the end. */
			else if (kind[i] == CONNECTED && (n == 0 || errno != EINTR))
				drop(i);
		}
	}
}
