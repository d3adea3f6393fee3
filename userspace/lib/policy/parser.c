/* parser.c - the parser's core: names, durations, keyed definitions, the statement table. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "biofence.h"
#include "policy/policy_int.h"

/* ---- names ---- */

const char *const bf_policy_kind_word[] = { "camera", "app", "dest" };
static const char *const kind_article[] = { "a", "an", "a" };

bool bf_policy_valid_name(const char *s)
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

/* Where each kind's definitions live in a bf_policy, so that one function can add any of them. */
static const struct {
	size_t arr, n, size;
} kind_arrays[] = {
	[K_CAMERA] = { offsetof(struct bf_policy, cameras), offsetof(struct bf_policy, n_cameras),
		       sizeof(struct bf_camera) },
	[K_APP] = { offsetof(struct bf_policy, apps), offsetof(struct bf_policy, n_apps),
		    sizeof(struct bf_app) },
	[K_DEST] = { offsetof(struct bf_policy, dests), offsetof(struct bf_policy, n_dests),
		     sizeof(struct bf_dest) },
};

/* How many of each kind the kernel's masks hold (include/biofence.h). */
static const size_t kind_limit[] = { [K_CAMERA] = BF_MAX_CAMERAS, [K_APP] = BF_MAX_APPS,
				     [K_DEST] = BF_MAX_DEST_SETS };

static size_t kind_count(const struct bf_policy *p, enum kind k)
{
	return *(const size_t *)((const char *)p + kind_arrays[k].n);
}

/* The name of definition I of kind K and where it is; I may be the slot just past the last. */
static char *kind_name(const struct bf_policy *p, enum kind k, size_t i, struct bf_src **src)
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

int bf_policy_find(const struct bf_policy *p, enum kind k, const char *name)
{
	struct bf_src *src;
	size_t i, n = kind_count(p, k);

	for (i = 0; i < n; i++)
		if (strcmp(kind_name(p, k, i, &src), name) == 0)
			return (int)i;
	return -1;
}

/* The key is ours (strdup'd when inserted); the value is an index, not a pointer. */
static void name_entry_free(struct lh_entry *e)
{
	free(lh_entry_k(e));
}

int bf_policy_lookup(struct parser *ps, enum kind k, const char *name)
{
	void *v;

	if (!ps->names[k] || !lh_table_lookup_ex(ps->names[k], name, &v))
		return -1;
	return (int)((uintptr_t)v - 1);
}

/* Index the definition IDX of kind K under NAME; ENOMEM is the parser's fatal error. */
static void name_index(struct parser *ps, enum kind k, const char *name, size_t idx)
{
	char *key;

	if (!ps->names[k] && !(ps->names[k] = lh_kchar_table_new(64, name_entry_free))) {
		bf_policy_fail(ps, -ENOMEM);
		return;
	}
	key = strdup(name);
	if (!key || lh_table_insert(ps->names[k], key, (void *)(uintptr_t)(idx + 1)) != 0) {
		free(key);
		bf_policy_fail(ps, -ENOMEM);
	}
}

void bf_policy_names_free(struct parser *ps)
{
	for (size_t k = 0; k < sizeof(ps->names) / sizeof(ps->names[0]); k++) {
		if (ps->names[k])
			lh_table_free(ps->names[k]);
		ps->names[k] = NULL;
	}
}

int bf_policy_app(const struct bf_policy *p, const char *name)
{
	return bf_policy_find(p, K_APP, name);
}

int bf_policy_camera(const struct bf_policy *p, const char *name)
{
	return bf_policy_find(p, K_CAMERA, name);
}

/* Checks a name token; "any" is let through only when ANY_OK (references). */
int bf_policy_check_name(struct parser *ps, enum kind k, bool any_ok)
{
	const struct tok *t = bf_lex_peek(ps);
	const char *word = bf_policy_kind_word[k];

	if (!t || t->type != TOK_WORD) {
		bf_policy_err_at(ps, ps->cur, "expected %s %s name%s", kind_article[k], word,
				 any_ok ? " or any" : "");
		return -EINVAL;
	}
	if (strcmp(t->text, "any") == 0) {
		if (any_ok)
			return 0;
		bf_policy_err_at(ps, ps->cur, "\"any\" is reserved and cannot be %s %s name",
				 kind_article[k], word);
		return -EINVAL;
	}
	if (!bf_policy_valid_name(t->text)) {
		bf_policy_err_at(ps, ps->cur, "bad %s name \"%s\" (" NAME_RULE ")", word, t->text);
		return -EINVAL;
	}
	return 0;
}

/* The name of a new definition: valid, not reserved, not yet defined. */
int bf_policy_def_name(struct parser *ps, enum kind k, char name[BF_NAME_MAX], struct bf_src *src)
{
	struct bf_src *first;
	const char *text;
	int idx;

	if (bf_policy_check_name(ps, k, false))
		return -EINVAL;
	text = ps->toks[ps->cur].text;
	idx = bf_policy_lookup(ps, k, text);
	if (idx >= 0) {
		kind_name(ps->p, k, (size_t)idx, &first);
		bf_policy_err_at(ps, ps->cur, "duplicate %s \"%s\" (first defined at %s:%u)",
				 bf_policy_kind_word[k], text, first->file, first->line);
		return -EINVAL;
	}
	memcpy(name, text, strlen(text) + 1);
	*src = bf_policy_src(ps, ps->cur);
	ps->cur++;
	return 0;
}

/*
 * A new camera, app or dest named by the line's second token: zeroed but for its name,
 * or NULL after reporting. It counts as defined as soon as its name is good, so that a
 * later error in the line does not cascade into "undefined camera".
 */
void *bf_policy_define(struct parser *ps, enum kind k)
{
	size_t *n = (size_t *)((char *)ps->p + kind_arrays[k].n);
	void *def = bf_policy_slot(ps, (char *)ps->p + kind_arrays[k].arr, *n, kind_arrays[k].size);
	struct bf_src *src;
	char *name;

	ps->cur = 1;
	if (!def)
		return NULL;
	name = kind_name(ps->p, k, *n, &src);
	if (bf_policy_def_name(ps, k, name, src))
		return NULL;
	name_index(ps, k, name, *n);
	(*n)++;
	/* Each is one bit of a 64-bit kernel mask: said by check, with the line, not first at install. */
	if (*n == kind_limit[k] + 1)
		bf_policy_report(ps, true, src, ps->ord, "more than %zu %ss (a kernel table limit): "
				 "this is number %zu", kind_limit[k], bf_policy_kind_word[k], *n);
	return def;
}

/*
 * Cameras and apps are a name then "KEY VALUE..." in any order: one loop words every
 * unknown or repeated key alike, and KS->take parses the value of each.
 */
void bf_policy_keys(struct parser *ps, const struct bf_keyset *ks)
{
	void *def = bf_policy_define(ps, ks->kind);
	unsigned seen = 0;

	if (!def)
		return;
	if (!bf_lex_peek(ps)) {
		bf_policy_err_at(ps, ps->cur, "%s", ks->none);
		return;
	}
	while (bf_lex_peek(ps)) {
		size_t k = bf_lex_key(ps, ks->keys, ks->n_keys);

		if (k == ks->n_keys) {
			bf_policy_err_at(ps, ps->cur, "unknown %s key \"%s\" (expected %s)",
					 bf_policy_kind_word[ks->kind], bf_lex_peek(ps)->text,
					 ks->expected);
			return;
		}
		if (seen & (1u << k)) {
			bf_policy_err_at(ps, ps->cur, "key \"%s\" given twice", ks->keys[k]);
			return;
		}
		seen |= 1u << k;
		ps->cur++;
		if (ks->take(ps, def, k))
			return;
	}
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
int bf_policy_take_duration(struct parser *ps, const char *key, bool zero_ok, uint32_t ceiling,
			    uint32_t *ms)
{
	const struct tok *t = bf_lex_peek(ps);
	char max[BF_DURATION_BUF];
	int rc;

	if (!t || t->type != TOK_WORD) {
		bf_policy_err_at(ps, ps->cur, "expected a duration after %s", key);
		return -EINVAL;
	}
	rc = bf_parse_duration(t->text, ms);
	if (rc == -EINVAL) {
		bf_policy_err_at(ps, ps->cur,
				 "bad duration \"%s\" (expected digits then ms, s, m or h, "
				 "such as 10s)", t->text);
		return rc;
	}
	if (rc == 0 && *ms == 0 && !zero_ok) {
		bf_policy_err_at(ps, ps->cur, "%s must be longer than 0", key);
		return -EINVAL;
	}
	if (rc == -ERANGE || *ms > ceiling) {
		bf_format_duration(ceiling, max, sizeof(max));
		bf_policy_err_at(ps, ps->cur, "%s %s is above the ceiling of %s", key, t->text,
				 max);
		return -EINVAL;
	}
	ps->cur++;
	return 0;
}

/* ---- statements ---- */

static void stmt_camera(struct parser *ps)
{
	bf_policy_keys(ps, &bf_policy_camera_keys);
}

static void stmt_app(struct parser *ps)
{
	bf_policy_keys(ps, &bf_policy_app_keys);
}

static const struct {
	const char *kw;
	void (*fn)(struct parser *ps);
} statements[] = {
	{ "mode", bf_policy_stmt_mode },
	{ "camera", stmt_camera },
	{ "app", stmt_app },
	{ "dest", bf_policy_stmt_dest },
	{ "capture", bf_policy_stmt_capture },
	{ "export", bf_policy_stmt_export },
	{ "ipc", bf_policy_stmt_ipc },
	{ "broker", bf_policy_stmt_broker },
	{ "template-store", bf_policy_stmt_template_store },
	{ "max-window", bf_policy_stmt_max_window },
	{ "window-grace", bf_policy_stmt_window_grace },
	{ "dns-ttl-min", bf_policy_stmt_dns_ttl_min },
	{ "dns-ttl-max", bf_policy_stmt_dns_ttl_max },
	{ "on-log-failure", bf_policy_stmt_on_log_failure },
	{ "include", bf_policy_stmt_include },
};

static void parse_stmt(struct parser *ps)
{
	const struct tok *t = &ps->toks[0];
	size_t i;

	if (t->type != TOK_WORD) {
		bf_policy_err_at(ps, 0,
				 "expected a statement (camera, app, dest, capture, export, ipc, "
				 "template-store, broker, max-window, window-grace, dns-ttl-min, dns-ttl-max, "
				 "on-log-failure, include or mode)");
		return;
	}
	for (i = 0; i < sizeof(statements) / sizeof(statements[0]); i++) {
		if (strcmp(t->text, statements[i].kw) == 0) {
			statements[i].fn(ps);
			return;
		}
	}
	bf_policy_err_at(ps, 0, "unknown keyword \"%s\"", t->text);
}

void bf_policy_parse_text(struct parser *ps, const char *buf, size_t len)
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
		if (bf_lex_line(ps, buf + off, ll) == 0 && ps->n_toks)
			parse_stmt(ps);
		off += n + 1;
	}
}

