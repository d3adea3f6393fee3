/* bf_dns.c - test helper: a tiny authoritative DNS server answering from a zone file. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/*
 * usage: bf_dns ADDR PORT ZONEFILE
 *   Serves DNS over UDP and TCP on ADDR:PORT (an IPv4 or IPv6 literal) until
 *   SIGTERM or SIGINT, then prints "queries=N" on stderr. Prints "ready" on
 *   stdout once both sockets listen. Each query also logs
 *   "query NAME TYPE rcode=R answers=K" on stderr (then "query NAME truncated"
 *   if it did not fit a UDP reply).
 *   ZONEFILE is re-read on every query, so a test changes answers by
 *   replacing it (write a temporary file, then mv). Lines:
 *     NAME TTL A ADDRESS | NAME TTL AAAA ADDRESS
 *     NAME TTL SERVFAIL  | NAME TTL NXDOMAIN     (the TTL is ignored)
 *   '#' starts a comment; names are case-insensitive, trailing dot optional;
 *   a name may have several records. Unknown names get NXDOMAIN, known names
 *   without records of the asked type get NOERROR with no answers, and an
 *   unreadable zone file gets SERVFAIL.
 */

enum { R_NOERROR = 0, R_FORMERR = 1, R_SERVFAIL = 2, R_NXDOMAIN = 3, R_NOTIMP = 4,
	R_REFUSED = 5 };
enum { T_A = 1, T_AAAA = 28, C_IN = 1, HDR = 12, UDP_MAX = 512, MAX_RECS = 256,
	MAX_CONNS = 8 };

struct query {
	uint16_t id, flags, qtype, qclass;
	size_t qend;        /* end of the question section in the message */
	int matchable;      /* 0: a label holds bytes no zone file name can */
	char name[256];     /* lowercase, dot-separated, no trailing dot; root is "" */
};

struct rec {
	uint32_t ttl;
	uint8_t len;
	uint8_t data[16];
};

struct conn {
	int fd;
	size_t have;
	uint8_t buf[2 + 65535];
};

static volatile sig_atomic_t stop;
static unsigned long nqueries;
static const char *zone_path;
static struct conn conns[MAX_CONNS];

static void on_signal(int sig)
{
	stop = 1;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Lowercase and drop one trailing dot, so "Example.COM." matches "example.com". */
static void normalize(char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < n; i++)
		name[i] = (char)tolower((unsigned char)name[i]);
	if (n && name[n - 1] == '.')
		name[n - 1] = '\0';
}

/*
 * QNAME at msg[*off] to text. No compression pointers: a query has nothing
 * earlier to point at. Returns -1 on a malformed name; *off ends past it.
 */
static int read_qname(const uint8_t *msg, size_t len, size_t *off, struct query *q)
{
	size_t p = *off, out = 0, wire = 0;

	q->matchable = 1;
	for (;;) {
		if (p >= len)
			return -1;
		uint8_t l = msg[p++];

		wire += 1u + l;
		if (l > 63 || wire > 255 || l > len - p)
			return -1;      /* also rejects compression pointers (0xc0 and up) */
		if (l == 0)
			break;
		if (out)
			q->name[out++] = '.';
		for (unsigned i = 0; i < l; i++) {
			uint8_t c = msg[p + i];

			/* A zone file name is one token of plain text; '?' keeps the log readable. */
			if (c == '.' || c <= ' ' || c >= 0x7f) {
				q->matchable = 0;
				c = '?';
			}
			q->name[out++] = (char)tolower(c);
		}
		p += l;
	}
	q->name[out] = '\0';
	*off = p;
	return 0;
}

/* Returns the rcode to answer with, or -1 to drop the message without a reply. */
static int parse_query(const uint8_t *msg, size_t len, struct query *q)
{
	size_t off = HDR;

	if (len < HDR)
		return -1;
	q->id = get16(msg);
	q->flags = get16(msg + 2);
	q->qend = 0;
	if (q->flags & 0x8000)
		return -1;      /* a response: answering it could start a loop */
	if ((q->flags >> 11 & 0xf) != 0)
		return R_NOTIMP;
	if (get16(msg + 4) != 1)
		return R_FORMERR;
	if (read_qname(msg, len, &off, q) < 0 || len - off < 4)
		return R_FORMERR;
	q->qtype = get16(msg + off);
	q->qclass = get16(msg + off + 2);
	q->qend = off + 4;
	/* Answer, authority and additional (EDNS OPT) records are ignored. */
	return q->qclass == C_IN ? R_NOERROR : R_REFUSED;
}

/* One zone line into its fields; 0 for blank or comment lines, -1 if malformed. */
static int split_line(char *line, char **name, char **ttl, char **type, char **addr)
{
	char *hash = strchr(line, '#'), *save = NULL, *extra;

	if (hash)
		*hash = '\0';
	*name = strtok_r(line, " \t\r\n", &save);
	if (!*name)
		return 0;
	*ttl = strtok_r(NULL, " \t\r\n", &save);
	*type = strtok_r(NULL, " \t\r\n", &save);
	*addr = strtok_r(NULL, " \t\r\n", &save);
	extra = strtok_r(NULL, " \t\r\n", &save);
	if (!*type || extra)
		return -1;
	return 1;
}

/* Adds the record if it has the asked type; -1 if the line is malformed. */
static int add_record(const char *ttl, const char *type, const char *addr, uint16_t qtype,
		      struct rec *recs, int *n)
{
	int af = strcasecmp(type, "A") == 0 ? AF_INET :
		 strcasecmp(type, "AAAA") == 0 ? AF_INET6 : 0;
	char *end;
	unsigned long t = strtoul(ttl, &end, 10);
	uint8_t data[16];

	if (!af || !addr || *end || t > 0x7fffffff || inet_pton(af, addr, data) != 1)
		return -1;
	if (qtype != (af == AF_INET ? T_A : T_AAAA))
		return 0;
	if (*n >= MAX_RECS) {
		fprintf(stderr, "bf_dns: more than %d records, extra ones dropped\n", MAX_RECS);
		return 0;
	}
	recs[*n].ttl = (uint32_t)t;
	recs[*n].len = af == AF_INET ? 4 : 16;
	memcpy(recs[*n].data, data, recs[*n].len);
	(*n)++;
	return 0;
}

/* Read the zone file afresh; fills recs with NAME's records of QTYPE and returns the rcode. */
static int zone_lookup(const struct query *q, struct rec *recs, int *n)
{
	FILE *f = fopen(zone_path, "r");
	char line[1024], *name, *ttl, *type, *addr;
	int known = 0, forced = -1, lineno = 0, rc;

	*n = 0;
	if (!f) {
		fprintf(stderr, "bf_dns: %s: %s\n", zone_path, strerror(errno));
		return R_SERVFAIL;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		rc = split_line(line, &name, &ttl, &type, &addr);
		if (rc == 0)
			continue;
		if (rc < 0)
			goto bad;
		normalize(name);
		if (!q->matchable || strcmp(name, q->name) != 0)
			continue;
		known = 1;
		if (strcasecmp(type, "SERVFAIL") == 0 && !addr)
			forced = R_SERVFAIL;
		else if (strcasecmp(type, "NXDOMAIN") == 0 && !addr)
			forced = forced < 0 ? R_NXDOMAIN : forced;
		else if (add_record(ttl, type, addr, q->qtype, recs, n) < 0)
			goto bad;
		continue;
bad:
		fprintf(stderr, "bf_dns: %s:%d: malformed line ignored\n", zone_path, lineno);
	}
	fclose(f);
	if (forced >= 0)
		return forced;  /* SERVFAIL wins over NXDOMAIN wins over records */
	return known ? R_NOERROR : R_NXDOMAIN;
}

/* Header with the given counts; flags: QR, AA, RA, RD copied from the query. */
static void put_header(uint8_t *out, const struct query *q, int rcode, int tc, unsigned qd,
		       unsigned an)
{
	unsigned flags = 0x8000 | 0x0400 | 0x0080 | (q->flags & 0x0100) | (unsigned)rcode;

	if (tc)
		flags |= 0x0200;
	put16(out, q->id);
	put16(out + 2, flags);
	put16(out + 4, qd);
	put16(out + 6, an);
	put16(out + 8, 0);
	put16(out + 10, 0);
}

/*
 * The reply to one query message into out (room for max bytes); returns its
 * length, or 0 for no reply. Over UDP an answer past 512 bytes is cut to the
 * question with TC set, which sends the client to TCP.
 */
static size_t answer(const uint8_t *msg, size_t len, uint8_t *out, size_t max, int udp)
{
	static struct rec recs[MAX_RECS];
	struct query q;
	int rcode = parse_query(msg, len, &q), n = 0;
	size_t off;

	if (rcode < 0)
		return 0;
	if (!q.qend) {  /* no usable question: a bare header says why */
		put_header(out, &q, rcode, 0, 0, 0);
		return HDR;
	}
	nqueries++;
	if (rcode == R_NOERROR)
		rcode = zone_lookup(&q, recs, &n);
	fprintf(stderr, "query %s %u rcode=%d answers=%d\n", q.name[0] ? q.name : ".",
		q.qtype, rcode, n);
	memcpy(out + HDR, msg + HDR, q.qend - HDR);     /* the question as asked, case kept */
	off = q.qend;
	for (int i = 0; i < n; i++) {
		if (off + 12 + recs[i].len > (udp ? UDP_MAX : max)) {
			fprintf(stderr, "query %s truncated\n", q.name[0] ? q.name : ".");
			put_header(out, &q, rcode, 1, 1, 0);
			return q.qend;
		}
		put16(out + off, 0xc00c);       /* the name: a pointer to the question's */
		put16(out + off + 2, recs[i].len == 4 ? T_A : T_AAAA);
		put16(out + off + 4, C_IN);
		put16(out + off + 6, recs[i].ttl >> 16);
		put16(out + off + 8, recs[i].ttl & 0xffff);
		put16(out + off + 10, recs[i].len);
		memcpy(out + off + 12, recs[i].data, recs[i].len);
		off += 12u + recs[i].len;
	}
	put_header(out, &q, rcode, 0, 1, (unsigned)n);
	return off;
}

static int open_socket(const char *addr, int port, int type)
{
	struct sockaddr_storage ss = {};
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t len = sizeof(*s4);
	int one = 1, fd;

	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &s4->sin_addr) != 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1) {
			fprintf(stderr, "bf_dns: bad address %s\n", addr);
			return -1;
		}
		len = sizeof(*s6);
	}
	fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (ss.ss_family == AF_INET6)   /* the literal asked for, not also IPv4 */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 16) < 0)) {
		fprintf(stderr, "bf_dns: bind %s:%d: %s\n", addr, port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void serve_udp(int fd)
{
	static uint8_t in[65536], out[UDP_MAX];
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	ssize_t n = recvfrom(fd, in, sizeof(in), MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
	size_t olen;

	if (n <= 0)
		return;
	olen = answer(in, (size_t)n, out, sizeof(out), 1);
	if (olen)
		sendto(fd, out, olen, MSG_DONTWAIT, (struct sockaddr *)&from, flen);
}

static void accept_tcp(int lfd)
{
	struct timeval tv = { .tv_sec = 2 };
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (int i = 0; i < MAX_CONNS; i++)
		if (conns[i].fd < 0) {
			/* Replies are tiny, but a client that never reads must not hang the loop. */
			setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
			conns[i].fd = fd;
			conns[i].have = 0;
			return;
		}
	close(fd);      /* all slots busy: the client will retry */
}

static void close_conn(struct conn *c)
{
	close(c->fd);
	c->fd = -1;
}

/* Reads what arrived and answers every complete length-prefixed message in it. */
static void serve_tcp(struct conn *c)
{
	static uint8_t out[2 + 65535];
	ssize_t n = recv(c->fd, c->buf + c->have, sizeof(c->buf) - c->have, MSG_DONTWAIT);

	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			close_conn(c);
		return;
	}
	c->have += (size_t)n;
	while (c->have >= 2 && c->have >= 2u + get16(c->buf)) {
		size_t mlen = get16(c->buf), olen = answer(c->buf + 2, mlen, out + 2, 65535, 0);

		if (olen) {
			put16(out, (unsigned)olen);
			if (send(c->fd, out, olen + 2, MSG_NOSIGNAL) != (ssize_t)(olen + 2)) {
				close_conn(c);
				return;
			}
		}
		c->have -= 2 + mlen;
		memmove(c->buf, c->buf + 2 + mlen, c->have);
	}
}

/* SIGTERM/SIGINT stay blocked except inside ppoll, so a stop is never missed. */
static void serve(int ufd, int tfd)
{
	struct pollfd pfd[2 + MAX_CONNS];
	sigset_t block, wait_mask;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &wait_mask);
	sigdelset(&wait_mask, SIGTERM);
	sigdelset(&wait_mask, SIGINT);
	while (!stop) {
		pfd[0] = (struct pollfd){ .fd = ufd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = tfd, .events = POLLIN };
		for (int i = 0; i < MAX_CONNS; i++)
			pfd[2 + i] = (struct pollfd){ .fd = conns[i].fd, .events = POLLIN };
		if (ppoll(pfd, 2 + MAX_CONNS, NULL, &wait_mask) < 0)
			continue;       /* EINTR: the loop condition looks at stop */
		if (pfd[0].revents)
			serve_udp(ufd);
		if (pfd[1].revents)
			accept_tcp(tfd);
		for (int i = 0; i < MAX_CONNS; i++)
			if (conns[i].fd >= 0 && pfd[2 + i].revents)
				serve_tcp(&conns[i]);
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int ufd, tfd, port;

	if (argc != 4 || (port = atoi(argv[2])) <= 0 || port > 65535) {
		fprintf(stderr, "usage: bf_dns ADDR PORT ZONEFILE\n");
		return 2;
	}
	zone_path = argv[3];
	for (int i = 0; i < MAX_CONNS; i++)
		conns[i].fd = -1;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	ufd = open_socket(argv[1], port, SOCK_DGRAM);
	tfd = ufd < 0 ? -1 : open_socket(argv[1], port, SOCK_STREAM);
	if (tfd < 0)
		return 1;
	printf("ready\n");
	fflush(stdout);
	serve(ufd, tfd);
	fprintf(stderr, "queries=%lu\n", nqueries);
	return 0;
}
