/* rfc3339.c - RFC 3339 date-times written (UTC, ns) and read (any offset, any fraction) without the C library's local-time rules. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rfc3339.h"
#include "util.h"

#define MAX_SECS (INT64_MAX / BF_NS_PER_SEC)

int bf_format_rfc3339(char *buf, size_t len, uint64_t realtime_ns)
{
	time_t secs = (time_t)(realtime_ns / 1000000000u);
	unsigned long nsec = (unsigned long)(realtime_ns % 1000000000u);
	struct tm tm;
	int n;

	if (!gmtime_r(&secs, &tm))
		return -EOVERFLOW;
	n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09luZ",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		     tm.tm_hour, tm.tm_min, tm.tm_sec, nsec);
	if (n < 0 || (size_t)n >= len)
		return -ERANGE;
	return 0;
}

static int digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

/* Parses ".fff" (if any) and the offset; *p advances past them; returns offset secs or INT32_MIN. */
static int32_t parse_tail(const char **p, int64_t *frac)
{
	const char *s = *p;
	int n = 0, h, mi;

	*frac = 0;
	if (*s == '.') {
		for (s++; s[n] >= '0' && s[n] <= '9'; n++)
			if (n < 9)
				*frac = *frac * 10 + (s[n] - '0');
		if (n == 0 || n > 9)
			return INT32_MIN;
		for (; n < 9; n++)
			*frac *= 10;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	*p = s + 1;
	if (*s == 'Z' || *s == 'z')
		return 0;
	if ((*s != '+' && *s != '-') || strnlen(s, 6) < 6 || s[3] != ':')
		return INT32_MIN;
	h = digits(s + 1, 2);
	mi = digits(s + 4, 2);
	if (h < 0 || h > 23 || mi < 0 || mi > 59)
		return INT32_MIN;
	*p = s + 6;
	return (*s == '-' ? -1 : 1) * (h * 3600 + mi * 60);
}

int bf_parse_rfc3339(const char *s, int64_t *ns)
{
	int y, mo, d, h, mi, se;
	int64_t secs, frac;
	int32_t off;
	const char *p;

	if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
	    s[13] != ':' || s[16] != ':')
		return -EINVAL;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	se = digits(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    se < 0 || se > 59 || d > days_in_month(y, mo))
		return -EINVAL;
	p = s + 19;
	off = parse_tail(&p, &frac);
	if (off == INT32_MIN || *p)
		return -EINVAL;
	secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
	if (secs < 0 || secs > MAX_SECS ||
	    (secs == MAX_SECS && frac > INT64_MAX - MAX_SECS * BF_NS_PER_SEC))
		return -ERANGE;
	*ns = secs * BF_NS_PER_SEC + frac;
	return 0;
}
