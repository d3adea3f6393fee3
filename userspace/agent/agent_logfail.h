/* agent_logfail.h - what the agent does while its audit log cannot be written (agent_logfail.c). */
#ifndef BF_AGENT_LOGFAIL_H
#define BF_AGENT_LOGFAIL_H

#include "agent.h"

void agent_check_log(struct bf_agent *ag);
struct json_object *agent_log_state(struct bf_agent *ag);

#endif /* BF_AGENT_LOGFAIL_H */
