/* agent_status.h - status, the enforcement report, and the status and reload commands (agent_status.c). */
#ifndef BF_AGENT_STATUS_H
#define BF_AGENT_STATUS_H

#include "agent.h"
#include "agent_ctl_req.h"

/* What status reads from the kernel and bpffs, apart from the report built on it (so it can be faked). */
struct agent_kernel_view {
	uint64_t stats[BF_STAT_N];      /* the programs' counters, summed over CPUs */
	bool attached;                  /* pinned links present: someone may have run 'biofence detach' */
};

struct agent_kernel_view agent_kernel_view(struct bf_agent *ag);
struct json_object *agent_status(struct bf_agent *ag);
struct json_object *agent_status_json(struct bf_agent *ag, const struct agent_kernel_view *k);
void agent_add_enforcement(struct bf_agent *ag, struct json_object *o);
struct json_object *agent_backends(struct bf_agent *ag);
struct json_object *agent_not_enforced(struct bf_agent *ag);

/* Entries of agent_ctl.c's table. */
struct json_object *agent_ctl_status(struct agent_ctl_req *r);
struct json_object *agent_ctl_reload(struct agent_ctl_req *r);

#endif /* BF_AGENT_STATUS_H */
