/* policy_int.h - what the files of lib/policy share while parsing; callers use policy.h only. */
#ifndef BF_POLICY_INT_H
#define BF_POLICY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <openssl/evp.h>

#include "policy/policy.h"

/*
 * Who does what: lexer.c splits a line into tokens and holds the token
 * helpers; diag.c owns diagnostics; parser.c names, durations and the statement
 * table; parse_*.c parse one family of statements each; include.c reads
 * files and follows includes; check.c runs what can only be judged after
 * the last file; policy.c is the public entry points; describe.c prints.
 */

#define INCLUDE_DEPTH_MAX 16
#define NAME_RULE "names are [a-z0-9][a-z0-9_.-]*, at most 63 characters"

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

/* A template store's app is a reference too; parallel to p->stores. */
struct pending_store {
	char app[BF_NAME_MAX];
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

struct lh_table;

struct parser {
	struct bf_policy *p;
	unsigned flags;
	int fatal;		/* first -errno that stops us from producing a result (ENOMEM) */
	EVP_MD_CTX *md;
	struct bf_src max_window_src, grace_src;	/* .line is 0 until the statement is seen */
	struct once_stmt ttl_min, ttl_max;
	struct pending *pend;	/* parallel to p->rules */
	struct pending_broker *pbrokers;
	size_t n_pbrokers;
	struct pending_store *pstores;	/* parallel to p->stores */
	struct pdiag *diags;
	size_t n_diags;
	struct file_id stack[INCLUDE_DEPTH_MAX + 1];
	size_t n_stack;
	unsigned depth;
	unsigned long next_ord;
	size_t n_kind_rules[4];	/* rules so far, by enum bf_rule_kind: the kernel holds BF_MAX_RULES of each */
	/*
	 * Name -> index + 1 of every camera, app and dest defined so far (json-c
	 * linkhash, keys owned): a duplicate check or a reference is one lookup,
	 * not a walk, so 100,000 definitions cost no more than 100,000 lookups.
	 */
	struct lh_table *names[3];
	/*
	 * The directory the main policy file is in (resolved): every include
	 * must resolve inside it, so include "/etc/shadow" cannot pull a
	 * secret's lines into diagnostics and the audit log. NULL for a
	 * policy given as text.
	 */
	char *root;
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

/* ---- diag.c: failures, arrays, diagnostics ---- */

void bf_policy_fail(struct parser *ps, int rc);
void *bf_policy_slot(struct parser *ps, void *arrp, size_t n, size_t size);
/* A zeroed slot at index N of array ARR (an lvalue), grown as needed; N is not advanced. */
#define BF_SLOT(ps, arr, n) bf_policy_slot((ps), &(arr), (n), sizeof(*(arr)))
char *bf_policy_strdup(struct parser *ps, const char *s);
struct bf_src bf_policy_src(const struct parser *ps, size_t i);
__attribute__((format(printf, 5, 6)))
void bf_policy_report(struct parser *ps, bool error, const struct bf_src *at, unsigned long ord,
		      const char *fmt, ...);
__attribute__((format(printf, 3, 4)))
void bf_policy_err_col(struct parser *ps, unsigned col, const char *fmt, ...);
__attribute__((format(printf, 3, 4)))
void bf_policy_err_at(struct parser *ps, size_t i, const char *fmt, ...);

/* ---- parser.c: names, durations, keyed definitions, statements ---- */

extern const char *const bf_policy_kind_word[];
bool bf_policy_valid_name(const char *s);
int bf_policy_find(const struct bf_policy *p, enum kind k, const char *name);
/* The same while parsing, through the parser's name index: one lookup. -1 if undefined. */
int bf_policy_lookup(struct parser *ps, enum kind k, const char *name);
void bf_policy_names_free(struct parser *ps);
int bf_policy_check_name(struct parser *ps, enum kind k, bool any_ok);
int bf_policy_def_name(struct parser *ps, enum kind k, char name[BF_NAME_MAX], struct bf_src *src);
int bf_policy_take_duration(struct parser *ps, const char *key, bool zero_ok, uint32_t ceiling,
			    uint32_t *ms);

/* The "KEY VALUE..." clauses that follow a definition's name, each key at most once. */
struct bf_keyset {
	enum kind kind;
	const char *const *keys;
	size_t n_keys;
	const char *expected;		/* the keys as messages list them: "class, path or v4l2" */
	const char *none;		/* said when the name is all the line has */
	int (*take)(struct parser *ps, void *def, size_t key);	/* the cursor just past KEY */
};

void *bf_policy_define(struct parser *ps, enum kind k);
void bf_policy_keys(struct parser *ps, const struct bf_keyset *ks);
extern const struct bf_keyset bf_policy_camera_keys;	/* parse_camera.c */
extern const struct bf_keyset bf_policy_app_keys;	/* parse_app.c */
void bf_policy_parse_text(struct parser *ps, const char *buf, size_t len);

/* ---- lexer.c ---- */

int bf_lex_line(struct parser *ps, const char *s, size_t len);
const struct tok *bf_lex_peek(const struct parser *ps);
bool bf_lex_peek_word(const struct parser *ps, const char *w);
size_t bf_lex_key(const struct parser *ps, const char *const *keys, size_t n);
bool bf_lex_comma(struct parser *ps);
int bf_lex_end(struct parser *ps);
const struct tok *bf_lex_value(struct parser *ps, bool word_ok, const char *what, const char *key);
const struct tok *bf_lex_path(struct parser *ps, const char *what, const char *key,
			      const char *name, const char *must);

/* ---- one file per family of statements ---- */

void bf_policy_stmt_dest(struct parser *ps);		/* parse_dest.c */
/*
 * "ADDRS [tcp|udp [PORTS]]" into D, as a dest writes it (a network camera
 * too); stops early before a word of STOP (NULL-terminated, or NULL).
 * 0, or -EINVAL with the error reported.
 */
int bf_policy_net_spec(struct parser *ps, struct bf_dest *d, const char *const *stop);
void bf_policy_stmt_capture(struct parser *ps);		/* parse_rule.c */
void bf_policy_stmt_export(struct parser *ps);
void bf_policy_stmt_ipc(struct parser *ps);
void bf_policy_stmt_mode(struct parser *ps);		/* parse_settings.c */
void bf_policy_stmt_on_log_failure(struct parser *ps);
void bf_policy_stmt_max_window(struct parser *ps);
void bf_policy_stmt_window_grace(struct parser *ps);
void bf_policy_stmt_dns_ttl_min(struct parser *ps);
void bf_policy_stmt_dns_ttl_max(struct parser *ps);
void bf_policy_stmt_broker(struct parser *ps);
void bf_policy_stmt_include(struct parser *ps);		/* include.c */
void bf_policy_stmt_template_store(struct parser *ps);	/* parse_store.c */
void bf_policy_check_stores(struct parser *ps);
void bf_policy_check_net_cameras(struct parser *ps);	/* check_net.c */
/* C as written: "10.0.0.0/8", "2001:db8::5" (a single address without its /32 or /128). */
void bf_policy_format_cidr(const struct bf_cidr *c, char *buf, size_t len);	/* describe.c */

/* parse_camera.c: the v4l2 identity's keys, in bf_v4l2_ident's order (describe prints them). */
extern const char *const bf_policy_v4l2_keys[3];

/* parse_rule.c: "500 MB per hour", in the unit the quota was counted in (for describe). */
void bf_policy_format_quota(const struct bf_rule_ast *r, char *buf, size_t len);

/* The kind of name a capture or export rule's second reference must be (ipc rules have none). */
static inline enum kind bf_policy_obj_kind(enum bf_rule_kind kind)
{
	return kind == BF_RULE_CAPTURE ? K_CAMERA : K_DEST;
}

/* ---- include.c ---- */

/* The resolved directory of MAIN_FILE, includes' bound (malloc'd), or NULL. */
char *bf_policy_root_of(const char *main_file);
int bf_policy_parse_file(struct parser *ps, const char *path, const struct bf_src *at);
const char *bf_policy_add_file(struct parser *ps, const char *path, const char *buf, size_t len);

/* ---- check.c: once every file is read ---- */

void bf_policy_check(struct parser *ps);
/* NAME's index among definitions of kind K; -1 for "" (any), -2 (reported) if undefined. */
int bf_policy_resolve_ref(struct parser *ps, enum kind k, const char *name, const struct bf_src *at,
			  unsigned long ord);

#endif /* BF_POLICY_INT_H */
