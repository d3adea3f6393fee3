/* dns.c - the agent's resolver for policy host names: addresses and TTL, kept fresh off the event loop. */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <resolv.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "confine.h"
#include "dns.h"
#include "log.h"
#include "util.h"


static void add_addr(struct bf_dns_answer *a, const uint8_t addr[16])
{
	for (size_t i = 0; i < a->n; i++)
		if (memcmp(a->addrs[i], addr, 16) == 0)
			return;
	if (a->n < BF_DNS_MAX_ADDRS)
		memcpy(a->addrs[a->n++], addr, 16);
}

static int addresses(const char *name, struct bf_dns_answer *a)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res, *ai;
	int rc = getaddrinfo(name, NULL, &hints, &res);

	if (rc) {
		snprintf(a->why, sizeof(a->why), "%s", gai_strerror(rc));
		return rc == EAI_NONAME || rc == EAI_NODATA ? -ENOENT : rc == EAI_AGAIN ? -EAGAIN : -EIO;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		uint8_t addr[16] = { [10] = 0xff, [11] = 0xff };

		if (ai->ai_family == AF_INET)
			memcpy(addr + 12, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
		else if (ai->ai_family == AF_INET6)
			memcpy(addr, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
		else
			continue;
		add_addr(a, addr);
	}
	freeaddrinfo(res);
	if (!a->n) {
		snprintf(a->why, sizeof(a->why), "no address");
		return -ENOENT;
	}
	return 0;
}

/* The smallest TTL of TYPE's answers, folded into *ttl; a name DNS does not know leaves it. */
static void ttl_of(res_state rs, const char *name, int type, uint32_t *ttl)
{
	unsigned char buf[4096];
	int n = res_nquery(rs, name, ns_c_in, type, buf, sizeof(buf));
	ns_msg msg;
	ns_rr rr;

	if (n <= 0 || ns_initparse(buf, n, &msg) < 0)
		return;
	for (int i = 0; i < ns_msg_count(msg, ns_s_an); i++) {
		if (ns_parserr(&msg, ns_s_an, i, &rr) < 0 || (int)ns_rr_type(rr) != type)
			continue;
		if (!*ttl || ns_rr_ttl(rr) < *ttl)
			*ttl = ns_rr_ttl(rr);
	}
}

int bf_dns_lookup(const char *name, struct bf_dns_answer *out)
{
	struct __res_state rs;
	int err;

	memset(out, 0, sizeof(*out));
	err = addresses(name, out);
	if (err) {
		out->err = err;
		return err;
	}
	out->have = true;
	memset(&rs, 0, sizeof(rs));
	if (res_ninit(&rs) == 0) {
		/* Only the TTL is asked for here: a slow server must not hold the refresh long. */
		rs.retrans = 2;
		rs.retry = 1;
		ttl_of(&rs, name, ns_t_a, &out->ttl_s);
		ttl_of(&rs, name, ns_t_aaaa, &out->ttl_s);
		res_nclose(&rs);
	}
	return 0;
}

/* ---- the refresh thread ---- */

struct entry {
	char name[BF_DNS_NAME_MAX];
	struct bf_dns_answer ans;
	int64_t due_ns;         /* CLOCK_MONOTONIC */
};

struct bf_dns {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	struct entry *e;
	size_t n;
	uint32_t min_s, max_s;
	bf_dns_lookup_fn lookup;
	void *ctx;
};

/* When to ask again: the TTL within [min, max]; after a failure, the minimum. */
static int64_t next_due(const struct bf_dns *d, const struct bf_dns_answer *a)
{
	uint32_t s = a->err || !a->ttl_s ? d->min_s : a->ttl_s;

	if (s < d->min_s)
		s = d->min_s;
	if (s > d->max_s)
		s = d->max_s;
	return bf_now_ns(CLOCK_MONOTONIC) + (int64_t)s * BF_NS_PER_SEC;
}

static struct entry *find(struct bf_dns *d, const char *name)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->e[i].name, name) == 0)
			return &d->e[i];
	return NULL;
}

/* A failed refresh keeps the last good addresses: a resolver hiccup must not cut the door off. */
static void store(struct bf_dns *d, const char *name, const struct bf_dns_answer *fresh)
{
	struct entry *e = find(d, name);

	if (!e)
		return;	/* dropped from the set while we asked */
	if (fresh->err && e->ans.have) {
		e->ans.err = fresh->err;
		memcpy(e->ans.why, fresh->why, sizeof(e->ans.why));
	} else {
		e->ans = *fresh;
	}
	e->due_ns = next_due(d, fresh);
}

static void *refresh_loop(void *arg)
{
	struct bf_dns *d = arg;

	/* It parses what the network says: it keeps no privilege (none to drop when not root). */
	if (bf_confine_thread() && geteuid() == 0)
		log_warnx("the resolver thread keeps its capabilities");
	pthread_mutex_lock(&d->mu);
	while (!d->stop) {
		struct entry *first = NULL;
		struct bf_dns_answer fresh;
		char name[BF_DNS_NAME_MAX];
		struct timespec until;

		for (size_t i = 0; i < d->n; i++)
			if (!first || d->e[i].due_ns < first->due_ns)
				first = &d->e[i];
		if (!first || first->due_ns > bf_now_ns(CLOCK_MONOTONIC)) {
			int64_t t = first ? first->due_ns : bf_now_ns(CLOCK_MONOTONIC) + 3600 * BF_NS_PER_SEC;

			until = (struct timespec){ .tv_sec = t / BF_NS_PER_SEC, .tv_nsec = t % BF_NS_PER_SEC };
			pthread_cond_timedwait(&d->cv, &d->mu, &until);
			continue;
		}
		memcpy(name, first->name, sizeof(name));
		pthread_mutex_unlock(&d->mu);
		if (d->lookup)
			d->lookup(d->ctx, name, &fresh);
		else
			bf_dns_lookup(name, &fresh);
		pthread_mutex_lock(&d->mu);
		store(d, name, &fresh);
	}
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

int bf_dns_start(struct bf_dns **out, bf_dns_lookup_fn lookup, void *ctx)
{
	struct bf_dns *d = calloc(1, sizeof(*d));
	pthread_condattr_t ca;
	sigset_t all, old;
	int err;

	if (!d)
		return -ENOMEM;
	d->lookup = lookup;
	d->ctx = ctx;
	d->min_s = 30;
	d->max_s = 3600;
	pthread_mutex_init(&d->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&d->cv, &ca);
	pthread_condattr_destroy(&ca);
	/* The thread takes no signals: the agent reads them from a signalfd on its main thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&d->thread, NULL, refresh_loop, d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		free(d);
		return -err;
	}
	*out = d;
	return 0;
}

void bf_dns_stop(struct bf_dns *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->mu);
	d->stop = true;
	pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
	/* A lookup in flight finishes first: getaddrinfo cannot be cancelled cleanly. */
	pthread_join(d->thread, NULL);
	free(d->e);
	free(d);
}

int bf_dns_want(struct bf_dns *d, char *const *names, size_t n, uint32_t min_s, uint32_t max_s)
{
	struct entry *e = calloc(n ? n : 1, sizeof(*e));

	if (!e)
		return -ENOMEM;
	pthread_mutex_lock(&d->mu);
	for (size_t i = 0; i < n; i++) {
		const struct entry *old = find(d, names[i]);

		if (old) {
			e[i] = *old;
		} else {
			snprintf(e[i].name, sizeof(e[i].name), "%s", names[i]);
			e[i].due_ns = bf_now_ns(CLOCK_MONOTONIC);	/* never asked: now */
		}
	}
	free(d->e);
	d->e = e;
	d->n = n;
	d->min_s = min_s;
	d->max_s = max_s;
	pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
	return 0;
}

void bf_dns_seed(struct bf_dns *d, const char *name, const struct bf_dns_answer *a)
{
	pthread_mutex_lock(&d->mu);
	store(d, name, a);
	pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
}

bool bf_dns_get(struct bf_dns *d, const char *name, struct bf_dns_answer *out)
{
	const struct entry *e;
	bool ok;

	pthread_mutex_lock(&d->mu);
	e = find(d, name);
	ok = e && (e->ans.have || e->ans.err);
	if (ok)
		*out = e->ans;
	pthread_mutex_unlock(&d->mu);
	return ok;
}
