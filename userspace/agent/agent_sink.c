/* agent_sink.c - the one place agent modules hand their audit records to: every module calls it, it calls none of them. */
#include <limits.h>
#include <stdio.h>

#include "agent.h"
#include "agent_sink.h"

/*
 * Kept apart from the event dispatcher (agent_events.c), which calls the
 * consent and quota modules: when the sink lived there, every module that
 * wrote a record depended on the dispatcher and the dispatcher on them.
 */

/*
 * Writes (and frees) a record. One that cannot be written is counted here;
 * the log's own failure tracking (agent_logfail.c) takes it from there.
 */
void agent_log_emit(struct bf_agent_log *log, struct json_object *rec)
{
	if (bf_audit_emit(log->audit, rec))
		log->errors++;
}

void agent_emit(struct bf_agent *ag, struct json_object *rec)
{
	agent_log_emit(&ag->log, rec);
}

/* An "agent" record (the agent's own doing) about EVENT, stamped now: the caller adds and emits. */
struct json_object *agent_log_begin(struct bf_agent_log *log, const char *event)
{
	struct json_object *rec = bf_audit_begin(log->audit, "agent", bf_audit_now_ns());

	bf_json_add_str(rec, "event", event);
	return rec;
}

/* "FILE:LINE" of rule IDX of a compiled table, or "default" past its end. */
void agent_add_rule_ref(struct json_object *o, const char *key, const struct bf_loaded *ld,
			const int *ast, uint32_t idx)
{
	const struct bf_src *src;
	char buf[PATH_MAX + 16];

	if (idx >= BF_MAX_RULES) {
		bf_json_add_str(o, key, "default");
		return;
	}
	src = &ld->policy->rules[ast[idx]].src;
	snprintf(buf, sizeof(buf), "%s:%u", src->file, src->line);
	bf_json_add_str(o, key, buf);
}
