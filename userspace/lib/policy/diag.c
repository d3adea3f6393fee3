/* diag.c - what every part of the parser reports through: failures, diagnostics at FILE:LINE:COL, and growing arrays. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy_int.h"

/*
 * Apart from parser.c so that the lexer, which reports errors too, and the
 * parser, which reads tokens, do not depend on each other.
 */

void bf_policy_fail(struct parser *ps, int rc)
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

/*
 * The zeroed element at index N of the array whose pointer is at ARRP, after growing it;
 * NULL after noting -ENOMEM. Every array of the policy and the parser grows through here,
 * so the caller only advances its count once the element is complete. The pointer is
 * copied, not cast, because ARRP points to a pointer of the caller's element type.
 */
void *bf_policy_slot(struct parser *ps, void *arrp, size_t n, size_t size)
{
	void *arr, *na;

	memcpy(&arr, arrp, sizeof(arr));
	na = grow(arr, n, size);
	if (!na) {
		bf_policy_fail(ps, -ENOMEM);
		return NULL;
	}
	memcpy(arrp, &na, sizeof(na));
	return memset((char *)na + n * size, 0, size);
}

char *bf_policy_strdup(struct parser *ps, const char *s)
{
	char *d = strdup(s);

	if (!d)
		bf_policy_fail(ps, -ENOMEM);
	return d;
}

__attribute__((format(printf, 7, 0)))
static void vreport(struct parser *ps, bool error, const char *file, unsigned line,
		    unsigned col, unsigned long ord, const char *fmt, va_list ap)
{
	struct pdiag *nd;
	char *msg, *full;
	int n;

	if (vasprintf(&msg, fmt, ap) < 0) {
		bf_policy_fail(ps, -ENOMEM);
		return;
	}
	n = asprintf(&full, "%s:%u:%u: %s%s", file, line, col, error ? "" : "warning: ", msg);
	free(msg);
	if (n < 0) {
		bf_policy_fail(ps, -ENOMEM);
		return;
	}
	nd = BF_SLOT(ps, ps->diags, ps->n_diags);
	if (!nd) {
		free(full);
		return;
	}
	*nd = (struct pdiag){ ord, col, ps->n_diags, error, full };
	ps->n_diags++;
}

void bf_policy_report(struct parser *ps, bool error, const struct bf_src *at, unsigned long ord,
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

struct bf_src bf_policy_src(const struct parser *ps, size_t i)
{
	return (struct bf_src){ ps->file, ps->line, tok_col(ps, i) };
}

void bf_policy_err_col(struct parser *ps, unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ps, true, ps->file, ps->line, col, ps->ord, fmt, ap);
	va_end(ap);
}

void bf_policy_err_at(struct parser *ps, size_t i, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ps, true, ps->file, ps->line, tok_col(ps, i), ps->ord, fmt, ap);
	va_end(ap);
}
