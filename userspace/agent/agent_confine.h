/* agent_confine.h - what biofenced gives up once it is set up: writes outside its paths, capabilities, system calls. */
#ifndef BF_AGENT_CONFINE_H
#define BF_AGENT_CONFINE_H

#include <json-c/json.h>

#include "agent.h"

/*
 * Before any thread: a private mount namespace in which only the agent's
 * own directories (the log's, the ledger's, the control socket's, the
 * metrics file's and the pin directory) are writable. A failure is logged
 * and reported by status; the agent enforces on regardless.
 */
void agent_confine_mounts(struct bf_agent *ag);

/*
 * Once every program is attached and every socket is open: the
 * capabilities the main loop needs (agent_confine.c says why each) and the
 * system calls it makes, nothing else; no_new_privs. Same reporting.
 */
void agent_confine_process(struct bf_agent *ag);

/* {"active":..., "capabilities":..., "no_new_privs":..., "seccomp":..., "writable":[...]} */
struct json_object *agent_confine_json(const struct bf_agent *ag);

#endif /* BF_AGENT_CONFINE_H */
