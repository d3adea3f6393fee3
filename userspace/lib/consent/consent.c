/* consent.c - reads, checks, appends to and answers questions about the consent ledger (docs/consent-ledger.md). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "audit/audit.h"
#include "consent/consent.h"
#include "log.h"
#include "rfc3339.h"
#include "util.h"

#define LEDGER_JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
/* 2262-04-11T23:47:16Z: the last whole second an int64_t of ns holds */

/* State of one pass over the ledger's lines. */
struct pass {
	const char *name;
	struct bf_ledger *l;
	struct bf_diags *d;
	unsigned line;
	int rec_err;		/* first -errno of the current record, 0 if fine */
	size_t n_errors;
	bool nomem;
};

/* ---- diagnostics ---- */

__attribute__((format(printf, 4, 0)))
static int diag_vadd(struct bf_diags *d, const char *name, unsigned line, const char *fmt,
		     va_list ap)
{
	char *msg, *full, **nm;
	int n;

	if (!d)
		return 0;
	if (vasprintf(&msg, fmt, ap) < 0)
		return -ENOMEM;
	n = line ? asprintf(&full, "%s:%u: %s", name, line, msg)
		 : asprintf(&full, "%s: %s", name, msg);
	free(msg);
	if (n < 0)
		return -ENOMEM;
	nm = realloc(d->msgs, (d->n + 1) * sizeof(*nm));
	if (!nm) {
		free(full);
		return -ENOMEM;
	}
	d->msgs = nm;
	nm[d->n++] = full;
	d->n_errors++;
	return 0;
}

__attribute__((format(printf, 4, 5)))
static void diag_add(struct bf_diags *d, const char *name, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, name, line, fmt, ap);
	va_end(ap);
}

/* err is what an append of this record returns: the first reason wins. */
__attribute__((format(printf, 3, 4)))
static void report(struct pass *ps, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (diag_vadd(ps->d, ps->name, ps->line, fmt, ap) < 0)
		ps->nomem = true;
	va_end(ap);
	ps->n_errors++;
	if (!ps->rec_err)
		ps->rec_err = err;
}

/* ---- id index ---- */

static uint64_t id_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

static long index_find(const struct bf_ledger *l, const char *id)
{
	size_t mask = l->index_cap - 1, i;

	if (!l->index_cap)
		return -1;
	for (i = id_hash(id) & mask; l->index[i]; i = (i + 1) & mask)
		if (!strcmp(l->grants[l->index[i] - 1].id, id))
			return (long)l->index[i] - 1;
	return -1;
}

static void index_put(uint32_t *index, size_t cap, const char *id, uint32_t val)
{
	size_t i;

	for (i = id_hash(id) & (cap - 1); index[i]; i = (i + 1) & (cap - 1))
		;
	index[i] = val;
}

/* Indexes grants[n_grants - 1]; keeps the table at most half full. */
static int index_add(struct bf_ledger *l)
{
	size_t cap = l->index_cap, i;
	uint32_t *ni;

	if (l->n_grants > UINT32_MAX - 1)
		return -EOVERFLOW;
	if (2 * l->n_grants > cap) {
		cap = cap ? 2 * cap : 64;
		ni = calloc(cap, sizeof(*ni));
		if (!ni)
			return -ENOMEM;
		for (i = 0; i + 1 < l->n_grants; i++)
			index_put(ni, cap, l->grants[i].id, (uint32_t)i + 1);
		free(l->index);
		l->index = ni;
		l->index_cap = cap;
	}
	index_put(l->index, l->index_cap, l->grants[l->n_grants - 1].id, (uint32_t)l->n_grants);
	return 0;
}

/* ---- field checks ---- */

static bool token_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == ':' || c == '-';
}

bool bf_consent_token_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!token_char(s[i]))
			return false;
	return i > 0 && i < BF_CONSENT_TOKEN_MAX;
}

/* The policy's name grammar, so a grant names cameras and purposes as policies do. */
bool bf_consent_name_ok(const char *s)
{
	size_t i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (i = 1; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return false;
	return i < BF_NAME_MAX;
}

/*
 * The string under key, or NULL (reported when required or present but
 * bad). json-c strings may hold NULs; a length check catches them, as no
 * field may contain one.
 */
static const char *get_str(struct pass *ps, struct json_object *rec, const char *key,
			   bool required)
{
	struct json_object *v;
	const char *s;

	if (!json_object_object_get_ex(rec, key, &v)) {
		if (required)
			report(ps, -EINVAL, "missing \"%s\"", key);
		return NULL;
	}
	if (!json_object_is_type(v, json_type_string)) {
		report(ps, -EINVAL, "\"%s\" is not a string", key);
		return NULL;
	}
	s = json_object_get_string(v);
	if (!s[0]) {
		report(ps, -EINVAL, "\"%s\" is empty", key);
		return NULL;
	}
	if (strlen(s) != (size_t)json_object_get_string_len(v)) {
		report(ps, -EINVAL, "\"%s\" contains a NUL character", key);
		return NULL;
	}
	return s;
}

/* Copies a [A-Za-z0-9._:-] token into dst; false (reported) if it is not one. */
static bool get_token(struct pass *ps, struct json_object *rec, const char *key, bool required,
		      char dst[BF_CONSENT_TOKEN_MAX])
{
	const char *s = get_str(ps, rec, key, required);
	size_t i;

	if (!s)
		return false;
	for (i = 0; s[i]; i++) {
		if (!token_char(s[i])) {
			report(ps, -EINVAL, "\"%s\" has a character outside [A-Za-z0-9._:-]", key);
			return false;
		}
	}
	if (i >= BF_CONSENT_TOKEN_MAX) {
		report(ps, -EINVAL, "\"%s\" is longer than %d characters", key,
		       BF_CONSENT_TOKEN_MAX - 1);
		return false;
	}
	memcpy(dst, s, i + 1);
	return true;
}

static bool get_time(struct pass *ps, struct json_object *rec, const char *key, int64_t *ns)
{
	const char *s = get_str(ps, rec, key, true);
	int r;

	if (!s)
		return false;
	r = bf_parse_rfc3339(s, ns);
	if (r == -ERANGE)
		report(ps, -EINVAL, "\"%s\" is outside 1970-01-01 .. 2262-04-11", key);
	else if (r < 0)
		report(ps, -EINVAL, "\"%s\" is not an RFC 3339 date-time", key);
	return r == 0;
}

/* ---- records ---- */

static void free_cameras(struct bf_consent_grant *g)
{
	size_t i;

	for (i = 0; i < g->n_cameras; i++)
		free(g->cameras[i]);
	free(g->cameras);
	g->cameras = NULL;
	g->n_cameras = 0;
}

/* One "cameras" entry: a name, not listed before. */
static void add_camera(struct pass *ps, struct bf_consent_grant *g, struct json_object *v,
		       size_t pos)
{
	const char *s = json_object_get_string(v);
	size_t j;

	if (!json_object_is_type(v, json_type_string) ||
	    strlen(s) != (size_t)json_object_get_string_len(v) || !bf_consent_name_ok(s)) {
		report(ps, -EINVAL, "\"cameras\" entry %zu is not a camera name", pos + 1);
		return;
	}
	if (!strcmp(s, "any")) {
		g->any_camera = true;
		return;
	}
	for (j = 0; j < g->n_cameras; j++) {
		if (!strcmp(g->cameras[j], s)) {
			report(ps, -EINVAL, "\"cameras\" lists \"%s\" twice", s);
			return;
		}
	}
	g->cameras[g->n_cameras] = strdup(s);
	if (!g->cameras[g->n_cameras])
		ps->nomem = true;
	else
		g->n_cameras++;
}

/* A non-empty list of camera names, or exactly ["any"]. */
static void get_cameras(struct pass *ps, struct json_object *rec, struct bf_consent_grant *g)
{
	struct json_object *arr;
	size_t n, i;

	if (!json_object_object_get_ex(rec, "cameras", &arr)) {
		report(ps, -EINVAL, "missing \"cameras\"");
		return;
	}
	if (!json_object_is_type(arr, json_type_array)) {
		report(ps, -EINVAL, "\"cameras\" is not an array");
		return;
	}
	n = json_object_array_length(arr);
	if (n == 0 || n > BF_CONSENT_MAX_CAMERAS) {
		report(ps, -EINVAL, n ? "\"cameras\" lists more than %d cameras"
				      : "\"cameras\" is empty", BF_CONSENT_MAX_CAMERAS);
		return;
	}
	g->cameras = calloc(n, sizeof(*g->cameras));
	if (!g->cameras) {
		ps->nomem = true;
		return;
	}
	for (i = 0; i < n; i++)
		add_camera(ps, g, json_object_array_get_idx(arr, i), i);
	if (g->any_camera && n > 1)
		report(ps, -EINVAL, "\"any\" cannot be combined with other cameras");
	if (g->any_camera)
		free_cameras(g);
}

/* Unknown fields are refused: a misspelt "guardian" must not pass silently. */
static void check_keys(struct pass *ps, struct json_object *rec, const char *const *known)
{
	size_t i, n;

	json_object_object_foreach(rec, key, val) {
		(void)val;
		for (i = 0; known[i] && strcmp(known[i], key); i++)
			;
		if (known[i])
			continue;
		/* echo only what cannot garble a terminal */
		for (n = 0; key[n] && key[n] >= ' ' && key[n] <= '~' && key[n] != '"'; n++)
			;
		if (!key[n] && n > 0 && n <= 32)
			report(ps, -EINVAL, "unknown field \"%s\"", key);
		else
			report(ps, -EINVAL, "unknown field");
	}
}

static void get_purpose(struct pass *ps, struct json_object *rec, struct bf_consent_grant *g)
{
	const char *s = get_str(ps, rec, "purpose", true);

	if (!s)
		return;
	if (!bf_consent_name_ok(s))
		report(ps, -EINVAL, "\"purpose\" is not a name ([a-z0-9][a-z0-9_.-]*, at most %d characters)",
		       BF_NAME_MAX - 1);
	else if (!strcmp(s, "any"))
		report(ps, -EINVAL, "\"purpose\" cannot be \"any\": consent is given for one purpose");
	else
		strcpy(g->purpose, s);
}

/* Adds g to the ledger, which then owns its cameras. */
static void keep_grant(struct pass *ps, struct bf_consent_grant *g)
{
	struct bf_ledger *l = ps->l;
	struct bf_consent_grant *ng;
	size_t n = l->n_grants;

	/* capacity is implicit: 16, then every power of two */
	if (n == 0 || (n >= 16 && !(n & (n - 1)))) {
		ng = realloc(l->grants, (n ? 2 * n : 16) * sizeof(*ng));
		if (!ng)
			goto nomem;
		l->grants = ng;
	}
	l->grants[l->n_grants++] = *g;
	if (index_add(l) < 0) {
		l->n_grants--;
		goto nomem;
	}
	return;
nomem:
	ps->nomem = true;
	free_cameras(g);
}

static void parse_grant(struct pass *ps, struct json_object *rec)
{
	static const char *const keys[] = { "type", "id", "subject", "purpose", "cameras",
		"granted", "expires", "notice", "guardian", NULL };
	struct bf_consent_grant g = { .line = ps->line };
	bool ok_id, ok_g, ok_e;
	long dup = -1;

	ok_id = get_token(ps, rec, "id", true, g.id);
	if (ok_id && (dup = index_find(ps->l, g.id)) >= 0)
		report(ps, -EEXIST, "duplicate grant id (first granted on line %u)",
		       ps->l->grants[dup].line);
	get_token(ps, rec, "subject", true, g.subject);
	get_purpose(ps, rec, &g);
	get_cameras(ps, rec, &g);
	ok_g = get_time(ps, rec, "granted", &g.granted_ns);
	ok_e = get_time(ps, rec, "expires", &g.expires_ns);
	if (ok_g && ok_e && g.expires_ns <= g.granted_ns)
		report(ps, -EINVAL, "\"expires\" is not after \"granted\"");
	get_token(ps, rec, "notice", true, g.notice);
	if (get_token(ps, rec, "guardian", false, g.guardian) && index_find(ps->l, g.guardian) < 0)
		report(ps, -ENOENT, "\"guardian\" names no earlier grant");
	check_keys(ps, rec, keys);
	/* a bad grant with a good id is still indexed, so its revoke does not cascade */
	if (ok_id && dup < 0 && !ps->nomem)
		keep_grant(ps, &g);
	else
		free_cameras(&g);
}

static void parse_revoke(struct pass *ps, struct json_object *rec)
{
	static const char *const keys[] = { "type", "id", "time", NULL };
	char id[BF_CONSENT_TOKEN_MAX];
	struct bf_consent_grant *g;
	bool ok_id, ok_t;
	int64_t t = 0;
	long i;

	ok_id = get_token(ps, rec, "id", true, id);
	ok_t = get_time(ps, rec, "time", &t);
	check_keys(ps, rec, keys);
	if (!ok_id)
		return;
	i = index_find(ps->l, id);
	if (i < 0) {
		report(ps, -ENOENT, "revoke of unknown grant id");
		return;
	}
	g = &ps->l->grants[i];
	if (g->revoked)
		report(ps, -EALREADY, "grant already revoked on line %u", g->revoke_line);
	else if (ok_t && t < g->granted_ns)
		report(ps, -EINVAL, "\"time\" is before the grant's \"granted\"");
	if (ps->rec_err || !ok_t)
		return;
	g->revoked = true;
	g->revoked_ns = t;
	g->revoke_line = ps->line;
	ps->l->n_revokes++;
}

/* buf[n] is the line's newline. */
static void parse_line(struct pass *ps, const char *buf, size_t n)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *rec = NULL;
	const char *type;

	if (!tok) {
		ps->nomem = true;
		return;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT
#ifdef JSON_TOKENER_VALIDATE_UTF8
			       | JSON_TOKENER_VALIDATE_UTF8
#endif
			       );
	/*
	 * The newline goes in too: without a terminator json-c cannot tell
	 * whether a bare "42" or "null" is complete. JSON whitespace around
	 * the record is tolerated, as JSON allows it.
	 */
	rec = json_tokener_parse_ex(tok, buf, (int)n + 1);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != n + 1)
		report(ps, -EINVAL, "not valid JSON");
	else if (!json_object_is_type(rec, json_type_object))
		report(ps, -EINVAL, "record is not a JSON object");
	else if ((type = get_str(ps, rec, "type", true))) {
		if (!strcmp(type, "grant"))
			parse_grant(ps, rec);
		else if (!strcmp(type, "revoke"))
			parse_revoke(ps, rec);
		else
			report(ps, -EINVAL, "unknown \"type\" (expected \"grant\" or \"revoke\")");
	}
	json_object_put(rec);
	json_tokener_free(tok);
}

/* ---- loading ---- */

void bf_ledger_free(struct bf_ledger *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n_grants; i++)
		free_cameras(&l->grants[i]);
	free(l->grants);
	free(l->index);
	memset(l, 0, sizeof(*l));
}

/* Every line is one record: blank lines and a missing final newline are damage. */
static void parse_lines(struct pass *ps, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl;
	size_t n;

	while (p < end && !ps->nomem) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		ps->line++;
		ps->rec_err = 0;
		if (n > BF_LEDGER_MAX_LINE) {
			report(ps, -EINVAL, "line is longer than %d bytes", BF_LEDGER_MAX_LINE);
		} else if (!nl) {
			/* Only the last line can be a torn append; damage anywhere else fails closed. */
			ps->l->torn_at = (size_t)(p - text);
			ps->l->torn_bytes = n;
			ps->l->torn_line = ps->line--;
			break;
		} else if (n == 0)
			report(ps, -EINVAL, "empty line");
		else
			parse_line(ps, p, n);
		if (!nl)
			break;
		p = nl + 1;
	}
	ps->l->n_lines = ps->line;
}

int bf_ledger_parse(const char *name, const char *text, size_t len, struct bf_ledger *out,
		    struct bf_diags *diags)
{
	struct bf_ledger l = { 0 };
	struct pass ps = { .name = name, .l = &l, .d = diags };

	memset(out, 0, sizeof(*out));
	parse_lines(&ps, text, len);
	if (ps.nomem || ps.n_errors) {
		bf_ledger_free(&l);
		return ps.nomem ? -ENOMEM : -EINVAL;
	}
	*out = l;
	return 0;
}

static int lock_fd(int fd, int op)
{
	while (flock(fd, op) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* The whole file, read through fd from offset 0 (whatever O_APPEND says). */
static int read_all(int fd, const char *name, char **buf, size_t *len,
		    struct bf_diags *d)
{
	struct stat st;
	ssize_t r = 0;
	size_t got = 0;

	*buf = NULL;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode)) {
		diag_add(d, name, 0, "not a regular file");
		return -EINVAL;
	}
	if (st.st_size > BF_LEDGER_MAX_SIZE) {
		diag_add(d, name, 0, "larger than %ld bytes", BF_LEDGER_MAX_SIZE);
		return -EFBIG;
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (!*buf)
		return -ENOMEM;
	while (got < (size_t)st.st_size) {
		r = pread(fd, *buf + got, (size_t)st.st_size - got, (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;	/* shrank under us: parse what is there */
		got += (size_t)r;
	}
	if (r < 0) {
		free(*buf);
		return -errno;
	}
	*len = got;
	return 0;
}

static int load_fd(int fd, const char *name, struct bf_ledger *out, struct bf_diags *d)
{
	size_t len = 0;
	char *buf;
	int r;

	r = read_all(fd, name, &buf, &len, d);
	if (r == 0)
		r = bf_ledger_parse(name, buf, len, out, d);
	else if (r != -EINVAL && r != -EFBIG)
		diag_add(d, name, 0, "%s", strerror(-r));
	free(buf);
	return r;
}

int bf_ledger_load(const char *path, struct bf_ledger *out, struct bf_diags *diags)
{
	int fd, r;

	memset(out, 0, sizeof(*out));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		diag_add(diags, path, 0, "%s", strerror(-r));
		return r;
	}
	r = lock_fd(fd, LOCK_SH);
	if (r == 0)
		r = load_fd(fd, path, out, diags);
	else
		diag_add(diags, path, 0, "%s", strerror(-r));
	close(fd);
	return r;
}

/* ---- appending ---- */

/* mkdir -p for the directories above path; the ones made here get exactly mode. */
static int mkdir_parents(const char *path, mode_t mode)
{
	char *dir = strdup(path), *p;
	int r = 0;

	if (!dir)
		return -ENOMEM;
	for (p = dir + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(dir, mode) == 0) {
			if (chmod(dir, mode) < 0)
				r = -errno;	/* the umask must not loosen or break it */
		} else if (errno != EEXIST) {
			r = -errno;
		}
		*p = '/';
		if (r < 0)
			break;
	}
	free(dir);
	return r;
}

/* A new file's name is durable only once its directory is synced. */
static int fsync_parent(const char *path)
{
	char *dir = strdup(path), *slash;
	int fd, r = 0;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		r = -errno;
	if (fd >= 0)
		close(fd);
	free(dir);
	return r;
}

/* Checks line (no newline) as the next record of l with the loader's own code; l absorbs it, so the caller discards l. */
static int check_line(const char *path, struct bf_ledger *l, const char *line, size_t n,
		      struct bf_diags *d)
{
	/* Line 0: a refused record is cited as such, not by a line it never got. */
	struct pass ps = { .name = path, .l = l, .d = d, .line = 0 };
	struct bf_diags mine = { 0 };

	if (n > BF_LEDGER_MAX_LINE) {
		diag_add(d, path, 0, "refused record: longer than %d bytes", BF_LEDGER_MAX_LINE);
		return -E2BIG;
	}
	ps.d = d ? &mine : NULL;
	parse_line(&ps, line, n);
	for (size_t i = 0; i < mine.n; i++) {
		/* "PATH: reason" becomes "PATH: refused record: reason" */
		diag_add(d, path, 0, "refused record: %s", mine.msgs[i] + strlen(path) + 2);
	}
	bf_diags_free(&mine);
	l->n_lines++;
	/* report() kept the first reason's errno: the append's answer */
	return ps.nomem ? -ENOMEM : ps.rec_err;
}

/*
 * The ledger opened for appending. A missing one is created only after
 * line checked out against an empty ledger, so a refused first record
 * leaves no file (and no directory) behind.
 */
static int open_ledger(const char *path, const char *line, size_t n, struct bf_diags *d,
		       bool *created)
{
	struct bf_ledger empty = { 0 };
	int fd, r;

	*created = false;
	fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT)
		return fd >= 0 ? fd : -errno;
	r = check_line(path, &empty, line, n, d);
	bf_ledger_free(&empty);
	if (r < 0)
		return r;
	r = mkdir_parents(path, 0700);
	if (r < 0)
		return r;
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST)	/* another appender won the race */
		fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
	else if (fd >= 0)
		*created = true;
	if (fd < 0)
		return -errno;
	if (*created && fchmod(fd, 0600) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* One write of the whole line; anything less is cut back off, so the file is unchanged. */
static int write_line(int fd, const char *buf, size_t n)
{
	struct stat st;
	size_t done = 0;
	ssize_t w;
	int r = 0;

	if (fstat(fd, &st) < 0)
		return -errno;
	while (done < n) {
		w = write(fd, buf + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			r = w < 0 ? -errno : -EIO;
			break;
		}
		done += (size_t)w;
	}
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (r < 0 && done > 0 && ftruncate(fd, st.st_size) < 0)
		log_errno(errno, "consent ledger: could not cut back a partial record");
	return r;
}

/* Serialises rec, checks it against the ledger under an exclusive lock, appends it. */
static int append_record(const char *path, struct json_object *rec, struct bf_diags *d)
{
	struct bf_ledger l = { 0 };
	const char *js;
	char *line = NULL;
	size_t n;
	bool created;
	int fd, r;

	js = json_object_to_json_string_length(rec, LEDGER_JSON_FLAGS, &n);
	if (!js || !(line = malloc(n + 1)))
		return -ENOMEM;
	memcpy(line, js, n);
	line[n] = '\n';
	fd = open_ledger(path, line, n, d, &created);
	if (fd < 0) {
		free(line);
		return fd;
	}
	r = lock_fd(fd, LOCK_EX);
	if (r == 0)
		r = load_fd(fd, path, &l, d);
	if (r == 0)
		r = check_line(path, &l, line, n, d);
	/* A torn last append (logged when the ledger was read) goes before this one is written. */
	if (r == 0 && l.torn_bytes && ftruncate(fd, (off_t)l.torn_at) < 0)
		r = -errno;
	if (r == 0)
		r = write_line(fd, line, n + 1);
	if (r == 0 && created)
		r = fsync_parent(path);
	bf_ledger_free(&l);
	close(fd);
	free(line);
	return r;
}

static int add_str(struct json_object *o, const char *key, const char *s)
{
	struct json_object *v = bf_json_str(s);

	if (!v || json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

/* A time that cannot be formatted is left out, and the check then says so. */
static int add_time(struct json_object *o, const char *key, int64_t ns)
{
	char ts[BF_RFC3339_BUFSZ];

	if (ns < 0 || bf_format_rfc3339(ts, sizeof(ts), (uint64_t)ns) < 0)
		return 0;
	return add_str(o, key, ts);
}

static int add_cameras(struct json_object *o, const struct bf_consent_grant *g)
{
	struct json_object *arr = json_object_new_array();
	size_t i;
	int r = 0;

	if (!arr)
		return -ENOMEM;
	if (g->any_camera && json_object_array_add(arr, bf_json_str("any")) < 0)
		r = -ENOMEM;
	for (i = 0; r == 0 && i < g->n_cameras; i++)
		if (json_object_array_add(arr, bf_json_str(g->cameras[i])) < 0)
			r = -ENOMEM;
	if (r == 0 && json_object_object_add(o, "cameras", arr) < 0)
		r = -ENOMEM;
	if (r < 0)
		json_object_put(arr);
	return r;
}

/* A record's first two fields, in the documented order; NULL when out of memory. */
static struct json_object *new_record(const char *type, const char *id)
{
	struct json_object *rec = json_object_new_object();

	if (rec && (add_str(rec, "type", type) || add_str(rec, "id", id))) {
		json_object_put(rec);
		return NULL;
	}
	return rec;
}

/* Appends REC if it was built whole (R is 0), and drops it either way. */
static int append_built(const char *path, struct json_object *rec, int r, struct bf_diags *diags)
{
	r = r ?: append_record(path, rec, diags);
	json_object_put(rec);
	return r;
}

int bf_ledger_append_grant(const char *path, const struct bf_consent_grant *g,
			   struct bf_diags *diags)
{
	struct json_object *rec = new_record("grant", g->id);
	int r;

	if (!rec)
		return -ENOMEM;
	/* the rest in the documented order; empty strings go in for the check to name */
	r = add_str(rec, "subject", g->subject);
	r = r ?: add_str(rec, "purpose", g->purpose);
	r = r ?: add_cameras(rec, g);
	r = r ?: add_time(rec, "granted", g->granted_ns);
	r = r ?: add_time(rec, "expires", g->expires_ns);
	r = r ?: add_str(rec, "notice", g->notice);
	if (g->guardian[0])
		r = r ?: add_str(rec, "guardian", g->guardian);
	return append_built(path, rec, r, diags);
}

int bf_ledger_append_revoke(const char *path, const char *id, int64_t time_ns,
			    struct bf_diags *diags)
{
	struct json_object *rec = new_record("revoke", id);

	if (!rec)
		return -ENOMEM;
	return append_built(path, rec, add_time(rec, "time", time_ns), diags);
}

/* ---- queries ---- */

const struct bf_consent_grant *bf_ledger_find(const struct bf_ledger *l, const char *id)
{
	long i = id ? index_find(l, id) : -1;

	return i < 0 ? NULL : &l->grants[i];
}

enum reason { RS_OK, RS_UNKNOWN, RS_REVOKED, RS_NOT_YET, RS_EXPIRED, RS_PURPOSE, RS_CAMERA };

static const struct {
	int err;
	const char *why, *guardian_why;
} reasons[] = {
	[RS_OK] = { 0, "ok", "ok" },
	[RS_UNKNOWN] = { -ENOENT, "no such grant", "guardian's grant not found" },
	[RS_REVOKED] = { -EKEYREVOKED, "grant revoked", "guardian's grant revoked" },
	[RS_NOT_YET] = { -EKEYREJECTED, "grant not yet in force", "guardian's grant not yet in force" },
	[RS_EXPIRED] = { -EKEYEXPIRED, "grant expired", "guardian's grant expired" },
	[RS_PURPOSE] = { -EACCES, "purpose not covered by the grant",
			"purpose not covered by the guardian's grant" },
	[RS_CAMERA] = { -EPERM, "camera not covered by the grant",
		       "camera not covered by the guardian's grant" },
};

static enum reason grant_reason(const struct bf_consent_grant *g, const char *purpose,
				const char *camera, int64_t now_ns)
{
	size_t i;

	if (!g)
		return RS_UNKNOWN;
	/* a revoke record ends the grant whatever its time says: fail closed */
	if (g->revoked)
		return RS_REVOKED;
	if (now_ns < g->granted_ns)
		return RS_NOT_YET;
	if (now_ns >= g->expires_ns)
		return RS_EXPIRED;
	if (!purpose || strcmp(g->purpose, purpose))
		return RS_PURPOSE;
	if (g->any_camera)
		return RS_OK;
	for (i = 0; camera && i < g->n_cameras; i++)
		if (!strcmp(g->cameras[i], camera))
			return RS_OK;
	return RS_CAMERA;
}

int bf_consent_check(const struct bf_ledger *l, const char *id, const char *purpose,
		     const char *camera, int64_t now_ns, const char **why)
{
	const struct bf_consent_grant *g = bf_ledger_find(l, id), *next;
	bool guardian = false;
	enum reason k;

	for (;;) {
		k = grant_reason(g, purpose, camera, now_ns);
		if (k != RS_OK || !g->guardian[0])
			break;
		next = bf_ledger_find(l, g->guardian);
		/* guardians come earlier in the file: this also rules out cycles */
		g = next && next < g ? next : NULL;
		guardian = true;
	}
	if (why)
		*why = guardian ? reasons[k].guardian_why : reasons[k].why;
	return reasons[k].err;
}
