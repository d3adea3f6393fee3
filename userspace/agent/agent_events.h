/* agent_events.h - the ring-buffer event dispatcher and the boot clock (agent_events.c). */
#ifndef BF_AGENT_EVENTS_H
#define BF_AGENT_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "agent.h"

/* A ring-buffer callback: CTX is the agent, DATA one struct bf_event (or a larger kind of it). */
int agent_on_event(void *ctx, void *data, size_t size);
void agent_path_caches_free(struct bf_event_state *ev);
/* Logs a "lost" record when the kernel's lost counter passed what was already logged. */
void agent_check_lost(struct bf_agent *ag);
/* Kernel stamps are CLOCK_BOOTTIME, records wall-clock: REAL_NS and BOOT_NS read at one moment. */
void agent_update_clock(struct bf_event_state *ev, uint64_t real_ns, uint64_t boot_ns);

#endif /* BF_AGENT_EVENTS_H */
