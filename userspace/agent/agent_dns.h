/* agent_dns.h - policy host names resolved at load and kept fresh (agent_dns.c). */
#ifndef BF_AGENT_DNS_H
#define BF_AGENT_DNS_H

#include "agent.h"

/* At load: look LD's host names up now (blocking), keeping the answers to seed the thread. */
int agent_resolve_hosts_now(struct bf_agent *ag, struct bf_loaded *ld);
/* One lookup, by the resolver process when the agent has one: a bf_dns_lookup_fn, CTX the agent. */
int agent_dns_lookup(void *ctx, const char *name, struct bf_dns_answer *a);
/* Between loads: LD's host names from what DNS (the resolver thread; NULL: none) last learned. */
void agent_resolve_hosts_cached(struct bf_dns *dns, struct bf_loaded *ld);
/* LD is in force: DNS keeps its host names fresh, starting from the load's answers. */
void agent_dns_installed(struct bf_dns *dns, struct bf_loaded *ld);
/* A "dns" record for each dest set whose addresses differ between OLD and NOW. */
void agent_log_dns_change(struct bf_agent_log *log, const struct bf_loaded *old, const struct bf_loaded *now);
struct json_object *agent_dns_status(struct bf_agent *ag);

#endif /* BF_AGENT_DNS_H */
