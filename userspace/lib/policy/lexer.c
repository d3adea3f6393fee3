/* lexer.c - splits a policy line into tokens, and the helpers that read them in order. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy_int.h"

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
			bf_policy_fail(ps, -ENOMEM);
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
			bf_policy_err_col(ps, i + 1,
					  "bad escape in string (only \\\" and \\\\ are allowed)");
			return -EINVAL;
		}
		if (is_ctl(s[i])) {
			bf_policy_err_col(ps, i + 1, "control character 0x%02x in string",
					  (unsigned char)s[i]);
			return -EINVAL;
		}
		*o++ = s[i];
	}
	bf_policy_err_col(ps, t->col, "unterminated string");
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
int bf_lex_line(struct parser *ps, const char *s, size_t len)
{
	size_t i = 0;
	char *o;

	/* every token's text plus its NUL fits in twice the line */
	if (2 * len + 2 > ps->scratch_cap) {
		char *ns = realloc(ps->scratch, 2 * len + 2);

		if (!ns) {
			bf_policy_fail(ps, -ENOMEM);
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
			bf_policy_err_col(ps, i + 1, "unexpected control character 0x%02x",
					  (unsigned char)s[i]);
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

const struct tok *bf_lex_peek(const struct parser *ps)
{
	return ps->cur < ps->n_toks ? &ps->toks[ps->cur] : NULL;
}

bool bf_lex_peek_word(const struct parser *ps, const char *w)
{
	const struct tok *t = bf_lex_peek(ps);

	return t && t->type == TOK_WORD && strcmp(t->text, w) == 0;
}

bool bf_lex_comma(struct parser *ps)
{
	const struct tok *t = bf_lex_peek(ps);

	if (!t || t->type != TOK_COMMA)
		return false;
	ps->cur++;
	return true;
}

int bf_lex_end(struct parser *ps)
{
	const struct tok *t = bf_lex_peek(ps);

	if (!t)
		return 0;
	bf_policy_err_at(ps, ps->cur, "trailing garbage \"%s\"", t->text);
	return -EINVAL;
}

/* Takes the next token as the value of KEY; words are accepted only where WORD_OK. */
const struct tok *bf_lex_value(struct parser *ps, bool word_ok, const char *what, const char *key)
{
	const struct tok *t = bf_lex_peek(ps);

	if (!t || (t->type != TOK_STR && !(word_ok && t->type == TOK_WORD))) {
		bf_policy_err_at(ps, ps->cur, "expected %s after %s", what, key);
		return NULL;
	}
	ps->cur++;
	return t;
}

/* Index of the word at the cursor in KEYS (N of them), or N. */
size_t bf_lex_key(const struct parser *ps, const char *const *keys, size_t n)
{
	size_t k;

	for (k = 0; k < n && !bf_lex_peek_word(ps, keys[k]); k++)
		;
	return k;
}

/*
 * A quoted path after KEY that must start with '/': a relative one would depend on the
 * agent's directory. NAME and MUST word the error: "exe \"x\" must be an absolute path".
 */
const struct tok *bf_lex_path(struct parser *ps, const char *what, const char *key,
			      const char *name, const char *must)
{
	size_t i = ps->cur;
	const struct tok *t = bf_lex_value(ps, false, what, key);

	if (t && t->text[0] != '/') {
		bf_policy_err_at(ps, i, "%s \"%s\" %s", name, t->text, must);
		return NULL;
	}
	return t;
}
