/* agent_status.h - status, enforcement report and the control-request router (agent_status.c). */
#ifndef BF_AGENT_STATUS_H
#define BF_AGENT_STATUS_H

#include "agent.h"

struct json_object *agent_status(struct bf_agent *ag);
void agent_add_enforcement(struct bf_agent *ag, struct json_object *o);
struct json_object *agent_backends(struct bf_agent *ag);
struct json_object *agent_not_enforced(struct bf_agent *ag);
void agent_probe_lsm(struct bf_agent *ag);
struct json_object *agent_ctl_handle(void *ctx, const struct bf_ctl_client *c,
				     struct json_object *req);

#endif /* BF_AGENT_STATUS_H */
