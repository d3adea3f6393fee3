/* metrics.c - formats the agent's counters as Prometheus text and replaces the metrics file in one rename. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "metrics.h"

struct metric {
	const char *name, *type, *help;
	uint64_t value;
};

static int format_one(char *buf, size_t len, const struct metric *m)
{
	int n = snprintf(buf, len, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", m->name, m->help,
			 m->name, m->type, m->name, (unsigned long long)m->value);

	return n < 0 || (size_t)n >= len ? -ERANGE : n;
}

int bf_metrics_format(char *buf, size_t len, const struct bf_metrics *v)
{
	const struct metric ms[] = {
		{ "biofence_agent_up", "gauge", "1 while biofenced runs, 0 after a clean stop", v->agent_up },
		{ "biofence_enforcing", "gauge",
		  "1 when the programs are attached and the policy is in enforce mode", v->enforcing },
		{ "biofence_events_total", "counter", "Events the kernel programs reported", v->events },
		{ "biofence_capture_denials_total", "counter", "Camera opens refused", v->capture_denials },
		{ "biofence_export_denials_total", "counter", "Sends by tainted processes refused",
		  v->export_denials },
		{ "biofence_ipc_denials_total", "counter", "Unix-socket connects and sends by tainted processes refused",
		  v->ipc_denials },
		{ "biofence_socket_denials_total", "counter", "Raw sockets refused to tainted processes",
		  v->socket_denials },
		{ "biofence_lost_events_total", "counter", "Events lost because the ring buffer was full",
		  v->lost_events },
		{ "biofence_log_errors_total", "counter", "Audit records that could not be written", v->log_errors },
		{ "biofence_windows_open", "gauge", "Consent capture windows open now", v->windows_open },
		{ "biofence_quota_drops_total", "counter", "Packets dropped past an export quota", v->quota_drops },
		{ "biofence_syslog_errors_total", "counter", "Audit records that could not be sent to syslog",
		  v->syslog_errors },
	};
	size_t off = 0;
	int n;

	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
		n = format_one(buf + off, len - off, &ms[i]);
		if (n < 0)
			return n;
		off += (size_t)n;
	}
	return off > INT_MAX ? -ERANGE : (int)off;
}

static int write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int bf_metrics_write(const char *path, const char *text, size_t len)
{
	char tmp[PATH_MAX];
	int fd, err;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	/* 0644: the collector usually runs as another user. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	err = write_all(fd, text, len);
	/* Synced before the rename: after a crash the name holds a whole file, not an empty one. */
	if (!err && fsync(fd) < 0)
		err = -errno;
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}
