/* parse_dest.c - "dest NAME any|ADDRS [tcp|udp [PORTS]]": the addresses a name stands for. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "policy/policy_int.h"

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Host bits beyond the prefix are almost always a typo for a host or a network; say which. */
static int cidr_host_bits(const char *s, struct bf_cidr *c, char *err, size_t errlen)
{
	uint8_t net[16];
	char buf[INET6_ADDRSTRLEN];
	unsigned i;

	memcpy(net, c->addr, sizeof(net));
	for (i = c->prefix; i < 128; i++)
		net[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
	if (memcmp(net, c->addr, sizeof(net)) == 0)
		return 0;
	if (c->v4)
		inet_ntop(AF_INET, net + 12, buf, sizeof(buf));
	else
		inet_ntop(AF_INET6, net, buf, sizeof(buf));
	snprintf(err, errlen, "%s: host bits set; did you mean %s/%u?", s, buf,
		 c->v4 ? c->prefix - 96u : c->prefix);
	return -EINVAL;
}

/* Parses "a.b.c.d[/n]" or "x::y[/n]"; IPv4 lands in ::ffff:0:0/96 so one trie serves both. */
static int parse_cidr(const char *s, struct bf_cidr *c, char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned maxp;
	unsigned long n;

	memset(c, 0, sizeof(*c));
	if (alen >= sizeof(buf))
		goto bad_addr;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, c->addr + 12) == 1) {
		c->addr[10] = c->addr[11] = 0xff;
		c->v4 = true;
		maxp = 32;
	} else if (inet_pton(AF_INET6, buf, c->addr) == 1) {
		maxp = 128;
	} else {
		goto bad_addr;
	}
	n = maxp;
	if (slash) {
		n = all_digits(slash + 1) && strlen(slash + 1) <= 3 ? strtoul(slash + 1, NULL, 10) : ~0ul;
		if (n > maxp) {
			snprintf(err, errlen, "bad CIDR \"%s\": prefix length must be 0..%u", s, maxp);
			return -EINVAL;
		}
	}
	c->prefix = (uint8_t)(c->v4 ? 96 + n : n);
	return cidr_host_bits(s, c, err, errlen);
bad_addr:
	snprintf(err, errlen, "bad CIDR \"%s\": not an IPv4 or IPv6 address", s);
	return -EINVAL;
}

/* ---- dest: host "NAME" ---- */

#define HOST_NAME_MAX_LEN 253	/* without the trailing dot: 255 octets on the wire */
#define HOST_LABEL_MAX 63

static bool host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/*
 * A resolver hands an address literal back as itself, and glibc's getaddrinfo also takes
 * inet_aton's forms ("10.1", "0x0a000001"), so any of them would pin an address the
 * policy author believes is a name. S is the name without its trailing dot.
 */
static bool host_is_address(const char *s, char *why, size_t len)
{
	char buf[INET6_ADDRSTRLEN], shown[INET_ADDRSTRLEN];
	size_t alen = strcspn(s, "/");
	uint8_t a6[16];
	struct in_addr a4;

	if (alen < sizeof(buf)) {
		memcpy(buf, s, alen);
		buf[alen] = '\0';
		if (inet_pton(AF_INET, buf, a6) == 1 || inet_pton(AF_INET6, buf, a6) == 1) {
			snprintf(why, len, "an address is written without host and quotes");
			return true;
		}
	}
	if (inet_aton(s, &a4)) {
		inet_ntop(AF_INET, &a4, shown, sizeof(shown));
		snprintf(why, len, "resolvers read it as the address %s, and an address is written "
			 "without host and quotes", shown);
		return true;
	}
	return false;
}

/* The label of S that starts at I and ends at E: its length and its hyphens. */
static int host_label(const char *s, size_t i, size_t e, char *why, size_t len, size_t *at)
{
	if (e == i) {
		*at = i;
		snprintf(why, len, "empty label: labels are separated by single dots");
		return -EINVAL;
	}
	if (e - i > HOST_LABEL_MAX) {
		*at = i;
		snprintf(why, len, "a label of %zu characters, longer than %d", e - i, HOST_LABEL_MAX);
		return -EINVAL;
	}
	if (s[i] == '-' || s[e - 1] == '-') {
		*at = s[i] == '-' ? i : e - 1;
		snprintf(why, len, "label \"%.*s\" %s with '-'", (int)(e - i), s + i,
			 s[i] == '-' ? "starts" : "ends");
		return -EINVAL;
	}
	return 0;
}

/*
 * Checks the DNS name S; on error fills WHY and sets *AT to the offset of the offending
 * character, or SIZE_MAX when the name as a whole is wrong.
 */
static int check_host(const char *s, char *why, size_t len, size_t *at)
{
	size_t n = strlen(s), i, start = 0;
	char bare[64];

	*at = SIZE_MAX;
	if (n == 0) {
		snprintf(why, len, "empty");
		return -EINVAL;
	}
	/* the one trailing dot says "no search domain"; it is not part of any label */
	if (n > 1 && s[n - 1] == '.')
		n--;
	/* before the character scan, which would only complain about a ':' or a '/' */
	if (n < sizeof(bare)) {
		memcpy(bare, s, n);
		bare[n] = '\0';
		if (host_is_address(bare, why, len))
			return -EINVAL;
	}
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.' && !host_char(s[i])) {
			*at = i;
			if (s[i] >= ' ' && s[i] < 0x7f)
				snprintf(why, len, "'%c' is not allowed: labels are letters, digits, "
					 "'-' and '_'", s[i]);
			else
				snprintf(why, len, "byte 0x%02x is not allowed: labels are letters, digits, "
					 "'-' and '_'", (unsigned char)s[i]);
			return -EINVAL;
		}
		if (i < n && s[i] != '.')
			continue;
		if (host_label(s, start, i, why, len, at))
			return -EINVAL;
		start = i + 1;
	}
	if (n > HOST_NAME_MAX_LEN) {
		snprintf(why, len, "%zu characters, longer than %d", n, HOST_NAME_MAX_LEN);
		return -EINVAL;
	}
	return 0;
}

static int add_host(struct parser *ps, struct bf_dest *d, const char *name, size_t i)
{
	char **nh = BF_SLOT(ps, d->hosts, d->n_hosts);
	struct bf_src *ns = nh ? BF_SLOT(ps, d->host_src, d->n_hosts) : NULL;
	char *c = ns ? bf_policy_strdup(ps, name) : NULL;
	size_t k;

	if (!c)
		return -ENOMEM;
	/* DNS compares names without case; one spelling makes duplicates and logs comparable */
	for (k = 0; c[k]; k++)
		if (c[k] >= 'A' && c[k] <= 'Z')
			c[k] = (char)(c[k] - 'A' + 'a');
	*nh = c;
	*ns = bf_policy_src(ps, i);
	d->n_hosts++;
	return 0;
}

/* A repeat is harmless, so it warns; it is not stored twice. */
static bool host_repeated(struct parser *ps, const struct bf_dest *d)
{
	size_t k;

	for (k = 0; k + 1 < d->n_hosts; k++) {
		if (strcmp(d->hosts[k], d->hosts[d->n_hosts - 1]) == 0) {
			bf_policy_report(ps, false, &d->host_src[d->n_hosts - 1], ps->ord,
					 "host \"%s\" given twice in dest \"%s\" (first at column %u)",
					 d->hosts[k], d->name, d->host_src[k].col);
			return true;
		}
	}
	return false;
}

/* A word that failed as an address but would pass as a name: the author meant host "NAME". */
static bool looks_like_name(const char *s)
{
	char why[160];
	size_t at;

	return strpbrk(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_") &&
	       !check_host(s, why, sizeof(why), &at);
}

/* "host "NAME"", the cursor on "host". */
static int dest_host(struct parser *ps, struct bf_dest *d)
{
	const struct tok *t;
	char why[160];
	size_t i, at;

	i = ++ps->cur;
	t = bf_lex_peek(ps);
	if (!t || t->type != TOK_STR) {
		/* a bare word that would be a good name is most likely one with its quotes forgotten */
		if (t && t->type == TOK_WORD && strcmp(t->text, "tcp") && strcmp(t->text, "udp") &&
		    !check_host(t->text, why, sizeof(why), &at))
			bf_policy_err_at(ps, i,
					 "expected a quoted name after host: write host \"%s\"",
					 t->text);
		else
			bf_policy_err_at(ps, i,
					 "expected a quoted name after host, such as host \"door.gate.lan\"");
		return -EINVAL;
	}
	/* a valid name has no escapes, so up to the first bad character offsets match the line */
	if (check_host(t->text, why, sizeof(why), &at)) {
		bf_policy_err_col(ps, at == SIZE_MAX ? t->col : t->col + 1 + (unsigned)at,
				  "bad host name \"%s\" (%s)", t->text, why);
		return -EINVAL;
	}
	if (add_host(ps, d, t->text, i))
		return -ENOMEM;
	if (host_repeated(ps, d))
		free(d->hosts[--d->n_hosts]);
	ps->cur++;
	return 0;
}

static int dest_cidr(struct parser *ps, struct bf_dest *d)
{
	const struct tok *t = bf_lex_peek(ps);
	struct bf_cidr *nc;
	struct bf_src *ns;
	char err[256];

	if (!t || t->type != TOK_WORD) {
		bf_policy_err_at(ps, ps->cur, "expected an address after \",\"");
		return -EINVAL;
	}
	nc = BF_SLOT(ps, d->cidrs, d->n_cidrs);
	ns = nc ? BF_SLOT(ps, d->cidr_src, d->n_cidrs) : NULL;
	if (!ns)
		return -ENOMEM;
	*ns = bf_policy_src(ps, ps->cur);
	if (parse_cidr(t->text, nc, err, sizeof(err))) {
		if (looks_like_name(t->text))
			bf_policy_err_at(ps, ps->cur, "%s (a name is written host \"%s\")", err,
					 t->text);
		else
			bf_policy_err_at(ps, ps->cur, "%s", err);
		return -EINVAL;
	}
	d->n_cidrs++;
	ps->cur++;
	return 0;
}

/* One item of an address list: a CIDR or host "NAME". */
static int dest_item(struct parser *ps, struct bf_dest *d)
{
	const struct tok *t = bf_lex_peek(ps);

	if (bf_lex_peek_word(ps, "host"))
		return dest_host(ps, d);
	/* "any" in a list would widen every other item to everything */
	if (bf_lex_peek_word(ps, "any")) {
		bf_policy_err_at(ps, ps->cur, "\"any\" already covers every address");
		return -EINVAL;
	}
	if (t && t->type == TOK_STR) {
		bf_policy_err_at(ps, ps->cur, "a name is written host \"%s\"", t->text);
		return -EINVAL;
	}
	return dest_cidr(ps, d);
}

static int dest_addrs(struct parser *ps, struct bf_dest *d)
{
	const struct tok *t = bf_lex_peek(ps);

	if (!t || t->type == TOK_COMMA || bf_lex_peek_word(ps, "tcp") || bf_lex_peek_word(ps, "udp")) {
		bf_policy_err_at(ps, ps->cur, "expected any or a list of addresses");
		return -EINVAL;
	}
	if (bf_lex_peek_word(ps, "any")) {
		d->any = true;
		ps->cur++;
		t = bf_lex_peek(ps);
		if (t && (t->type == TOK_COMMA || bf_lex_peek_word(ps, "host"))) {
			bf_policy_err_at(ps, ps->cur, "\"any\" already covers every address");
			return -EINVAL;
		}
		return 0;
	}
	do {
		if (dest_item(ps, d))
			return -EINVAL;
	} while (bf_lex_comma(ps));
	t = bf_lex_peek(ps);
	if (t && (t->type == TOK_STR || bf_lex_peek_word(ps, "host"))) {
		bf_policy_err_at(ps, ps->cur, "expected \",\" between addresses");
		return -EINVAL;
	}
	return 0;
}

static int dest_proto(struct parser *ps, struct bf_dest *d)
{
	const struct tok *t = bf_lex_peek(ps);

	if (bf_lex_peek_word(ps, "tcp")) {
		d->proto = BF_SEL_TCP;
	} else if (bf_lex_peek_word(ps, "udp")) {
		d->proto = BF_SEL_UDP;
	} else if (t->type == TOK_WORD && all_digits(t->text)) {
		bf_policy_err_at(ps, ps->cur,
				 "ports need a protocol: write tcp or udp before \"%s\"", t->text);
		return -EINVAL;
	} else {
		bf_policy_err_at(ps, ps->cur, "expected tcp or udp, found \"%s\"", t->text);
		return -EINVAL;
	}
	ps->cur++;
	return 0;
}

static int dest_ports(struct parser *ps, struct bf_dest *d)
{
	do {
		const struct tok *t = bf_lex_peek(ps);
		unsigned long port;
		uint16_t *np;

		if (!t) {
			bf_policy_err_at(ps, ps->cur, "expected a port after \",\"");
			return -EINVAL;
		}
		if (t->type != TOK_WORD || !all_digits(t->text)) {
			bf_policy_err_at(ps, ps->cur,
					 "bad port \"%s\" (expected a number 1..65535)", t->text);
			return -EINVAL;
		}
		port = strlen(t->text) > 5 ? ~0ul : strtoul(t->text, NULL, 10);
		if (port < 1 || port > 65535) {
			bf_policy_err_at(ps, ps->cur, "port out of range \"%s\" (1..65535)",
					 t->text);
			return -EINVAL;
		}
		np = BF_SLOT(ps, d->ports, d->n_ports);
		if (!np)
			return -ENOMEM;
		*np = (uint16_t)port;
		d->n_ports++;
		ps->cur++;
	} while (bf_lex_comma(ps));
	return 0;
}

/* Whether the next token is one of the words STOP (NULL-terminated; NULL: none) that end a spec early. */
static bool at_stop(const struct parser *ps, const char *const *stop)
{
	for (; stop && *stop; stop++)
		if (bf_lex_peek_word(ps, *stop))
			return true;
	return !bf_lex_peek(ps);
}

int bf_policy_net_spec(struct parser *ps, struct bf_dest *d, const char *const *stop)
{
	if (dest_addrs(ps, d))
		return -EINVAL;
	if (at_stop(ps, stop))
		return 0;
	if (dest_proto(ps, d))
		return -EINVAL;
	if (at_stop(ps, stop))
		return 0;
	return dest_ports(ps, d);
}

void bf_policy_stmt_dest(struct parser *ps)
{
	struct bf_dest *d = bf_policy_define(ps, K_DEST);

	if (!d)
		return;
	d->ord = ps->ord;
	if (bf_policy_net_spec(ps, d, NULL))
		return;
	bf_lex_end(ps);
}

