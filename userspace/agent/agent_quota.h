/* agent_quota.h - per-application byte quotas (agent_quota.c). */
#ifndef BF_AGENT_QUOTA_H
#define BF_AGENT_QUOTA_H

#include "agent.h"

int agent_assign_quotas(struct bf_agent *ag, struct bf_loaded *ld);
void agent_quota_event(struct bf_agent *ag, const struct bf_event *e);
struct json_object *agent_quota_status(struct bf_agent *ag);

#endif /* BF_AGENT_QUOTA_H */
