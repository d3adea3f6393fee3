/* agent_hotplug.c - re-resolve cameras the moment a device comes or goes: kernel uevents, and inotify on the directories of camera paths. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "agent.h"
#include "agent_hotplug.h"
#include "agent_policy.h"
#include "log.h"

#define UEVENT_BUF 8192		/* the kernel's UEVENT_BUFFER_SIZE is 2048 */
#define UEVENT_RCVBUF (1 << 20)	/* a module load sends a burst; a loss costs a re-resolve */
#define WATCH_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | \
		    IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

/*
 * The kernel multicasts every uevent on group 1 with no udev in between,
 * so this works in a bare initramfs with devtmpfs as well as under udev.
 * Sent after devtmpfs made (or removed) the node and sysfs shows (or
 * stopped showing) it, so a re-resolve right away sees the new state.
 */
static int open_uevent(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int size = UEVENT_RCVBUF;
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

void agent_hotplug_open(struct bf_hotplug *hp)
{
	int fd = open_uevent();

	if (fd < 0)
		log_errno(fd, "kernel uevents (cameras are re-resolved once a second only)");
	hp->uevent_fd = fd < 0 ? -1 : fd;
	hp->inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (hp->inotify_fd < 0)
		log_warn("inotify (camera links are re-resolved once a second only)");
}

void agent_hotplug_close(struct bf_hotplug *hp)
{
	if (hp->uevent_fd >= 0)
		close(hp->uevent_fd);
	if (hp->inotify_fd >= 0)
		close(hp->inotify_fd);
	hp->uevent_fd = hp->inotify_fd = -1;
	for (size_t i = 0; i < hp->n_watches; i++)
		free(hp->watches[i].dir);
	hp->n_watches = 0;
}

static int watch_find(const struct bf_hotplug *hp, const char *dir, int wd)
{
	for (size_t i = 0; i < hp->n_watches; i++)
		if (dir ? strcmp(hp->watches[i].dir, dir) == 0 : hp->watches[i].wd == wd)
			return (int)i;
	return -1;
}

/* Watch DIR unless it already is; a directory that does not exist yet is tried again next time. */
static void watch_dir(struct bf_hotplug *hp, const char *dir, bool *used)
{
	int w = watch_find(hp, dir, 0), wd;

	if (w >= 0) {
		used[w] = true;
		return;
	}
	if (hp->n_watches == BF_MAX_WATCHES) {
		log_debug("inotify: more than %d camera path directories; %s is re-resolved once a second",
			  BF_MAX_WATCHES, dir);
		return;
	}
	wd = inotify_add_watch(hp->inotify_fd, dir, WATCH_MASK);
	if (wd < 0)
		return;
	/* Two spellings of one directory share a wd: keep the first. */
	w = watch_find(hp, NULL, wd);
	if (w >= 0) {
		used[w] = true;
		return;
	}
	hp->watches[hp->n_watches].dir = strdup(dir);
	if (!hp->watches[hp->n_watches].dir) {
		inotify_rm_watch(hp->inotify_fd, wd);
		return;
	}
	hp->watches[hp->n_watches].wd = wd;
	used[hp->n_watches++] = true;
}

/* Directories no camera path of the policy in force lives in any more. */
static void unwatch_unused(struct bf_hotplug *hp, const bool *used)
{
	for (size_t i = hp->n_watches; i-- > 0;) {
		if (used[i])
			continue;
		inotify_rm_watch(hp->inotify_fd, hp->watches[i].wd);
		free(hp->watches[i].dir);
		hp->watches[i] = hp->watches[--hp->n_watches];
	}
}

/*
 * udev makes /dev/v4l/by-path and by-id links after the uevent, so the
 * directories the policy's camera paths live in are watched too. Called
 * after every install and every second: directories made later are
 * picked up, those a reload dropped are let go, and a watch already in
 * place costs a string compare.
 */
void agent_hotplug_watch(struct bf_hotplug *hp, const struct bf_policy *p)
{
	bool used[BF_MAX_WATCHES] = { false };

	if (hp->inotify_fd < 0 || !p)
		return;
	for (size_t i = 0; i < p->n_cameras; i++) {
		for (size_t k = 0; k < p->cameras[i].n_paths; k++) {
			char dir[PATH_MAX];
			char *slash;

			snprintf(dir, sizeof(dir), "%s", p->cameras[i].paths[k]);
			slash = strrchr(dir, '/');
			if (!slash)
				continue;
			slash[slash == dir] = '\0';	/* "/video0" watches "/" */
			watch_dir(hp, dir, used);
		}
	}
	unwatch_unused(hp, used);
}

/* The value of KEY in a uevent's NUL-separated KEY=VALUE list, or NULL. */
static const char *uevent_get(const char *buf, size_t len, const char *key)
{
	size_t klen = strlen(key);

	for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
		if (strncmp(buf + i, key, klen) == 0 && buf[i + klen] == '=')
			return buf + i + klen + 1;
	return NULL;
}

/* A device node came or went (a camera path may name any character device), or a V4L2 node changed. */
bool agent_uevent_relevant(const char *buf, size_t len, char *why, size_t whylen, bool *v4l2)
{
	const char *action = uevent_get(buf, len, "ACTION");
	const char *devname = uevent_get(buf, len, "DEVNAME");
	const char *subsys = uevent_get(buf, len, "SUBSYSTEM");
	const char *what = devname ?: uevent_get(buf, len, "DEVPATH");

	*v4l2 = subsys && strcmp(subsys, "video4linux") == 0;
	if (!action || (!devname && !*v4l2))
		return false;
	snprintf(why, whylen, "uevent %s %s", action, what ?: "?");
	return true;
}

/* A burst (a module load) is drained whole, then resolved once. */
void agent_on_uevent(struct bf_agent *ag)
{
	char buf[UEVENT_BUF], why[160] = "";
	unsigned more = 0;
	bool overflow = false, why_v4l2 = false;

	for (;;) {
		struct sockaddr_nl sa = { 0 };	/* a sender that names no address is port 0 */
		struct iovec iov = { buf, sizeof(buf) - 1 };
		struct msghdr msg = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov,
				      .msg_iovlen = 1 };
		ssize_t n = recvmsg(ag->hotplug.uevent_fd, &msg, 0);
		char one[160];
		bool v4l2;

		if (n < 0 && errno == ENOBUFS) {
			overflow = true;	/* events were lost: whatever they were, look again */
			continue;
		}
		if (n < 0)
			break;
		/* Only the kernel speaks on group 1 with port 0; anything else is not a device. */
		if (sa.nl_pid != 0 || n == 0)
			continue;
		buf[n] = '\0';
		if (!agent_uevent_relevant(buf, (size_t)n, one, sizeof(one), &v4l2))
			continue;
		more += why[0] != '\0';
		/* The record names the first V4L2 node of a burst, else its first device. */
		if (!why[0] || (v4l2 && !why_v4l2)) {
			memcpy(why, one, sizeof(why));
			why_v4l2 = v4l2;
		}
	}
	if (overflow && !why[0])
		snprintf(why, sizeof(why), "uevent (some lost: receive buffer full)");
	if (!why[0])
		return;
	if (more)
		snprintf(why + strlen(why), sizeof(why) - strlen(why), " (and %u more)", more);
	agent_reresolve(ag, why);
}

void agent_on_inotify(struct bf_agent *ag)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	char why[160] = "";
	ssize_t n;

	while ((n = read(ag->hotplug.inotify_fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			int w = watch_find(&ag->hotplug, NULL, ev->wd);

			p += sizeof(*ev) + ev->len;
			/* Events were dropped: whatever they were, look again. */
			if ((ev->mask & IN_Q_OVERFLOW) && !why[0])
				snprintf(why, sizeof(why), "inotify (queue overflow)");
			if (w < 0)
				continue;
			if (!why[0])
				snprintf(why, sizeof(why), "inotify %s%s%s", ag->hotplug.watches[w].dir,
					 ev->len ? "/" : "", ev->len ? ev->name : "");
			/* The directory went away: forget it, so it is watched again once it is back. */
			if (ev->mask & IN_IGNORED) {
				free(ag->hotplug.watches[w].dir);
				ag->hotplug.watches[w] = ag->hotplug.watches[--ag->hotplug.n_watches];
			}
		}
	}
	if (why[0])
		agent_reresolve(ag, why);
}
