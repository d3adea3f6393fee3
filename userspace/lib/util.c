/* util.c - small helpers shared by the agent and the CLI. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

int bf_read_field(const char *path, const char *prefix, char *out, size_t len)
{
	char line[PATH_MAX + 64];
	size_t plen = strlen(prefix);
	FILE *f = fopen(path, "re");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, prefix, plen) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		err = bf_pathf(out, len, "%s", line + plen);
		break;
	}
	fclose(f);
	return err;
}

int64_t bf_ts_ns(struct timespec ts)
{
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

int64_t bf_now_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return bf_ts_ns(ts);
}

int bf_mkdir_parents(const char *path, mode_t mode, bool last_only)
{
	char *dir, *p, c;
	int r = 0;

	dir = strdup(path);
	if (!dir)
		return -ENOMEM;
	p = strrchr(dir, '/');
	if (p && p != dir) {
		*p = '\0';
		/* last_only: straight to the end, so the one mkdir is the whole parent */
		for (p = last_only ? p : dir + 1;; p++) {
			if (*p != '/' && *p != '\0')
				continue;
			c = *p;
			*p = '\0';
			if (mkdir(dir, mode) < 0 && errno != EEXIST) {
				r = -errno;
				break;
			}
			if (c == '\0')
				break;
			*p = c;
		}
	}
	free(dir);
	return r;
}
