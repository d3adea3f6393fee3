/* codec.c - a checked policy and its diagnostics as bytes, and back, every index and length checked on the way in. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "policy/codec.h"

/* Generous bounds: the real ones are the parser's; these only keep a hostile count from allocating. */
#define WIRE_ITEMS_MAX  (1u << 22)
#define WIRE_DIAG_MAX   (64u << 10)
#define WIRE_HOST_MAX   1024

/* -------- encoding -------- */

static void put_src(struct bf_wbuf *w, const struct bf_policy *p, const struct bf_src *s)
{
	uint32_t idx = UINT32_MAX;

	for (size_t i = 0; s->file && i < p->n_files; i++)
		if (p->files[i] == s->file) {
			idx = (uint32_t)i;
			break;
		}
	/* A position in no file of the policy: the parser broke its own rule (policy.h). */
	if (s->file && idx == UINT32_MAX)
		w->err = w->err ?: -EINVAL;
	bf_wput_u32(w, idx);
	bf_wput_u32(w, s->line);
	bf_wput_u32(w, s->col);
}

static void put_dest(struct bf_wbuf *w, const struct bf_policy *p, const struct bf_dest *d)
{
	bf_wput_str(w, d->name);
	put_src(w, p, &d->src);
	bf_wput_u8(w, d->any);
	bf_wput_u32(w, (uint32_t)d->n_cidrs);
	for (size_t i = 0; i < d->n_cidrs; i++) {
		bf_wput(w, d->cidrs[i].addr, sizeof(d->cidrs[i].addr));
		bf_wput_u8(w, d->cidrs[i].prefix);
		bf_wput_u8(w, d->cidrs[i].v4);
		put_src(w, p, &d->cidr_src[i]);
	}
	bf_wput_u32(w, (uint32_t)d->n_hosts);
	for (size_t i = 0; i < d->n_hosts; i++) {
		bf_wput_str(w, d->hosts[i]);
		put_src(w, p, &d->host_src[i]);
	}
	bf_wput_u8(w, (uint8_t)d->proto);
	bf_wput_u32(w, (uint32_t)d->n_ports);
	bf_wput(w, d->ports, d->n_ports * sizeof(*d->ports));
	bf_wput_u64(w, d->ord);
}

static void put_camera(struct bf_wbuf *w, const struct bf_policy *p, const struct bf_camera *c)
{
	bf_wput_str(w, c->name);
	put_src(w, p, &c->src);
	bf_wput_u32(w, c->classes);
	bf_wput_u32(w, (uint32_t)c->n_paths);
	for (size_t i = 0; i < c->n_paths; i++) {
		bf_wput_str(w, c->paths[i]);
		put_src(w, p, &c->path_src[i]);
	}
	bf_wput_str(w, c->v4l2.driver);
	bf_wput_str(w, c->v4l2.card);
	bf_wput_str(w, c->v4l2.bus);
	put_src(w, p, &c->v4l2.src);
	bf_wput_u8(w, c->is_net);
	put_dest(w, p, &c->net);
	bf_wput_u8(w, (uint8_t)c->speaks);
	put_src(w, p, &c->net_src);
}

static void put_app(struct bf_wbuf *w, const struct bf_policy *p, const struct bf_app *a)
{
	bf_wput_str(w, a->name);
	put_src(w, p, &a->src);
	bf_wput_str(w, a->exe);
	put_src(w, p, &a->exe_src);
	bf_wput_str(w, a->sha256);
	put_src(w, p, &a->sha_src);
	bf_wput_str(w, a->unit);
	put_src(w, p, &a->unit_src);
	bf_wput_str(w, a->cgroup);
	put_src(w, p, &a->cgroup_src);
	bf_wput_str(w, a->user);
	put_src(w, p, &a->user_src);
}

static void put_rule(struct bf_wbuf *w, const struct bf_policy *p, const struct bf_rule_ast *r)
{
	bf_wput_u8(w, (uint8_t)r->kind);
	bf_wput_u8(w, r->allow);
	bf_wput_u8(w, r->audit);
	bf_wput_u32(w, (uint32_t)r->app);
	bf_wput_u32(w, (uint32_t)r->obj);
	put_src(w, p, &r->src);
	bf_wput_u8(w, r->consent);
	bf_wput_str(w, r->purpose);
	bf_wput_u32(w, r->window_ms);
	put_src(w, p, &r->consent_src);
	bf_wput_u64(w, r->quota_bytes);
	bf_wput_u32(w, r->quota_period_s);
	put_src(w, p, &r->quota_src);
}

static void put_store(struct bf_wbuf *w, const struct bf_policy *p, const struct bf_store_ast *s)
{
	bf_wput_u32(w, (uint32_t)s->app);
	bf_wput_str(w, s->path);
	bf_wput_u8(w, s->audit);
	put_src(w, p, &s->src);
	put_src(w, p, &s->app_src);
	put_src(w, p, &s->path_src);
}

static void put_unix(struct bf_wbuf *w, const struct bf_policy *p, const struct bf_unix_addr *u)
{
	bf_wput_str(w, u->text);
	bf_wput(w, u->addr, sizeof(u->addr));
	bf_wput_u8(w, u->len);
	bf_wput_u8(w, u->abstract);
	put_src(w, p, &u->src);
}

void bf_policy_encode(struct bf_wbuf *w, const struct bf_policy *p)
{
	bf_wput_u32(w, (uint32_t)p->n_files);
	for (size_t i = 0; i < p->n_files; i++)
		bf_wput_str(w, p->files[i]);
	bf_wput(w, p->digest, sizeof(p->digest));
	bf_wput_u8(w, p->audit_mode);
	put_src(w, p, &p->mode_src);
	bf_wput_u8(w, p->log_failure_continue);
	put_src(w, p, &p->log_failure_src);
	bf_wput_u32(w, p->max_window_ms);
	bf_wput_u32(w, p->grace_ms);
	bf_wput_u32(w, p->dns_ttl_min_s);
	bf_wput_u32(w, p->dns_ttl_max_s);
	bf_wput_u32(w, (uint32_t)p->n_apps);
	for (size_t i = 0; i < p->n_apps; i++)
		put_app(w, p, &p->apps[i]);
	bf_wput_u32(w, (uint32_t)p->n_cameras);
	for (size_t i = 0; i < p->n_cameras; i++)
		put_camera(w, p, &p->cameras[i]);
	bf_wput_u32(w, (uint32_t)p->n_dests);
	for (size_t i = 0; i < p->n_dests; i++)
		put_dest(w, p, &p->dests[i]);
	bf_wput_u32(w, (uint32_t)p->n_unix_addrs);
	for (size_t i = 0; i < p->n_unix_addrs; i++)
		put_unix(w, p, &p->unix_addrs[i]);
	bf_wput_u32(w, (uint32_t)p->n_rules);
	for (size_t i = 0; i < p->n_rules; i++)
		put_rule(w, p, &p->rules[i]);
	bf_wput_u32(w, (uint32_t)p->n_stores);
	for (size_t i = 0; i < p->n_stores; i++)
		put_store(w, p, &p->stores[i]);
	bf_wput_u32(w, (uint32_t)p->n_brokers);
	for (size_t i = 0; i < p->n_brokers; i++)
		bf_wput_u32(w, (uint32_t)p->brokers[i]);
}

void bf_diags_encode(struct bf_wbuf *w, const struct bf_diags *d)
{
	bf_wput_u32(w, (uint32_t)d->n);
	bf_wput_u32(w, (uint32_t)d->n_errors);
	for (size_t i = 0; i < d->n; i++)
		bf_wput_str(w, d->msgs[i]);
}

/* -------- decoding -------- */

static void get_src(struct bf_rbuf *r, const struct bf_policy *p, struct bf_src *s)
{
	uint32_t idx = bf_rget_u32(r);

	s->line = bf_rget_u32(r);
	s->col = bf_rget_u32(r);
	if (idx == UINT32_MAX)
		s->file = NULL;
	else if (idx < p->n_files)
		s->file = p->files[idx];
	else
		bf_rfail(r);
}

/* An array of N items of SIZE bytes, zeroed; NULL for none. */
static void *get_array(struct bf_rbuf *r, size_t n, size_t size)
{
	void *a;

	if (r->err || !n)
		return NULL;
	a = calloc(n, size);
	if (!a)
		bf_rfail(r);
	return a;
}

/* A count, and the array it sizes; *N is set only with the array, so a free never overruns. */
#define GET_ITEMS(r, arr, n, min)                                                       \
	do {                                                                            \
		size_t cnt_ = bf_rget_count(r, WIRE_ITEMS_MAX, min);                    \
		(arr) = get_array(r, cnt_, sizeof(*(arr)));                             \
		(n) = (arr) ? cnt_ : 0;                                                  \
	} while (0)

static void get_dest(struct bf_rbuf *r, const struct bf_policy *p, struct bf_dest *d)
{
	size_t n;

	bf_rget_strbuf(r, d->name, sizeof(d->name));
	get_src(r, p, &d->src);
	d->any = bf_rget_bool(r);
	n = bf_rget_count(r, WIRE_ITEMS_MAX, 16 + 2 + 12);
	d->cidrs = get_array(r, n, sizeof(*d->cidrs));
	d->cidr_src = get_array(r, n, sizeof(*d->cidr_src));
	d->n_cidrs = d->cidrs && d->cidr_src ? n : 0;
	for (size_t i = 0; i < d->n_cidrs; i++) {
		bf_rget(r, d->cidrs[i].addr, sizeof(d->cidrs[i].addr));
		d->cidrs[i].prefix = bf_rget_u8(r);
		d->cidrs[i].v4 = bf_rget_bool(r);
		if (d->cidrs[i].prefix > 128 || (d->cidrs[i].v4 && d->cidrs[i].prefix < 96))
			bf_rfail(r);
		get_src(r, p, &d->cidr_src[i]);
	}
	n = bf_rget_count(r, WIRE_ITEMS_MAX, 4 + 12);
	d->hosts = get_array(r, n, sizeof(*d->hosts));
	d->host_src = get_array(r, n, sizeof(*d->host_src));
	d->n_hosts = d->hosts && d->host_src ? n : 0;
	for (size_t i = 0; i < d->n_hosts; i++) {
		d->hosts[i] = bf_rget_str(r, WIRE_HOST_MAX, false);
		get_src(r, p, &d->host_src[i]);
	}
	d->proto = bf_rget_u8(r);
	if (d->proto > BF_SEL_UDP)
		bf_rfail(r);
	n = bf_rget_count(r, WIRE_ITEMS_MAX, sizeof(*d->ports));
	d->ports = get_array(r, n, sizeof(*d->ports));
	d->n_ports = d->ports ? n : 0;
	bf_rget(r, d->ports, d->n_ports * sizeof(*d->ports));
	d->ord = bf_rget_u64(r);
}

static void get_camera(struct bf_rbuf *r, const struct bf_policy *p, struct bf_camera *c)
{
	size_t n;

	bf_rget_strbuf(r, c->name, sizeof(c->name));
	get_src(r, p, &c->src);
	c->classes = bf_rget_u32(r);
	if (c->classes & ~(BF_CLASS_VIDEO | BF_CLASS_MEDIA | BF_CLASS_USB))
		bf_rfail(r);
	n = bf_rget_count(r, WIRE_ITEMS_MAX, 4 + 12);
	c->paths = get_array(r, n, sizeof(*c->paths));
	c->path_src = get_array(r, n, sizeof(*c->path_src));
	c->n_paths = c->paths && c->path_src ? n : 0;
	for (size_t i = 0; i < c->n_paths; i++) {
		c->paths[i] = bf_rget_str(r, PATH_MAX - 1, false);
		get_src(r, p, &c->path_src[i]);
	}
	c->v4l2.driver = bf_rget_str(r, BF_V4L2_FIELD_MAX - 1, true);
	c->v4l2.card = bf_rget_str(r, BF_V4L2_FIELD_MAX - 1, true);
	c->v4l2.bus = bf_rget_str(r, BF_V4L2_FIELD_MAX - 1, true);
	get_src(r, p, &c->v4l2.src);
	c->is_net = bf_rget_bool(r);
	get_dest(r, p, &c->net);
	c->speaks = bf_rget_u8(r);
	if (c->speaks > BF_SPEAKS_ONVIF)
		bf_rfail(r);
	get_src(r, p, &c->net_src);
}

static void get_app(struct bf_rbuf *r, const struct bf_policy *p, struct bf_app *a)
{
	bf_rget_strbuf(r, a->name, sizeof(a->name));
	get_src(r, p, &a->src);
	a->exe = bf_rget_str(r, PATH_MAX - 1, true);
	get_src(r, p, &a->exe_src);
	bf_rget_strbuf(r, a->sha256, sizeof(a->sha256));
	get_src(r, p, &a->sha_src);
	a->unit = bf_rget_str(r, PATH_MAX - 1, true);
	get_src(r, p, &a->unit_src);
	a->cgroup = bf_rget_str(r, PATH_MAX - 1, true);
	get_src(r, p, &a->cgroup_src);
	a->user = bf_rget_str(r, PATH_MAX - 1, true);
	get_src(r, p, &a->user_src);
}

/* An index that must name an entry of N, or be -1 ("any") where ANY allows it. */
static int get_index(struct bf_rbuf *r, size_t n, bool any)
{
	int32_t v = (int32_t)bf_rget_u32(r);

	if ((v == -1 && any) || (v >= 0 && (size_t)v < n))
		return v;
	bf_rfail(r);
	return any ? -1 : 0;
}

static void get_rule(struct bf_rbuf *r, const struct bf_policy *p, struct bf_rule_ast *ru)
{
	size_t n_obj;

	ru->kind = bf_rget_u8(r);
	ru->allow = bf_rget_bool(r);
	ru->audit = bf_rget_bool(r);
	n_obj = ru->kind == BF_RULE_CAPTURE ? p->n_cameras : ru->kind == BF_RULE_EXPORT ? p->n_dests :
		ru->kind == BF_RULE_IPC ? p->n_unix_addrs : 0;
	if (ru->kind < BF_RULE_CAPTURE || ru->kind > BF_RULE_IPC)
		bf_rfail(r);
	ru->app = get_index(r, p->n_apps, true);
	ru->obj = get_index(r, n_obj, true);
	get_src(r, p, &ru->src);
	ru->consent = bf_rget_bool(r);
	bf_rget_strbuf(r, ru->purpose, sizeof(ru->purpose));
	ru->window_ms = bf_rget_u32(r);
	get_src(r, p, &ru->consent_src);
	ru->quota_bytes = bf_rget_u64(r);
	ru->quota_period_s = bf_rget_u32(r);
	get_src(r, p, &ru->quota_src);
}

static void get_store(struct bf_rbuf *r, const struct bf_policy *p, struct bf_store_ast *s)
{
	s->app = get_index(r, p->n_apps, false);
	s->path = bf_rget_str(r, PATH_MAX - 1, false);
	s->audit = bf_rget_bool(r);
	get_src(r, p, &s->src);
	get_src(r, p, &s->app_src);
	get_src(r, p, &s->path_src);
}

static void get_unix(struct bf_rbuf *r, const struct bf_policy *p, struct bf_unix_addr *u)
{
	bf_rget_strbuf(r, u->text, sizeof(u->text));
	bf_rget(r, u->addr, sizeof(u->addr));
	u->len = bf_rget_u8(r);
	u->abstract = bf_rget_bool(r);
	if (u->len > sizeof(u->addr))
		bf_rfail(r);
	get_src(r, p, &u->src);
}

static void get_settings(struct bf_rbuf *r, struct bf_policy *p)
{
	bf_rget(r, p->digest, sizeof(p->digest));
	p->audit_mode = bf_rget_bool(r);
	get_src(r, p, &p->mode_src);
	p->log_failure_continue = bf_rget_bool(r);
	get_src(r, p, &p->log_failure_src);
	p->max_window_ms = bf_rget_u32(r);
	p->grace_ms = bf_rget_u32(r);
	p->dns_ttl_min_s = bf_rget_u32(r);
	p->dns_ttl_max_s = bf_rget_u32(r);
}

int bf_policy_decode(struct bf_rbuf *r, struct bf_policy **out)
{
	struct bf_policy *p = calloc(1, sizeof(*p));
	size_t i;

	*out = NULL;
	if (!p)
		return -ENOMEM;
	GET_ITEMS(r, p->files, p->n_files, 4);
	for (i = 0; i < p->n_files; i++)
		p->files[i] = bf_rget_str(r, PATH_MAX - 1, false);
	get_settings(r, p);
	GET_ITEMS(r, p->apps, p->n_apps, 1);
	for (i = 0; i < p->n_apps; i++)
		get_app(r, p, &p->apps[i]);
	GET_ITEMS(r, p->cameras, p->n_cameras, 1);
	for (i = 0; i < p->n_cameras; i++)
		get_camera(r, p, &p->cameras[i]);
	GET_ITEMS(r, p->dests, p->n_dests, 1);
	for (i = 0; i < p->n_dests; i++)
		get_dest(r, p, &p->dests[i]);
	GET_ITEMS(r, p->unix_addrs, p->n_unix_addrs, 1);
	for (i = 0; i < p->n_unix_addrs; i++)
		get_unix(r, p, &p->unix_addrs[i]);
	GET_ITEMS(r, p->rules, p->n_rules, 1);
	for (i = 0; i < p->n_rules; i++)
		get_rule(r, p, &p->rules[i]);
	GET_ITEMS(r, p->stores, p->n_stores, 1);
	for (i = 0; i < p->n_stores; i++)
		get_store(r, p, &p->stores[i]);
	GET_ITEMS(r, p->brokers, p->n_brokers, 4);
	for (i = 0; i < p->n_brokers; i++)
		p->brokers[i] = get_index(r, p->n_apps, false);
	if (r->err) {
		bf_policy_free(p);
		return r->err;
	}
	*out = p;
	return 0;
}

int bf_diags_decode(struct bf_rbuf *r, struct bf_diags *d)
{
	size_t n = bf_rget_count(r, WIRE_ITEMS_MAX, 4), n_errors = bf_rget_u32(r);
	char **msgs;

	if (r->err || n_errors > n)
		return -EBADMSG;
	if (!n)
		return 0;
	msgs = realloc(d->msgs, (d->n + n) * sizeof(*msgs));
	if (!msgs)
		return -ENOMEM;
	d->msgs = msgs;
	for (size_t i = 0; i < n; i++) {
		char *m = bf_rget_str(r, WIRE_DIAG_MAX, false);

		if (!m)
			return -EBADMSG;
		d->msgs[d->n++] = m;
	}
	d->n_errors += n_errors;
	return 0;
}
