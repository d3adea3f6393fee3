/* check_net.c - network cameras against the rest: no dest may name a camera, no camera is this host. */
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "policy/policy_int.h"

/* Whether A and B share an address: the shorter prefix contains the longer. */
static bool cidrs_overlap(const struct bf_cidr *a, const struct bf_cidr *b)
{
	unsigned len = a->prefix < b->prefix ? a->prefix : b->prefix;

	if (memcmp(a->addr, b->addr, len / 8) != 0)
		return false;
	if (len % 8 == 0)
		return true;
	return ((a->addr[len / 8] ^ b->addr[len / 8]) & (uint8_t)(0xff << (8 - len % 8))) == 0;
}

/* Whether some (protocol, port) is both A's and B's. */
static bool ports_overlap(const struct bf_dest *a, const struct bf_dest *b)
{
	if (a->proto != BF_SEL_ANY && b->proto != BF_SEL_ANY && a->proto != b->proto)
		return false;
	if (!a->n_ports || !b->n_ports)
		return true;
	for (size_t i = 0; i < a->n_ports; i++)
		for (size_t j = 0; j < b->n_ports; j++)
			if (a->ports[i] == b->ports[j])
				return true;
	return false;
}

/*
 * A connect to a camera's address is judged as a capture, never as an
 * export, so a dest naming it would be a rule that never applies there:
 * the author meant one or the other. A dest of any address is the
 * catch-all, not a claim on the camera.
 */
static void check_dest_overlap(struct parser *ps, const struct bf_camera *c)
{
	const struct bf_policy *p = ps->p;
	char ca[INET6_ADDRSTRLEN + 8], da[INET6_ADDRSTRLEN + 8];

	for (size_t i = 0; i < c->net.n_cidrs; i++) {
		for (size_t d = 0; d < p->n_dests; d++) {
			const struct bf_dest *dd = &p->dests[d];

			if (dd->any || !ports_overlap(&c->net, dd))
				continue;
			for (size_t j = 0; j < dd->n_cidrs; j++) {
				if (!cidrs_overlap(&c->net.cidrs[i], &dd->cidrs[j]))
					continue;
				bf_policy_format_cidr(&c->net.cidrs[i], ca, sizeof(ca));
				bf_policy_format_cidr(&dd->cidrs[j], da, sizeof(da));
				bf_policy_report(ps, true, &c->net.cidr_src[i], c->net.ord,
						 "camera \"%s\" (%s) overlaps dest \"%s\" (%s at %s:%u:%u): "
						 "a camera's address cannot also be an export destination",
						 c->name, ca, dd->name, da, dd->cidr_src[j].file,
						 dd->cidr_src[j].line, dd->cidr_src[j].col);
				return;
			}
		}
	}
}

/* A's address as a /128 (IPv4 mapped) cidr; false for other families. */
static bool ifa_cidr(const struct ifaddrs *a, struct bf_cidr *out)
{
	memset(out, 0, sizeof(*out));
	out->prefix = 128;
	if (!a->ifa_addr)
		return false;
	if (a->ifa_addr->sa_family == AF_INET) {
		out->addr[10] = out->addr[11] = 0xff;
		memcpy(out->addr + 12, &((const struct sockaddr_in *)a->ifa_addr)->sin_addr, 4);
		out->v4 = true;
		return true;
	}
	if (a->ifa_addr->sa_family == AF_INET6) {
		memcpy(out->addr, &((const struct sockaddr_in6 *)a->ifa_addr)->sin6_addr, 16);
		return true;
	}
	return false;
}

/*
 * This host's own address is no camera (an error); a camera subnet that
 * holds one makes connects to that address captures too (a warning: a
 * camera network's own interface is often in it, and nothing listens there).
 */
static void check_own_addresses(struct parser *ps, const struct bf_camera *c, const struct ifaddrs *ifs)
{
	char ca[INET6_ADDRSTRLEN + 8], own[INET6_ADDRSTRLEN + 8];
	struct bf_cidr a;

	for (size_t i = 0; i < c->net.n_cidrs; i++) {
		const struct bf_cidr *ci = &c->net.cidrs[i];

		for (const struct ifaddrs *f = ifs; f; f = f->ifa_next) {
			if (!ifa_cidr(f, &a) || !cidrs_overlap(ci, &a))
				continue;
			bf_policy_format_cidr(ci, ca, sizeof(ca));
			bf_policy_format_cidr(&a, own, sizeof(own));
			if (ci->prefix == 128)
				bf_policy_report(ps, true, &c->net.cidr_src[i], c->net.ord,
						 "%s is this host's own address (on %s), not a camera", ca,
						 f->ifa_name);
			else
				bf_policy_report(ps, false, &c->net.cidr_src[i], c->net.ord,
						 "camera subnet %s holds this host's own %s (on %s): connects "
						 "to it are judged as captures too", ca, own, f->ifa_name);
			break;
		}
	}
}

void bf_policy_check_net_cameras(struct parser *ps)
{
	const struct bf_policy *p = ps->p;
	struct ifaddrs *ifs = NULL;
	bool any = false;

	for (size_t i = 0; i < p->n_cameras; i++)
		any |= p->cameras[i].is_net;
	if (!any)
		return;
	/* The host's addresses are the host's: unit tests (no fs checks) leave them out. */
	if (!(ps->flags & BF_PARSE_NO_FS_CHECKS) && getifaddrs(&ifs) < 0)
		ifs = NULL;
	for (size_t i = 0; i < p->n_cameras; i++) {
		if (!p->cameras[i].is_net)
			continue;
		check_dest_overlap(ps, &p->cameras[i]);
		check_own_addresses(ps, &p->cameras[i], ifs);
	}
	freeifaddrs(ifs);
}
