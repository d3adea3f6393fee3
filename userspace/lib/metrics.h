/* metrics.h - the agent's counters in Prometheus text format, written atomically for node_exporter's textfile collector. */
#ifndef BF_METRICS_H
#define BF_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bf_metrics {
	uint64_t events;
	uint64_t capture_denials, export_denials, ipc_denials, socket_denials;
	uint64_t lost_events;
	uint64_t log_errors;
	uint64_t windows_open;
	uint64_t quota_drops;
	uint64_t syslog_errors;
	bool agent_up;
	bool enforcing;
};

/* Every metric with its # HELP and # TYPE lines. Returns the length, or -ERANGE when len is too small. */
int bf_metrics_format(char *buf, size_t len, const struct bf_metrics *m);

/*
 * Replaces PATH with TEXT: written to PATH.tmp in the same directory,
 * synced, then renamed over PATH, so a reader sees the old file or the new
 * one and never a part (the collector reads only *.prom, not the .tmp).
 * 0 or -errno; on error PATH is untouched and no .tmp is left.
 */
int bf_metrics_write(const char *path, const char *text, size_t len);

#endif /* BF_METRICS_H */
