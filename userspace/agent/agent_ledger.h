/* agent_ledger.h - the consent ledger as the agent reads and appends to it (agent_ledger.c). */
#ifndef BF_AGENT_LEDGER_H
#define BF_AGENT_LEDGER_H

#include "agent.h"
#include "agent_consent.h"

int agent_consent_start(struct bf_agent *ag);
void agent_consent_stop(struct bf_agent *ag);
/* Rereads the ledger if it changed (or FORCE), then ends the windows it no longer supports. */
void agent_consent_refresh_ledger(struct bf_agent *ag, bool force, int64_t now_real_ns);
/* At most once a second (boot time), the ledger is looked at again. */
void agent_ledger_tick(struct bf_agent *ag, struct agent_now now);
/* The consent ledger this agent reads and appends to. */
const char *agent_ledger_path(const struct bf_agent *ag);
/* The "consent" member of status: the ledger's state and the open windows. */
struct json_object *agent_consent_status(const struct bf_consent_state *cs, const char *ledger_path,
					 uint32_t grace_ms);

#endif /* BF_AGENT_LEDGER_H */
