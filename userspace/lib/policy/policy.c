/* policy.c - reads policy language v1 files into a checked bf_policy, reporting every error in one pass. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <openssl/evp.h>

#include "policy/policy.h"

#define INCLUDE_DEPTH_MAX 16
#define POLICY_SIZE_MAX (16u << 20)	/* policies are written by people; anything bigger is a mistake */
#define NAME_RULE "names are [a-z0-9][a-z0-9_.-]*, at most 63 characters"
/* An ipc rule's addresses become a 64-bit mask in the kernel, like cameras and dest sets. */
#define UNIX_ADDRS_MAX 64

enum tok_type { TOK_WORD, TOK_STR, TOK_COMMA };

struct tok {
	enum tok_type type;
	const char *text;	/* NUL-terminated; strings are unescaped */
	unsigned col;
	unsigned end;		/* column just past the token */
};

/* A rule's names wait here until every file is read, because they may be forward references. */
struct pending {
	char app[BF_NAME_MAX];	/* "" for any */
	char obj[BF_NAME_MAX];
	struct bf_src app_src, obj_src;
	/* max-window may be set later or in an include, so a window is only bounded at the end */
	bool window_given;
	struct bf_src window_src;
	unsigned long ord;
};

/* Broker names are references too, resolved once every app is known. */
struct pending_broker {
	char name[BF_NAME_MAX];
	struct bf_src src;
	unsigned long ord;
};

/* Diagnostics are sorted at the end so late checks (undefined names) land in reading order. */
struct pdiag {
	unsigned long ord;	/* line number counted across all files in read order */
	unsigned col;
	size_t seq;
	bool error;
	char *msg;
};

struct file_id {
	dev_t dev;
	ino_t ino;
};

/* A once-per-policy statement whose value is only checked against another's after the last file. */
struct once_stmt {
	struct bf_src at;	/* the keyword; .file is NULL until the statement is seen */
	struct bf_src val;	/* the value */
	unsigned long ord;
	bool bad;		/* given with an error: its value is the default, so do not compare it */
};

enum kind { K_CAMERA, K_APP, K_DEST };
static const char *const kind_word[] = { "camera", "app", "dest" };
static const char *const kind_article[] = { "a", "an", "a" };

struct parser {
	struct bf_policy *p;
	unsigned flags;
	int fatal;		/* first -errno that stops us from producing a result (ENOMEM) */
	EVP_MD_CTX *md;
	bool mode_seen;
	struct bf_src max_window_src, grace_src;	/* .file is NULL until the statement is seen */
	struct once_stmt ttl_min, ttl_max;
	struct pending *pend;	/* parallel to p->rules */
	struct pending_broker *pbrokers;
	size_t n_pbrokers;
	struct pdiag *diags;
	size_t n_diags;
	struct file_id stack[INCLUDE_DEPTH_MAX + 1];
	size_t n_stack;
	unsigned depth;
	unsigned long next_ord;
	/* the line being parsed */
	const char *file;	/* interned in p->files */
	bool in_memory;		/* text given as a string: includes resolve against the cwd */
	unsigned line;
	unsigned long ord;
	struct tok *toks;
	size_t n_toks, toks_cap, cur;
	char *scratch;
	size_t scratch_cap;
};

static void fail(struct parser *ps, int rc)
{
	if (!ps->fatal)
		ps->fatal = rc;
}

/* Arrays grow one element at a time, so capacity is the next power of two and needs no field. */
static void *grow(void *arr, size_t n, size_t size)
{
	size_t cap;

	if (n & (n - 1))
		return arr;
	cap = n ? 2 * n : 1;
	if (cap > SIZE_MAX / size)
		return NULL;
	return realloc(arr, cap * size);
}

static char *xstrdup(struct parser *ps, const char *s)
{
	char *d = strdup(s);

	if (!d)
		fail(ps, -ENOMEM);
	return d;
}

static void to_hex(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

__attribute__((format(printf, 7, 0)))
static void vreport(struct parser *ps, bool error, const char *file, unsigned line,
		    unsigned col, unsigned long ord, const char *fmt, va_list ap)
{
	struct pdiag *nd;
	char *msg, *full;
	int n;

	if (vasprintf(&msg, fmt, ap) < 0) {
		fail(ps, -ENOMEM);
		return;
	}
	n = asprintf(&full, "%s:%u:%u: %s%s", file, line, col, error ? "" : "warning: ", msg);
	free(msg);
	if (n < 0) {
		fail(ps, -ENOMEM);
		return;
	}
	nd = grow(ps->diags, ps->n_diags, sizeof(*nd));
	if (!nd) {
		free(full);
		fail(ps, -ENOMEM);
		return;
	}
	ps->diags = nd;
	nd[ps->n_diags] = (struct pdiag){ ord, col, ps->n_diags, error, full };
	ps->n_diags++;
}

__attribute__((format(printf, 5, 6)))
static void report(struct parser *ps, bool error, const struct bf_src *at, unsigned long ord,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ps, error, at->file, at->line, at->col, ord, fmt, ap);
	va_end(ap);
}

/* Column of token I, or just past the last token when the line ended early. */
static unsigned tok_col(const struct parser *ps, size_t i)
{
	if (i < ps->n_toks)
		return ps->toks[i].col;
	return ps->n_toks ? ps->toks[ps->n_toks - 1].end : 1;
}

static struct bf_src src_of(const struct parser *ps, size_t i)
{
	return (struct bf_src){ ps->file, ps->line, tok_col(ps, i) };
}

__attribute__((format(printf, 3, 4)))
static void err_col(struct parser *ps, unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ps, true, ps->file, ps->line, col, ps->ord, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 3, 4)))
static void err_at(struct parser *ps, size_t i, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ps, true, ps->file, ps->line, tok_col(ps, i), ps->ord, fmt, ap);
	va_end(ap);
}

/* ---- lexer ---- */

static bool is_ctl(char c)
{
	return ((unsigned char)c < 0x20 && c != '\t') || c == 0x7f;
}

static bool is_word_char(char c)
{
	return c != ' ' && c != '\t' && c != ',' && c != '"' && c != '#' && !is_ctl(c);
}

static struct tok *new_tok(struct parser *ps)
{
	struct tok *nt;

	if (ps->n_toks == ps->toks_cap) {
		size_t cap = ps->toks_cap ? 2 * ps->toks_cap : 16;

		nt = realloc(ps->toks, cap * sizeof(*nt));
		if (!nt) {
			fail(ps, -ENOMEM);
			return NULL;
		}
		ps->toks = nt;
		ps->toks_cap = cap;
	}
	return &ps->toks[ps->n_toks++];
}

static int lex_string(struct parser *ps, const char *s, size_t len, size_t *pi, char **po,
		      struct tok *t)
{
	size_t i;
	char *o = *po;

	t->type = TOK_STR;
	t->text = o;
	for (i = *pi + 1; i < len; i++) {
		if (s[i] == '"') {
			*o++ = '\0';
			*po = o;
			*pi = i + 1;
			return 0;
		}
		if (s[i] == '\\') {
			if (i + 1 < len && (s[i + 1] == '"' || s[i + 1] == '\\')) {
				*o++ = s[++i];
				continue;
			}
			err_col(ps, i + 1, "bad escape in string (only \\\" and \\\\ are allowed)");
			return -EINVAL;
		}
		if (is_ctl(s[i])) {
			err_col(ps, i + 1, "control character 0x%02x in string", (unsigned char)s[i]);
			return -EINVAL;
		}
		*o++ = s[i];
	}
	err_col(ps, t->col, "unterminated string");
	return -EINVAL;
}

static void lex_word(const char *s, size_t len, size_t *pi, char **po, struct tok *t)
{
	size_t i = *pi;
	char *o = *po;

	t->type = TOK_WORD;
	t->text = o;
	while (i < len && is_word_char(s[i]))
		*o++ = s[i++];
	*o++ = '\0';
	*po = o;
	*pi = i;
}

/* Splits one line (without its newline) into ps->toks; 0, or -EINVAL after reporting. */
static int lex_line(struct parser *ps, const char *s, size_t len)
{
	size_t i = 0;
	char *o;

	/* every token's text plus its NUL fits in twice the line */
	if (2 * len + 2 > ps->scratch_cap) {
		char *ns = realloc(ps->scratch, 2 * len + 2);

		if (!ns) {
			fail(ps, -ENOMEM);
			return -ENOMEM;
		}
		ps->scratch = ns;
		ps->scratch_cap = 2 * len + 2;
	}
	o = ps->scratch;
	ps->n_toks = ps->cur = 0;
	while (i < len) {
		struct tok *t;
		int rc = 0;

		if (s[i] == ' ' || s[i] == '\t') {
			i++;
			continue;
		}
		if (s[i] == '#')
			break;
		if (is_ctl(s[i])) {
			err_col(ps, i + 1, "unexpected control character 0x%02x", (unsigned char)s[i]);
			return -EINVAL;
		}
		t = new_tok(ps);
		if (!t)
			return -ENOMEM;
		t->col = i + 1;
		if (s[i] == ',') {
			t->type = TOK_COMMA;
			t->text = ",";
			i++;
		} else if (s[i] == '"') {
			rc = lex_string(ps, s, len, &i, &o, t);
		} else {
			lex_word(s, len, &i, &o, t);
		}
		if (rc)
			return rc;
		t->end = i + 1;
	}
	return 0;
}

/* ---- token helpers ---- */

static const struct tok *peek(const struct parser *ps)
{
	return ps->cur < ps->n_toks ? &ps->toks[ps->cur] : NULL;
}

static bool peek_word(const struct parser *ps, const char *w)
{
	const struct tok *t = peek(ps);

	return t && t->type == TOK_WORD && strcmp(t->text, w) == 0;
}

static bool accept_comma(struct parser *ps)
{
	const struct tok *t = peek(ps);

	if (!t || t->type != TOK_COMMA)
		return false;
	ps->cur++;
	return true;
}

static int expect_end(struct parser *ps)
{
	const struct tok *t = peek(ps);

	if (!t)
		return 0;
	err_at(ps, ps->cur, "trailing garbage \"%s\"", t->text);
	return -EINVAL;
}

/* Takes the next token as the value of KEY; words are accepted only where WORD_OK. */
static const struct tok *take_value(struct parser *ps, bool word_ok, const char *what,
				    const char *key)
{
	const struct tok *t = peek(ps);

	if (!t || (t->type != TOK_STR && !(word_ok && t->type == TOK_WORD))) {
		err_at(ps, ps->cur, "expected %s after %s", what, key);
		return NULL;
	}
	ps->cur++;
	return t;
}

/* ---- names ---- */

static bool valid_name(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (!ok && (i == 0 || (c != '_' && c != '.' && c != '-')))
			return false;
	}
	return i > 0 && i < BF_NAME_MAX;
}

static size_t kind_count(const struct bf_policy *p, enum kind k)
{
	return k == K_CAMERA ? p->n_cameras : k == K_APP ? p->n_apps : p->n_dests;
}

static const char *kind_name(const struct bf_policy *p, enum kind k, size_t i,
			     const struct bf_src **src)
{
	switch (k) {
	case K_CAMERA:
		*src = &p->cameras[i].src;
		return p->cameras[i].name;
	case K_APP:
		*src = &p->apps[i].src;
		return p->apps[i].name;
	default:
		*src = &p->dests[i].src;
		return p->dests[i].name;
	}
}

static int find_name(const struct bf_policy *p, enum kind k, const char *name)
{
	const struct bf_src *src;
	size_t i, n = kind_count(p, k);

	for (i = 0; i < n; i++)
		if (strcmp(kind_name(p, k, i, &src), name) == 0)
			return (int)i;
	return -1;
}

int bf_policy_app(const struct bf_policy *p, const char *name)
{
	return find_name(p, K_APP, name);
}

int bf_policy_camera(const struct bf_policy *p, const char *name)
{
	return find_name(p, K_CAMERA, name);
}

/* Checks a name token; "any" is let through only when ANY_OK (references). */
static int check_name(struct parser *ps, enum kind k, bool any_ok)
{
	const struct tok *t = peek(ps);

	if (!t || t->type != TOK_WORD) {
		err_at(ps, ps->cur, "expected %s %s name%s", kind_article[k], kind_word[k],
		       any_ok ? " or any" : "");
		return -EINVAL;
	}
	if (strcmp(t->text, "any") == 0) {
		if (any_ok)
			return 0;
		err_at(ps, ps->cur, "\"any\" is reserved and cannot be %s %s name",
		       kind_article[k], kind_word[k]);
		return -EINVAL;
	}
	if (!valid_name(t->text)) {
		err_at(ps, ps->cur, "bad %s name \"%s\" (" NAME_RULE ")", kind_word[k], t->text);
		return -EINVAL;
	}
	return 0;
}

/* The name of a new definition: valid, not reserved, not yet defined. */
static int def_name(struct parser *ps, enum kind k, char name[BF_NAME_MAX], struct bf_src *src)
{
	const struct bf_src *first;
	const char *text;
	int idx;

	if (check_name(ps, k, false))
		return -EINVAL;
	text = ps->toks[ps->cur].text;
	idx = find_name(ps->p, k, text);
	if (idx >= 0) {
		kind_name(ps->p, k, (size_t)idx, &first);
		err_at(ps, ps->cur, "duplicate %s \"%s\" (first defined at %s:%u)", kind_word[k],
		       text, first->file, first->line);
		return -EINVAL;
	}
	memcpy(name, text, strlen(text) + 1);
	*src = src_of(ps, ps->cur);
	ps->cur++;
	return 0;
}

/* ---- durations ---- */

/* Largest unit first, so formatting finds the shortest exact form by taking the first that divides. */
static const struct {
	const char *unit;
	uint32_t ms;
} duration_units[] = {
	{ "h", 3600000u },
	{ "m", 60000u },
	{ "s", 1000u },
	{ "ms", 1u },
};

#define N_DURATION_UNITS (sizeof(duration_units) / sizeof(duration_units[0]))

int bf_parse_duration(const char *s, uint32_t *ms)
{
	uint64_t v = 0;
	size_t i, u;

	if (!s)
		return -EINVAL;
	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		/* stop growing once too big but keep scanning: a bad unit makes it malformed, not too big */
		if (v <= UINT32_MAX)
			v = 10 * v + (uint64_t)(s[i] - '0');
	}
	if (i == 0)
		return -EINVAL;
	for (u = 0; u < N_DURATION_UNITS; u++)
		if (strcmp(s + i, duration_units[u].unit) == 0)
			break;
	if (u == N_DURATION_UNITS)
		return -EINVAL;
	v *= duration_units[u].ms;	/* < 2^36 * 2^22: cannot wrap */
	if (v > UINT32_MAX)
		return -ERANGE;
	*ms = (uint32_t)v;
	return 0;
}

void bf_format_duration(uint32_t ms, char *buf, size_t len)
{
	size_t u = 0;

	/* every unit divides 0; "0s" reads better than "0h" */
	if (ms == 0)
		u = 2;
	while (duration_units[u].ms > 1 && ms % duration_units[u].ms)
		u++;
	snprintf(buf, len, "%u%s", (unsigned)(ms / duration_units[u].ms), duration_units[u].unit);
}

/* The value after KEY, bounded here so that every statement words its limits alike. */
static int take_duration(struct parser *ps, const char *key, bool zero_ok, uint32_t ceiling,
			 uint32_t *ms)
{
	const struct tok *t = peek(ps);
	char max[BF_DURATION_BUF];
	int rc;

	if (!t || t->type != TOK_WORD) {
		err_at(ps, ps->cur, "expected a duration after %s", key);
		return -EINVAL;
	}
	rc = bf_parse_duration(t->text, ms);
	if (rc == -EINVAL) {
		err_at(ps, ps->cur, "bad duration \"%s\" (expected digits then ms, s, m or h, such as 10s)",
		       t->text);
		return rc;
	}
	if (rc == 0 && *ms == 0 && !zero_ok) {
		err_at(ps, ps->cur, "%s must be longer than 0", key);
		return -EINVAL;
	}
	if (rc == -ERANGE || *ms > ceiling) {
		bf_format_duration(ceiling, max, sizeof(max));
		err_at(ps, ps->cur, "%s %s is above the ceiling of %s", key, t->text, max);
		return -EINVAL;
	}
	ps->cur++;
	return 0;
}

/* ---- mode ---- */

static void stmt_mode(struct parser *ps)
{
	const struct bf_policy *p = ps->p;
	bool audit;

	ps->cur = 1;
	if (ps->mode_seen) {
		err_at(ps, 0, "mode given twice (first at %s:%u)", p->mode_src.file, p->mode_src.line);
		return;
	}
	if (peek_word(ps, "enforce")) {
		audit = false;
	} else if (peek_word(ps, "audit")) {
		audit = true;
	} else {
		err_at(ps, 1, "expected enforce or audit after mode");
		return;
	}
	ps->cur++;
	if (expect_end(ps))
		return;
	ps->mode_seen = true;
	ps->p->audit_mode = audit;
	ps->p->mode_src = src_of(ps, 0);
}

/* ---- on-log-failure ---- */

static void stmt_on_log_failure(struct parser *ps)
{
	struct bf_policy *p = ps->p;
	bool cont;

	ps->cur = 1;
	if (p->log_failure_src.line) {
		err_at(ps, 0, "on-log-failure given twice (first at %s:%u)", p->log_failure_src.file,
		       p->log_failure_src.line);
		return;
	}
	if (peek_word(ps, "continue")) {
		cont = true;
	} else if (peek_word(ps, "deny-capture")) {
		cont = false;
	} else {
		err_at(ps, 1, "expected continue or deny-capture after on-log-failure");
		return;
	}
	ps->cur++;
	if (expect_end(ps))
		return;
	p->log_failure_continue = cont;
	p->log_failure_src = src_of(ps, 0);
}

/* ---- camera ---- */

/* Registered as soon as the name is good, so a later error in the line does not cascade into "undefined camera". */
static struct bf_camera *def_camera(struct parser *ps)
{
	struct bf_policy *p = ps->p;
	struct bf_camera *arr, *c;
	char name[BF_NAME_MAX];
	struct bf_src src;

	if (def_name(ps, K_CAMERA, name, &src))
		return NULL;
	arr = grow(p->cameras, p->n_cameras, sizeof(*arr));
	if (!arr) {
		fail(ps, -ENOMEM);
		return NULL;
	}
	p->cameras = arr;
	c = &arr[p->n_cameras++];
	memset(c, 0, sizeof(*c));
	memcpy(c->name, name, sizeof(name));
	c->src = src;
	return c;
}

static unsigned class_bit(const char *s)
{
	if (strcmp(s, "video") == 0)
		return BF_CLASS_VIDEO;
	if (strcmp(s, "media") == 0)
		return BF_CLASS_MEDIA;
	if (strcmp(s, "usb") == 0)
		return BF_CLASS_USB;
	return 0;
}

static int camera_classes(struct parser *ps, struct bf_camera *c)
{
	do {
		const struct tok *t = peek(ps);
		unsigned bit;

		if (!t || t->type != TOK_WORD) {
			err_at(ps, ps->cur, "expected a camera class (video, media or usb)");
			return -EINVAL;
		}
		bit = class_bit(t->text);
		if (!bit) {
			err_at(ps, ps->cur, "unknown class \"%s\" (expected video, media or usb)",
			       t->text);
			return -EINVAL;
		}
		c->classes |= bit;
		ps->cur++;
	} while (accept_comma(ps));
	return 0;
}

static int camera_paths(struct parser *ps, struct bf_camera *c)
{
	do {
		size_t i = ps->cur;
		const struct tok *t = take_value(ps, false, "a quoted device path", "path");
		char **np;
		struct bf_src *ns;

		if (!t)
			return -EINVAL;
		if (t->text[0] != '/') {
			err_at(ps, i, "device path \"%s\" must be absolute", t->text);
			return -EINVAL;
		}
		np = grow(c->paths, c->n_paths, sizeof(*np));
		if (np)
			c->paths = np;
		ns = grow(c->path_src, c->n_paths, sizeof(*ns));
		if (ns)
			c->path_src = ns;
		if (!np || !ns || !(np[c->n_paths] = xstrdup(ps, t->text))) {
			fail(ps, -ENOMEM);
			return -ENOMEM;
		}
		ns[c->n_paths++] = src_of(ps, i);
	} while (accept_comma(ps));
	return 0;
}

static const char *const v4l2_keys[] = { "driver", "card", "bus" };
static const char *const camera_keys[] = { "class", "path", "v4l2" };

/* Index of the word at the cursor in KEYS (N of them), or N. */
static size_t peek_key(const struct parser *ps, const char *const *keys, size_t n)
{
	size_t k;

	for (k = 0; k < n && !peek_word(ps, keys[k]); k++)
		;
	return k;
}

/* One "driver|card|bus VALUE" of a v4l2 identity: a quoted, exact, non-empty value. */
static int v4l2_field(struct parser *ps, const char *key, char **slot)
{
	const struct tok *t;
	size_t i;

	if (*slot) {
		err_at(ps, ps->cur, "key \"%s\" given twice", key);
		return -EINVAL;
	}
	ps->cur++;
	i = ps->cur;
	t = take_value(ps, false, "a quoted value", key);
	if (!t)
		return -EINVAL;
	if (!t->text[0]) {
		err_at(ps, i, "empty %s (a v4l2 identity value is matched exactly)", key);
		return -EINVAL;
	}
	if (strlen(t->text) >= BF_V4L2_FIELD_MAX) {
		err_at(ps, i, "%s is longer than %d bytes", key, BF_V4L2_FIELD_MAX - 1);
		return -EINVAL;
	}
	*slot = xstrdup(ps, t->text);
	return *slot ? 0 : -ENOMEM;
}

/* "v4l2" then driver, card and bus in any order, each at most once, at least one. */
static int camera_v4l2(struct parser *ps, struct bf_camera *c)
{
	char **slots[] = { &c->v4l2.driver, &c->v4l2.card, &c->v4l2.bus };
	size_t n = 0;

	c->v4l2.src = src_of(ps, ps->cur - 1);
	for (;;) {
		const struct tok *t = peek(ps);
		size_t k = peek_key(ps, v4l2_keys, 3);

		if (k == 3 && t && t->type == TOK_WORD && peek_key(ps, camera_keys, 3) == 3) {
			err_at(ps, ps->cur, "unknown v4l2 key \"%s\" (expected driver, card or bus)",
			       t->text);
			return -EINVAL;
		}
		if (k == 3 && t && t->type == TOK_COMMA) {
			err_at(ps, ps->cur, "unexpected \",\" (a camera has one v4l2 identity; "
			       "its fields are separated by spaces)");
			return -EINVAL;
		}
		if (k == 3)
			break;
		if (v4l2_field(ps, v4l2_keys[k], slots[k]))
			return -EINVAL;
		n++;
	}
	if (!n) {
		err_at(ps, ps->cur, "expected driver, card or bus after v4l2");
		return -EINVAL;
	}
	return 0;
}

static void stmt_camera(struct parser *ps)
{
	bool seen[3] = { false, false, false };
	struct bf_camera *c;

	ps->cur = 1;
	c = def_camera(ps);
	if (!c)
		return;
	if (!peek(ps)) {
		err_at(ps, ps->cur, "expected class, path or v4l2 after the camera name");
		return;
	}
	while (peek(ps)) {
		size_t k = peek_key(ps, camera_keys, 3);
		int rc;

		if (k == 3) {
			err_at(ps, ps->cur, "unknown camera key \"%s\" (expected class, path or v4l2)",
			       peek(ps)->text);
			return;
		}
		if (seen[k]) {
			err_at(ps, ps->cur, "key \"%s\" given twice", camera_keys[k]);
			return;
		}
		seen[k] = true;
		ps->cur++;
		rc = k == 0 ? camera_classes(ps, c) : k == 1 ? camera_paths(ps, c) : camera_v4l2(ps, c);
		if (rc)
			return;
	}
}

/* ---- app ---- */

static struct bf_app *def_app(struct parser *ps)
{
	struct bf_policy *p = ps->p;
	struct bf_app *arr, *a;
	char name[BF_NAME_MAX];
	struct bf_src src;

	if (def_name(ps, K_APP, name, &src))
		return NULL;
	arr = grow(p->apps, p->n_apps, sizeof(*arr));
	if (!arr) {
		fail(ps, -ENOMEM);
		return NULL;
	}
	p->apps = arr;
	a = &arr[p->n_apps++];
	memset(a, 0, sizeof(*a));
	memcpy(a->name, name, sizeof(name));
	a->src = src;
	return a;
}

static int sha256_file(const char *path, uint8_t md[32])
{
	EVP_MD_CTX *ctx;
	char buf[16384];
	unsigned mdlen;
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		rc = -ENOMEM;
	while (!rc && (n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno != EINTR)
			rc = -errno;
		else if (n > 0 && EVP_DigestUpdate(ctx, buf, (size_t)n) != 1)
			rc = -EIO;
	}
	if (!rc && EVP_DigestFinal_ex(ctx, md, &mdlen) != 1)
		rc = -EIO;
	EVP_MD_CTX_free(ctx);
	close(fd);
	return rc;
}

/* Catches a typo'd path or a stale pin at check time instead of as a silent non-match in the kernel. */
static int check_exe(struct parser *ps, const struct bf_app *a, size_t exe_i, size_t sha_i)
{
	struct stat st;
	uint8_t md[32];
	char hex[BF_SHA256_HEX];
	int rc;

	if (ps->flags & BF_PARSE_NO_FS_CHECKS)
		return 0;
	if (stat(a->exe, &st) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			err_at(ps, exe_i, "exe \"%s\" does not exist", a->exe);
		else
			err_at(ps, exe_i, "cannot check exe \"%s\": %s", a->exe, strerror(errno));
		return -EINVAL;
	}
	if (!S_ISREG(st.st_mode)) {
		err_at(ps, exe_i, "exe \"%s\" is not a regular file", a->exe);
		return -EINVAL;
	}
	if (!a->sha256[0])
		return 0;
	rc = sha256_file(a->exe, md);
	if (rc) {
		err_at(ps, sha_i, "cannot read exe \"%s\" to check its sha256: %s", a->exe,
		       strerror(-rc));
		return -EINVAL;
	}
	to_hex(md, sizeof(md), hex);
	if (strcmp(hex, a->sha256) != 0) {
		err_at(ps, sha_i, "sha256 mismatch for \"%s\": file has %s", a->exe, hex);
		return -EINVAL;
	}
	return 0;
}

static int app_sha(struct parser *ps, struct bf_app *a)
{
	size_t i = ps->cur, n;
	const struct tok *t = take_value(ps, false, "a quoted sha256 (64 hex digits)", "sha256");

	if (!t)
		return -EINVAL;
	for (n = 0; n < 64 && t->text[n]; n++) {
		char c = t->text[n];

		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			break;
		a->sha256[n] = c;
	}
	if (n != 64 || t->text[64]) {
		a->sha256[0] = '\0';
		err_at(ps, i, "malformed sha256 \"%s\": expected 64 hex digits", t->text);
		return -EINVAL;
	}
	a->sha256[64] = '\0';
	a->sha_src = src_of(ps, i);
	return 0;
}

static int app_exe(struct parser *ps, struct bf_app *a)
{
	size_t exe_i = ps->cur, sha_i = 0;
	const struct tok *t = take_value(ps, false, "a quoted absolute path", "exe");

	if (!t)
		return -EINVAL;
	if (t->text[0] != '/') {
		err_at(ps, exe_i, "exe \"%s\" must be an absolute path", t->text);
		return -EINVAL;
	}
	a->exe = xstrdup(ps, t->text);
	if (!a->exe)
		return -ENOMEM;
	a->exe_src = src_of(ps, exe_i);
	if (peek_word(ps, "sha256")) {
		ps->cur++;
		sha_i = ps->cur;
		if (app_sha(ps, a))
			return -EINVAL;
	}
	return check_exe(ps, a, exe_i, sha_i);
}

/* No '/', blanks or ':' in unit or user names: those could never match and are surely typos. */
static bool plain_value(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < 256 && !strpbrk(s, "/: \t");
}

static int app_unit(struct parser *ps, struct bf_app *a)
{
	size_t i = ps->cur;
	const struct tok *t = take_value(ps, true, "a unit name", "unit");

	if (!t)
		return -EINVAL;
	/* the cgroup directory carries the full name, so "nvr" would silently never match */
	if (!plain_value(t->text) || !strchr(t->text, '.')) {
		err_at(ps, i, "bad unit name \"%s\" (expected a full unit name such as \"nvr.service\")",
		       t->text);
		return -EINVAL;
	}
	a->unit = xstrdup(ps, t->text);
	a->unit_src = src_of(ps, i);
	return a->unit ? 0 : -ENOMEM;
}

static int app_cgroup(struct parser *ps, struct bf_app *a)
{
	size_t i = ps->cur;
	const struct tok *t = take_value(ps, false, "a quoted cgroup path", "cgroup");

	if (!t)
		return -EINVAL;
	if (t->text[0] != '/') {
		err_at(ps, i, "cgroup \"%s\" must start with \"/\"", t->text);
		return -EINVAL;
	}
	a->cgroup = xstrdup(ps, t->text);
	a->cgroup_src = src_of(ps, i);
	return a->cgroup ? 0 : -ENOMEM;
}

static int app_user(struct parser *ps, struct bf_app *a)
{
	size_t i = ps->cur;
	const struct tok *t = take_value(ps, true, "a user name or uid", "user");

	if (!t)
		return -EINVAL;
	if (!plain_value(t->text)) {
		err_at(ps, i, "bad user \"%s\"", t->text);
		return -EINVAL;
	}
	a->user = xstrdup(ps, t->text);
	a->user_src = src_of(ps, i);
	return a->user ? 0 : -ENOMEM;
}

static const struct {
	const char *key;
	int (*fn)(struct parser *ps, struct bf_app *a);
} app_keys[] = {
	{ "exe", app_exe },
	{ "unit", app_unit },
	{ "cgroup", app_cgroup },
	{ "user", app_user },
};

static int app_key(const struct parser *ps)
{
	size_t k;

	for (k = 0; k < sizeof(app_keys) / sizeof(app_keys[0]); k++)
		if (peek_word(ps, app_keys[k].key))
			return (int)k;
	return -1;
}

static void stmt_app(struct parser *ps)
{
	struct bf_app *a;
	unsigned seen = 0;

	ps->cur = 1;
	a = def_app(ps);
	if (!a)
		return;
	if (!peek(ps)) {
		err_at(ps, ps->cur, "expected an app key (exe, unit, cgroup or user)");
		return;
	}
	while (peek(ps)) {
		const char *text = peek(ps)->text;
		int k = app_key(ps);

		if (k < 0 && peek_word(ps, "sha256")) {
			err_at(ps, ps->cur, a->sha256[0] ? "key \"sha256\" given twice" :
			       "sha256 must come right after exe \"PATH\"");
			return;
		}
		if (k < 0) {
			err_at(ps, ps->cur, "unknown app key \"%s\" (expected exe, unit, cgroup or user)",
			       text);
			return;
		}
		if (seen & (1u << k)) {
			err_at(ps, ps->cur, "key \"%s\" given twice", text);
			return;
		}
		seen |= 1u << k;
		ps->cur++;
		if (app_keys[k].fn(ps, a))
			return;
	}
}

/* ---- dest ---- */

static struct bf_dest *def_dest(struct parser *ps)
{
	struct bf_policy *p = ps->p;
	struct bf_dest *arr, *d;
	char name[BF_NAME_MAX];
	struct bf_src src;

	if (def_name(ps, K_DEST, name, &src))
		return NULL;
	arr = grow(p->dests, p->n_dests, sizeof(*arr));
	if (!arr) {
		fail(ps, -ENOMEM);
		return NULL;
	}
	p->dests = arr;
	d = &arr[p->n_dests++];
	memset(d, 0, sizeof(*d));
	memcpy(d->name, name, sizeof(name));
	d->src = src;
	return d;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Host bits beyond the prefix are almost always a typo for a host or a network; say which. */
static int cidr_host_bits(const char *s, struct bf_cidr *c, char *err, size_t errlen)
{
	uint8_t net[16];
	char buf[INET6_ADDRSTRLEN];
	unsigned i;

	memcpy(net, c->addr, sizeof(net));
	for (i = c->prefix; i < 128; i++)
		net[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
	if (memcmp(net, c->addr, sizeof(net)) == 0)
		return 0;
	if (c->v4)
		inet_ntop(AF_INET, net + 12, buf, sizeof(buf));
	else
		inet_ntop(AF_INET6, net, buf, sizeof(buf));
	snprintf(err, errlen, "%s: host bits set; did you mean %s/%u?", s, buf,
		 c->v4 ? c->prefix - 96u : c->prefix);
	return -EINVAL;
}

/* Parses "a.b.c.d[/n]" or "x::y[/n]"; IPv4 lands in ::ffff:0:0/96 so one trie serves both. */
static int parse_cidr(const char *s, struct bf_cidr *c, char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned maxp;
	unsigned long n;

	memset(c, 0, sizeof(*c));
	if (alen >= sizeof(buf))
		goto bad_addr;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, c->addr + 12) == 1) {
		c->addr[10] = c->addr[11] = 0xff;
		c->v4 = true;
		maxp = 32;
	} else if (inet_pton(AF_INET6, buf, c->addr) == 1) {
		maxp = 128;
	} else {
		goto bad_addr;
	}
	n = maxp;
	if (slash) {
		n = all_digits(slash + 1) && strlen(slash + 1) <= 3 ? strtoul(slash + 1, NULL, 10) : ~0ul;
		if (n > maxp) {
			snprintf(err, errlen, "bad CIDR \"%s\": prefix length must be 0..%u", s, maxp);
			return -EINVAL;
		}
	}
	c->prefix = (uint8_t)(c->v4 ? 96 + n : n);
	return cidr_host_bits(s, c, err, errlen);
bad_addr:
	snprintf(err, errlen, "bad CIDR \"%s\": not an IPv4 or IPv6 address", s);
	return -EINVAL;
}

/* ---- dest: host "NAME" ---- */

#define HOST_NAME_MAX_LEN 253	/* without the trailing dot: 255 octets on the wire */
#define HOST_LABEL_MAX 63

static bool host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/*
 * A resolver hands an address literal back as itself, and glibc's getaddrinfo also takes
 * inet_aton's forms ("10.1", "0x0a000001"), so any of them would pin an address the
 * policy author believes is a name. S is the name without its trailing dot.
 */
static bool host_is_address(const char *s, char *why, size_t len)
{
	char buf[INET6_ADDRSTRLEN], shown[INET_ADDRSTRLEN];
	size_t alen = strcspn(s, "/");
	uint8_t a6[16];
	struct in_addr a4;

	if (alen < sizeof(buf)) {
		memcpy(buf, s, alen);
		buf[alen] = '\0';
		if (inet_pton(AF_INET, buf, a6) == 1 || inet_pton(AF_INET6, buf, a6) == 1) {
			snprintf(why, len, "an address is written without host and quotes");
			return true;
		}
	}
	if (inet_aton(s, &a4)) {
		inet_ntop(AF_INET, &a4, shown, sizeof(shown));
		snprintf(why, len, "resolvers read it as the address %s, and an address is written "
			 "without host and quotes", shown);
		return true;
	}
	return false;
}

/* The label of S that starts at I and ends at E: its length and its hyphens. */
static int host_label(const char *s, size_t i, size_t e, char *why, size_t len, size_t *at)
{
	if (e == i) {
		*at = i;
		snprintf(why, len, "empty label: labels are separated by single dots");
		return -EINVAL;
	}
	if (e - i > HOST_LABEL_MAX) {
		*at = i;
		snprintf(why, len, "a label of %zu characters, longer than %d", e - i, HOST_LABEL_MAX);
		return -EINVAL;
	}
	if (s[i] == '-' || s[e - 1] == '-') {
		*at = s[i] == '-' ? i : e - 1;
		snprintf(why, len, "label \"%.*s\" %s with '-'", (int)(e - i), s + i,
			 s[i] == '-' ? "starts" : "ends");
		return -EINVAL;
	}
	return 0;
}

/*
 * Checks the DNS name S; on error fills WHY and sets *AT to the offset of the offending
 * character, or SIZE_MAX when the name as a whole is wrong.
 */
static int check_host(const char *s, char *why, size_t len, size_t *at)
{
	size_t n = strlen(s), i, start = 0;
	char bare[64];

	*at = SIZE_MAX;
	if (n == 0) {
		snprintf(why, len, "empty");
		return -EINVAL;
	}
	/* the one trailing dot says "no search domain"; it is not part of any label */
	if (n > 1 && s[n - 1] == '.')
		n--;
	/* before the character scan, which would only complain about a ':' or a '/' */
	if (n < sizeof(bare)) {
		memcpy(bare, s, n);
		bare[n] = '\0';
		if (host_is_address(bare, why, len))
			return -EINVAL;
	}
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.' && !host_char(s[i])) {
			*at = i;
			if (s[i] >= ' ' && s[i] < 0x7f)
				snprintf(why, len, "'%c' is not allowed: labels are letters, digits, "
					 "'-' and '_'", s[i]);
			else
				snprintf(why, len, "byte 0x%02x is not allowed: labels are letters, digits, "
					 "'-' and '_'", (unsigned char)s[i]);
			return -EINVAL;
		}
		if (i < n && s[i] != '.')
			continue;
		if (host_label(s, start, i, why, len, at))
			return -EINVAL;
		start = i + 1;
	}
	if (n > HOST_NAME_MAX_LEN) {
		snprintf(why, len, "%zu characters, longer than %d", n, HOST_NAME_MAX_LEN);
		return -EINVAL;
	}
	return 0;
}

static int add_host(struct parser *ps, struct bf_dest *d, const char *name, size_t i)
{
	char **nh = grow(d->hosts, d->n_hosts, sizeof(*nh));
	struct bf_src *ns;
	char *c;
	size_t k;

	if (nh)
		d->hosts = nh;
	ns = grow(d->host_src, d->n_hosts, sizeof(*ns));
	if (ns)
		d->host_src = ns;
	c = nh && ns ? xstrdup(ps, name) : NULL;
	if (!c) {
		fail(ps, -ENOMEM);
		return -ENOMEM;
	}
	/* DNS compares names without case; one spelling makes duplicates and logs comparable */
	for (k = 0; c[k]; k++)
		if (c[k] >= 'A' && c[k] <= 'Z')
			c[k] = (char)(c[k] - 'A' + 'a');
	nh[d->n_hosts] = c;
	ns[d->n_hosts++] = src_of(ps, i);
	return 0;
}

/* A repeat is harmless, so it warns; it is not stored twice. */
static bool host_repeated(struct parser *ps, const struct bf_dest *d)
{
	size_t k;

	for (k = 0; k + 1 < d->n_hosts; k++) {
		if (strcmp(d->hosts[k], d->hosts[d->n_hosts - 1]) == 0) {
			report(ps, false, &d->host_src[d->n_hosts - 1], ps->ord,
			       "host \"%s\" given twice in dest \"%s\" (first at column %u)",
			       d->hosts[k], d->name, d->host_src[k].col);
			return true;
		}
	}
	return false;
}

/* A word that failed as an address but would pass as a name: the author meant host "NAME". */
static bool looks_like_name(const char *s)
{
	char why[160];
	size_t at;

	return strpbrk(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_") &&
	       !check_host(s, why, sizeof(why), &at);
}

/* "host "NAME"", the cursor on "host". */
static int dest_host(struct parser *ps, struct bf_dest *d)
{
	const struct tok *t;
	char why[160];
	size_t i, at;

	i = ++ps->cur;
	t = peek(ps);
	if (!t || t->type != TOK_STR) {
		/* a bare word that would be a good name is most likely one with its quotes forgotten */
		if (t && t->type == TOK_WORD && strcmp(t->text, "tcp") && strcmp(t->text, "udp") &&
		    !check_host(t->text, why, sizeof(why), &at))
			err_at(ps, i, "expected a quoted name after host: write host \"%s\"", t->text);
		else
			err_at(ps, i, "expected a quoted name after host, such as host \"door.gate.lan\"");
		return -EINVAL;
	}
	/* a valid name has no escapes, so up to the first bad character offsets match the line */
	if (check_host(t->text, why, sizeof(why), &at)) {
		err_col(ps, at == SIZE_MAX ? t->col : t->col + 1 + (unsigned)at,
			"bad host name \"%s\" (%s)", t->text, why);
		return -EINVAL;
	}
	if (add_host(ps, d, t->text, i))
		return -ENOMEM;
	if (host_repeated(ps, d))
		free(d->hosts[--d->n_hosts]);
	ps->cur++;
	return 0;
}

static int dest_cidr(struct parser *ps, struct bf_dest *d)
{
	const struct tok *t = peek(ps);
	struct bf_cidr *nc;
	char err[256];

	if (!t || t->type != TOK_WORD) {
		err_at(ps, ps->cur, "expected an address after \",\"");
		return -EINVAL;
	}
	nc = grow(d->cidrs, d->n_cidrs, sizeof(*nc));
	if (!nc) {
		fail(ps, -ENOMEM);
		return -ENOMEM;
	}
	d->cidrs = nc;
	if (parse_cidr(t->text, &nc[d->n_cidrs], err, sizeof(err))) {
		if (looks_like_name(t->text))
			err_at(ps, ps->cur, "%s (a name is written host \"%s\")", err, t->text);
		else
			err_at(ps, ps->cur, "%s", err);
		return -EINVAL;
	}
	d->n_cidrs++;
	ps->cur++;
	return 0;
}

/* One item of an address list: a CIDR or host "NAME". */
static int dest_item(struct parser *ps, struct bf_dest *d)
{
	const struct tok *t = peek(ps);

	if (peek_word(ps, "host"))
		return dest_host(ps, d);
	/* "any" in a list would widen every other item to everything */
	if (peek_word(ps, "any")) {
		err_at(ps, ps->cur, "\"any\" already covers every address");
		return -EINVAL;
	}
	if (t && t->type == TOK_STR) {
		err_at(ps, ps->cur, "a name is written host \"%s\"", t->text);
		return -EINVAL;
	}
	return dest_cidr(ps, d);
}

static int dest_addrs(struct parser *ps, struct bf_dest *d)
{
	const struct tok *t = peek(ps);

	if (!t || t->type == TOK_COMMA || peek_word(ps, "tcp") || peek_word(ps, "udp")) {
		err_at(ps, ps->cur, "expected any or a list of addresses");
		return -EINVAL;
	}
	if (peek_word(ps, "any")) {
		d->any = true;
		ps->cur++;
		t = peek(ps);
		if (t && (t->type == TOK_COMMA || peek_word(ps, "host"))) {
			err_at(ps, ps->cur, "\"any\" already covers every address");
			return -EINVAL;
		}
		return 0;
	}
	do {
		if (dest_item(ps, d))
			return -EINVAL;
	} while (accept_comma(ps));
	t = peek(ps);
	if (t && (t->type == TOK_STR || peek_word(ps, "host"))) {
		err_at(ps, ps->cur, "expected \",\" between addresses");
		return -EINVAL;
	}
	return 0;
}

static int dest_proto(struct parser *ps, struct bf_dest *d)
{
	const struct tok *t = peek(ps);

	if (peek_word(ps, "tcp")) {
		d->proto = BF_SEL_TCP;
	} else if (peek_word(ps, "udp")) {
		d->proto = BF_SEL_UDP;
	} else if (t->type == TOK_WORD && all_digits(t->text)) {
		err_at(ps, ps->cur, "ports need a protocol: write tcp or udp before \"%s\"", t->text);
		return -EINVAL;
	} else {
		err_at(ps, ps->cur, "expected tcp or udp, found \"%s\"", t->text);
		return -EINVAL;
	}
	ps->cur++;
	return 0;
}

static int dest_ports(struct parser *ps, struct bf_dest *d)
{
	do {
		const struct tok *t = peek(ps);
		unsigned long port;
		uint16_t *np;

		if (!t) {
			err_at(ps, ps->cur, "expected a port after \",\"");
			return -EINVAL;
		}
		if (t->type != TOK_WORD || !all_digits(t->text)) {
			err_at(ps, ps->cur, "bad port \"%s\" (expected a number 1..65535)", t->text);
			return -EINVAL;
		}
		port = strlen(t->text) > 5 ? ~0ul : strtoul(t->text, NULL, 10);
		if (port < 1 || port > 65535) {
			err_at(ps, ps->cur, "port out of range \"%s\" (1..65535)", t->text);
			return -EINVAL;
		}
		np = grow(d->ports, d->n_ports, sizeof(*np));
		if (!np) {
			fail(ps, -ENOMEM);
			return -ENOMEM;
		}
		d->ports = np;
		np[d->n_ports++] = (uint16_t)port;
		ps->cur++;
	} while (accept_comma(ps));
	return 0;
}

static void stmt_dest(struct parser *ps)
{
	struct bf_dest *d;

	ps->cur = 1;
	d = def_dest(ps);
	if (!d || dest_addrs(ps, d) || !peek(ps))
		return;
	if (dest_proto(ps, d) || !peek(ps))
		return;
	if (dest_ports(ps, d))
		return;
	expect_end(ps);
}

/* ---- capture / export / ipc ---- */

/* The kind of name a capture or export rule's second reference must be (ipc rules have none). */
static enum kind obj_kind(enum bf_rule_kind kind)
{
	return kind == BF_RULE_CAPTURE ? K_CAMERA : K_DEST;
}

static int take_ref(struct parser *ps, enum kind k, char name[BF_NAME_MAX], struct bf_src *src)
{
	const char *text;

	if (check_name(ps, k, true))
		return -EINVAL;
	text = ps->toks[ps->cur].text;
	*src = src_of(ps, ps->cur);
	if (strcmp(text, "any") == 0)
		name[0] = '\0';
	else
		memcpy(name, text, strlen(text) + 1);
	ps->cur++;
	return 0;
}

static int add_rule(struct parser *ps, const struct bf_rule_ast *r, const struct pending *pd)
{
	struct bf_policy *p = ps->p;
	struct bf_rule_ast *nr = grow(p->rules, p->n_rules, sizeof(*nr));
	struct pending *np;

	if (nr)
		p->rules = nr;
	np = grow(ps->pend, p->n_rules, sizeof(*np));
	if (np)
		ps->pend = np;
	if (!nr || !np) {
		fail(ps, -ENOMEM);
		return -ENOMEM;
	}
	nr[p->n_rules] = *r;
	np[p->n_rules] = *pd;
	p->n_rules++;
	return 0;
}

/* The words that open a rule's clauses cannot be purposes, or a forgotten purpose would swallow them. */
static bool clause_word(const struct parser *ps)
{
	return peek_word(ps, "consent") || peek_word(ps, "window") || peek_word(ps, "audit");
}

static int take_purpose(struct parser *ps, char purpose[BF_NAME_MAX])
{
	const struct tok *t = peek(ps);

	if (!t || t->type != TOK_WORD || clause_word(ps)) {
		err_at(ps, ps->cur, "expected a purpose after consent");
		return -EINVAL;
	}
	if (strcmp(t->text, "any") == 0) {
		err_at(ps, ps->cur, "purpose cannot be \"any\": consent is given for one purpose");
		return -EINVAL;
	}
	if (!valid_name(t->text)) {
		err_at(ps, ps->cur, "bad purpose \"%s\" (" NAME_RULE ")", t->text);
		return -EINVAL;
	}
	memcpy(purpose, t->text, strlen(t->text) + 1);
	ps->cur++;
	return 0;
}

/* "consent PURPOSE [window D]", the cursor on "consent". */
static int rule_consent(struct parser *ps, struct bf_rule_ast *r, struct pending *pd)
{
	if (r->kind != BF_RULE_CAPTURE) {
		err_at(ps, ps->cur, "consent applies to capture rules only");
		return -EINVAL;
	}
	if (!r->allow) {
		err_at(ps, ps->cur, "consent only applies to allow rules: a deny needs no consent");
		return -EINVAL;
	}
	if (!pd->app[0]) {
		err_at(ps, ps->cur, "a consent rule must name an app: a window opens a camera to one program");
		return -EINVAL;
	}
	r->consent = true;
	r->consent_src = src_of(ps, ps->cur);
	ps->cur++;
	if (take_purpose(ps, r->purpose))
		return -EINVAL;
	if (!peek_word(ps, "window"))
		return 0;
	ps->cur++;
	pd->window_src = src_of(ps, ps->cur);
	if (take_duration(ps, "window", false, BF_MAX_WINDOW_CEILING_MS, &r->window_ms))
		return -EINVAL;
	pd->window_given = true;
	return 0;
}

/* ---- export quotas: "quota SIZE/PERIOD" ---- */

/* Past 1 TiB a quota no longer slows down the bulk dump of a face database it exists for. */
#define QUOTA_BYTES_MAX (1ull << 40)
/* Each quota is one slot of a fixed-size counter table in the kernel. */
#define QUOTAS_MAX 64
#define SIZE_UNITS "B, KB, MB, GB, KiB, MiB or GiB"
#define PERIOD_WORDS "second, minute, hour or day"

/* Largest first, so describe can print a size in the first unit that divides it exactly. */
static const struct {
	const char *unit;
	uint64_t bytes;
} size_units[] = {
	{ "GiB", 1ull << 30 }, { "GB", 1000000000ull }, { "MiB", 1ull << 20 },
	{ "MB", 1000000ull }, { "KiB", 1ull << 10 }, { "KB", 1000ull }, { "B", 1ull },
};

#define N_SIZE_UNITS (sizeof(size_units) / sizeof(size_units[0]))

static const struct {
	const char *word;
	uint32_t s;
} quota_periods[] = {
	{ "second", 1u }, { "minute", 60u }, { "hour", 3600u }, { "day", 86400u },
};

#define N_QUOTA_PERIODS (sizeof(quota_periods) / sizeof(quota_periods[0]))

static bool all_letters(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
			return false;
	return true;
}

/*
 * The SIZE of token T "SIZE/PERIOD"; *LEN is where SIZE ends. The lexer keeps '/' in
 * words, so each error points into the token at the part that is wrong.
 */
static int quota_size(struct parser *ps, const struct tok *t, uint64_t *bytes, size_t *len)
{
	const char *s = t->text;
	uint64_t v = 0;
	size_t i, n, u;

	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		/* saturate: a huge number stays too large and the multiply below cannot wrap */
		if (v <= QUOTA_BYTES_MAX)
			v = 10 * v + (uint64_t)(s[i] - '0');
	}
	n = strcspn(s + i, "/");
	*len = i + n;
	if (i == 0 || !all_letters(s + i, n)) {
		err_col(ps, t->col, "bad quota size \"%.*s\" (expected digits then a unit, such as "
			"500MB or 1MiB)", (int)*len, s);
		return -EINVAL;
	}
	if (n == 0) {
		err_col(ps, t->col + i, "quota size %.*s needs a unit (" SIZE_UNITS ")", (int)i, s);
		return -EINVAL;
	}
	for (u = 0; u < N_SIZE_UNITS; u++)
		if (strlen(size_units[u].unit) == n && !strncmp(s + i, size_units[u].unit, n))
			break;
	if (u == N_SIZE_UNITS) {
		err_col(ps, t->col + i, "unknown size unit \"%.*s\" (expected " SIZE_UNITS ")",
			(int)n, s + i);
		return -EINVAL;
	}
	if (v == 0) {
		err_col(ps, t->col, "quota must be at least 1 byte");
		return -EINVAL;
	}
	if (v > QUOTA_BYTES_MAX / size_units[u].bytes) {
		err_col(ps, t->col, "quota %.*s is above the limit of 1024GiB (%llu bytes)", (int)*len,
			s, (unsigned long long)QUOTA_BYTES_MAX);
		return -EINVAL;
	}
	*bytes = v * size_units[u].bytes;
	return 0;
}

/* The "/PERIOD" that starts at AT in token T. */
static int quota_period(struct parser *ps, const struct tok *t, size_t at, uint32_t *secs)
{
	const char *w = t->text + at + 1;
	size_t k;

	if (t->text[at] != '/') {
		err_col(ps, t->end, "expected /PERIOD after the quota size (" PERIOD_WORDS
			"), such as 1MiB/hour");
		return -EINVAL;
	}
	if (!*w) {
		err_col(ps, t->col + at + 1, "expected a period after / (" PERIOD_WORDS ")");
		return -EINVAL;
	}
	for (k = 0; k < N_QUOTA_PERIODS; k++) {
		if (strcmp(w, quota_periods[k].word) == 0) {
			*secs = quota_periods[k].s;
			return 0;
		}
	}
	err_col(ps, t->col + at + 1, "unknown quota period \"%s\" (expected " PERIOD_WORDS ")", w);
	return -EINVAL;
}

static size_t count_quotas(const struct bf_policy *p)
{
	size_t i, n = 0;

	for (i = 0; i < p->n_rules; i++)
		n += p->rules[i].quota_bytes != 0;
	return n;
}

/* "quota SIZE/PERIOD", the cursor on "quota". */
static int rule_quota(struct parser *ps, struct bf_rule_ast *r, const struct pending *pd)
{
	size_t at = ps->cur, len;
	const struct tok *t;
	uint64_t bytes;
	uint32_t secs;

	if (r->kind != BF_RULE_EXPORT) {
		err_at(ps, at, "quota applies to export rules only");
		return -EINVAL;
	}
	if (!r->allow) {
		err_at(ps, at, "quota only applies to allow rules: a deny sends nothing");
		return -EINVAL;
	}
	/* the kernel counts per destination set; "any" is no set, so there is nothing to count against */
	if (!pd->obj[0]) {
		err_at(ps, at, "a quota needs a named destination set: any is every address");
		return -EINVAL;
	}
	ps->cur++;
	t = peek(ps);
	if (!t || t->type != TOK_WORD) {
		err_at(ps, ps->cur, "expected SIZE/PERIOD after quota, such as 1MiB/hour");
		return -EINVAL;
	}
	if (quota_size(ps, t, &bytes, &len) || quota_period(ps, t, len, &secs))
		return -EINVAL;
	/* only lines without errors are added, so this counts the quotas the kernel would get */
	if (count_quotas(ps->p) >= QUOTAS_MAX) {
		err_at(ps, at, "more than %d quotas (a kernel table limit)", QUOTAS_MAX);
		return -EINVAL;
	}
	ps->cur++;
	r->quota_bytes = bytes;
	r->quota_period_s = secs;
	r->quota_src = src_of(ps, at);
	return 0;
}

/* What may follow a rule's names: "consent ...", "quota ..." and "audit", in any order, once each. */
static int rule_clauses(struct parser *ps, struct bf_rule_ast *r, struct pending *pd)
{
	while (peek(ps)) {
		if (peek_word(ps, "audit")) {
			if (r->audit) {
				err_at(ps, ps->cur, "duplicate audit");
				return -EINVAL;
			}
			r->audit = true;
			ps->cur++;
		} else if (peek_word(ps, "consent")) {
			if (r->consent) {
				err_at(ps, ps->cur, "duplicate consent");
				return -EINVAL;
			}
			if (rule_consent(ps, r, pd))
				return -EINVAL;
		} else if (peek_word(ps, "quota")) {
			if (r->quota_bytes) {
				err_at(ps, ps->cur, "duplicate quota");
				return -EINVAL;
			}
			if (rule_quota(ps, r, pd))
				return -EINVAL;
		} else if (peek_word(ps, "window")) {
			err_at(ps, ps->cur, "window without consent");
			return -EINVAL;
		} else {
			return expect_end(ps);
		}
	}
	return 0;
}

/*
 * "/path" or "@name" as sun_path bytes. The lexer already refused control
 * characters, NUL among them, so TEXT's strlen is its byte count.
 */
static int unix_addr(struct parser *ps, size_t i, const char *text, struct bf_unix_addr *ua)
{
	bool abstract = text[0] == '@';
	size_t n = strlen(text) - abstract;

	if (!text[0]) {
		err_at(ps, i, "empty unix socket address (expected \"/path\" or \"@name\")");
		return -EINVAL;
	}
	if (abstract && n == 0) {
		err_at(ps, i, "abstract unix socket name is empty: write \"@name\"");
		return -EINVAL;
	}
	if (!abstract && text[0] != '/') {
		err_at(ps, i, "unix socket path must be absolute, or @name for an abstract socket: "
		       "a relative path depends on the connecting process's directory");
		return -EINVAL;
	}
	/* a path needs room for its NUL; an abstract name for the NUL in front of it */
	if (n > BF_UNIX_PATH_MAX - 1) {
		err_at(ps, i, "%s is %zu bytes, longer than the limit of %d (sun_path's %d bytes "
		       "include a NUL)", abstract ? "abstract unix socket name" : "unix socket path",
		       n, BF_UNIX_PATH_MAX - 1, BF_UNIX_PATH_MAX);
		return -EINVAL;
	}
	memset(ua, 0, sizeof(*ua));
	memcpy(ua->text, text, strlen(text) + 1);
	memcpy(ua->addr + abstract, text + abstract, n);
	ua->len = (uint8_t)(n + abstract);
	ua->abstract = abstract;
	ua->src = src_of(ps, i);
	return 0;
}

/*
 * "unix "ADDR"|any", or a bare "any" as capture and export take it (every
 * unix socket: the same as "unix any"), the cursor after the app. UA->len
 * stays 0 for any.
 */
static int ipc_target(struct parser *ps, struct bf_unix_addr *ua)
{
	const struct tok *t;
	size_t i;

	memset(ua, 0, sizeof(*ua));
	if (peek_word(ps, "any")) {
		ps->cur++;
		return 0;
	}
	if (!peek_word(ps, "unix")) {
		err_at(ps, ps->cur, "expected unix or any after the app (unix is the only ipc kind so far)");
		return -EINVAL;
	}
	ps->cur++;
	i = ps->cur;
	t = peek(ps);
	if (peek_word(ps, "any")) {
		ps->cur++;
		return 0;
	}
	if (!t || t->type != TOK_STR) {
		err_at(ps, i, "expected a quoted unix socket address (\"/path\" or \"@name\") or any "
		       "after unix");
		return -EINVAL;
	}
	ps->cur++;
	return unix_addr(ps, i, t->text, ua);
}

/*
 * The index of UA in p->unix_addrs, adding it on first use so that rules naming one
 * address share one kernel bit; -EINVAL (reported) past the limit, -ENOMEM.
 */
static int intern_unix(struct parser *ps, const struct bf_unix_addr *ua)
{
	struct bf_policy *p = ps->p;
	struct bf_unix_addr *na;
	size_t i;

	for (i = 0; i < p->n_unix_addrs; i++)
		if (p->unix_addrs[i].len == ua->len && !memcmp(p->unix_addrs[i].addr, ua->addr, ua->len))
			return (int)i;
	if (p->n_unix_addrs >= UNIX_ADDRS_MAX) {
		report(ps, true, &ua->src, ps->ord, "more than %d unix socket addresses "
		       "(a kernel table limit)", UNIX_ADDRS_MAX);
		return -EINVAL;
	}
	na = grow(p->unix_addrs, p->n_unix_addrs, sizeof(*na));
	if (!na) {
		fail(ps, -ENOMEM);
		return -ENOMEM;
	}
	p->unix_addrs = na;
	na[p->n_unix_addrs] = *ua;
	return (int)p->n_unix_addrs++;
}

/* An ipc rule's address is only taken into the policy once its whole line is good. */
static void stmt_rule(struct parser *ps, enum bf_rule_kind kind)
{
	struct bf_rule_ast r = { .kind = kind, .app = -1, .obj = -1 };
	struct bf_unix_addr ua = { .len = 0 };
	struct pending pd;
	int rc;

	memset(&pd, 0, sizeof(pd));
	r.src = src_of(ps, 0);
	ps->cur = 1;
	if (peek_word(ps, "allow")) {
		r.allow = true;
	} else if (!peek_word(ps, "deny")) {
		err_at(ps, 1, "expected allow or deny after %s", ps->toks[0].text);
		return;
	}
	ps->cur++;
	if (take_ref(ps, K_APP, pd.app, &pd.app_src))
		return;
	if (kind == BF_RULE_IPC)
		rc = ipc_target(ps, &ua);
	else
		rc = take_ref(ps, obj_kind(kind), pd.obj, &pd.obj_src);
	if (rc || rule_clauses(ps, &r, &pd))
		return;
	if (kind == BF_RULE_IPC && ua.len && (r.obj = intern_unix(ps, &ua)) < 0)
		return;
	pd.ord = ps->ord;
	add_rule(ps, &r, &pd);
}

static void stmt_capture(struct parser *ps)
{
	stmt_rule(ps, BF_RULE_CAPTURE);
}

static void stmt_export(struct parser *ps)
{
	stmt_rule(ps, BF_RULE_EXPORT);
}

static void stmt_ipc(struct parser *ps)
{
	stmt_rule(ps, BF_RULE_IPC);
}

/* ---- capture windows: max-window, window-grace, broker ---- */

/* Both limits are policy-wide: a second setting would make the first silently dead. */
static void stmt_limit(struct parser *ps, bool zero_ok, uint32_t ceiling, uint32_t *dst,
		       struct bf_src *seen)
{
	const char *key = ps->toks[0].text;
	uint32_t ms;

	ps->cur = 1;
	if (seen->file) {
		err_at(ps, 0, "%s given twice (first at %s:%u)", key, seen->file, seen->line);
		return;
	}
	if (take_duration(ps, key, zero_ok, ceiling, &ms) || expect_end(ps))
		return;
	*dst = ms;
	*seen = src_of(ps, 0);
}

static void stmt_max_window(struct parser *ps)
{
	stmt_limit(ps, false, BF_MAX_WINDOW_CEILING_MS, &ps->p->max_window_ms, &ps->max_window_src);
}

static void stmt_window_grace(struct parser *ps)
{
	stmt_limit(ps, true, BF_GRACE_CEILING_MS, &ps->p->grace_ms, &ps->grace_src);
}

/* ---- dns-ttl-min, dns-ttl-max ---- */

/* A day: past it a name whose owner moved it keeps the old addresses allowed for too long. */
#define DNS_TTL_CEILING_MS 86400000u

/* Resolvers count TTLs in whole seconds, so a finer bound would only pretend to be exact. */
static void stmt_dns_ttl(struct parser *ps, uint32_t *dst, struct once_stmt *seen)
{
	const char *key = ps->toks[0].text;
	uint32_t ms;

	ps->cur = 1;
	if (seen->at.file) {
		err_at(ps, 0, "%s given twice (first at %s:%u)", key, seen->at.file, seen->at.line);
		return;
	}
	seen->bad = true;
	if (take_duration(ps, key, true, DNS_TTL_CEILING_MS, &ms))
		return;
	if (ms % 1000) {
		err_at(ps, 1, "%s %s must be whole seconds", key, ps->toks[1].text);
		return;
	}
	if (ms == 0) {
		err_at(ps, 1, "%s must be at least 1s", key);
		return;
	}
	if (expect_end(ps))
		return;
	*dst = ms / 1000;
	*seen = (struct once_stmt){ src_of(ps, 0), src_of(ps, 1), ps->ord, false };
}

static void stmt_dns_ttl_min(struct parser *ps)
{
	stmt_dns_ttl(ps, &ps->p->dns_ttl_min_s, &ps->ttl_min);
}

static void stmt_dns_ttl_max(struct parser *ps)
{
	stmt_dns_ttl(ps, &ps->p->dns_ttl_max_s, &ps->ttl_max);
}

static int add_broker(struct parser *ps)
{
	struct pending_broker *nb = grow(ps->pbrokers, ps->n_pbrokers, sizeof(*nb));
	const char *text = ps->toks[ps->cur].text;

	if (!nb) {
		fail(ps, -ENOMEM);
		return -ENOMEM;
	}
	ps->pbrokers = nb;
	nb += ps->n_pbrokers++;
	memcpy(nb->name, text, strlen(text) + 1);
	nb->src = src_of(ps, ps->cur);
	nb->ord = ps->ord;
	ps->cur++;
	return 0;
}

static int broker_name(struct parser *ps)
{
	if (peek_word(ps, "any")) {
		err_at(ps, ps->cur, "broker any would let every program open capture windows");
		return -EINVAL;
	}
	if (check_name(ps, K_APP, false))
		return -EINVAL;
	return add_broker(ps);
}

/* Like a rule, a broker line with an error adds none of its names, so nothing cascades. */
static void stmt_broker(struct parser *ps)
{
	size_t first = ps->n_pbrokers;
	int rc;

	ps->cur = 1;
	do {
		rc = broker_name(ps);
	} while (!rc && accept_comma(ps));
	if (!rc)
		rc = expect_end(ps);
	if (rc)
		ps->n_pbrokers = first;
}

/* ---- files and includes ---- */

static int parse_file(struct parser *ps, const char *path, const struct bf_src *at);

/* Relative includes follow the including file, so a policy tree can be moved as a whole. */
static char *include_path(struct parser *ps, const char *pat, bool wild)
{
	const char *slash = strrchr(ps->file, '/');
	size_t dlen, i;
	char *out, *o;

	if (pat[0] == '/' || ps->in_memory || !slash)
		return xstrdup(ps, pat);
	dlen = (size_t)(slash - ps->file) + 1;
	out = malloc(2 * dlen + strlen(pat) + 1);
	if (!out) {
		fail(ps, -ENOMEM);
		return NULL;
	}
	/* the directory is literal text, so glob must not read its metacharacters */
	for (i = 0, o = out; i < dlen; i++) {
		if (wild && strchr("*?[\\", ps->file[i]))
			*o++ = '\\';
		*o++ = ps->file[i];
	}
	strcpy(o, pat);
	return out;
}

/* glob's error callback has no context pointer; this remembers why it stopped. */
static _Thread_local struct {
	char path[4096];
	int err;
} glob_failure;

/* A missing directory just matches nothing; an unreadable one hides files and must fail. */
static int glob_error(const char *path, int err)
{
	if (err == ENOENT || err == ENOTDIR)
		return 0;
	snprintf(glob_failure.path, sizeof(glob_failure.path), "%s", path);
	glob_failure.err = err;
	return 1;
}

static void include_glob(struct parser *ps, const char *full, const struct bf_src *at)
{
	glob_t g;
	size_t i;
	int rc;

	memset(&g, 0, sizeof(g));
	glob_failure.err = 0;
	rc = glob(full, 0, glob_error, &g);
	if (rc == 0) {
		for (i = 0; i < g.gl_pathc && !ps->fatal; i++)
			parse_file(ps, g.gl_pathv[i], at);
	} else if (rc == GLOB_NOSPACE) {
		fail(ps, -ENOMEM);
	} else if (rc == GLOB_ABORTED) {
		report(ps, true, at, ++ps->next_ord, "cannot read include \"%s\": %s",
		       glob_failure.err ? glob_failure.path : full,
		       strerror(glob_failure.err ? glob_failure.err : EIO));
	}
	globfree(&g);
}

static void stmt_include(struct parser *ps)
{
	const struct tok *t;
	struct bf_src at;
	char *pat, *full;
	bool wild;

	ps->cur = 1;
	t = take_value(ps, false, "a quoted file name or glob", "include");
	if (!t || expect_end(ps))
		return;
	at = src_of(ps, 1);
	if (ps->depth >= INCLUDE_DEPTH_MAX) {
		err_at(ps, 1, "includes nested more than %d deep", INCLUDE_DEPTH_MAX);
		return;
	}
	/* the included files reuse the token buffer */
	pat = xstrdup(ps, t->text);
	if (!pat)
		return;
	wild = strpbrk(pat, "*?[") != NULL;
	full = include_path(ps, pat, wild);
	ps->depth++;
	if (full && wild)
		include_glob(ps, full, &at);
	else if (full)
		parse_file(ps, full, &at);
	ps->depth--;
	free(full);
	free(pat);
}

static const struct {
	const char *kw;
	void (*fn)(struct parser *ps);
} statements[] = {
	{ "mode", stmt_mode },
	{ "camera", stmt_camera },
	{ "app", stmt_app },
	{ "dest", stmt_dest },
	{ "capture", stmt_capture },
	{ "export", stmt_export },
	{ "ipc", stmt_ipc },
	{ "broker", stmt_broker },
	{ "max-window", stmt_max_window },
	{ "window-grace", stmt_window_grace },
	{ "dns-ttl-min", stmt_dns_ttl_min },
	{ "dns-ttl-max", stmt_dns_ttl_max },
	{ "on-log-failure", stmt_on_log_failure },
	{ "include", stmt_include },
};

static void parse_stmt(struct parser *ps)
{
	const struct tok *t = &ps->toks[0];
	size_t i;

	if (t->type != TOK_WORD) {
		err_at(ps, 0, "expected a statement (camera, app, dest, capture, export, ipc, broker, "
		       "max-window, window-grace, dns-ttl-min, dns-ttl-max, on-log-failure, include or mode)");
		return;
	}
	for (i = 0; i < sizeof(statements) / sizeof(statements[0]); i++) {
		if (strcmp(t->text, statements[i].kw) == 0) {
			statements[i].fn(ps);
			return;
		}
	}
	err_at(ps, 0, "unknown keyword \"%s\"", t->text);
}

static void parse_text(struct parser *ps, const char *buf, size_t len)
{
	size_t off = 0;
	unsigned line = 0;

	while (off < len && !ps->fatal) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;
		size_t ll = n;

		if (ll && buf[off + ll - 1] == '\r')
			ll--;
		ps->line = ++line;
		ps->ord = ++ps->next_ord;
		if (lex_line(ps, buf + off, ll) == 0 && ps->n_toks)
			parse_stmt(ps);
		off += n + 1;
	}
}

static int read_all(int fd, char **out, size_t *outlen)
{
	size_t cap = 0, len = 0;
	char *buf = NULL, *nb;
	ssize_t n;
	int rc;

	for (;;) {
		if (len == cap) {
			rc = cap >= POLICY_SIZE_MAX ? -EFBIG : 0;
			cap = cap ? 2 * cap : 8192;
			nb = rc ? NULL : realloc(buf, cap);
			if (!nb) {
				free(buf);
				return rc ? rc : -ENOMEM;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			free(buf);
			return rc;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

static int load_file(const char *path, struct stat *st, char **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	int rc;

	if (fd < 0)
		return -errno;
	if (fstat(fd, st) != 0)
		rc = -errno;
	else if (S_ISDIR(st->st_mode))
		rc = -EISDIR;
	else
		rc = read_all(fd, buf, len);
	close(fd);
	return rc;
}

/* Interns PATH in p->files and feeds its bytes to the policy digest, in read order. */
static const char *add_file(struct parser *ps, const char *path, const char *buf, size_t len)
{
	struct bf_policy *p = ps->p;
	char **nf = grow(p->files, p->n_files, sizeof(*nf));
	char *s = strdup(path);

	if (nf)
		p->files = nf;
	if (!nf || !s) {
		free(s);
		fail(ps, -ENOMEM);
		return NULL;
	}
	nf[p->n_files++] = s;
	if (EVP_DigestUpdate(ps->md, buf, len) != 1)
		fail(ps, -EIO);
	return s;
}

/* A policy anyone but root can edit lets them grant themselves the camera. */
static void check_perms(struct parser *ps, const char *file, const struct stat *st)
{
	bool strict = ps->flags & BF_PARSE_STRICT_PERMS;
	struct bf_src at = { file, 1, 1 };
	unsigned long ord = ++ps->next_ord;

	if (st->st_mode & S_IWGRP)
		report(ps, strict, &at, ord, strict ? "refusing %s: group-writable" :
		       "%s is group-writable", file);
	if (st->st_mode & S_IWOTH)
		report(ps, strict, &at, ord, strict ? "refusing %s: world-writable" :
		       "%s is world-writable", file);
	if (st->st_uid != 0)
		report(ps, strict, &at, ord, strict ? "refusing %s: owned by uid %u, not root" :
		       "%s is owned by uid %u, not root", file, (unsigned)st->st_uid);
}

static bool on_stack(const struct parser *ps, const struct stat *st)
{
	size_t i;

	for (i = 0; i < ps->n_stack; i++)
		if (ps->stack[i].dev == st->st_dev && ps->stack[i].ino == st->st_ino)
			return true;
	return false;
}

/* AT is the include string that named PATH, or NULL for the main file. */
static int parse_file(struct parser *ps, const char *path, const struct bf_src *at)
{
	const char *saved_file = ps->file, *file;
	bool saved_mem = ps->in_memory;
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int rc = load_file(path, &st, &buf, &len);

	if (rc == -ENOMEM) {
		fail(ps, rc);
	} else if (rc && at) {
		report(ps, true, at, ++ps->next_ord, "cannot read include \"%s\": %s", path,
		       strerror(-rc));
	} else if (rc) {
		struct bf_src top = { path, 1, 1 };

		report(ps, true, &top, ++ps->next_ord, "cannot read policy: %s", strerror(-rc));
	} else if (on_stack(ps, &st)) {
		report(ps, true, at, ++ps->next_ord, "include cycle: \"%s\" is already being read", path);
		rc = -ELOOP;
	} else if ((file = add_file(ps, path, buf, len))) {
		check_perms(ps, file, &st);
		ps->stack[ps->n_stack++] = (struct file_id){ st.st_dev, st.st_ino };
		ps->file = file;
		ps->in_memory = false;
		parse_text(ps, buf, len);
		ps->n_stack--;
		ps->file = saved_file;
		ps->in_memory = saved_mem;
	}
	free(buf);
	return rc;
}

/* ---- after the last file ---- */

static int resolve_ref(struct parser *ps, enum kind k, const char *name, const struct bf_src *at,
		       unsigned long ord)
{
	int idx;

	if (!name[0])
		return -1;
	idx = find_name(ps->p, k, name);
	if (idx < 0)
		report(ps, true, at, ord, "undefined %s \"%s\"", kind_word[k], name);
	return idx < 0 ? -2 : idx;
}

static void resolve_rules(struct parser *ps)
{
	struct bf_policy *p = ps->p;
	size_t i;

	for (i = 0; i < p->n_rules; i++) {
		struct bf_rule_ast *r = &p->rules[i];
		const struct pending *pd = &ps->pend[i];

		r->app = resolve_ref(ps, K_APP, pd->app, &pd->app_src, pd->ord);
		/* an ipc rule's address is a literal, interned as its line was read */
		if (r->kind != BF_RULE_IPC)
			r->obj = resolve_ref(ps, obj_kind(r->kind), pd->obj, &pd->obj_src, pd->ord);
	}
}

/* Only now is max-window final: it may come after the rules, or from an include. */
static void bound_windows(struct parser *ps)
{
	struct bf_policy *p = ps->p;
	char win[BF_DURATION_BUF], max[BF_DURATION_BUF];
	size_t i;

	for (i = 0; i < p->n_rules; i++) {
		struct bf_rule_ast *r = &p->rules[i];
		const struct pending *pd = &ps->pend[i];

		if (!r->consent)
			continue;
		if (!pd->window_given) {
			r->window_ms = BF_WINDOW_DEFAULT_MS < p->max_window_ms ?
				       BF_WINDOW_DEFAULT_MS : p->max_window_ms;
			continue;
		}
		if (r->window_ms <= p->max_window_ms)
			continue;
		bf_format_duration(r->window_ms, win, sizeof(win));
		bf_format_duration(p->max_window_ms, max, sizeof(max));
		report(ps, true, &pd->window_src, pd->ord, "window %s is longer than max-window %s",
		       win, max);
	}
}

/*
 * Either bound may come from an include read after the other, so only now can they be
 * compared; the error goes to whichever was read last, as that is the one that broke it.
 */
static void check_dns_ttl(struct parser *ps)
{
	const struct bf_policy *p = ps->p;
	bool min_later = ps->ttl_min.ord > ps->ttl_max.ord;
	const struct once_stmt *later = min_later ? &ps->ttl_min : &ps->ttl_max;
	const struct once_stmt *other = min_later ? &ps->ttl_max : &ps->ttl_min;
	const char *of = other->at.file;
	char lo[BF_DURATION_BUF], hi[BF_DURATION_BUF], line[16] = "";

	if (p->dns_ttl_min_s <= p->dns_ttl_max_s || ps->ttl_min.bad || ps->ttl_max.bad)
		return;
	bf_format_duration(p->dns_ttl_min_s * 1000u, lo, sizeof(lo));
	bf_format_duration(p->dns_ttl_max_s * 1000u, hi, sizeof(hi));
	if (of)
		snprintf(line, sizeof(line), ":%u", other->at.line);
	if (min_later)
		report(ps, true, &later->val, later->ord, "dns-ttl-min %s is longer than dns-ttl-max %s "
		       "(%s%s%s)", lo, hi, of ? "set at " : "the default", of ? of : "", line);
	else
		report(ps, true, &later->val, later->ord, "dns-ttl-max %s is shorter than dns-ttl-min %s "
		       "(%s%s%s)", hi, lo, of ? "set at " : "the default", of ? of : "", line);
}

static const struct pending_broker *earlier_broker(const struct parser *ps, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (strcmp(ps->pbrokers[j].name, ps->pbrokers[i].name) == 0)
			return &ps->pbrokers[j];
	return NULL;
}

static void resolve_brokers(struct parser *ps)
{
	struct bf_policy *p = ps->p;
	size_t i;

	for (i = 0; i < ps->n_pbrokers && !ps->fatal; i++) {
		const struct pending_broker *pb = &ps->pbrokers[i], *first;
		int idx = resolve_ref(ps, K_APP, pb->name, &pb->src, pb->ord);
		int *nb;

		if (idx < 0)
			continue;
		/* harmless, but perhaps the author meant some other app */
		first = earlier_broker(ps, i);
		if (first) {
			report(ps, false, &pb->src, pb->ord, "broker \"%s\" given twice (first at %s:%u)",
			       pb->name, first->src.file, first->src.line);
			continue;
		}
		nb = grow(p->brokers, p->n_brokers, sizeof(*nb));
		if (!nb) {
			fail(ps, -ENOMEM);
			return;
		}
		p->brokers = nb;
		nb[p->n_brokers++] = idx;
	}
}

/* Not an error: root can still open windows, but a policy with consent rules usually means a kiosk. */
static void warn_no_broker(struct parser *ps)
{
	const struct bf_policy *p = ps->p;
	size_t i;

	if (ps->n_pbrokers)
		return;
	for (i = 0; i < p->n_rules; i++) {
		if (p->rules[i].consent) {
			report(ps, false, &p->rules[i].consent_src, ps->pend[i].ord,
			       "consent rules but no broker: only root can open capture windows");
			return;
		}
	}
}

/*
 * First match decides, so a rule behind an enforcing one with the same or wider scope is dead.
 * A consent rule counts as deciding: outside a window it denies, it does not fall through.
 */
static void check_shadowing(struct parser *ps)
{
	const struct bf_policy *p = ps->p;
	size_t i, j;

	for (j = 0; j < p->n_rules; j++) {
		const struct bf_rule_ast *rj = &p->rules[j];

		if (rj->app == -2 || rj->obj == -2)
			continue;
		for (i = 0; i < j; i++) {
			const struct bf_rule_ast *ri = &p->rules[i];

			if (ri->kind != rj->kind || ri->audit || ri->app == -2 || ri->obj == -2)
				continue;
			if ((ri->app == -1 || ri->app == rj->app) && (ri->obj == -1 || ri->obj == rj->obj)) {
				report(ps, false, &rj->src, ps->pend[j].ord,
				       "rule never matches: shadowed by %s:%u", ri->src.file, ri->src.line);
				break;
			}
		}
	}
}

static int cmp_diag(const void *a, const void *b)
{
	const struct pdiag *x = a, *y = b;

	if (x->ord != y->ord)
		return x->ord < y->ord ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int move_diags(struct parser *ps, struct bf_diags *d)
{
	char **nm;
	size_t i;

	if (!d || !ps->n_diags)
		return 0;
	nm = realloc(d->msgs, (d->n + ps->n_diags) * sizeof(*nm));
	if (!nm)
		return -ENOMEM;
	d->msgs = nm;
	for (i = 0; i < ps->n_diags; i++) {
		nm[d->n++] = ps->diags[i].msg;
		ps->diags[i].msg = NULL;
		if (ps->diags[i].error)
			d->n_errors++;
	}
	return 0;
}

static void parser_free(struct parser *ps)
{
	size_t i;

	for (i = 0; i < ps->n_diags; i++)
		free(ps->diags[i].msg);
	free(ps->diags);
	free(ps->pend);
	free(ps->pbrokers);
	free(ps->toks);
	free(ps->scratch);
	EVP_MD_CTX_free(ps->md);
	bf_policy_free(ps->p);
}

static int parser_init(struct parser *ps, unsigned flags)
{
	memset(ps, 0, sizeof(*ps));
	ps->flags = flags;
	ps->p = calloc(1, sizeof(*ps->p));
	ps->md = EVP_MD_CTX_new();
	if (!ps->p || !ps->md || EVP_DigestInit_ex(ps->md, EVP_sha256(), NULL) != 1) {
		parser_free(ps);
		return -ENOMEM;
	}
	ps->p->max_window_ms = BF_MAX_WINDOW_DEFAULT_MS;
	ps->p->grace_ms = BF_GRACE_DEFAULT_MS;
	ps->p->dns_ttl_min_s = BF_DNS_TTL_MIN_DEFAULT_S;
	ps->p->dns_ttl_max_s = BF_DNS_TTL_MAX_DEFAULT_S;
	return 0;
}

static int parser_finish(struct parser *ps, struct bf_diags *diags, struct bf_policy **out)
{
	size_t i, n_errors = 0;
	unsigned mdlen;
	int rc;

	if (!ps->fatal) {
		resolve_rules(ps);
		bound_windows(ps);
		check_dns_ttl(ps);
		resolve_brokers(ps);
		warn_no_broker(ps);
		check_shadowing(ps);
	}
	if (EVP_DigestFinal_ex(ps->md, ps->p->digest, &mdlen) != 1)
		fail(ps, -EIO);
	if (ps->n_diags)
		qsort(ps->diags, ps->n_diags, sizeof(*ps->diags), cmp_diag);
	for (i = 0; i < ps->n_diags; i++)
		n_errors += ps->diags[i].error;
	if (move_diags(ps, diags))
		fail(ps, -ENOMEM);
	rc = ps->fatal ? ps->fatal : n_errors ? -EINVAL : 0;
	if (rc == 0) {
		*out = ps->p;
		ps->p = NULL;
	}
	parser_free(ps);
	return rc;
}

int bf_policy_parse(const char *path, unsigned flags, struct bf_policy **out,
		    struct bf_diags *diags)
{
	struct parser ps;
	int rc, frc;

	*out = NULL;
	rc = parser_init(&ps, flags);
	if (rc)
		return rc;
	rc = parse_file(&ps, path, NULL);
	frc = parser_finish(&ps, diags, out);
	/* an unreadable main file is worth its own errno to the caller */
	return rc && frc != -ENOMEM ? rc : frc;
}

int bf_policy_parse_string(const char *name, const char *text, unsigned flags,
			   struct bf_policy **out, struct bf_diags *diags)
{
	struct parser ps;
	size_t len = strlen(text);
	const char *file;
	int rc;

	*out = NULL;
	rc = parser_init(&ps, flags);
	if (rc)
		return rc;
	file = add_file(&ps, name, text, len);
	if (file) {
		ps.file = file;
		ps.in_memory = true;
		parse_text(&ps, text, len);
	}
	return parser_finish(&ps, diags, out);
}

void bf_policy_free(struct bf_policy *p)
{
	size_t i, j;

	if (!p)
		return;
	for (i = 0; i < p->n_cameras; i++) {
		for (j = 0; j < p->cameras[i].n_paths; j++)
			free(p->cameras[i].paths[j]);
		free(p->cameras[i].paths);
		free(p->cameras[i].path_src);
		free(p->cameras[i].v4l2.driver);
		free(p->cameras[i].v4l2.card);
		free(p->cameras[i].v4l2.bus);
	}
	for (i = 0; i < p->n_apps; i++) {
		free(p->apps[i].exe);
		free(p->apps[i].unit);
		free(p->apps[i].cgroup);
		free(p->apps[i].user);
	}
	for (i = 0; i < p->n_dests; i++) {
		for (j = 0; j < p->dests[i].n_hosts; j++)
			free(p->dests[i].hosts[j]);
		free(p->dests[i].hosts);
		free(p->dests[i].host_src);
		free(p->dests[i].cidrs);
		free(p->dests[i].ports);
	}
	for (i = 0; i < p->n_files; i++)
		free(p->files[i]);
	free(p->cameras);
	free(p->apps);
	free(p->dests);
	free(p->unix_addrs);
	free(p->rules);
	free(p->brokers);
	free(p->files);
	free(p);
}

void bf_diags_free(struct bf_diags *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++)
		free(d->msgs[i]);
	free(d->msgs);
	d->msgs = NULL;
	d->n = 0;
	d->n_errors = 0;
}

/* ---- describe ---- */

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

static size_t count_rules(const struct bf_policy *p, enum bf_rule_kind kind)
{
	size_t i, n = 0;

	for (i = 0; i < p->n_rules; i++)
		n += p->rules[i].kind == kind;
	return n;
}

static void describe_header(const struct bf_policy *p, FILE *out)
{
	size_t i, n_cap = count_rules(p, BF_RULE_CAPTURE), n_exp = count_rules(p, BF_RULE_EXPORT);
	size_t n_ipc = count_rules(p, BF_RULE_IPC);
	char hex[65];

	to_hex(p->digest, sizeof(p->digest), hex);
	fprintf(out, "policy %s (sha256 %s): %s mode, %zu camera%s, %zu app%s, "
		"%zu destination set%s, %zu capture rule%s, %zu export rule%s",
		p->n_files ? p->files[0] : "?", hex, p->audit_mode ? "audit" : "enforce",
		p->n_cameras, plural(p->n_cameras), p->n_apps, plural(p->n_apps),
		p->n_dests, plural(p->n_dests), n_cap, plural(n_cap), n_exp, plural(n_exp));
	/* said only when there are some, so policies without ipc rules read as they always did */
	if (n_ipc)
		fprintf(out, ", %zu ipc rule%s", n_ipc, plural(n_ipc));
	fputc('\n', out);
	for (i = 1; i < p->n_files; i++)
		fprintf(out, "%s%s", i == 1 ? "  included: " : ", ", p->files[i]);
	if (p->n_files > 1)
		fputc('\n', out);
	fputs("rules are checked top to bottom; the first one that matches decides\n", out);
	if (p->audit_mode)
		fputs("audit mode: nothing is denied, would-be denials are logged\n", out);
}

static void describe_app(const struct bf_policy *p, int idx, FILE *out)
{
	const struct bf_app *a;
	const char *sep = "";

	if (idx < 0) {
		fputs("any process", out);
		return;
	}
	a = &p->apps[idx];
	fprintf(out, "%s (", a->name);
	if (a->exe) {
		fprintf(out, "exe %s", a->exe);
		if (a->sha256[0])
			fprintf(out, ", pinned sha256 %.12s...", a->sha256);
		sep = " and ";
	}
	if (a->unit) {
		fprintf(out, "%sunit %s", sep, a->unit);
		sep = " and ";
	}
	if (a->cgroup) {
		fprintf(out, "%scgroup %s", sep, a->cgroup);
		sep = " and ";
	}
	if (a->user)
		fprintf(out, "%suser %s", sep, a->user);
	fputc(')', out);
}

/* A v4l2 identity as it would be written in a policy: v4l2 driver "vivid" card "..." */
static void describe_v4l2(const struct bf_v4l2_ident *id, FILE *out)
{
	const char *vals[] = { id->driver, id->card, id->bus };

	fputs("v4l2", out);
	for (size_t k = 0; k < 3; k++)
		if (vals[k])
			fprintf(out, " %s \"%s\"", v4l2_keys[k], vals[k]);
}

static void describe_camera(const struct bf_policy *p, int idx, FILE *out)
{
	static const char *const names[] = { "video", "media", "usb" };
	const struct bf_camera *c;
	const char *sep = "class ";
	size_t i;

	if (idx < 0) {
		fputs("every camera", out);
		return;
	}
	c = &p->cameras[idx];
	fprintf(out, "%s (", c->name);
	for (i = 0; i < 3; i++) {
		if (c->classes & (1u << i)) {
			fprintf(out, "%s%s", sep, names[i]);
			sep = ", ";
		}
	}
	for (i = 0; i < c->n_paths; i++)
		fprintf(out, "%s%s", i ? ", " : c->classes ? "; " : "", c->paths[i]);
	if (c->v4l2.src.line) {
		fputs(c->classes || c->n_paths ? "; " : "", out);
		describe_v4l2(&c->v4l2, out);
	}
	fputc(')', out);
}

static void format_cidr(const struct bf_cidr *c, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];
	unsigned prefix = c->v4 ? c->prefix - 96u : c->prefix;

	inet_ntop(c->v4 ? AF_INET : AF_INET6, c->v4 ? c->addr + 12 : c->addr, addr, sizeof(addr));
	if (c->prefix == 128)
		snprintf(buf, len, "%s", addr);
	else
		snprintf(buf, len, "%s/%u", addr, prefix);
}

static void describe_dest(const struct bf_policy *p, int idx, FILE *out)
{
	const struct bf_dest *d;
	char buf[INET6_ADDRSTRLEN + 8];
	size_t i;

	if (idx < 0) {
		fputs("any destination", out);
		return;
	}
	d = &p->dests[idx];
	fprintf(out, "%s (%s", d->name, d->any ? "any address" : "");
	for (i = 0; i < d->n_cidrs; i++) {
		format_cidr(&d->cidrs[i], buf, sizeof(buf));
		fprintf(out, "%s%s", i ? ", " : "", buf);
	}
	/* the addresses behind a name are not known here, so say who finds them */
	for (i = 0; i < d->n_hosts; i++)
		fprintf(out, "%s%s", i ? ", " : d->n_cidrs ? "; " : "", d->hosts[i]);
	if (d->n_hosts)
		fputs(", resolved by the agent;", out);
	if (d->proto == BF_SEL_ANY) {
		fputs(d->n_hosts ? " any protocol)" : ", any protocol)", out);
		return;
	}
	fprintf(out, " %s", d->proto == BF_SEL_TCP ? "tcp" : "udp");
	if (!d->n_ports)
		fputs(", any port", out);
	for (i = 0; i < d->n_ports; i++)
		fprintf(out, "%s%u", i ? ", " : d->n_ports > 1 ? " ports " : " port ",
			(unsigned)d->ports[i]);
	fputc(')', out);
}

static void describe_unix(const struct bf_policy *p, int idx, FILE *out)
{
	if (idx < 0)
		fputs("any unix socket", out);
	else
		fprintf(out, "unix socket %s", p->unix_addrs[idx].text);
}

/* How each rule kind is worded, indexed by enum bf_rule_kind. */
static const struct {
	const char *title, *may, *trying;
	void (*obj)(const struct bf_policy *p, int idx, FILE *out);
} kind_words[] = {
	[BF_RULE_CAPTURE] = { "capture:\n", " may open ", " trying to open ", describe_camera },
	[BF_RULE_EXPORT] = { "export (applies to processes that opened a camera, and their children):\n",
			     " may send to ", " trying to send to ", describe_dest },
	[BF_RULE_IPC] = { "ipc (applies to processes that opened a camera, and their children):\n",
			  " may connect or send to ", " trying to connect or send to ", describe_unix },
};

/* In the largest unit that divides the size exactly, so what is printed is exactly what is counted. */
static void describe_quota(const struct bf_rule_ast *r, FILE *out)
{
	const char *per = "?";
	size_t u = 0, k;

	while (r->quota_bytes % size_units[u].bytes)
		u++;
	for (k = 0; k < N_QUOTA_PERIODS; k++)
		if (quota_periods[k].s == r->quota_period_s)
			per = quota_periods[k].word;
	fprintf(out, " up to %llu %s per %s",
		(unsigned long long)(r->quota_bytes / size_units[u].bytes), size_units[u].unit, per);
}

static void describe_rule(const struct bf_policy *p, const struct bf_rule_ast *r, FILE *out)
{
	fputs(r->allow ? "  " : "  DENIED: ", out);
	describe_app(p, r->app, out);
	fputs(r->allow ? kind_words[r->kind].may : kind_words[r->kind].trying, out);
	kind_words[r->kind].obj(p, r->obj, out);
	if (r->consent) {
		char win[BF_DURATION_BUF];

		bf_format_duration(r->window_ms, win, sizeof(win));
		fprintf(out, " only inside a capture window (consent for %s, window at most %s)",
			r->purpose, win);
	}
	if (r->quota_bytes)
		describe_quota(r, out);
	if (r->audit || (p->audit_mode && !r->allow))
		fputs(" (audit only)", out);
	fprintf(out, "    [%s:%u]\n", r->src.file, r->src.line);
}

static void describe_kind(const struct bf_policy *p, enum bf_rule_kind kind, FILE *out)
{
	bool cap = kind == BF_RULE_CAPTURE, closed = false, any = false;
	size_t i;

	fputs(kind_words[kind].title, out);
	for (i = 0; i < p->n_rules && !closed; i++) {
		const struct bf_rule_ast *r = &p->rules[i];

		if (r->kind != kind)
			continue;
		describe_rule(p, r, out);
		any = true;
		closed = !r->audit && r->app < 0 && r->obj < 0;
	}
	if (!any)
		fputs("  (no rules)\n", out);
	if (closed)
		return;
	if (cap)
		fputs(p->audit_mode ? "  any other process would be denied every camera (logged only)"
		      : "  any other process is denied every camera", out);
	else
		fputs(p->audit_mode ? "  everything else would be denied (logged only)"
		      : "  everything else is denied", out);
	fputs("    [default]\n", out);
}

/* Who opens windows and how long they may last matter only once some rule needs a window. */
static void describe_windows(const struct bf_policy *p, FILE *out)
{
	char max[BF_DURATION_BUF], grace[BF_DURATION_BUF];
	size_t i;

	for (i = 0; i < p->n_rules && !p->rules[i].consent; i++)
		;
	if (i == p->n_rules)
		return;
	fputs("capture windows:\n", out);
	if (!p->n_brokers)
		fputs("  brokers: none (only root may open capture windows)\n", out);
	for (i = 0; i < p->n_brokers; i++)
		fprintf(out, "%s%s", i ? ", " : "  brokers (may open capture windows): ",
			p->apps[p->brokers[i]].name);
	if (p->n_brokers)
		fputc('\n', out);
	bf_format_duration(p->max_window_ms, max, sizeof(max));
	bf_format_duration(p->grace_ms, grace, sizeof(grace));
	fprintf(out, "  max-window %s: no window may be longer\n", max);
	fprintf(out, "  window-grace %s: a process that keeps a camera open longer than %s after its "
		"window ended is %s\n", grace, grace,
		p->audit_mode ? "reported (audit mode)" : "terminated");
}

/* Said only when some dest has a name, so policies without names read as they always did. */
static void describe_dns(const struct bf_policy *p, FILE *out)
{
	char lo[BF_DURATION_BUF], hi[BF_DURATION_BUF];
	size_t i;

	for (i = 0; i < p->n_dests && !p->dests[i].n_hosts; i++)
		;
	if (i == p->n_dests)
		return;
	bf_format_duration(p->dns_ttl_min_s * 1000u, lo, sizeof(lo));
	bf_format_duration(p->dns_ttl_max_s * 1000u, hi, sizeof(hi));
	fprintf(out, "names are resolved again at their TTL, between %s and %s\n", lo, hi);
}

void bf_policy_describe(const struct bf_policy *p, FILE *out)
{
	describe_header(p, out);
	describe_kind(p, BF_RULE_CAPTURE, out);
	describe_windows(p, out);
	describe_kind(p, BF_RULE_EXPORT, out);
	describe_dns(p, out);
	if (count_rules(p, BF_RULE_IPC))
		describe_kind(p, BF_RULE_IPC, out);
}
