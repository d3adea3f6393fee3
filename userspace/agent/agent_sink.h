/* agent_sink.h - the one place agent modules hand their audit records to (agent_sink.c). */
#ifndef BF_AGENT_SINK_H
#define BF_AGENT_SINK_H

#include "agent.h"

void agent_emit(struct bf_agent *ag, struct json_object *rec);
void agent_add_rule_ref(struct json_object *o, const char *key, const struct bf_loaded *ld,
			const int *ast, uint32_t idx);

#endif /* BF_AGENT_SINK_H */
