/* agent_ctl.c - the control-request router: every command in one table, with who may run it. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "agent_consent_ctl.h"
#include "agent_ctl.h"
#include "agent_protect.h"
#include "agent_status.h"
#include "agent_unpriv.h"

/* docs/control-protocol.md, "Who may ask what": change both together. */
static const struct agent_ctl_cmd cmds[] = {
	{ "status",         AGENT_CTL_ANYONE, 0,                agent_ctl_status },
	{ "reload",         AGENT_CTL_ROOT,   0,                agent_ctl_reload },
	/* The admin path past self-protection: both logged by their handlers. */
	{ "stop",           AGENT_CTL_ROOT,   0,                agent_ctl_stop },
	{ "detach",         AGENT_CTL_ROOT,   0,                agent_ctl_detach },
	{ "trust",          AGENT_CTL_ROOT,   0,                agent_ctl_trust },
	{ "window-open",    AGENT_CTL_BROKER, AGENT_CTL_LOGGED, agent_ctl_window_open },
	{ "window-close",   AGENT_CTL_BROKER, AGENT_CTL_LOGGED, agent_ctl_window_close },
	{ "window-list",    AGENT_CTL_BROKER, AGENT_CTL_LOGGED, agent_ctl_window_list },
	/* A resident withdraws at the kiosk: withdrawal must be as easy as consent. */
	{ "consent-revoke", AGENT_CTL_BROKER, AGENT_CTL_LOGGED, agent_ctl_consent_revoke },
	{ "consent-grant",  AGENT_CTL_ROOT,   AGENT_CTL_LOGGED, agent_ctl_consent_grant },
	{ "consent-list",   AGENT_CTL_ROOT,   AGENT_CTL_LOGGED, agent_ctl_consent_list },
	{ "consent-show",   AGENT_CTL_ROOT,   AGENT_CTL_LOGGED, agent_ctl_consent_show },
};

const struct agent_ctl_cmd *agent_ctl_find(const char *cmd)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmds[i].name, cmd) == 0)
			return &cmds[i];
	return NULL;
}

/* NULL when R's peer may run CMD, else the "forbidden" reply (logged for the consent family). */
static struct json_object *check_who(struct agent_ctl_req *r, const struct agent_ctl_cmd *cmd)
{
	const struct agent_peer *p = &r->peer;
	char msg[PATH_MAX + 128];

	if (cmd->who == AGENT_CTL_ANYONE || r->c->uid == 0 ||
	    (cmd->who == AGENT_CTL_BROKER && p->broker))
		return NULL;
	if (cmd->who == AGENT_CTL_BROKER)
		snprintf(msg, sizeof(msg), "%s needs root or a broker app; pid %d (%s) is not a broker of the policy in force",
			 cmd->name, (int)r->c->pid, p->exe[0] ? p->exe : "exe unknown");
	else
		snprintf(msg, sizeof(msg), "%s needs root (peer uid %u)", cmd->name, (unsigned)r->c->uid);
	if (cmd->flags & AGENT_CTL_LOGGED)
		return agent_consent_refuse(r, "forbidden", msg);
	return bf_ctl_error("forbidden", "%s", msg);
}

struct json_object *agent_ctl_dispatch(struct bf_agent *ag, const struct bf_ctl_client *c,
				       struct json_object *req, struct agent_now now)
{
	const char *name = json_object_get_string(json_object_object_get(req, "cmd"));
	const struct agent_ctl_cmd *cmd = agent_ctl_find(name);
	struct agent_ctl_req r = { .ag = ag, .c = c, .cmd = name, .req = req, .now = now };
	struct json_object *reply;

	if (!cmd)
		return bf_ctl_error("unknown-cmd", "unknown command \"%.64s\"", name);
	if (cmd->flags & AGENT_CTL_LOGGED)
		agent_peer_identify(ag, c, &r.peer);
	else
		r.peer.root = c->uid == 0;
	if ((reply = check_who(&r, cmd)))
		return reply;
	return cmd->fn(&r);
}

struct json_object *agent_ctl_parse(void *ctx, char *line, size_t n, struct json_object **err)
{
	struct bf_agent *ag = ctx;
	struct json_object *req;

	/*
	 * A parser that is gone (agent_unpriv.c says so, loudly) must not cut
	 * a consent withdrawal off: the line is parsed here then, this one
	 * included if the parser went while it was asked. A worker that
	 * failed on the line is another matter: the line gets the error.
	 */
	if (ag->privsep.requests.pid && ag->privsep.requests.fd >= 0) {
		req = agent_unpriv_ctl(&ag->privsep.requests, line, n, err);
		if (req || ag->privsep.requests.fd >= 0)
			return req;
		json_object_put(*err);
	}
	return bf_ctl_parse_request(line, n, err);
}

struct json_object *agent_ctl_handle(void *ctx, const struct bf_ctl_client *c,
				     struct json_object *req)
{
	return agent_ctl_dispatch(ctx, c, req, agent_now());
}
