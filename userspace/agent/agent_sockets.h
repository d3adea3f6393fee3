/* agent_sockets.h - the scan of tainted processes for sockets no hook judges (agent_sockets.c). */
#ifndef BF_AGENT_SOCKETS_H
#define BF_AGENT_SOCKETS_H

#include <stdint.h>

#include "agent.h"

/* Every tainted process (ag->kern->tainted): packet, raw, vsock... sockets reported or killed. */
void agent_scan_sockets(struct bf_agent *ag);

#endif /* BF_AGENT_SOCKETS_H */
