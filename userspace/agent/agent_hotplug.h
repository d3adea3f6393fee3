/* agent_hotplug.h - camera hot-plug: kernel uevents and udev link directories (agent_hotplug.c). */
#ifndef BF_AGENT_HOTPLUG_H
#define BF_AGENT_HOTPLUG_H

#include "agent.h"

void agent_hotplug_open(struct bf_agent *ag);
void agent_hotplug_close(struct bf_agent *ag);
void agent_hotplug_watch(struct bf_agent *ag);
void agent_on_uevent(struct bf_agent *ag);
void agent_on_inotify(struct bf_agent *ag);

#endif /* BF_AGENT_HOTPLUG_H */
