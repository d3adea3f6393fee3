/* logverify.c - biofence log verify's engine: streams the audit log's lines and checks each record's hash and its link to the one before (docs/audit-chain.md). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "audit/logkey.h"
#include "audit/logverify.h"

/* `,"hash":"` + 64 hex + `"}`: what the hash covers is the line without it, plus "}". */
#define SUFFIX_LEN 75
#define HASH_KEY ",\"hash\":\""
#define HASH_KEY_LEN 9
#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

struct lv_reader {
	int fd;
	gzFile gz;		/* FILE.gz: read through zlib (owns fd) */
	char *buf;		/* BF_LV_LINE_MAX + 1: the longest line and its newline */
	size_t start, end;
	uint64_t read_bytes;	/* of this file, for progress */
	bool eof;
};

struct lv_state {
	struct bf_lv_report *rep;
	json_tokener *tok;
	struct lv_reader r;
	const char *file, *prev_file;
	uint64_t line;
	uint64_t done_before, total;
	bf_lv_progress_fn progress;
	void *ctx;
	bool have_link;		/* last_hash is a hash the next record must name */
	bool chained;		/* a chained record was seen: no unchained one may follow */
	bool in_file;		/* this file has had a record */
	uint64_t last_seq;	/* of the last record in this file */
	uint64_t prev_file_seq;	/* of the last record of the file before */
	const char *last_file;	/* where the last chained record is, for the head check */
	uint64_t last_line;
	char last_hash[65];
	const struct bf_logkey *pub;
	const struct bf_lv_head *head;
	bool head_found;	/* a within head: its record is in the chain (or links the first) */
	bool head_seq_seen;	/* a record with the head's seq (and another hash) was seen */
	char head_seq_hash[65];
};

const char *bf_lv_kind_words(enum bf_lv_kind kind)
{
	switch (kind) {
	case BF_LV_INTACT: return "chain intact";
	case BF_LV_EDITED: return "the record was edited";
	case BF_LV_DELETED: return "records were deleted";
	case BF_LV_REORDERED: return "a record was inserted or the records were reordered";
	case BF_LV_TRUNCATED: return "the file was truncated mid-record";
	case BF_LV_MISSING: return "records at the end of the earlier file are missing (truncated)";
	case BF_LV_END_TRUNCATED: return "the end of the log was truncated";
	case BF_LV_HEAD_MISMATCH: return "the log's last record is not the head the agent reports";
	case BF_LV_EMPTY: return "no chained record: nothing could be verified";
	case BF_LV_FORGED: return "a checkpoint was forged";
	}
	return "?";
}

static bool is_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

int bf_lv_parse_head(const char *s, struct bf_lv_head *head)
{
	const char *colon = strchr(s, ':');
	char *end;
	unsigned long long v;

	if (!colon || *s < '1' || *s > '9' || strlen(colon + 1) != 64 || !is_lower_hex(colon + 1, 64))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (end != colon || errno)
		return -EINVAL;
	head->seq = v;
	head->within = false;
	memcpy(head->hash, colon + 1, 65);
	return 0;
}

int bf_lv_read_head_file(const char *path, struct bf_lv_head *head)
{
	char buf[128], hash[65] = "";
	unsigned long long seq;
	int n, err = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f))
		err = ferror(f) ? -EIO : -EINVAL;
	fclose(f);
	if (err)
		return err;
	/* "SEQ HASH\n", as audit.c writes it, and nothing else */
	if (sscanf(buf, "%llu %64[0-9a-f]%n", &seq, hash, &n) != 2 || !seq || strlen(hash) != 64 ||
	    strcmp(buf + n, "\n") != 0 || buf[0] < '1' || buf[0] > '9')
		return -EINVAL;
	head->seq = seq;
	memcpy(head->hash, hash, 65);
	head->within = true;
	return 0;
}

/* Records the break; always returns 1 so callers can `return blame(...)`. */
__attribute__((format(printf, 4, 5)))
static int blame(struct lv_state *st, enum bf_lv_kind kind, uint64_t seq, const char *fmt, ...)
{
	va_list ap;

	st->rep->kind = kind;
	st->rep->file = st->file;
	st->rep->line = st->line;
	st->rep->seq = seq;
	va_start(ap, fmt);
	vsnprintf(st->rep->detail, sizeof(st->rep->detail), fmt, ap);
	va_end(ap);
	return 1;
}

/* Moves the unread tail to the front and reads more. Bytes read, 0 at EOF, or -errno. */
static ssize_t lv_fill(struct lv_state *st)
{
	struct lv_reader *r = &st->r;
	ssize_t n;

	if (r->start) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->gz) {
		n = gzread(r->gz, r->buf + r->end, (unsigned)(BF_LV_LINE_MAX + 1 - r->end));
		if (n < 0) {
			int zerr;

			gzerror(r->gz, &zerr);
			return zerr == Z_ERRNO ? -errno : -EBADMSG;
		}
	} else {
		do
			n = read(r->fd, r->buf + r->end, BF_LV_LINE_MAX + 1 - r->end);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return -errno;
	}
	if (n == 0)
		r->eof = true;
	r->end += (size_t)n;
	/* progress counts the bytes of the file as stored: compressed ones for FILE.gz */
	r->read_bytes = r->gz ? (uint64_t)gzoffset(r->gz) : r->read_bytes + (uint64_t)n;
	if (st->progress && n > 0)
		st->progress(st->ctx, st->file, st->done_before + r->read_bytes, st->total);
	return n;
}

/*
 * The next line (without its newline; *nl says whether it had one).
 * 1, 0 at EOF, -EFBIG past BF_LV_LINE_MAX, -errno. The line lives in the
 * reader's buffer until the next read.
 */
static int lv_next(struct lv_state *st, char **line, size_t *len, bool *nl)
{
	struct lv_reader *r = &st->r;

	for (;;) {
		char *p = memchr(r->buf + r->start, '\n', r->end - r->start);
		ssize_t n;

		if (p || (r->eof && r->start < r->end)) {
			*line = r->buf + r->start;
			*len = p ? (size_t)(p - *line) : r->end - r->start;
			*nl = p != NULL;
			r->start += *len + (p ? 1 : 0);
			return 1;
		}
		if (r->eof)
			return 0;
		if (r->start == 0 && r->end == BF_LV_LINE_MAX + 1)
			return -EFBIG;
		n = lv_fill(st);
		if (n < 0)
			return (int)n;
	}
}

/* 1 when nothing follows the line just read. Invalidates that line. */
static int lv_at_eof(struct lv_state *st)
{
	ssize_t n;

	while (st->r.start == st->r.end && !st->r.eof) {
		n = lv_fill(st);
		if (n < 0)
			return (int)n;
	}
	return st->r.start == st->r.end;
}

/* The line's bytes with its hash member taken out and "}" put back, hashed in place. */
static bool lv_hash_matches(char *line, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned int mdlen = 0;
	char hex[64];
	size_t cut = len - SUFFIX_LEN;
	char saved = line[cut];
	int ok;

	line[cut] = '}';
	ok = EVP_Digest(line, cut + 1, md, &mdlen, EVP_sha256(), NULL);
	line[cut] = saved;
	if (!ok || mdlen != 32)
		return false;
	/* by hand, not bf_sha256_hex: its snprintf per byte was most of the time on big logs */
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	return memcmp(hex, line + len - SUFFIX_LEN + HASH_KEY_LEN, 64) == 0;
}

static bool lv_has_suffix(const char *line, size_t len)
{
	const char *s = line + len - SUFFIX_LEN;

	return len > SUFFIX_LEN && memcmp(s, HASH_KEY, HASH_KEY_LEN) == 0 &&
	       is_lower_hex(s + HASH_KEY_LEN, 64) && memcmp(s + HASH_KEY_LEN + 64, "\"}", 2) == 0;
}

/* Strict JSON object, or NULL with *why set. The caller puts the result. */
static struct json_object *lv_parse(struct lv_state *st, const char *line, size_t len,
				    const char **why)
{
	struct json_object *o;

	json_tokener_reset(st->tok);
	o = json_tokener_parse_ex(st->tok, line, (int)len);
	if (!o || json_tokener_get_parse_end(st->tok) != len) {
		*why = o ? "text after the JSON object" :
			   json_tokener_error_desc(json_tokener_get_error(st->tok));
		json_object_put(o);
		return NULL;
	}
	if (!json_object_is_type(o, json_type_object)) {
		*why = "not a JSON object";
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* seq, as a positive integer member. 0 when absent or not one. */
static uint64_t lv_seq(struct json_object *o)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, "seq", &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 1)
		return 0;
	return json_object_get_uint64(v);
}

/* A record from before the chain: JSON with a seq and neither prev nor hash. 1 if so. */
static int lv_prechain(struct lv_state *st, const char *line, size_t len)
{
	const char *why;
	struct json_object *o = lv_parse(st, line, len, &why);
	uint64_t seq = o ? lv_seq(o) : 0;
	bool ok = seq && !json_object_object_get_ex(o, "prev", NULL) &&
		  !json_object_object_get_ex(o, "hash", NULL);

	json_object_put(o);
	if (!ok)
		return 0;
	if (!st->rep->prechain++)
		st->rep->prechain_first = seq;
	st->rep->prechain_last = seq;
	/* the chain's first record follows this one with prev = zeros */
	st->last_seq = seq;
	st->in_file = true;
	st->have_link = true;
	memcpy(st->last_hash, ZERO_HASH, 65);
	return 1;
}

/* The seq a broken line claims, 0 if none: untrusted, but it helps find the record. */
static uint64_t lv_claimed_seq(struct lv_state *st, const char *line, size_t len)
{
	const char *why;
	struct json_object *o = lv_parse(st, line, len, &why);
	uint64_t seq = o ? lv_seq(o) : 0;

	json_object_put(o);
	return seq;
}

/* A line that is no chained record: at the file's end that is a cut, elsewhere an edit. */
static int lv_not_record(struct lv_state *st, const char *line, size_t len)
{
	uint64_t seq = lv_claimed_seq(st, line, len);
	int eof = lv_at_eof(st);	/* line is gone after this */

	if (eof < 0)
		return eof;
	if (eof)
		return blame(st, BF_LV_TRUNCATED, seq, "the last line is not a whole record");
	return blame(st, BF_LV_EDITED, seq,
		     "not a chained record: it does not end with ,\"hash\":\"<64 lower-case hex>\"}");
}

/* 1 when a record later in this file has a seq in [lo, hi): the jump was a reordering. */
static int lv_seq_later(struct lv_state *st, uint64_t lo, uint64_t hi)
{
	char *line;
	size_t len;
	bool nl;
	int r;

	while ((r = lv_next(st, &line, &len, &nl)) == 1) {
		uint64_t seq = lv_claimed_seq(st, line, len);

		if (seq >= lo && seq < hi)
			return 1;
	}
	/* a line too long to look at cannot settle it: call it a deletion */
	return r == -EFBIG ? 0 : r;
}

/* The first record of a file after another: it must be seq 1 naming the last hash before. */
static int lv_link_file(struct lv_state *st, uint64_t seq, bool link_ok)
{
	if (link_ok && seq == 1)
		return 0;
	if (seq > 1)
		return blame(st, BF_LV_DELETED, seq,
			     "the file starts at seq %llu, not 1: records at its start were deleted",
			     (unsigned long long)seq);
	if (!link_ok)
		return blame(st, BF_LV_MISSING, seq,
			     "its prev is not the hash of the last record of %s (seq %llu): records at "
			     "the end of %s are missing, or the files are not in chain order",
			     st->prev_file, (unsigned long long)st->prev_file_seq, st->prev_file);
	return blame(st, BF_LV_REORDERED, seq, "seq %llu where 1 was expected",
		     (unsigned long long)seq);
}

/* seq and prev of a record against the record before it. 0, 1 (break) or -errno. */
static int lv_link(struct lv_state *st, uint64_t seq, const char *prev)
{
	bool link_ok = strcmp(prev, st->last_hash) == 0;
	uint64_t want = st->last_seq + 1;
	int later;

	if (!st->in_file)
		return lv_link_file(st, seq, link_ok);
	if (link_ok && seq == want)
		return 0;
	if (seq < want)
		return blame(st, BF_LV_REORDERED, seq,
			     "seq %llu where %llu was expected: it repeats or comes out of order",
			     (unsigned long long)seq, (unsigned long long)want);
	if (seq == want)
		return blame(st, BF_LV_EDITED, seq,
			     "its prev is not the hash of the record before it (seq %llu), though seq is "
			     "in step: that record or this one was replaced",
			     (unsigned long long)st->last_seq);
	later = lv_seq_later(st, want, seq);
	if (later < 0)
		return later;
	if (later)
		return blame(st, BF_LV_REORDERED, seq,
			     "seq %llu where %llu was expected, and a record in between comes later "
			     "in the file", (unsigned long long)seq, (unsigned long long)want);
	return blame(st, BF_LV_DELETED, seq, "seq %llu where %llu was expected: records %llu..%llu are gone",
		     (unsigned long long)seq, (unsigned long long)want, (unsigned long long)want,
		     (unsigned long long)(seq - 1));
}

/* prev as 64 lower-case hex, copied to out; false when absent or not that. */
static bool lv_prev(struct json_object *o, char out[65])
{
	struct json_object *v;
	const char *p;

	if (!json_object_object_get_ex(o, "prev", &v) || !json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) != 64)
		return false;
	p = json_object_get_string(v);
	if (!is_lower_hex(p, 64))
		return false;
	memcpy(out, p, 65);
	return true;
}

/*
 * A checkpoint vouches for the chain up to itself: its signature over
 * "biofence-checkpoint-v1 HOST SEQ PREV" must verify with the host key.
 */
static int lv_checkpoint(struct lv_state *st, struct json_object *o, uint64_t seq, const char *prev)
{
	struct json_object *kind, *host, *sig, *key;
	char msg[512];

	if (!json_object_object_get_ex(o, "kind", &kind) ||
	    strcmp(json_object_get_string(kind), "checkpoint") != 0)
		return 0;
	if (!st->pub) {
		st->rep->unchecked++;
		return 0;
	}
	if (!json_object_object_get_ex(o, "host", &host) || !json_object_object_get_ex(o, "sig", &sig) ||
	    !json_object_object_get_ex(o, "key", &key) ||
	    bf_logkey_message(msg, sizeof(msg), json_object_get_string(host), (unsigned long long)seq, prev))
		return blame(st, BF_LV_FORGED, seq, "a checkpoint without host, key or sig");
	if (strcmp(json_object_get_string(key), bf_logkey_id(st->pub)) != 0)
		return blame(st, BF_LV_FORGED, seq, "signed by key %.32s, not by the host key %s",
			     json_object_get_string(key), bf_logkey_id(st->pub));
	if (bf_logkey_verify(st->pub, msg, json_object_get_string(sig)))
		return blame(st, BF_LV_FORGED, seq, "its signature does not verify with key %s",
			     bf_logkey_id(st->pub));
	st->rep->checkpoints++;
	st->rep->signed_seq = seq;
	st->rep->signed_file = st->file;
	return 0;
}

/* A record's own string member, "" when absent. */
static const char *lv_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

/* Whether the log, so far, ends with the agent's stop record (the checkpoint signed at stop may follow it). */
static void lv_note_stop(struct lv_state *st, struct json_object *o)
{
	const char *kind = lv_str(o, "kind");

	if (strcmp(kind, "checkpoint") != 0)
		st->rep->ends_with_stop = strcmp(kind, "agent") == 0 &&
					  strcmp(lv_str(o, "event"), "stop") == 0;
}

/* A within head (the agent's <log>.head): is this record it, or after it? */
static void lv_track_head(struct lv_state *st, uint64_t seq, const char *prev, const char *hash,
			  bool first)
{
	const struct bf_lv_head *h = st->head;

	if (!h || !h->within)
		return;
	/* the first record given names the head as the one before it: the head is in the chain */
	if (first && strcmp(prev, h->hash) == 0) {
		st->head_found = true;
		st->rep->after_head = 0;
	}
	if (strcmp(hash, h->hash) == 0) {
		st->head_found = true;
		st->rep->after_head = 0;
		st->rep->head_file = st->file;
		return;
	}
	if (st->head_found)
		st->rep->after_head++;
	if (seq == h->seq) {
		st->head_seq_seen = true;
		memcpy(st->head_seq_hash, hash, 65);
	}
}

/* seq and prev of a line whose hash matched. 0, or 1 after blaming the line. */
static int lv_fields(struct lv_state *st, char *line, size_t len, uint64_t *seq, char prev[65])
{
	const char *why = NULL;
	int r;
	struct json_object *o = lv_parse(st, line, len, &why);

	*seq = o ? lv_seq(o) : 0;
	if (o && !*seq)
		why = "no positive integer \"seq\"";
	else if (o && !lv_prev(o, prev))
		why = "no \"prev\" of 64 lower-case hex digits";
	if (why) {
		json_object_put(o);
		return blame(st, BF_LV_EDITED, *seq, "its hash matches but it is no record: %s", why);
	}
	r = lv_checkpoint(st, o, *seq, prev);
	lv_note_stop(st, o);
	json_object_put(o);
	return r;
}

/* One line: 0 to go on, 1 on a break, -errno. */
static int lv_line(struct lv_state *st, char *line, size_t len, bool nl)
{
	struct bf_lv_report *rep = st->rep;
	uint64_t seq;
	char prev[65], hash[65];
	int r;

	if (!nl)
		return blame(st, BF_LV_TRUNCATED, 0,
			     "the last line has no newline: the file ends inside a record");
	if (!lv_has_suffix(line, len)) {
		if (!st->chained && lv_prechain(st, line, len))
			return 0;
		return lv_not_record(st, line, len);
	}
	if (!lv_hash_matches(line, len))
		return blame(st, BF_LV_EDITED, lv_claimed_seq(st, line, len),
			     "its \"hash\" is not the SHA-256 of its bytes");
	memcpy(hash, line + len - SUFFIX_LEN + HASH_KEY_LEN, 64);
	hash[64] = '\0';
	if ((r = lv_fields(st, line, len, &seq, prev)))
		return r;
	if (!st->have_link) {
		rep->continues = strcmp(prev, ZERO_HASH) != 0;
	} else if ((r = lv_link(st, seq, prev))) {
		return r;
	}
	lv_track_head(st, seq, prev, hash, !rep->records);
	if (!rep->records++)
		rep->first_seq = seq;
	rep->last_seq = seq;
	st->chained = st->have_link = st->in_file = true;
	st->last_seq = seq;
	st->last_file = st->file;
	st->last_line = st->line;
	memcpy(st->last_hash, hash, 65);
	return 0;
}

/* Every line of the open file. 0, 1 on a break, -errno. */
static int lv_file(struct lv_state *st)
{
	char *line;
	size_t len;
	bool nl;
	int r;

	st->line = 0;
	while ((r = lv_next(st, &line, &len, &nl)) == 1) {
		st->line++;
		if ((r = lv_line(st, line, len, nl)))
			return r;
	}
	if (r == -EFBIG) {
		st->line++;
		st->rep->file = st->file;
		st->rep->line = st->line;
	}
	return r;
}

/* The log stops short of the head: HEAD_SAYS is "the head is" or what the head file says. */
static int end_truncated(struct lv_state *st, const struct bf_lv_head *head, const char *head_says)
{
	return blame(st, BF_LV_END_TRUNCATED, st->rep->last_seq, "the log ends at seq %llu, %s seq %llu",
		     (unsigned long long)st->rep->last_seq, head_says, (unsigned long long)head->seq);
}

/*
 * The end of the log against a head written to <log>.head: the record must
 * be in the chain; records after it are allowed (the agent rewrites the
 * file only every so often). 0 or 1.
 */
static int lv_head_within(struct lv_state *st, const struct bf_lv_head *head)
{
	const struct bf_lv_report *rep = st->rep;

	if (st->head_found)
		return 0;
	if (st->head_seq_seen)
		return blame(st, BF_LV_HEAD_MISMATCH, head->seq,
			     "seq %llu in the log has hash %.12s..., the head file says seq %llu with hash "
			     "%.12s...: the end of the log was replaced", (unsigned long long)head->seq,
			     st->head_seq_hash, (unsigned long long)head->seq, head->hash);
	if (rep->last_seq < head->seq)
		return end_truncated(st, head, "the head file says the agent wrote");
	return blame(st, BF_LV_HEAD_MISMATCH, rep->last_seq,
		     "no record in the log has the hash of the head file's seq %llu (%.12s...)",
		     (unsigned long long)head->seq, head->hash);
}

/* The end of the log against the head the agent reports. 0 or 1. */
static int lv_head(struct lv_state *st, const struct bf_lv_head *head)
{
	const struct bf_lv_report *rep = st->rep;

	if (head->within)
		return lv_head_within(st, head);
	if (rep->last_seq == head->seq && strcmp(st->last_hash, head->hash) == 0)
		return 0;
	if (rep->last_seq < head->seq)
		return end_truncated(st, head, "the head is");
	return blame(st, BF_LV_HEAD_MISMATCH, rep->last_seq,
		     "the log ends at seq %llu with hash %.12s..., the head is seq %llu with hash %.12s...",
		     (unsigned long long)rep->last_seq, st->last_hash, (unsigned long long)head->seq,
		     head->hash);
}

/* Sizes for progress, and every file readable before any work: an unreadable one is -errno. */
static int lv_sizes(const char *const *files, size_t n, struct lv_state *st)
{
	struct stat sb;

	for (size_t i = 0; i < n; i++) {
		if (stat(files[i], &sb) != 0 || access(files[i], R_OK) != 0) {
			st->rep->file = files[i];
			return -errno;
		}
		st->total += (uint64_t)sb.st_size;
	}
	return 0;
}

/* Opens and verifies files[i], continuing the chain from the file before. */
static int lv_one(struct lv_state *st, const char *path)
{
	struct stat sb;
	int r;

	st->file = path;
	st->r.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (st->r.fd < 0) {
		st->rep->file = path;
		return -errno;
	}
	st->head_seq_seen = false;	/* seq is per file: only the last file's can be the head's */
	st->r.gz = NULL;
	if (strlen(path) > 3 && strcmp(path + strlen(path) - 3, ".gz") == 0) {
		st->r.gz = gzdopen(st->r.fd, "rb");
		if (!st->r.gz) {
			close(st->r.fd);
			st->rep->file = path;
			return -ENOMEM;
		}
	}
	st->r.start = st->r.end = 0;
	st->r.read_bytes = 0;
	st->r.eof = false;
	if (st->in_file) {
		st->prev_file_seq = st->last_seq;
		st->in_file = false;
	}
	st->last_seq = 0;
	r = lv_file(st);
	if (r == 0 && st->in_file)
		st->prev_file = path;
	st->done_before += fstat(st->r.fd, &sb) == 0 ? (uint64_t)sb.st_size : st->r.read_bytes;
	if (st->r.gz)
		gzclose(st->r.gz);
	else
		close(st->r.fd);
	return r;
}

int bf_logverify(const char *const *files, size_t n, const struct bf_lv_head *head,
		 bf_lv_progress_fn progress, void *ctx, struct bf_lv_report *rep)
{
	return bf_logverify_signed(files, n, head, NULL, progress, ctx, rep);
}

int bf_logverify_signed(const char *const *files, size_t n, const struct bf_lv_head *head,
			const struct bf_logkey *pub, bf_lv_progress_fn progress, void *ctx,
			struct bf_lv_report *rep)
{
	struct lv_state st = { .rep = rep, .progress = progress, .ctx = ctx, .pub = pub, .head = head };
	int r;

	*rep = (struct bf_lv_report){ .kind = BF_LV_INTACT };
	if ((r = lv_sizes(files, n, &st)))
		return r;
	st.r.buf = malloc(BF_LV_LINE_MAX + 1);
	st.tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
	if (!st.r.buf || !st.tok) {
		r = -ENOMEM;
		goto out;
	}
	json_tokener_set_flags(st.tok, JSON_TOKENER_STRICT);
	for (size_t i = 0; i < n && r == 0; i++)
		r = lv_one(&st, files[i]);
	if (r == 0 && !rep->records) {
		st.line = 0;
		blame(&st, BF_LV_EMPTY, 0, "%s", rep->prechain ? "every record predates the chain" :
								  "the files hold no record");
	} else if (r == 0 && head) {
		st.file = st.last_file;
		st.line = st.last_line;
		lv_head(&st, head);
	}
	r = r > 0 ? 0 : r;
out:
	free(st.r.buf);
	if (st.tok)
		json_tokener_free(st.tok);
	return r;
}
