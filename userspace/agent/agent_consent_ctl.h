/* agent_consent_ctl.h - the consent and window requests of the control socket (agent_consent_ctl.c). */
#ifndef BF_AGENT_CONSENT_CTL_H
#define BF_AGENT_CONSENT_CTL_H

#include "agent.h"

struct json_object *agent_consent_ctl(struct bf_agent *ag, const struct bf_ctl_client *c,
				      const char *cmd, struct json_object *req);

#endif /* BF_AGENT_CONSENT_CTL_H */
