/* agent_policy.h - load, install and re-resolve policies (agent_policy.c). */
#ifndef BF_AGENT_POLICY_H
#define BF_AGENT_POLICY_H

#include <stddef.h>

#include <json-c/json.h>

#include "agent.h"

int agent_load_policy(struct bf_agent *ag, struct bf_loaded **out, struct bf_diags *diags);
int agent_install(struct bf_agent *ag, struct bf_loaded *ld, char *err, size_t errlen);
int agent_reload(struct bf_agent *ag, const char *trigger, struct json_object *reply);
/* TRIGGER says what prompted it ("periodic", "uevent remove video1", ...), for the audit log. */
void agent_reresolve(struct bf_agent *ag, const char *trigger);
void bf_loaded_free(struct bf_loaded *ld);
struct json_object *agent_unresolved(const struct bf_loaded *ld);

#endif /* BF_AGENT_POLICY_H */
