/* util.c - small helpers shared by the agent and the CLI. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "util.h"

int bf_pathf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	return (size_t)n >= len ? -ENAMETOOLONG : 0;
}
