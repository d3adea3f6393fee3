/* agent_sink.h - the one place agent modules hand their records to (agent_sink.c). */
#ifndef BF_AGENT_SINK_H
#define BF_AGENT_SINK_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "agent.h"

/* Writes (and frees) REC; one that cannot be written is counted in LOG. */
void agent_log_emit(struct bf_agent_log *log, struct json_object *rec);
/* agent_log_emit to the agent's log: what every module that writes a record calls. */
void agent_emit(struct bf_agent *ag, struct json_object *rec);
/* An "agent" record about EVENT ("start", "reload", "resolve", ...), stamped now. */
struct json_object *agent_log_begin(struct bf_agent_log *log, const char *event);
void agent_add_rule_ref(struct json_object *o, const char *key, const struct bf_loaded *ld,
			const int *ast, uint32_t idx);

#endif /* BF_AGENT_SINK_H */
