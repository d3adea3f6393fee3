/* agent_consent.h - capture windows and the consent checks on capture (agent_consent.c). */
#ifndef BF_AGENT_CONSENT_H
#define BF_AGENT_CONSENT_H

#include "agent.h"

/* Why a window ended (bf_window_info.end_reason). */
enum bf_window_end {
	BF_WEND_EXPIRED = 1,    /* its time ran out */
	BF_WEND_CLOSED,         /* window-close */
	BF_WEND_REVOKED,        /* its grant was revoked */
	BF_WEND_GRANT_ENDED,    /* its grant expired or left the ledger */
	BF_WEND_POLICY,         /* the policy in force no longer has its consent rule */
	BF_WEND_LEDGER,         /* the ledger became unreadable or invalid */
};

void agent_consent_fill(struct bf_agent *ag, struct bf_loaded *ld);
void agent_consent_after_install(struct bf_agent *ag);
void agent_consent_tick(struct bf_agent *ag);
void agent_consent_on_capture(struct bf_agent *ag, const struct bf_loaded *ld,
			      const struct bf_event *e, struct json_object *rec);
struct bf_window_info *agent_window_find(struct bf_agent *ag, uint32_t id, bool open_only);
int agent_window_open(struct bf_agent *ag, const struct bf_window_info *proto, uint32_t for_ms,
		      struct bf_window_info **out);
void agent_window_end(struct bf_agent *ag, struct bf_window_info *w, enum bf_window_end why,
		      struct json_object *by);
struct json_object *agent_window_json(struct bf_agent *ag, const struct bf_window_info *w);
struct json_object *agent_consent_record(struct bf_agent *ag, const char *event,
					 const struct bf_window_info *w);

#endif /* BF_AGENT_CONSENT_H */
