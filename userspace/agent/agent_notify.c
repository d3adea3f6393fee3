/* agent_notify.c - sd_notify(3) for biofenced.service (Type=notify, WatchdogSec=). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include <systemd/sd-daemon.h>

#include "agent_notify.h"
#include "log.h"

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

void agent_notify_watchdog(struct bf_watchdog *w, uint64_t now_us)
{
	if (!w->enabled) {
		/* 0 keeps $WATCHDOG_USEC set: the check is made once, at the first turn. */
		w->enabled = sd_watchdog_enabled(0, &w->interval_us) > 0 ? 1 : -1;
		w->interval_us /= 2;
	}
	if (w->enabled < 0)
		return;
	if (w->last_us && now_us - w->last_us < w->interval_us)
		return;
	w->last_us = now_us;
	notify("WATCHDOG=1", sd_notify(0, "WATCHDOG=1"));
}
