/* agent_consent_ctl.h - the consent and window requests of the control socket (agent_consent_ctl.c), entries of agent_ctl.c's table. */
#ifndef BF_AGENT_CONSENT_CTL_H
#define BF_AGENT_CONSENT_CTL_H

#include "agent.h"
#include "agent_ctl_req.h"

/*
 * Each handler runs once the router has checked who asks (R->peer is
 * identified). Every refusal is an error reply and a "consent" record.
 */
struct json_object *agent_ctl_window_open(struct agent_ctl_req *r);
struct json_object *agent_ctl_window_close(struct agent_ctl_req *r);
struct json_object *agent_ctl_window_list(struct agent_ctl_req *r);
struct json_object *agent_ctl_consent_grant(struct agent_ctl_req *r);
struct json_object *agent_ctl_consent_revoke(struct agent_ctl_req *r);
struct json_object *agent_ctl_consent_list(struct agent_ctl_req *r);
struct json_object *agent_ctl_consent_show(struct agent_ctl_req *r);

/* The error reply CODE/MSG, after logging the refusal of R: what was asked, by whom, why not. */
struct json_object *agent_consent_refuse(struct agent_ctl_req *r, const char *code, const char *msg);

#endif /* BF_AGENT_CONSENT_CTL_H */
