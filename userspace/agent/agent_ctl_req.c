/* agent_ctl_req.c - who is asking on the control socket: the peer's credentials matched against the policy in force. */
#include <string.h>

#include "agent.h"
#include "agent_ctl_req.h"
#include "agent_scan.h"

void agent_peer_identify(struct bf_agent *ag, const struct bf_ctl_client *c, struct agent_peer *p)
{
	const struct bf_policy *pol = ag->policy.cur->policy;
	uint64_t apps = 0, brokers = 0;

	memset(p, 0, sizeof(*p));
	p->root = c->uid == 0;
	/* Matched as the kernel matches processes: exe inode, uid and cgroup. */
	if (agent_pid_apps(ag, (uint32_t)c->pid, (uint32_t)c->uid, &apps, p->exe, sizeof(p->exe)))
		apps = 0;
	for (size_t i = 0; i < pol->n_brokers; i++)
		brokers |= 1ull << pol->brokers[i];
	p->broker = apps & brokers;
	if (apps & brokers)
		p->app = pol->apps[__builtin_ctzll(apps & brokers)].name;
	else if (apps)
		p->app = pol->apps[__builtin_ctzll(apps)].name;
}

struct json_object *agent_peer_json(const struct bf_ctl_client *c, const struct agent_peer *p)
{
	struct json_object *o = json_object_new_object();

	bf_json_add_u64(o, "pid", (uint64_t)c->pid);
	bf_json_add_u64(o, "uid", (uint64_t)c->uid);
	bf_json_add_str(o, "exe", p->exe[0] ? p->exe : NULL);
	bf_json_add_str(o, "app", p->app);
	bf_json_add_bool(o, "broker", p->broker);
	return o;
}
