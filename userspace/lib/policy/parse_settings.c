/* parse_settings.c - the policy-wide statements: mode, on-log-failure, windows, DNS TTLs, brokers. */
#include <errno.h>
#include <string.h>

#include "policy/policy_int.h"

/* A second setting would make the first silently dead, so each may be given once. */
static int once(struct parser *ps, const struct bf_src *seen)
{
	if (!seen->line)
		return 0;
	bf_policy_err_at(ps, 0, "%s given twice (first at %s:%u)", ps->toks[0].text, seen->file,
			 seen->line);
	return -EINVAL;
}

/* "KEY WORD0|WORD1": *SECOND says which; *SEEN is set to the keyword once the line is good. */
static int choice(struct parser *ps, struct bf_src *seen, const char *w0, const char *w1,
		  bool *second)
{
	bool v;

	ps->cur = 1;
	if (once(ps, seen))
		return -EINVAL;
	if (bf_lex_peek_word(ps, w0)) {
		v = false;
	} else if (bf_lex_peek_word(ps, w1)) {
		v = true;
	} else {
		bf_policy_err_at(ps, 1, "expected %s or %s after %s", w0, w1, ps->toks[0].text);
		return -EINVAL;
	}
	ps->cur++;
	if (bf_lex_end(ps))
		return -EINVAL;
	*second = v;
	*seen = bf_policy_src(ps, 0);
	return 0;
}

/* ---- mode, on-log-failure ---- */

void bf_policy_stmt_mode(struct parser *ps)
{
	bool audit;

	if (choice(ps, &ps->p->mode_src, "enforce", "audit", &audit) == 0)
		ps->p->audit_mode = audit;
}

void bf_policy_stmt_on_log_failure(struct parser *ps)
{
	bool deny;

	if (choice(ps, &ps->p->log_failure_src, "continue", "deny-capture", &deny) == 0)
		ps->p->log_failure_continue = !deny;
}

/* ---- capture windows: max-window, window-grace, broker ---- */

static void stmt_limit(struct parser *ps, bool zero_ok, uint32_t ceiling, uint32_t *dst,
		       struct bf_src *seen)
{
	uint32_t ms;

	ps->cur = 1;
	if (once(ps, seen))
		return;
	if (bf_policy_take_duration(ps, ps->toks[0].text, zero_ok, ceiling, &ms) || bf_lex_end(ps))
		return;
	*dst = ms;
	*seen = bf_policy_src(ps, 0);
}

void bf_policy_stmt_max_window(struct parser *ps)
{
	stmt_limit(ps, false, BF_MAX_WINDOW_CEILING_MS, &ps->p->max_window_ms, &ps->max_window_src);
}

void bf_policy_stmt_window_grace(struct parser *ps)
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
	if (once(ps, &seen->at))
		return;
	seen->bad = true;
	if (bf_policy_take_duration(ps, key, true, DNS_TTL_CEILING_MS, &ms))
		return;
	if (ms % 1000) {
		bf_policy_err_at(ps, 1, "%s %s must be whole seconds", key, ps->toks[1].text);
		return;
	}
	if (ms == 0) {
		bf_policy_err_at(ps, 1, "%s must be at least 1s", key);
		return;
	}
	if (bf_lex_end(ps))
		return;
	*dst = ms / 1000;
	*seen = (struct once_stmt){ bf_policy_src(ps, 0), bf_policy_src(ps, 1), ps->ord, false };
}

void bf_policy_stmt_dns_ttl_min(struct parser *ps)
{
	stmt_dns_ttl(ps, &ps->p->dns_ttl_min_s, &ps->ttl_min);
}

void bf_policy_stmt_dns_ttl_max(struct parser *ps)
{
	stmt_dns_ttl(ps, &ps->p->dns_ttl_max_s, &ps->ttl_max);
}

/* ---- broker ---- */

static int add_broker(struct parser *ps)
{
	struct pending_broker *nb = BF_SLOT(ps, ps->pbrokers, ps->n_pbrokers);
	const char *text = ps->toks[ps->cur].text;

	if (!nb)
		return -ENOMEM;
	memcpy(nb->name, text, strlen(text) + 1);
	nb->src = bf_policy_src(ps, ps->cur);
	nb->ord = ps->ord;
	ps->n_pbrokers++;
	ps->cur++;
	return 0;
}

static int broker_name(struct parser *ps)
{
	if (bf_lex_peek_word(ps, "any")) {
		bf_policy_err_at(ps, ps->cur,
				 "broker any would let every program open capture windows");
		return -EINVAL;
	}
	if (bf_policy_check_name(ps, K_APP, false))
		return -EINVAL;
	return add_broker(ps);
}

/* Like a rule, a broker line with an error adds none of its names, so nothing cascades. */
void bf_policy_stmt_broker(struct parser *ps)
{
	size_t first = ps->n_pbrokers;
	int rc;

	ps->cur = 1;
	do {
		rc = broker_name(ps);
	} while (!rc && bf_lex_comma(ps));
	if (!rc)
		rc = bf_lex_end(ps);
	if (rc)
		ps->n_pbrokers = first;
}
