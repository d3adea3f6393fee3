/* dns.h - the agent's resolver for policy host names: addresses and TTL, kept fresh off the event loop. */
#ifndef BF_DNS_H
#define BF_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BF_DNS_MAX_ADDRS 32     /* addresses kept per name */
#define BF_DNS_NAME_MAX  254    /* 253 characters and the NUL */

struct bf_dns_answer {
	int err;                /* 0, or why the last lookup failed (addresses are then the last good ones) */
	char why[128];          /* "" or the failure in words */
	uint8_t addrs[BF_DNS_MAX_ADDRS][16];    /* IPv6; IPv4 as ::ffff:a.b.c.d */
	size_t n;
	bool have;              /* a lookup has succeeded at least once */
	uint32_t ttl_s;         /* the smallest TTL DNS gave; 0 when DNS gave none (e.g. /etc/hosts) */
};

/*
 * One lookup, now, blocking: the addresses are getaddrinfo's (what an
 * application on this host gets, /etc/hosts included), the TTL is
 * res_nquery's for the A and AAAA records. Returns 0, or -ENOENT (no
 * such name, or no address), -EAGAIN (temporary failure), -EIO.
 */
int bf_dns_lookup(const char *name, struct bf_dns_answer *out);

/*
 * A thread that keeps a set of names resolved: each is asked again at its
 * TTL clamped to [min_s, max_s], or min_s after a failure, which keeps the
 * last good addresses. Nothing here blocks the caller for a lookup.
 */
struct bf_dns;

/*
 * LOOKUP asks for one name (bf_dns_lookup's contract); NULL: bf_dns_lookup
 * itself. The agent passes its resolver process, so that what the network
 * says is read in a process with no privilege (agent_unpriv.c).
 */
typedef int (*bf_dns_lookup_fn)(void *ctx, const char *name, struct bf_dns_answer *out);

int bf_dns_start(struct bf_dns **out, bf_dns_lookup_fn lookup, void *ctx);
void bf_dns_stop(struct bf_dns *d);
/* The names to keep resolved; names already known keep their answers and schedule. */
int bf_dns_want(struct bf_dns *d, char *const *names, size_t n, uint32_t min_s, uint32_t max_s);
/* Seeds NAME's answer (a lookup made at load), so the thread starts from it. */
void bf_dns_seed(struct bf_dns *d, const char *name, const struct bf_dns_answer *a);
/* The current answer for NAME; false when there is none yet. */
bool bf_dns_get(struct bf_dns *d, const char *name, struct bf_dns_answer *out);

#endif /* BF_DNS_H */
