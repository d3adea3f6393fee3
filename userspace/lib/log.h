/* log.h - the agent's and CLI's one logging module (stderr, relayd style). */
#ifndef BF_LOG_H
#define BF_LOG_H

#include <stdbool.h>

void log_init(const char *progname, int verbosity);
/* "PROGNAME: msg". log_warn appends ": strerror(errno)"; log_warnx does not. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Like log_warn/log_warnx with an explicit error number (a -errno return); an empty message: the error alone. */
void log_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * The same from one part of the program: "PROGNAME SCOPE: msg", e.g.
 * "biofence log verify: ..." for SCOPE "log verify". A NULL or empty
 * SCOPE is the program itself, as log_warnx / log_errno.
 */
void log_warnx_in(const char *scope, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_errno_in(const char *scope, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* BF_LOG_H */
