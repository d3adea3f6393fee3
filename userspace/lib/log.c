/* log.c - diagnostics to stderr: warnings with and without errno, info, debug. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

static const char *log_prog = "biofence";
static int log_verbosity;

void log_init(const char *progname, int verbosity)
{
	log_prog = progname;
	log_verbosity = verbosity;
}

/* "PROG[ SCOPE]: msg[: strerror(err)]" (an empty msg: the error alone), one write so lines from two processes do not mix. */
__attribute__((format(printf, 3, 0)))
static void log_vemit(const char *scope, int err, const char *fmt, va_list ap)
{
	bool scoped = scope && scope[0];
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(stderr, "%s%s%s: %s%s%s\n", log_prog, scoped ? " " : "", scoped ? scope : "", buf,
		err && buf[0] ? ": " : "", err ? strerror(err) : "");
}

/* Every front end below is this one body: shown from verbosity MIN up, with SCOPE and ERR. */
#define LOG_EMIT(min, scope, err, fmt)                     \
	do {                                               \
		va_list ap_;                               \
							   \
		if (log_verbosity < (min))                 \
			break;                             \
		va_start(ap_, fmt);                        \
		log_vemit((scope), (err), (fmt), ap_);     \
		va_end(ap_);                               \
	} while (0)

#define LOG_ALWAYS INT_MIN

void log_warn(const char *fmt, ...)
{
	int saved = errno;

	LOG_EMIT(LOG_ALWAYS, NULL, saved, fmt);
	errno = saved;
}

void log_errno(int err, const char *fmt, ...)
{
	LOG_EMIT(LOG_ALWAYS, NULL, err < 0 ? -err : err, fmt);
}

void log_warnx(const char *fmt, ...)
{
	LOG_EMIT(LOG_ALWAYS, NULL, 0, fmt);
}

void log_warnx_in(const char *scope, const char *fmt, ...)
{
	LOG_EMIT(LOG_ALWAYS, scope, 0, fmt);
}

void log_errno_in(const char *scope, int err, const char *fmt, ...)
{
	LOG_EMIT(LOG_ALWAYS, scope, err < 0 ? -err : err, fmt);
}

void log_info(const char *fmt, ...)
{
	LOG_EMIT(0, NULL, 0, fmt);
}

void log_debug(const char *fmt, ...)
{
	LOG_EMIT(1, NULL, 0, fmt);
}
