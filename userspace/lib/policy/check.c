/* check.c - what can only be judged once every file is read: names, windows, TTLs, shadowing. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "policy/policy_int.h"

int bf_policy_resolve_ref(struct parser *ps, enum kind k, const char *name, const struct bf_src *at,
		       unsigned long ord)
{
	int idx;

	if (!name[0])
		return -1;
	idx = bf_policy_lookup(ps, k, name);
	if (idx < 0)
		bf_policy_report(ps, true, at, ord, "undefined %s \"%s\"", bf_policy_kind_word[k],
				 name);
	return idx < 0 ? -2 : idx;
}

static void resolve_rules(struct parser *ps)
{
	struct bf_policy *p = ps->p;
	size_t i;

	for (i = 0; i < p->n_rules; i++) {
		struct bf_rule_ast *r = &p->rules[i];
		const struct pending *pd = &ps->pend[i];

		r->app = bf_policy_resolve_ref(ps, K_APP, pd->app, &pd->app_src, pd->ord);
		/* an ipc rule's address is a literal, interned as its line was read */
		if (r->kind != BF_RULE_IPC)
			r->obj = bf_policy_resolve_ref(ps, bf_policy_obj_kind(r->kind), pd->obj, &pd->obj_src,
					     pd->ord);
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
		bf_policy_report(ps, true, &pd->window_src, pd->ord,
				 "window %s is longer than max-window %s", win, max);
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
		bf_policy_report(ps, true, &later->val, later->ord,
				 "dns-ttl-min %s is longer than dns-ttl-max %s (%s%s%s)", lo, hi,
				 of ? "set at " : "the default", of ? of : "", line);
	else
		bf_policy_report(ps, true, &later->val, later->ord,
				 "dns-ttl-max %s is shorter than dns-ttl-min %s (%s%s%s)", hi, lo,
				 of ? "set at " : "the default", of ? of : "", line);
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
		int idx = bf_policy_resolve_ref(ps, K_APP, pb->name, &pb->src, pb->ord);
		int *nb;

		if (idx < 0)
			continue;
		/* harmless, but perhaps the author meant some other app */
		first = earlier_broker(ps, i);
		if (first) {
			bf_policy_report(ps, false, &pb->src, pb->ord,
					 "broker \"%s\" given twice (first at %s:%u)", pb->name,
					 first->src.file, first->src.line);
			continue;
		}
		nb = BF_SLOT(ps, p->brokers, p->n_brokers);
		if (!nb)
			return;
		*nb = idx;
		p->n_brokers++;
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
			bf_policy_report(ps, false, &p->rules[i].consent_src, ps->pend[i].ord,
					 "consent rules but no broker: only root can open capture windows");
			return;
		}
	}
}

/* A (kind, app, obj) triple as a linkhash key: indexes past 2^24 cannot be valid policies' anyway. */
static void *rule_key(const struct bf_rule_ast *r, int app, int obj)
{
	return (void *)(uintptr_t)((uint64_t)r->kind << 50 | (uint64_t)(uint32_t)(app + 2) << 25 |
				   (uint32_t)(obj + 2));
}

static unsigned long rule_key_hash(const void *k)
{
	uint64_t x = (uintptr_t)k * 0x9e3779b97f4a7c15ull;

	return (unsigned long)(x ^ x >> 32);
}

static int rule_key_equal(const void *a, const void *b)
{
	return a == b;
}

/*
 * First match decides, so a rule behind an enforcing one with the same or wider scope is dead.
 * A consent rule counts as deciding: outside a window it denies, it does not fall through.
 * One pass, each rule looked up under its four covers: 100,000 rules are not 5e9 pairs.
 */
static void check_shadowing(struct parser *ps)
{
	const struct bf_policy *p = ps->p;
	/* The first enforcing rule of each (kind, app, obj): a rule is shadowed by the first of its four covers. */
	struct lh_table *first = lh_table_new(256, NULL, rule_key_hash, rule_key_equal);
	size_t j;

	if (!first) {
		bf_policy_fail(ps, -ENOMEM);
		return;
	}
	for (j = 0; j < p->n_rules; j++) {
		const struct bf_rule_ast *rj = &p->rules[j];
		const int apps[2] = { rj->app, -1 }, objs[2] = { rj->obj, -1 };
		uintptr_t best = 0;
		void *v;

		if (rj->app == -2 || rj->obj == -2)
			continue;
		for (int a = 0; a < 2; a++)
			for (int o = 0; o < 2; o++)
				if (lh_table_lookup_ex(first, rule_key(rj, apps[a], objs[o]), &v) &&
				    (!best || (uintptr_t)v < best))
					best = (uintptr_t)v;
		if (best) {
			const struct bf_rule_ast *ri = &p->rules[best - 1];

			bf_policy_report(ps, false, &rj->src, ps->pend[j].ord,
					 "rule never matches: shadowed by %s:%u", ri->src.file, ri->src.line);
		}
		if (!rj->audit && !lh_table_lookup_ex(first, rule_key(rj, rj->app, rj->obj), &v) &&
		    lh_table_insert(first, rule_key(rj, rj->app, rj->obj), (void *)(uintptr_t)(j + 1))) {
			bf_policy_fail(ps, -ENOMEM);
			break;
		}
	}
	lh_table_free(first);
}

/* The order matters: shadowing compares resolved indexes, and brokers are apps. */
void bf_policy_check(struct parser *ps)
{
	resolve_rules(ps);
	bound_windows(ps);
	check_dns_ttl(ps);
	resolve_brokers(ps);
	warn_no_broker(ps);
	bf_policy_check_stores(ps);
	bf_policy_check_net_cameras(ps);
	check_shadowing(ps);
}
