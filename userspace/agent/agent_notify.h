/* agent_notify.h - tell systemd (Type=notify) where the agent is: ready, reloading, stopping, alive. */
#ifndef BF_AGENT_NOTIFY_H
#define BF_AGENT_NOTIFY_H

#include <stdint.h>

#include "agent.h"

/*
 * Every call is a no-op when the agent was not started by systemd
 * (no $NOTIFY_SOCKET), so `make run` and the tests see no difference.
 */
void agent_notify_ready(const char *status);
void agent_notify_reloading(void);
void agent_notify_stopping(const char *status);
/* Start failed before READY=1: the reason, for `systemctl status`; the journal has the details. */
void agent_notify_failed(int err, const char *status);
/*
 * Call from every turn of the main loop with CLOCK_MONOTONIC in µs: pings
 * WATCHDOG=1 at half of WatchdogSec=, no more often.
 */
void agent_notify_watchdog(struct bf_watchdog *w, uint64_t now_us);

#endif /* BF_AGENT_NOTIFY_H */
