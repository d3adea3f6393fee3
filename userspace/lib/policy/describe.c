/* describe.c - prints what a policy allows in plain words (biofence check). */
#include <stdio.h>
#include <arpa/inet.h>
#include <string.h>

#include "policy/policy_int.h"
#include "sha256.h"

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
	char hex[BF_SHA256_HEX];

	bf_sha256_hex(p->digest, hex);
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
			fprintf(out, " %s \"%s\"", bf_policy_v4l2_keys[k], vals[k]);
}

static void describe_net(const struct bf_dest *d, FILE *out);

void bf_policy_describe_camera(const struct bf_policy *p, int idx, FILE *out)
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
	if (c->is_net) {
		fputs("network camera ", out);
		describe_net(&c->net, out);
		if (c->speaks)
			fprintf(out, ", speaks %s", bf_net_speaks_word(c->speaks));
		if (c->speaks == BF_SPEAKS_ONVIF)
			fputs(", and its WS-Discovery probes to 239.255.255.250 and ff02::c udp port 3702", out);
		fputc(')', out);
		return;
	}
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

void bf_policy_format_cidr(const struct bf_cidr *c, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];
	unsigned prefix = c->v4 ? c->prefix - 96u : c->prefix;

	inet_ntop(c->v4 ? AF_INET : AF_INET6, c->v4 ? c->addr + 12 : c->addr, addr, sizeof(addr));
	if (c->prefix == 128)
		snprintf(buf, len, "%s", addr);
	else
		snprintf(buf, len, "%s/%u", addr, prefix);
}

/* D's addresses, protocol and ports, as in "10.0.0.0/8 tcp port 443" (a dest's, or a network camera's). */
static void describe_net(const struct bf_dest *d, FILE *out)
{
	char buf[INET6_ADDRSTRLEN + 8];
	size_t i;

	fputs(d->any ? "any address" : "", out);
	for (i = 0; i < d->n_cidrs; i++) {
		bf_policy_format_cidr(&d->cidrs[i], buf, sizeof(buf));
		fprintf(out, "%s%s", i ? ", " : "", buf);
	}
	/* the addresses behind a name are not known here, so say who finds them */
	for (i = 0; i < d->n_hosts; i++)
		fprintf(out, "%s%s", i ? ", " : d->n_cidrs ? "; " : "", d->hosts[i]);
	if (d->n_hosts)
		fputs(", resolved by the agent;", out);
	if (d->proto == BF_SEL_ANY) {
		fputs(d->n_hosts ? " any protocol" : ", any protocol", out);
		return;
	}
	fprintf(out, " %s", d->proto == BF_SEL_TCP ? "tcp" : "udp");
	if (!d->n_ports)
		fputs(", any port", out);
	for (i = 0; i < d->n_ports; i++)
		fprintf(out, "%s%u", i ? ", " : d->n_ports > 1 ? " ports " : " port ",
			(unsigned)d->ports[i]);
}

static void describe_dest(const struct bf_policy *p, int idx, FILE *out)
{
	if (idx < 0) {
		fputs("any destination", out);
		return;
	}
	fprintf(out, "%s (", p->dests[idx].name);
	describe_net(&p->dests[idx], out);
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
	[BF_RULE_CAPTURE] = { "capture:\n", " may open ", " trying to open ", bf_policy_describe_camera },
	[BF_RULE_EXPORT] = { "export (applies to processes that opened a camera, and their children):\n",
			     " may send to ", " trying to send to ", describe_dest },
	[BF_RULE_IPC] = { "ipc (applies to processes that opened a camera, and their children):\n",
			  " may connect or send to ", " trying to connect or send to ", describe_unix },
};

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
	if (r->quota_bytes) {
		char quota[64];

		bf_policy_format_quota(r, quota, sizeof(quota));
		fprintf(out, " up to %s", quota);
	}
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

static void describe_windows(const struct bf_policy *p, FILE *out)
{
	char max[BF_DURATION_BUF], grace[BF_DURATION_BUF];
	size_t i;

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

/* One line per store path, its holders gathered from every line that names it. */
static void describe_stores(const struct bf_policy *p, FILE *out)
{
	fputs("template stores (only their holders may open, create, link, rename or remove "
	      "anything under them; no one may ptrace a holder that opened one):\n", out);
	for (size_t i = 0; i < p->n_stores; i++) {
		const struct bf_store_ast *st = &p->stores[i];
		bool first = true;
		size_t j;

		for (j = 0; j < i && strcmp(p->stores[j].path, st->path) != 0; j++)
			;
		if (j < i)
			continue;	/* described with its first line */
		fprintf(out, "  %s: ", st->path);
		for (j = i; j < p->n_stores; j++) {
			if (strcmp(p->stores[j].path, st->path) != 0 || p->stores[j].app < 0)
				continue;
			fprintf(out, "%s%s", first ? "" : ", ", p->apps[p->stores[j].app].name);
			first = false;
		}
		if (st->audit || p->audit_mode)
			fputs(" (audit only: others are logged, not refused)", out);
		fprintf(out, "    [%s:%u]\n", st->src.file, st->src.line);
	}
}

static void describe_dns(const struct bf_policy *p, FILE *out)
{
	char lo[BF_DURATION_BUF], hi[BF_DURATION_BUF];

	bf_format_duration(p->dns_ttl_min_s * 1000u, lo, sizeof(lo));
	bf_format_duration(p->dns_ttl_max_s * 1000u, hi, sizeof(hi));
	fprintf(out, "names are resolved again at their TTL, between %s and %s\n", lo, hi);
}

/*
 * The sections only some policies need. Each is left out otherwise, so that a policy
 * without consent rules, names or ipc rules reads as it did before they existed.
 */
struct sections {
	bool windows;	/* who opens windows, and for how long, matters once a rule needs one */
	bool dns;	/* how often names are resolved matters once a dest has one */
	bool ipc;
	bool stores;
};

static struct sections sections_of(const struct bf_policy *p)
{
	struct sections s = { false, false, false, p->n_stores > 0 };
	size_t i;

	for (i = 0; i < p->n_rules; i++) {
		s.windows |= p->rules[i].consent;
		s.ipc |= p->rules[i].kind == BF_RULE_IPC;
	}
	for (i = 0; i < p->n_dests; i++)
		s.dns |= p->dests[i].n_hosts > 0;
	return s;
}

void bf_policy_describe(const struct bf_policy *p, FILE *out)
{
	struct sections s = sections_of(p);

	describe_header(p, out);
	describe_kind(p, BF_RULE_CAPTURE, out);
	if (s.windows)
		describe_windows(p, out);
	describe_kind(p, BF_RULE_EXPORT, out);
	if (s.dns)
		describe_dns(p, out);
	if (s.ipc)
		describe_kind(p, BF_RULE_IPC, out);
	if (s.stores)
		describe_stores(p, out);
}
