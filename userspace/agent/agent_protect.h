/* agent_protect.h - self-protection as the agent sees it: refusal records, status, the admin's stop and detach (agent_protect.c). */
#ifndef BF_AGENT_PROTECT_H
#define BF_AGENT_PROTECT_H

#include <stdint.h>

#include <json-c/json.h>

#include "agent.h"
#include "agent_ctl_req.h"

/* The details of a "protect" record (BF_KIND_PROTECT): what was refused, to whom, by which hook. */
void agent_add_protect_event(struct bf_agent *ag, struct json_object *rec, const struct bf_loaded *ld,
			     const void *data, uint64_t objs);
/* "protection" under backends: on and what it covers, or "NOT PROTECTED: why". */
const char *agent_protection(const struct bf_agent *ag);
/* "stop" (root): the loop ends, logged with who asked; the pins keep enforcing. */
struct json_object *agent_ctl_stop(struct agent_ctl_req *r);
/* "detach" (root): the pins removed, logged with who asked, then the agent stops. */
struct json_object *agent_ctl_detach(struct agent_ctl_req *r);
/* "trust" (root): the executable at "path" may take over the pins too (an upgrade), logged. */
struct json_object *agent_ctl_trust(struct agent_ctl_req *r);
/* biofenced --detach: the pins of an agent that no longer runs, logged in its log. Exit status. */
int agent_detach_offline(struct bf_agent *ag);

#endif /* BF_AGENT_PROTECT_H */
