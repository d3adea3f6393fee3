/* agent_logfail.h - what the agent does while its audit log cannot be written (agent_logfail.c). */
#ifndef BF_AGENT_LOGFAIL_H
#define BF_AGENT_LOGFAIL_H

#include "agent.h"

/*
 * Call every turn with CLOCK_MONOTONIC NOW: a log that started failing is
 * told to the kernel at once, and a recovery is tried once a second.
 */
void agent_check_log(struct bf_agent *ag, uint64_t now);
struct json_object *agent_log_state(struct bf_agent *ag);

#endif /* BF_AGENT_LOGFAIL_H */
