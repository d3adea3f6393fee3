/* agent_notify.c - sd_notify(3) for biofenced.service (Type=notify, WatchdogSec=). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "agent_notify.h"
#include "log.h"

static uint64_t mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void notify(const char *what, int r)
{
	if (r < 0)
		log_errno(r, "sd_notify %s", what);
}

void agent_notify_ready(const char *status)
{
	notify("READY=1", sd_notifyf(0, "READY=1\nSTATUS=%s", status));
}

void agent_notify_reloading(void)
{
	notify("RELOADING=1", sd_notify(0, "RELOADING=1\nSTATUS=reloading the policy"));
}

void agent_notify_stopping(const char *status)
{
	notify("STOPPING=1", sd_notifyf(0, "STOPPING=1\nSTATUS=%s", status));
}

void agent_notify_failed(int err, const char *status)
{
	notify("ERRNO", sd_notifyf(0, "STATUS=%s\nERRNO=%d", status, err < 0 ? -err : err));
}

void agent_notify_watchdog(void)
{
	static int enabled = -1;
	static uint64_t interval, last;
	uint64_t now;

	if (enabled < 0) {
		/* 0 keeps $WATCHDOG_USEC set: the check is made once, at the first turn. */
		enabled = sd_watchdog_enabled(0, &interval) > 0;
		interval /= 2;
	}
	if (!enabled)
		return;
	now = mono_usec();
	if (last && now - last < interval)
		return;
	last = now;
	notify("WATCHDOG=1", sd_notify(0, "WATCHDOG=1"));
}
