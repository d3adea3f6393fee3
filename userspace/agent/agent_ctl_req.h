/* agent_ctl_req.h - one control request as its handler sees it, and the peer who asks (agent_ctl_req.c). */
#ifndef BF_AGENT_CTL_REQ_H
#define BF_AGENT_CTL_REQ_H

#include "agent.h"
#include "agent_consent.h"

/*
 * Apart from the router (agent_ctl.c): the router calls the handlers, the
 * handlers see only this, so neither depends back on the other.
 */

/* Who is asking, from SO_PEERCRED and /proc. */
struct agent_peer {
	bool root;
	bool broker;
	const char *app;        /* the policy app the peer is, or NULL */
	char exe[PATH_MAX];
};

/* One request as a handler sees it. */
struct agent_ctl_req {
	struct bf_agent *ag;
	const struct bf_ctl_client *c;
	const char *cmd;
	struct json_object *req;
	struct agent_peer peer;         /* identified for AGENT_CTL_LOGGED commands only */
	struct agent_now now;
};

/* A command's handler: always a reply, an error reply included. */
typedef struct json_object *(*agent_ctl_fn)(struct agent_ctl_req *r);

/* Fills P from the peer's credentials, matched against the policy in force as the kernel does. */
void agent_peer_identify(struct bf_agent *ag, const struct bf_ctl_client *c, struct agent_peer *p);
/* The "by" member of a record: who asked. */
struct json_object *agent_peer_json(const struct bf_ctl_client *c, const struct agent_peer *p);

#endif /* BF_AGENT_CTL_REQ_H */
