/* agent_ledger.h - the consent ledger as the agent reads and appends to it (agent_ledger.c). */
#ifndef BF_AGENT_LEDGER_H
#define BF_AGENT_LEDGER_H

#include "agent.h"

int agent_consent_start(struct bf_agent *ag);
void agent_consent_stop(struct bf_agent *ag);
void agent_consent_refresh_ledger(struct bf_agent *ag, bool force);
void agent_ledger_tick(struct bf_agent *ag);
/* The consent ledger this agent reads and appends to. */
const char *agent_ledger_path(const struct bf_agent *ag);
struct json_object *agent_consent_status(struct bf_agent *ag);

#endif /* BF_AGENT_LEDGER_H */
