/* parse_rule.c - the rules: "capture|export|ipc allow|deny APP OBJ [consent|quota|audit ...]". */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "biofence.h"
#include "policy/policy_int.h"

/* An ipc rule's addresses become a 64-bit mask in the kernel, like cameras and dest sets. */
#define UNIX_ADDRS_MAX 64

static int take_ref(struct parser *ps, enum kind k, char name[BF_NAME_MAX], struct bf_src *src)
{
	const char *text;

	if (bf_policy_check_name(ps, k, true))
		return -EINVAL;
	text = ps->toks[ps->cur].text;
	*src = bf_policy_src(ps, ps->cur);
	if (strcmp(text, "any") == 0)
		name[0] = '\0';
	else
		memcpy(name, text, strlen(text) + 1);
	ps->cur++;
	return 0;
}

static int add_rule(struct parser *ps, const struct bf_rule_ast *r, const struct pending *pd)
{
	static const char *const kinds[] = { [BF_RULE_CAPTURE] = "capture",
					     [BF_RULE_EXPORT] = "export", [BF_RULE_IPC] = "ipc" };
	struct bf_policy *p = ps->p;
	struct bf_rule_ast *nr = BF_SLOT(ps, p->rules, p->n_rules);
	struct pending *np = nr ? BF_SLOT(ps, ps->pend, p->n_rules) : NULL;

	if (!np)
		return -ENOMEM;
	*nr = *r;
	*np = *pd;
	p->n_rules++;
	/* A slot of the kernel's rule table holds BF_MAX_RULES of each kind: said by check, not first at install. */
	if (++ps->n_kind_rules[r->kind] == BF_MAX_RULES + 1)
		bf_policy_report(ps, true, &r->src, ps->ord, "more than %d %s rules (a kernel table "
				 "limit): this is number %d", BF_MAX_RULES, kinds[r->kind], BF_MAX_RULES + 1);
	return 0;
}

/* The words that open a rule's clauses cannot be purposes, or a forgotten purpose would swallow them. */
static bool clause_word(const struct parser *ps)
{
	return bf_lex_peek_word(ps, "consent") || bf_lex_peek_word(ps, "window") ||
	       bf_lex_peek_word(ps, "audit");
}

static int take_purpose(struct parser *ps, char purpose[BF_NAME_MAX])
{
	const struct tok *t = bf_lex_peek(ps);

	if (!t || t->type != TOK_WORD || clause_word(ps)) {
		bf_policy_err_at(ps, ps->cur, "expected a purpose after consent");
		return -EINVAL;
	}
	if (strcmp(t->text, "any") == 0) {
		bf_policy_err_at(ps, ps->cur,
				 "purpose cannot be \"any\": consent is given for one purpose");
		return -EINVAL;
	}
	if (!bf_policy_valid_name(t->text)) {
		bf_policy_err_at(ps, ps->cur, "bad purpose \"%s\" (" NAME_RULE ")", t->text);
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
		bf_policy_err_at(ps, ps->cur, "consent applies to capture rules only");
		return -EINVAL;
	}
	if (!r->allow) {
		bf_policy_err_at(ps, ps->cur,
				 "consent only applies to allow rules: a deny needs no consent");
		return -EINVAL;
	}
	if (!pd->app[0]) {
		bf_policy_err_at(ps, ps->cur,
				 "a consent rule must name an app: a window opens a camera to one program");
		return -EINVAL;
	}
	r->consent = true;
	r->consent_src = bf_policy_src(ps, ps->cur);
	ps->cur++;
	if (take_purpose(ps, r->purpose))
		return -EINVAL;
	if (!bf_lex_peek_word(ps, "window"))
		return 0;
	ps->cur++;
	pd->window_src = bf_policy_src(ps, ps->cur);
	if (bf_policy_take_duration(ps, "window", false, BF_MAX_WINDOW_CEILING_MS, &r->window_ms))
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
		bf_policy_err_col(ps, t->col,
				  "bad quota size \"%.*s\" (expected digits then a unit, such as "
				  "500MB or 1MiB)", (int)*len, s);
		return -EINVAL;
	}
	if (n == 0) {
		bf_policy_err_col(ps, t->col + i, "quota size %.*s needs a unit (" SIZE_UNITS ")",
				  (int)i, s);
		return -EINVAL;
	}
	for (u = 0; u < N_SIZE_UNITS; u++)
		if (strlen(size_units[u].unit) == n && !strncmp(s + i, size_units[u].unit, n))
			break;
	if (u == N_SIZE_UNITS) {
		bf_policy_err_col(ps, t->col + i,
				  "unknown size unit \"%.*s\" (expected " SIZE_UNITS ")", (int)n, s + i);
		return -EINVAL;
	}
	if (v == 0) {
		bf_policy_err_col(ps, t->col, "quota must be at least 1 byte");
		return -EINVAL;
	}
	if (v > QUOTA_BYTES_MAX / size_units[u].bytes) {
		bf_policy_err_col(ps, t->col,
				  "quota %.*s is above the limit of 1024GiB (%llu bytes)",
				  (int)*len, s, (unsigned long long)QUOTA_BYTES_MAX);
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
		bf_policy_err_col(ps, t->end, "expected /PERIOD after the quota size (" PERIOD_WORDS
				  "), such as 1MiB/hour");
		return -EINVAL;
	}
	if (!*w) {
		bf_policy_err_col(ps, t->col + at + 1,
				  "expected a period after / (" PERIOD_WORDS ")");
		return -EINVAL;
	}
	for (k = 0; k < N_QUOTA_PERIODS; k++) {
		if (strcmp(w, quota_periods[k].word) == 0) {
			*secs = quota_periods[k].s;
			return 0;
		}
	}
	bf_policy_err_col(ps, t->col + at + 1,
			  "unknown quota period \"%s\" (expected " PERIOD_WORDS ")", w);
	return -EINVAL;
}

static size_t count_quotas(const struct bf_policy *p)
{
	size_t i, n = 0;

	for (i = 0; i < p->n_rules; i++)
		n += p->rules[i].quota_bytes != 0;
	return n;
}

/* In the largest unit that divides the size exactly, so what is printed is exactly what is counted. */
void bf_policy_format_quota(const struct bf_rule_ast *r, char *buf, size_t len)
{
	const char *per = "?";
	size_t u = 0, k;

	while (r->quota_bytes % size_units[u].bytes)
		u++;
	for (k = 0; k < N_QUOTA_PERIODS; k++)
		if (quota_periods[k].s == r->quota_period_s)
			per = quota_periods[k].word;
	snprintf(buf, len, "%llu %s per %s",
		 (unsigned long long)(r->quota_bytes / size_units[u].bytes), size_units[u].unit, per);
}

/* "quota SIZE/PERIOD", the cursor on "quota". */
static int rule_quota(struct parser *ps, struct bf_rule_ast *r, const struct pending *pd)
{
	size_t at = ps->cur, len;
	const struct tok *t;
	uint64_t bytes;
	uint32_t secs;

	if (r->kind != BF_RULE_EXPORT) {
		bf_policy_err_at(ps, at, "quota applies to export rules only");
		return -EINVAL;
	}
	if (!r->allow) {
		bf_policy_err_at(ps, at, "quota only applies to allow rules: a deny sends nothing");
		return -EINVAL;
	}
	/* the kernel counts per destination set; "any" is no set, so there is nothing to count against */
	if (!pd->obj[0]) {
		bf_policy_err_at(ps, at,
				 "a quota needs a named destination set: any is every address");
		return -EINVAL;
	}
	ps->cur++;
	t = bf_lex_peek(ps);
	if (!t || t->type != TOK_WORD) {
		bf_policy_err_at(ps, ps->cur,
				 "expected SIZE/PERIOD after quota, such as 1MiB/hour");
		return -EINVAL;
	}
	if (quota_size(ps, t, &bytes, &len) || quota_period(ps, t, len, &secs))
		return -EINVAL;
	/* only lines without errors are added, so this counts the quotas the kernel would get */
	if (count_quotas(ps->p) >= QUOTAS_MAX) {
		bf_policy_err_at(ps, at, "more than %d quotas (a kernel table limit)", QUOTAS_MAX);
		return -EINVAL;
	}
	ps->cur++;
	r->quota_bytes = bytes;
	r->quota_period_s = secs;
	r->quota_src = bf_policy_src(ps, at);
	return 0;
}

/* What may follow a rule's names: "consent ...", "quota ..." and "audit", in any order, once each. */
static int rule_clauses(struct parser *ps, struct bf_rule_ast *r, struct pending *pd)
{
	static const char *const clauses[] = { "audit", "consent", "quota" };
	unsigned seen = 0;

	while (bf_lex_peek(ps)) {
		size_t k = bf_lex_key(ps, clauses, 3);

		if (k == 3 && bf_lex_peek_word(ps, "window")) {
			bf_policy_err_at(ps, ps->cur, "window without consent");
			return -EINVAL;
		}
		if (k == 3)
			return bf_lex_end(ps);
		/* a clause that failed has already ended the line, so seen means given and good */
		if (seen & (1u << k)) {
			bf_policy_err_at(ps, ps->cur, "duplicate %s", clauses[k]);
			return -EINVAL;
		}
		seen |= 1u << k;
		if (k == 0) {
			r->audit = true;
			ps->cur++;
		} else if (k == 1 ? rule_consent(ps, r, pd) : rule_quota(ps, r, pd)) {
			return -EINVAL;
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
		bf_policy_err_at(ps, i,
				 "empty unix socket address (expected \"/path\" or \"@name\")");
		return -EINVAL;
	}
	if (abstract && n == 0) {
		bf_policy_err_at(ps, i, "abstract unix socket name is empty: write \"@name\"");
		return -EINVAL;
	}
	if (!abstract && text[0] != '/') {
		bf_policy_err_at(ps, i,
				 "unix socket path must be absolute, or @name for an abstract socket: "
				 "a relative path depends on the connecting process's directory");
		return -EINVAL;
	}
	/* a path needs room for its NUL; an abstract name for the NUL in front of it */
	if (n > BF_UNIX_PATH_MAX - 1) {
		bf_policy_err_at(ps, i,
				 "%s is %zu bytes, longer than the limit of %d (sun_path's %d bytes "
				 "include a NUL)",
				 abstract ? "abstract unix socket name" : "unix socket path", n,
				 BF_UNIX_PATH_MAX - 1, BF_UNIX_PATH_MAX);
		return -EINVAL;
	}
	memset(ua, 0, sizeof(*ua));
	memcpy(ua->text, text, strlen(text) + 1);
	memcpy(ua->addr + abstract, text + abstract, n);
	ua->len = (uint8_t)(n + abstract);
	ua->abstract = abstract;
	ua->src = bf_policy_src(ps, i);
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
	if (bf_lex_peek_word(ps, "any")) {
		ps->cur++;
		return 0;
	}
	if (!bf_lex_peek_word(ps, "unix")) {
		bf_policy_err_at(ps, ps->cur,
				 "expected unix or any after the app (unix is the only ipc kind so far)");
		return -EINVAL;
	}
	ps->cur++;
	i = ps->cur;
	t = bf_lex_peek(ps);
	if (bf_lex_peek_word(ps, "any")) {
		ps->cur++;
		return 0;
	}
	if (!t || t->type != TOK_STR) {
		bf_policy_err_at(ps, i,
				 "expected a quoted unix socket address (\"/path\" or \"@name\") or any "
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
		bf_policy_report(ps, true, &ua->src, ps->ord, "more than %d unix socket addresses "
				 "(a kernel table limit)", UNIX_ADDRS_MAX);
		return -EINVAL;
	}
	na = BF_SLOT(ps, p->unix_addrs, p->n_unix_addrs);
	if (!na)
		return -ENOMEM;
	*na = *ua;
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
	r.src = bf_policy_src(ps, 0);
	ps->cur = 1;
	if (bf_lex_peek_word(ps, "allow")) {
		r.allow = true;
	} else if (!bf_lex_peek_word(ps, "deny")) {
		bf_policy_err_at(ps, 1, "expected allow or deny after %s", ps->toks[0].text);
		return;
	}
	ps->cur++;
	if (take_ref(ps, K_APP, pd.app, &pd.app_src))
		return;
	if (kind == BF_RULE_IPC)
		rc = ipc_target(ps, &ua);
	else
		rc = take_ref(ps, bf_policy_obj_kind(kind), pd.obj, &pd.obj_src);
	if (rc || rule_clauses(ps, &r, &pd))
		return;
	if (kind == BF_RULE_IPC && ua.len && (r.obj = intern_unix(ps, &ua)) < 0)
		return;
	pd.ord = ps->ord;
	add_rule(ps, &r, &pd);
}

void bf_policy_stmt_capture(struct parser *ps)
{
	stmt_rule(ps, BF_RULE_CAPTURE);
}

void bf_policy_stmt_export(struct parser *ps)
{
	stmt_rule(ps, BF_RULE_EXPORT);
}

void bf_policy_stmt_ipc(struct parser *ps)
{
	stmt_rule(ps, BF_RULE_IPC);
}

