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

int bf_mkdir_all(const char *dir, mode_t mode)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", dir) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int bf_mkdir_parents(const char *path, mode_t mode, bool last_only)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (!slash || slash == path)
		return 0;	/* in the current directory, or under / */
	if (snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	if (!last_only)
		return bf_mkdir_all(dir, mode);
	return mkdir(dir, mode) < 0 && errno != EEXIST ? -errno : 0;
}
