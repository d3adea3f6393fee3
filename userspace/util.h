/* util.h - small helpers shared by the agent and the CLI. */
#ifndef BF_UTIL_H
#define BF_UTIL_H

#include <stddef.h>

/* snprintf into a path buffer; -ENAMETOOLONG instead of silent truncation. */
int bf_pathf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif /* BF_UTIL_H */
