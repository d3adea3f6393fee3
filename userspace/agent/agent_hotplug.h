/* agent_hotplug.h - camera hot-plug: kernel uevents and udev link directories (agent_hotplug.c). */
#ifndef BF_AGENT_HOTPLUG_H
#define BF_AGENT_HOTPLUG_H

#include <stdbool.h>
#include <stddef.h>

#include "agent.h"

/* Neither source is required: without them the one-second re-resolve still follows devices. */
void agent_hotplug_open(struct bf_hotplug *hp);
void agent_hotplug_close(struct bf_hotplug *hp);
/* Watch the directories P's camera paths live in, and only those. */
void agent_hotplug_watch(struct bf_hotplug *hp, const struct bf_policy *p);
/*
 * A uevent (NUL-separated KEY=VALUE list) that can change what a camera
 * resolves to: described in WHY ("uevent remove /dev/video1"); else false.
 * *V4L2: it was a video4linux node.
 */
bool agent_uevent_relevant(const char *buf, size_t len, char *why, size_t whylen, bool *v4l2);
/* Drain uevent_fd / inotify_fd and re-resolve the policy in force once if anything moved. */
void agent_on_uevent(struct bf_agent *ag);
void agent_on_inotify(struct bf_agent *ag);

#endif /* BF_AGENT_HOTPLUG_H */
