/* agent_events.h - the ring-buffer event dispatcher and the boot clock (agent_events.c). */
#ifndef BF_AGENT_EVENTS_H
#define BF_AGENT_EVENTS_H

#include "agent.h"

int agent_on_event(void *ctx, void *data, size_t size);
void agent_path_caches_free(struct bf_agent *ag);
void agent_check_lost(struct bf_agent *ag);
void agent_update_clock(struct bf_agent *ag);

#endif /* BF_AGENT_EVENTS_H */
