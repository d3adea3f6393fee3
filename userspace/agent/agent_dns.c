/* agent_dns.c - policy host names: looked up at load, kept fresh by the resolver thread, changes logged. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "agent_dns.h"
#include "agent_sink.h"
#include "agent_unpriv.h"
#include "log.h"

struct lookup_ctx {
	struct bf_agent *ag;
	struct bf_loaded *ld;
};

/* Through the resolver process when there is one (the agent); in this process for --check and the unit tests. */
int agent_dns_lookup(void *ctx, const char *name, struct bf_dns_answer *a)
{
	struct bf_agent *ag = ctx;

	if (ag->privsep.resolver.pid)
		return agent_unpriv_lookup(&ag->privsep.resolver, name, a);
	return bf_dns_lookup(name, a);
}

/* At load: ask now (blocking), and keep the answers to seed the thread once installed. */
static bool lookup_now(void *ctx, const char *name, struct bf_dns_answer *a)
{
	struct lookup_ctx *lc = ctx;
	struct bf_loaded *ld = lc->ld;
	void *nv = realloc(ld->seeds, (ld->n_seeds + 1) * sizeof(*ld->seeds));

	agent_dns_lookup(lc->ag, name, a);
	if (nv) {
		ld->seeds = nv;
		snprintf(ld->seeds[ld->n_seeds].name, sizeof(ld->seeds[0].name), "%s", name);
		ld->seeds[ld->n_seeds++].a = *a;
	}
	return true;
}

int agent_resolve_hosts_now(struct bf_agent *ag, struct bf_loaded *ld)
{
	struct lookup_ctx lc = { ag, ld };
	int err = bf_resolve_hosts(ld->policy, &ld->res, lookup_now, &lc);

	for (size_t i = 0; !err && i < bf_policy_n_nets(ld->policy); i++) {
		const char *kind, *name;

		bf_policy_net(ld->policy, i, &kind, &name);
		if (ld->res.dests[i].why[0])
			log_warnx("%s %s: %s", kind, name, ld->res.dests[i].why);
	}
	return err;
}

/* Between loads: the thread's answer; never a lookup on the event loop. */
static bool lookup_cached(void *ctx, const char *name, struct bf_dns_answer *a)
{
	struct bf_dns *dns = ctx;

	return dns && bf_dns_get(dns, name, a);
}

void agent_resolve_hosts_cached(struct bf_dns *dns, struct bf_loaded *ld)
{
	if (bf_resolve_hosts(ld->policy, &ld->res, lookup_cached, dns))
		log_warnx("re-resolving host names: out of memory");
}

/* The policy in force names these hosts: the thread keeps them, starting from the load's answers. */
void agent_dns_installed(struct bf_dns *dns, struct bf_loaded *ld)
{
	const struct bf_policy *p = ld->policy;
	char **names = NULL;
	size_t n = 0;

	if (!dns)
		return;
	for (size_t i = 0; i < bf_policy_n_nets(p); i++) {
		const struct bf_dest *d = bf_policy_net(p, i, NULL, NULL);

		for (size_t h = 0; h < d->n_hosts; h++) {
			void *nv = realloc(names, (n + 1) * sizeof(*names));

			if (!nv)
				break;
			names = nv;
			names[n++] = d->hosts[h];
		}
	}
	if (bf_dns_want(dns, names, n, p->dns_ttl_min_s, p->dns_ttl_max_s) == 0)
		for (size_t i = 0; i < ld->n_seeds; i++)
			bf_dns_seed(dns, ld->seeds[i].name, &ld->seeds[i].a);
	free(names);
	free(ld->seeds);
	ld->seeds = NULL;
	ld->n_seeds = 0;
}

static struct json_object *addr_list(const struct bf_dest_res *dr)
{
	struct json_object *arr = json_object_new_array();

	for (size_t k = 0; dr && k < dr->n_addrs; k++) {
		char buf[INET6_ADDRSTRLEN];

		if (dr->addrs[k].v4)
			inet_ntop(AF_INET, dr->addrs[k].addr + 12, buf, sizeof(buf));
		else
			inet_ntop(AF_INET6, dr->addrs[k].addr, buf, sizeof(buf));
		json_object_array_add(arr, json_object_new_string(buf));
	}
	return arr;
}

void agent_log_dns_change(struct bf_agent_log *log, const struct bf_loaded *old, const struct bf_loaded *now)
{
	const struct bf_policy *p = now->policy;

	for (size_t i = 0; i < bf_policy_n_nets(p) && now->res.dests; i++) {
		const struct bf_dest_res *a = old->res.dests ? &old->res.dests[i] : NULL, *b = &now->res.dests[i];
		const char *kind, *name;
		struct json_object *rec;

		if (!bf_policy_net(p, i, &kind, &name)->n_hosts ||
		    (a && a->n_addrs == b->n_addrs && !strcmp(a->why, b->why) &&
		     (!a->n_addrs || !memcmp(a->addrs, b->addrs, a->n_addrs * sizeof(*a->addrs)))))
			continue;
		rec = agent_log_begin(log, "dns");
		bf_json_add_str(rec, i < p->n_dests ? "dest_set" : "camera", name);
		json_object_object_add(rec, "addresses", addr_list(b));
		json_object_object_add(rec, "previous", addr_list(a));
		bf_json_add_str(rec, "why", b->why[0] ? b->why : NULL);
		agent_log_emit(log, rec);
		if (b->why[0])
			log_warnx("%s %s: %s", kind, name, b->why);
		else
			log_info("%s %s: host names now resolve to %zu addresses", kind, name, b->n_addrs);
	}
}

/* Each dest with host names: the addresses in force and any failure. */
struct json_object *agent_dns_status(struct bf_agent *ag)
{
	const struct bf_loaded *ld = ag->policy.cur;
	struct json_object *o = json_object_new_object();

	for (size_t i = 0; i < bf_policy_n_nets(ld->policy) && ld->res.dests; i++) {
		const char *kind, *name;
		struct json_object *d;
		char key[BF_NAME_MAX + 8];

		if (!bf_policy_net(ld->policy, i, &kind, &name)->n_hosts)
			continue;
		d = json_object_new_object();
		json_object_object_add(d, "addresses", addr_list(&ld->res.dests[i]));
		bf_json_add_str(d, "why", ld->res.dests[i].why[0] ? ld->res.dests[i].why : NULL);
		/* Dests by name, as before; a camera's name may be a dest's too, so it says what it is. */
		snprintf(key, sizeof(key), i < ld->policy->n_dests ? "%s" : "camera %s", name);
		json_object_object_add(o, key, d);
	}
	return o;
}
