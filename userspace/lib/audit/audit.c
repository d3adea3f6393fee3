/* audit.c - appends numbered JSON records, one per line, to the audit log. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "audit/logkey.h"
#include "sha256.h"
#include "log.h"
#include "util.h"

#define AUDIT_JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
#define AUDIT_HEAD_EVERY 1000	/* records between two writes of <log>.head */
#define TAIL_FIRST_WINDOW 8192
#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

struct bf_audit {
	int fd;
	char *path;
	uint64_t seq;		/* seq of the next record */
	bool echo;
	bool broken_line;	/* a failed write left a partial line at the end */
	char prev[65];		/* hash of the last record: the next one's "prev" (docs/audit-chain.md) */
	uint64_t since_head;	/* records since <path>.head was last written */
	uint64_t since_checkpoint;	/* records since the last signed checkpoint */
	/* Writes that failed (disk full, I/O error) since the log last took a record: */
	uint64_t fail_since_ns;	/* 0: the log is fine */
	uint64_t unwritten;	/* records lost to it */
	int fail_err;		/* the last -errno */
	bool uncounted;		/* a retry: its own failure is not one more record lost */
	dev_t dev;		/* the file we write, to notice a rotation by rename */
	ino_t ino;
	char host[HOST_NAME_MAX + 1];
	bf_audit_mirror_fn mirror;
	void *mirror_ctx;
};

/*
 * Length of the well-formed UTF-8 sequence at p (Unicode table 3-7), or 0.
 * The narrowed second-byte ranges are what reject overlongs, surrogates
 * and code points above U+10FFFF.
 */
static size_t utf8_seq_len(const unsigned char *p, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] < 0xc2 || p[0] > 0xf4)
		return 0;
	len = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

static bool utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		k = utf8_seq_len(p + i, n - i);
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}

/*
 * One sequence of K bytes at P copied to OUT, or, K 0 (a bad byte), a
 * U+FFFD in its place. Returns the bytes written; the input moves on by
 * K, or by 1 for a bad byte.
 */
static size_t copy_seq(char *out, const unsigned char *p, size_t k)
{
	if (k == 0) {
		memcpy(out, REPLACEMENT, 3);
		return 3;
	}
	memcpy(out, p, k);
	return k;
}

/* out needs 3 * n bytes: each bad byte grows into a 3-byte U+FFFD. */
static size_t utf8_repair(char *out, const char *in, size_t n)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, o = 0, k;

	while (i < n) {
		k = utf8_seq_len(p + i, n - i);
		o += copy_seq(out + o, p + i, k);
		i += k ? k : 1;
	}
	return o;
}

/*
 * The code point a line reader might split on or a terminal might obey,
 * or 0. json-c escapes only U+0000-U+001F; DEL, the C1 controls (NEL is
 * a line break to some readers) and U+2028/U+2029 it leaves raw.
 */
static unsigned int needs_escape(const unsigned char *p, size_t k)
{
	if (k == 1 && p[0] == 0x7f)
		return 0x7f;
	if (k == 2 && p[0] == 0xc2 && p[1] <= 0x9f)
		return p[1];
	if (k == 3 && p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
		return 0x2000 | (p[2] - 0x80);
	return 0;
}

/*
 * Makes json-c's output safe as one line. Everything changed here can only
 * occur inside JSON strings (structure and numbers are printable ASCII),
 * so escaping it is exact. Invalid UTF-8 is repaired too, for strings a
 * caller made without bf_json_str. out needs 6 * n bytes.
 */
static size_t line_sanitize(char *out, const char *in, size_t n)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, o = 0, k;
	unsigned int cp;
	int shift;

	while (i < n) {
		k = utf8_seq_len(p + i, n - i);
		cp = k ? needs_escape(p + i, k) : 0;
		if (cp) {
			out[o++] = '\\';
			out[o++] = 'u';
			for (shift = 12; shift >= 0; shift -= 4)
				out[o++] = "0123456789abcdef"[(cp >> shift) & 0xf];
		} else {
			o += copy_seq(out + o, p + i, k);
		}
		i += k ? k : 1;
	}
	return o;
}

struct json_object *bf_json_str(const char *s)
{
	struct json_object *o;
	size_t n;
	char *fixed;

	if (!s)
		return NULL;
	n = strlen(s);
	if (n > INT_MAX / 3)
		return NULL;
	if (utf8_valid(s, n))
		return json_object_new_string_len(s, (int)n);
	fixed = malloc(3 * n);
	if (!fixed)
		return NULL;
	n = utf8_repair(fixed, s, n);
	o = json_object_new_string_len(fixed, (int)n);
	free(fixed);
	return o;
}

/* Adds v under key, or drops v: a NULL v here means allocation failed. */
static int add_owned(struct json_object *o, const char *key, struct json_object *v)
{
	if (!o || !v)
		return -ENOMEM;
	if (json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

void bf_json_add_str(struct json_object *o, const char *key, const char *s)
{
	if (!s) {
		/* json-c stores a NULL value as JSON null */
		if (o)
			json_object_object_add(o, key, NULL);
		return;
	}
	add_owned(o, key, bf_json_str(s));
}

void bf_json_add_u64(struct json_object *o, const char *key, uint64_t v)
{
	add_owned(o, key, json_object_new_uint64(v));
}

void bf_json_add_i64(struct json_object *o, const char *key, int64_t v)
{
	add_owned(o, key, json_object_new_int64(v));
}

void bf_json_add_bool(struct json_object *o, const char *key, bool v)
{
	add_owned(o, key, json_object_new_boolean(v));
}

uint64_t bf_audit_now_ns(void)
{
	return (uint64_t)bf_now_ns(CLOCK_REALTIME);
}

/* Retries short writes and EINTR; *done says how much reached the file. */
static int write_full(int fd, const char *buf, size_t n, size_t *done)
{
	ssize_t w;

	*done = 0;
	while (*done < n) {
		w = write(fd, buf + *done, n - *done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (w == 0)
			return -EIO;
		*done += (size_t)w;
	}
	return 0;
}

/* Removes the last N bytes written (O_APPEND: they are the file's last N). */
static int cut_back(int fd, size_t n)
{
	struct stat st;

	if (fstat(fd, &st) < 0 || (uint64_t)st.st_size < n)
		return -EIO;
	return ftruncate(fd, st.st_size - (off_t)n) < 0 ? -errno : 0;
}

static int pread_full(int fd, char *buf, size_t n, off_t off)
{
	ssize_t r;
	size_t got = 0;

	while (got < n) {
		r = pread(fd, buf + got, n - got, off + (off_t)got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -EIO;	/* truncated under us */
		got += (size_t)r;
	}
	return 0;
}

/* 1 and *seq (and the record's hash into HASH, "" if it has none) if the line is one of our records. */
static int line_seq(const char *line, size_t n, uint64_t *seq, char hash[65])
{
	struct json_tokener *tok;
	struct json_object *rec, *v;
	int r = 0;

	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	rec = json_tokener_parse_ex(tok, line, (int)n);
	if (rec && json_tokener_get_parse_end(tok) == n &&
	    json_object_is_type(rec, json_type_object) &&
	    json_object_object_get_ex(rec, "seq", &v) &&
	    json_object_is_type(v, json_type_int)) {
		*seq = json_object_get_uint64(v);
		hash[0] = '\0';
		if (json_object_object_get_ex(rec, "hash", &v) && json_object_is_type(v, json_type_string) &&
		    json_object_get_string_len(v) == 64)
			memcpy(hash, json_object_get_string(v), 65);
		r = 1;
	}
	json_object_put(rec);
	json_tokener_free(tok);
	return r;
}

/*
 * Looks for the last record in buf, the last n bytes of the file (all of
 * it when whole). Returns 1 with *seq, 0 when the whole file holds no
 * record, -EAGAIN when the window must grow to decide.
 */
static int scan_window(const char *buf, size_t n, bool whole, uint64_t *seq, char hash[65])
{
	size_t end = n, start;
	int r;

	/* bytes after the last newline are a partial line, never a record */
	while (end > 0 && buf[end - 1] != '\n')
		end--;
	while (end > 0) {
		start = end - 1;
		while (start > 0 && buf[start - 1] != '\n')
			start--;
		if (start == 0 && !whole)
			return -EAGAIN;	/* the line may begin before buf */
		r = line_seq(buf + start, end - 1 - start, seq, hash);
		if (r != 0)
			return r;
		/* not a record: e.g. a crash's partial line that open terminated */
		end = start;
	}
	return whole ? 0 : -EAGAIN;
}

/*
 * Reads the tail backwards in a doubling window, so the common case costs
 * one 8 KiB read however large the log is. If no record shows up within
 * BF_AUDIT_MAX_LINE bytes the seq cannot be known and we refuse to guess.
 */
static int tail_seq(int fd, off_t size, uint64_t *seq, char hash[65])
{
	size_t win = TAIL_FIRST_WINDOW, have;
	char *buf = NULL, *nbuf;
	int r;

	for (;;) {
		have = (uint64_t)size < win ? (size_t)size : win;
		nbuf = realloc(buf, have);
		if (!nbuf) {
			r = -ENOMEM;
			break;
		}
		buf = nbuf;
		r = pread_full(fd, buf, have, size - (off_t)have);
		if (r < 0)
			break;
		r = scan_window(buf, have, have == (uint64_t)size, seq, hash);
		if (r != -EAGAIN)
			break;
		if (win >= BF_AUDIT_MAX_LINE) {
			log_warnx("no audit record in the last %d bytes: cannot continue its seq",
				  BF_AUDIT_MAX_LINE);
			r = -EBADMSG;
			break;
		}
		win *= 2;
	}
	free(buf);
	return r;
}

static const char genesis[65] = "0000000000000000000000000000000000000000000000000000000000000000";

static int head_path(const struct bf_audit *a, char *buf, size_t len)
{
	return snprintf(buf, len, "%s.head", a->path) >= (int)len ? -ENAMETOOLONG : 0;
}

/* A new file continues the chain from the head kept beside the log, if any. */
static int read_head(struct bf_audit *a)
{
	char path[PATH_MAX], hash[65] = "";
	unsigned long long seq;
	FILE *f;

	if (head_path(a, path, sizeof(path)) || !(f = fopen(path, "re")))
		return 0;
	if (fscanf(f, "%llu %64[0-9a-f]", &seq, hash) == 2 && strlen(hash) == 64)
		memcpy(a->prev, hash, sizeof(a->prev));
	fclose(f);
	return 0;
}

/* Written at stop, at rotation and every so often: replaced atomically, never half. */
static void write_head(struct bf_audit *a)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	FILE *f;

	a->since_head = 0;
	if (head_path(a, path, sizeof(path)) || snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return;
	f = fopen(tmp, "we");
	if (!f)
		return;
	fprintf(f, "%llu %s\n", (unsigned long long)(a->seq - 1), a->prev);
	if (fflush(f) == 0 && fdatasync(fileno(f)) == 0 && fclose(f) == 0)
		rename(tmp, path);
	else
		unlink(tmp);
}

/* Continues seq after the log's last record and starts the next on a fresh line. */
static int audit_resume(struct bf_audit *a)
{
	struct stat wst, rst;
	uint64_t last = 0;
	char c = '\n', hash[65] = "";
	int rfd, r;

	if (fstat(a->fd, &wst) < 0)
		return -errno;
	a->dev = wst.st_dev;
	a->ino = wst.st_ino;
	if (!S_ISREG(wst.st_mode) || wst.st_size == 0)
		return read_head(a);
	/* the write fd is O_WRONLY; read through a second one, same inode */
	rfd = open(a->path, O_RDONLY | O_CLOEXEC);
	if (rfd < 0)
		return -errno;
	if (fstat(rfd, &rst) < 0)
		r = -errno;
	else if (rst.st_dev != wst.st_dev || rst.st_ino != wst.st_ino)
		r = -ESTALE;	/* the path was replaced between the opens */
	else
		r = tail_seq(rfd, rst.st_size, &last, hash);
	if (r == 1) {
		a->seq = last + 1;
		/* A record from before the chain has no hash: the chain starts afresh after it. */
		if (hash[0])
			memcpy(a->prev, hash, sizeof(a->prev));
	}
	if (r >= 0)
		r = pread_full(rfd, &c, 1, rst.st_size - 1);
	close(rfd);
	if (r < 0)
		return r;
	a->broken_line = c != '\n';
	return 0;
}

int bf_audit_open(struct bf_audit **out, const char *path, bool echo)
{
	struct bf_audit *a;
	int r;

	*out = NULL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->fd = -1;
	a->seq = 1;
	a->echo = echo;
	memcpy(a->prev, genesis, sizeof(a->prev));
	a->path = strdup(path);
	if (!a->path) {
		r = -ENOMEM;
		goto fail;
	}
	if (gethostname(a->host, sizeof(a->host) - 1) < 0) {
		r = -errno;
		goto fail;
	}
	r = bf_mkdir_parents(path, 0750, false);
	if (r < 0)
		goto fail;
	a->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (a->fd < 0) {
		r = -errno;
		goto fail;
	}
	r = audit_resume(a);
	if (r < 0)
		goto fail;
	*out = a;
	return 0;
fail:
	bf_audit_close(a);
	return r;
}

void bf_audit_close(struct bf_audit *a)
{
	if (!a)
		return;
	if (a->fd >= 0) {
		/* a clean stop must not lose records to the page cache */
		fdatasync(a->fd);
		close(a->fd);
		write_head(a);
	}
	free(a->path);
	free(a);
}

uint64_t bf_audit_next_seq(const struct bf_audit *a)
{
	return a->seq;
}

void bf_audit_set_mirror(struct bf_audit *a, bf_audit_mirror_fn fn, void *ctx)
{
	a->mirror = fn;
	a->mirror_ctx = ctx;
}

const char *bf_audit_head(const struct bf_audit *a)
{
	return a->prev;
}

bool bf_audit_failing(const struct bf_audit *a, uint64_t *since_ns, uint64_t *unwritten, int *err)
{
	*since_ns = a->fail_since_ns;
	*unwritten = a->unwritten;
	*err = a->fail_err;
	return a->fail_since_ns != 0;
}

int bf_audit_emit_recovery(struct bf_audit *a, struct json_object *rec)
{
	int r;

	a->uncounted = true;
	r = bf_audit_emit(a, rec);
	a->uncounted = false;
	if (r == 0) {
		a->fail_since_ns = 0;
		a->unwritten = 0;
		a->fail_err = 0;
	}
	return r;
}

uint64_t bf_audit_since_checkpoint(const struct bf_audit *a)
{
	return a->since_checkpoint;
}

int bf_audit_checkpoint(struct bf_audit *a, const struct bf_logkey *k)
{
	char msg[HOST_NAME_MAX + 128], sig[BF_LOGKEY_SIG_B64];
	struct json_object *rec;
	int err;

	/* Signed: this record's own seq and the hash it will carry as prev, i.e. the whole chain so far. */
	err = bf_logkey_message(msg, sizeof(msg), a->host, (unsigned long long)a->seq, a->prev);
	err = err ?: bf_logkey_sign(k, msg, sig);
	if (err)
		return err;
	rec = bf_audit_begin(a, "checkpoint", bf_audit_now_ns());
	bf_json_add_str(rec, "key", bf_logkey_id(k));
	bf_json_add_u64(rec, "covers_seq", a->seq - 1);
	bf_json_add_str(rec, "sig", sig);
	err = bf_audit_emit(a, rec);
	if (!err) {
		a->since_checkpoint = 0;
		write_head(a);
	}
	return err;
}

int bf_audit_follow_rotation(struct bf_audit *a)
{
	struct stat st;
	int fd, r;

	if (stat(a->path, &st) == 0 && st.st_dev == a->dev && st.st_ino == a->ino)
		return 0;
	/* Renamed away (logrotate): the old file is complete; the chain goes on in a new one. */
	fd = open(a->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	fdatasync(a->fd);
	close(a->fd);
	write_head(a);
	a->fd = fd;
	a->seq = 1;
	a->broken_line = false;
	r = audit_resume(a);
	return r < 0 ? r : 1;
}

struct json_object *bf_audit_begin(struct bf_audit *a, const char *kind, uint64_t realtime_ns)
{
	char ts[BF_RFC3339_BUFSZ];
	struct json_object *rec;

	if (bf_format_rfc3339(ts, sizeof(ts), realtime_ns) < 0)
		return NULL;
	rec = json_object_new_object();
	if (!rec)
		return NULL;
	/* seq goes in first so that emit's update keeps it in front */
	if (add_owned(rec, "seq", json_object_new_uint64(0)) < 0 ||
	    add_owned(rec, "time", json_object_new_string(ts)) < 0 ||
	    add_owned(rec, "host", bf_json_str(a->host)) < 0 ||
	    add_owned(rec, "kind", bf_json_str(kind)) < 0) {
		json_object_put(rec);
		return NULL;
	}
	return rec;
}

/*
 * The line to write: an optional "\n" to end a broken line, the record
 * with its "prev", then its "hash" over exactly those bytes (see
 * docs/audit-chain.md), and "\n". HASH gets the record's hash.
 */
static char *audit_line(struct bf_audit *a, struct json_object *rec, size_t *len, char hash[65])
{
	size_t jlen, n = 0, body;
	uint8_t digest[32];
	const char *js;
	char *line;

	if (add_owned(rec, "prev", json_object_new_string(a->prev)) < 0)
		return NULL;
	js = json_object_to_json_string_length(rec, AUDIT_JSON_FLAGS, &jlen);
	if (!js || jlen > (SIZE_MAX - 80) / 6)
		return NULL;
	line = malloc(6 * jlen + 80);
	if (!line)
		return NULL;
	if (a->broken_line)
		line[n++] = '\n';
	body = n;
	n += line_sanitize(line + n, js, jlen);
	if (n == body || line[n - 1] != '}' || bf_sha256_buf(line + body, n - body, digest)) {
		free(line);
		return NULL;
	}
	bf_sha256_hex(digest, hash);
	n += (size_t)sprintf(line + n - 1, ",\"hash\":\"%s\"}\n", hash) - 1;
	*len = n;
	return line;
}

/*
 * What stands in for a record whose line would pass BF_AUDIT_MAX_LINE: its
 * seq, time, host, kind and event, and how big it was. No reader (verify,
 * review, the agent's own restart) looks further back than that limit for
 * a line's end, so no line may be longer; the chain goes on through the
 * stand-in, and the truncation is itself on record.
 */
static struct json_object *oversize_stub(struct json_object *rec, size_t bytes)
{
	static const char *const keep[] = { "seq", "time", "host", "kind", "event", "trigger", "result" };
	struct json_object *stub = json_object_new_object(), *v, *t = json_object_new_object();

	if (!stub || !t) {
		json_object_put(stub);
		json_object_put(t);
		return NULL;
	}
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (json_object_object_get_ex(rec, keep[i], &v))
			json_object_object_add(stub, keep[i], json_object_get(v));
	json_object_object_add(t, "bytes", json_object_new_uint64(bytes));
	json_object_object_add(t, "limit", json_object_new_uint64(BF_AUDIT_MAX_LINE));
	json_object_object_add(stub, "truncated", t);
	return stub;
}

/*
 * A record that did not reach the log, for whatever reason (ERR): the log
 * is failing from now until a recovery record is written, and that record
 * says how many were lost (agent_logfail.c). A record lost to a full
 * memory is counted as one lost to a full disk is, never dropped unsaid.
 */
static void record_lost(struct bf_audit *a, int err)
{
	if (!a->fail_since_ns)
		a->fail_since_ns = bf_audit_now_ns();
	a->fail_err = err;
	if (!a->uncounted)
		a->unwritten++;
}

int bf_audit_emit(struct bf_audit *a, struct json_object *rec)
{
	struct json_object *seq;
	size_t len, done, lead = a->broken_line ? 1 : 0;
	char *line, hash[65];
	int r;

	if (!rec) {
		record_lost(a, -ENOMEM);	/* the record could not even be made */
		return -ENOMEM;
	}
	if (!json_object_object_get_ex(rec, "seq", &seq) ||
	    !json_object_is_type(seq, json_type_int)) {
		r = -EINVAL;	/* not made by bf_audit_begin */
		goto out;
	}
	json_object_set_uint64(seq, a->seq);
	line = audit_line(a, rec, &len, hash);
	if (line && len - lead > BF_AUDIT_MAX_LINE) {
		struct json_object *stub = oversize_stub(rec, len - lead);

		free(line);
		line = NULL;
		json_object_put(rec);
		rec = stub;
		if (rec) {
			json_object_object_del(rec, "prev");	/* audit_line adds the chain's own */
			line = audit_line(a, rec, &len, hash);
		}
	}
	if (!line) {
		r = -ENOMEM;
		record_lost(a, r);
		goto out;
	}
	r = write_full(a->fd, line, len, &done);
	if (r == 0) {
		a->seq++;
		a->broken_line = false;
		memcpy(a->prev, hash, sizeof(a->prev));
		a->since_checkpoint++;
		if (++a->since_head >= AUDIT_HEAD_EVERY)
			write_head(a);
		if (a->echo) {
			/* the log has the record; a closed stdout must not fail it */
			fwrite(line + lead, 1, len - lead, stdout);
			fflush(stdout);
		}
		if (a->mirror)
			a->mirror(a->mirror_ctx, line + lead, len - lead - 1);
	} else {
		/*
		 * A short write (disk full) is cut back off, so the log keeps
		 * only whole records; if that fails too, the next record starts
		 * on a fresh line. It ends cleanly only if exactly the lead "\n"
		 * got out.
		 */
		if (done > lead && cut_back(a->fd, done - lead) == 0)
			done = lead;
		a->broken_line = done != lead;
		record_lost(a, r);
	}
	free(line);
out:
	json_object_put(rec);
	return r;
}
