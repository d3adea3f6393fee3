/* audit.h - the JSON-lines audit log writer and the safe JSON string helpers it is built on. */
#ifndef BF_AUDIT_H
#define BF_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rfc3339.h"
#include "util.h"
#include <sys/types.h>

#include <json-c/json.h>

/*
 * One record per line, seq gapless per log file and starting at 1, so the
 * n-th record of a log has seq n. A log is written by one bf_audit at a
 * time; the functions are not thread-safe.
 */
struct bf_audit;

/* A record must end in a newline; a line longer than this is not one of ours. */
#define BF_AUDIT_MAX_LINE (1024 * 1024)

/*
 * Creates missing parent directories (0750) and the log (0640), then
 * continues seq after the last record in the file, skipping a partial
 * last line and lines that are not records; the next record starts on a
 * fresh line. Returns 0 or -errno; -EBADMSG when no record lies within
 * the last BF_AUDIT_MAX_LINE bytes of a larger file, as then the seq
 * cannot be known and guessing would break the gapless numbering.
 */
int bf_audit_open(struct bf_audit **out, const char *path, bool echo);
void bf_audit_close(struct bf_audit *a);

/*
 * A new record holding seq (a placeholder until emit), time, host and
 * kind, in that order. NULL only when out of memory; bf_audit_emit(a, NULL)
 * then reports -ENOMEM, so begin/add/emit chains need no check.
 */
struct json_object *bf_audit_begin(struct bf_audit *a, const char *kind, uint64_t realtime_ns);

/*
 * Numbers, writes and frees rec (always, also on error). The line written
 * is valid UTF-8 with no raw control characters, U+2028 or U+2029, so no
 * line-oriented reader can split it. Returns 0 or -errno; seq advances
 * only when the whole line reached the file.
 */
int bf_audit_emit(struct bf_audit *a, struct json_object *rec);

/*
 * FN(CTX, LINE, LEN) gets each record's line, without its newline, once
 * it is in the file (e.g. the syslog copy). FN NULL: none.
 */
typedef void (*bf_audit_mirror_fn)(void *ctx, const char *line, size_t len);
void bf_audit_set_mirror(struct bf_audit *a, bf_audit_mirror_fn fn, void *ctx);

uint64_t bf_audit_next_seq(const struct bf_audit *a);

/* The chain's head: the hash of the last record written (64 zeros before any). */
const char *bf_audit_head(const struct bf_audit *a);

/*
 * True while the log cannot take records (since the first write that
 * failed, until bf_audit_emit_recovery succeeds): *since_ns, how many
 * records were lost, and the last -errno.
 */
bool bf_audit_failing(const struct bf_audit *a, uint64_t *since_ns, uint64_t *unwritten, int *err);
/*
 * Emits REC (the report of a failure) without counting its own failure as
 * a lost record; on success the failure is over and its counts reset.
 */
int bf_audit_emit_recovery(struct bf_audit *a, struct json_object *rec);

struct bf_logkey;
/* Records written since the last checkpoint. */
uint64_t bf_audit_since_checkpoint(const struct bf_audit *a);
/*
 * A "checkpoint" record signed with K over "biofence-checkpoint-v1 HOST
 * SEQ PREV" (its own seq, and the hash of the record before it), so a
 * verifier holding the public key knows the chain up to there is the
 * host's. 0 or -errno.
 */
int bf_audit_checkpoint(struct bf_audit *a, const struct bf_logkey *k);

/*
 * Call every so often: if the log path now names another file (or none),
 * the log was rotated by rename; the old file is closed and the new one
 * continues the chain (seq from 1, prev = the old file's last hash).
 * Returns 1 after a rotation, 0 if none, -errno.
 */
int bf_audit_follow_rotation(struct bf_audit *a);

/* CLOCK_REALTIME in ns: the time argument most callers want. */
uint64_t bf_audit_now_ns(void);


/*
 * A JSON string holding s made valid UTF-8: every byte that does not start
 * a well-formed sequence (bad lead, truncated, overlong, surrogate, above
 * U+10FFFF) becomes one U+FFFD. s == NULL gives NULL, which json-c stores
 * as JSON null (so NULL is also what an allocation failure returns).
 */
struct json_object *bf_json_str(const char *s);

/* Adders: out of memory leaves the key out rather than failing the record. */
void bf_json_add_str(struct json_object *o, const char *key, const char *s);
void bf_json_add_u64(struct json_object *o, const char *key, uint64_t v);
void bf_json_add_i64(struct json_object *o, const char *key, int64_t v);
void bf_json_add_bool(struct json_object *o, const char *key, bool v);

#endif /* BF_AUDIT_H */
