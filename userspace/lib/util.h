/* util.h - small helpers shared by the agent and the CLI. */
#ifndef BF_UTIL_H
#define BF_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* Clocks here count ns: records, windows, the ledger and DNS TTLs alike. */
#define BF_NS_PER_SEC 1000000000LL

/* snprintf into a path buffer; -ENAMETOOLONG instead of silent truncation. */
int bf_pathf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * The rest of the first line of PATH that starts with PREFIX (newline cut),
 * e.g. "0::" in /proc/PID/cgroup. -ENOENT if none, -ENAMETOOLONG if it
 * does not fit, -errno if PATH cannot be read.
 */
int bf_read_field(const char *path, const char *prefix, char *out, size_t len);

/* A timespec as ns since its clock's epoch. */
int64_t bf_ts_ns(struct timespec ts);

/* clock_gettime(ID) in ns: one place, for every clock the agent and CLI read. */
int64_t bf_now_ns(clockid_t id);

/*
 * mkdir -p for the directories above PATH, new ones MODE, existing ones
 * keep theirs; LAST_ONLY: the parent alone (its own parent must exist).
 * The audit log and the control socket both make their directory. 0 or -errno.
 */
int bf_mkdir_parents(const char *path, mode_t mode, bool last_only);
/* mkdir -p DIR itself: every missing component, new ones MODE. 0 or -errno. */
int bf_mkdir_all(const char *dir, mode_t mode);

#endif /* BF_UTIL_H */
