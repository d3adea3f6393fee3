/* agent_dns.h - policy host names resolved at load and kept fresh (agent_dns.c). */
#ifndef BF_AGENT_DNS_H
#define BF_AGENT_DNS_H

#include "agent.h"

int agent_resolve_hosts_now(struct bf_agent *ag, struct bf_loaded *ld);
void agent_resolve_hosts_cached(struct bf_agent *ag, const struct bf_loaded *prev, struct bf_loaded *ld);
void agent_dns_installed(struct bf_agent *ag, struct bf_loaded *ld);
void agent_log_dns_change(struct bf_agent *ag, const struct bf_loaded *old, const struct bf_loaded *now);
struct json_object *agent_dns_status(struct bf_agent *ag);

#endif /* BF_AGENT_DNS_H */
