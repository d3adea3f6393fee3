/* agent_ctl.h - the control-request router: one table of commands and who may run each (agent_ctl.c). */
#ifndef BF_AGENT_CTL_H
#define BF_AGENT_CTL_H

#include "agent.h"
#include "agent_ctl_req.h"

/* Who may run a command (docs/control-protocol.md, "Who may ask what"). */
enum agent_ctl_who {
	AGENT_CTL_ANYONE = 0,   /* anyone who can connect */
	AGENT_CTL_ROOT,         /* uid 0 */
	AGENT_CTL_BROKER,       /* uid 0, or a broker app of the policy in force */
};

/* The consent family: the peer is identified, and every refusal is an audit record. */
#define AGENT_CTL_LOGGED (1u << 0)

struct agent_ctl_cmd {
	const char *name;
	enum agent_ctl_who who;
	unsigned flags;         /* AGENT_CTL_* */
	agent_ctl_fn fn;
};

/* The table entry for CMD, or NULL (the request then gets "unknown-cmd"). */
const struct agent_ctl_cmd *agent_ctl_find(const char *cmd);

/* Routes REQ (a JSON object with a string "cmd") as of NOW; always a reply. */
struct json_object *agent_ctl_dispatch(struct bf_agent *ag, const struct bf_ctl_client *c,
				       struct json_object *req, struct agent_now now);
/* The bf_ctl_handler the control socket calls (CTX: struct bf_agent *), at the time it is called. */
/* A bf_ctl_parser: the line is parsed by the parser process when the agent has one (CTX: the agent). */
struct json_object *agent_ctl_parse(void *ctx, char *line, size_t n, struct json_object **err);
struct json_object *agent_ctl_handle(void *ctx, const struct bf_ctl_client *c,
				     struct json_object *req);

#endif /* BF_AGENT_CTL_H */
