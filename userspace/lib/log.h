/* log.h - the agent's and CLI's one logging module (stderr, relayd style). */
#ifndef BF_LOG_H
#define BF_LOG_H

#include <stdbool.h>

void log_init(const char *progname, int verbosity);
/* log_warn appends ": strerror(errno)"; log_warnx does not. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Like log_warn/log_warnx with an explicit error number (a -errno return). */
void log_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* BF_LOG_H */
