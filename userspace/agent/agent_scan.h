/* agent_scan.h - which processes hold a camera, and killing them safely (agent_scan.c). */
#ifndef BF_AGENT_SCAN_H
#define BF_AGENT_SCAN_H

#include "agent.h"

void agent_scan_holders(struct bf_agent *ag);
int agent_pid_apps(struct bf_agent *ag, uint32_t pid, uint32_t uid, uint64_t *apps, char *exe,
		   size_t exelen);
bool agent_pid_holds(uint32_t pid, uint32_t major_nr, uint32_t minor_nr);
/* SIGKILL through a pidfd, if STILL(pid, ctx) holds once the pidfd is held; -ESRCH if not. */
int agent_kill(uint32_t pid, bool (*still)(uint32_t pid, const void *ctx), const void *ctx);

#endif /* BF_AGENT_SCAN_H */
