/* logreview.h - filters and summaries over audit records, for `biofence log show` and `biofence log stats` (docs/log-review.md). */
#ifndef BF_LOGREVIEW_H
#define BF_LOGREVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

/* Distinct keys a summary table keeps; the rest is counted as "others". */
#define BF_LR_MAP_CAP 10000
/* Denied destination addresses listed by name; the rest is summed. */
#define BF_LR_TOP_IPS 10
/* Downtime intervals listed one by one; the total always counts them all. */
#define BF_LR_DOWN_LIST 1000
/* The kinds --kind accepts (docs/audit-chain.md, README "The audit log"). */
#define BF_LR_KINDS 11

/* One record as review needs it. The strings point into obj; NULL when absent or not a string. */
struct bf_lr_rec {
	struct json_object *obj;	/* the whole record, owned */
	int64_t time_ns;
	const char *time, *kind, *event, *verdict, *rule, *app, *comm;
	const char *camera, *device;
	const char *dest_ip, *dest_proto, *dest_set, *unix_addr;
	const char *consent_id, *subject;	/* the record's consent, else its last_window's */
	bool has_enforced, enforced;
	bool has_pid, has_port, has_window;
	uint64_t pid, port;
	uint64_t window_id;			/* consent.window.id */
	uint64_t count;				/* a lost record's count */
};

/*
 * A line (len bytes, no newline) into a record: a JSON object, nothing
 * after it, with a string "kind" and an RFC 3339 "time". 0, -EINVAL when
 * the line is not a record, -ENOMEM. Free with bf_lr_rec_free.
 */
int bf_lr_parse(const char *line, size_t len, struct bf_lr_rec *r);
void bf_lr_rec_free(struct bf_lr_rec *r);

/*
 * One line of fp into buf (cap bytes, NUL-terminated, newline dropped;
 * *len its length, NUL bytes included). 1 a line, 0 end of file,
 * -EFBIG a line of cap bytes or more (read past, not kept), -EIO.
 * Lines are read byte by byte so memory never grows with a line.
 */
int bf_lr_getline(FILE *fp, char *buf, size_t cap, size_t *len);

/* Called for each record of a scan; a non-zero return stops it. */
typedef int (*bf_lr_each_fn)(void *ctx, const char *line, size_t len, const struct bf_lr_rec *r);

/*
 * Every line of fp, with buf (cap bytes) to read into: records go to each,
 * the other lines (not JSON, not a record, longer than cap - 1) are added
 * to *not_records, and *first_bad, when still 0, gets the first one's
 * 1-based line. 0 at end of file, -EIO, -ENOMEM, or each's return.
 */
int bf_lr_scan(FILE *fp, char *buf, size_t cap, bf_lr_each_fn each, void *ctx,
	       uint64_t *not_records, uint64_t *first_bad);

/*
 * --since / --until: RFC 3339, "now", or "-N" and one unit s, m, h, d or w
 * before now_ns ("-2h"). 0, -EINVAL malformed, -ERANGE out of range.
 */
int bf_lr_parse_time(const char *s, int64_t now_ns, int64_t *ns);

/*
 * A time relative to now_ns: '+' (later) or '-' (earlier), decimal digits,
 * then one unit out of UNITS, a subset of "smhdw" (seconds, minutes, hours,
 * days, weeks): "+180d", "-2h". No spaces, one unit. 0 with *ns set;
 * -EINVAL when malformed (judged before the range); -ERANGE when now_ns is
 * negative or the result falls outside 0..INT64_MAX.
 */
int bf_parse_reltime(const char *s, const char *units, int64_t now_ns, int64_t *ns);

/* What show and stats select by. NULL / false / 0 means "any". Times: since <= t < until. */
struct bf_lr_filter {
	bool has_since, has_until;
	int64_t since_ns, until_ns;
	const char *kinds[BF_LR_KINDS];
	size_t n_kinds;
	const char *verdict, *app, *camera, *dest, *consent, *subject;
};

/*
 * "capture,export" into f->kinds, splitting list in place (it must
 * outlive f). 0, or -EINVAL with *bad at the unknown kind.
 */
int bf_lr_set_kinds(struct bf_lr_filter *f, char *list, const char **bad);

bool bf_lr_in_range(const struct bf_lr_filter *f, int64_t ns);
bool bf_lr_match(const struct bf_lr_filter *f, const struct bf_lr_rec *r);

/* A row of show's table: time, kind, verdict, app, object, pid/comm, rule. */
#define BF_LR_COLS 7
#define BF_LR_CELL 256
struct bf_lr_row {
	char cell[BF_LR_COLS][BF_LR_CELL];
};
extern const char *const bf_lr_headers[BF_LR_COLS];
void bf_lr_row(const struct bf_lr_rec *r, struct bf_lr_row *row);

/* A bounded counting map: up to BF_LR_MAP_CAP (k1, k2) keys, three counters each. */
struct bf_lr_entry {
	char *k1, *k2;
	uint64_t n[3];
};
struct bf_lr_map {
	struct bf_lr_entry *slot;
	size_t n_slot, n;
	bool capped;			/* a key was refused: others holds its counts */
	uint64_t others[3];
};

/* Adds by to counter which of key (k1, k2); k2 may be NULL. 0 or -ENOMEM. */
int bf_lr_map_add(struct bf_lr_map *m, const char *k1, const char *k2, int which, uint64_t by);
/* The entries, most counted first (sum of the counters), then by key. 0 or -ENOMEM; free *out. */
int bf_lr_map_sorted(const struct bf_lr_map *m, const struct bf_lr_entry ***out);
void bf_lr_map_free(struct bf_lr_map *m);

/* Agent downtime: from a stop (or, after a crash, the last record) to the next start. */
struct bf_lr_down {
	int64_t from_ns, to_ns;
	bool crash;			/* no stop record: from is the last record before the start */
};
struct bf_lr_downtime {
	bool seen, stopped;
	bool starting;			/* an agent announced itself; its own start record follows */
	int64_t last_ns;		/* the latest record time seen since the agent started */
	int64_t stop_ns;
	struct bf_lr_down list[BF_LR_DOWN_LIST];
	size_t n;
	uint64_t intervals, crashes, unlisted;
	int64_t total_ns;
};

/*
 * Feeds every record, in the range or not: a stop before --since still
 * opens the interval its start closes. Intervals are clipped to f's range.
 */
void bf_lr_downtime_feed(struct bf_lr_downtime *d, const struct bf_lr_filter *f,
			 const struct bf_lr_rec *r);

/* Everything stats counts. Zero it before the first bf_lr_stats_add. */
struct bf_lr_stats {
	uint64_t records, not_records;
	bool any;
	int64_t first_ns, last_ns;
	struct bf_lr_map kinds;		/* kind */
	struct bf_lr_map captures;	/* camera, app: allow, deny, deny not enforced */
	struct bf_lr_map deny_rules;	/* rule */
	struct bf_lr_map exports;	/* dest_set: allow, deny */
	struct bf_lr_map deny_ips;	/* dest ip */
	struct bf_lr_map quotas;	/* quota name */
	uint64_t win_open, win_refuse, win_expire, win_close;
	uint64_t cap_window, cap_no_window, cap_consent_deny;
	uint64_t lost_records, lost_events;
	uint64_t quota_hits, checkpoints;
	struct bf_lr_downtime down;
};

/* Counts r when it is in f's range (only the range applies); downtime sees it either way. 0 or -ENOMEM. */
int bf_lr_stats_add(struct bf_lr_stats *s, const struct bf_lr_filter *f, const struct bf_lr_rec *r);
/* The summary as one JSON object (docs/log-review.md), or NULL when out of memory. */
struct json_object *bf_lr_stats_json(const struct bf_lr_stats *s, const struct bf_lr_filter *f);
void bf_lr_stats_free(struct bf_lr_stats *s);

#endif /* BF_LOGREVIEW_H */
