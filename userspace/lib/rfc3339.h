/* rfc3339.h - RFC 3339 date-times: how every record, grant and filter writes a time, and how it is read back. */
#ifndef BF_RFC3339_H
#define BF_RFC3339_H

#include <stddef.h>
#include <stdint.h>

/* "2026-11-22T04:38:13.123456789Z" plus the NUL. */
#define BF_RFC3339_BUFSZ 31

/* RFC 3339, UTC, nanoseconds. Returns 0, or -ERANGE when len is too small. */
int bf_format_rfc3339(char *buf, size_t len, uint64_t realtime_ns);

/*
 * RFC 3339 date-time to CLOCK_REALTIME ns: "Z" or a numeric offset, 'T'
 * and 'Z' in either case, 0-9 fraction digits, no leap second (":60").
 * Returns 0, -EINVAL when malformed or not a calendar date, -ERANGE
 * outside 1970-01-01 .. 2262-04-11 (what an int64_t of ns holds).
 */
int bf_parse_rfc3339(const char *s, int64_t *ns);

#endif /* BF_RFC3339_H */
