/* agent_sockets.h - the scan of open sockets for raw and packet sockets (agent_sockets.c). */
#ifndef BF_AGENT_SOCKETS_H
#define BF_AGENT_SOCKETS_H

#include "agent.h"

void agent_scan_sockets(struct bf_agent *ag);

#endif /* BF_AGENT_SOCKETS_H */
