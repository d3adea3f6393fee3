/* compile.c - policy to tables: bitmasks for app/camera/dest sets, first-match rule arrays, one LPM trie. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"

#define VEC_PUSH(vec, item)                                                          \
	({                                                                           \
		int _err = 0;                                                        \
		if ((vec).n == (vec).cap) {                                          \
			size_t _cap = (vec).cap ? (vec).cap * 2 : 16;                \
			void *_nv = realloc((vec).v, _cap * sizeof(*(vec).v));       \
			if (_nv) {                                                   \
				(vec).v = _nv;                                       \
				(vec).cap = _cap;                                    \
			} else {                                                     \
				_err = -ENOMEM;                                      \
			}                                                            \
		}                                                                    \
		if (!_err)                                                           \
			(vec).v[(vec).n++] = (item);                                 \
		_err;                                                                \
	})

/* OR MASK into the entry with KEY, adding it if new; keys are few, a linear scan is fine. */
#define VEC_OR(vec, key, bits)                                                       \
	({                                                                           \
		size_t _i;                                                           \
		int _r = 0;                                                          \
		for (_i = 0; _i < (vec).n; _i++)                                     \
			if (memcmp(&(vec).v[_i].k, &(key), sizeof(key)) == 0)        \
				break;                                               \
		if (_i < (vec).n)                                                    \
			(vec).v[_i].v.mask |= (bits);                                \
		else                                                                 \
			_r = VEC_PUSH(vec, ((__typeof__(*(vec).v)){ .k = (key), .v = { (bits) } })); \
		_r;                                                                  \
	})

static int compile_apps(const struct bf_policy *p, const struct bf_resolved *r, struct bf_tables *t)
{
	int err = 0;

	for (size_t i = 0; i < p->n_apps && !err; i++) {
		const struct bf_app *a = &p->apps[i];
		const struct bf_app_res *ar = &r->apps[i];
		uint64_t bit = 1ull << i;

		t->cfg.keys |= (a->exe ? BF_KEY_EXE : 0) | (a->user ? BF_KEY_UID : 0);
		if (!a->exe)
			t->cfg.apps_no_exe |= bit;
		else if (ar->exe_ok)
			err = VEC_OR(t->exe, ((struct bf_exe_key){ .slot = t->slot, .dev = ar->exe_dev,
								    .ino = ar->exe_ino }), bit);
		if (!a->unit && !a->cgroup) {
			t->cfg.apps_no_cgroup |= bit;
		} else if (ar->cgroup_ok) {
			t->cfg.cg_levels |= 1u << ar->cg_level;
			err = err ?: VEC_OR(t->cgrp, ((struct bf_cgrp_key){ .slot = t->slot,
									     .cgid = ar->cgid }), bit);
		}
		if (!a->user)
			t->cfg.apps_no_uid |= bit;
		else if (ar->uid_ok)
			err = err ?: VEC_OR(t->uid, ((struct bf_uid_key){ .slot = t->slot,
									   .uid = ar->uid }), bit);
	}
	return err;
}

static int compile_cameras(const struct bf_policy *p, const struct bf_resolved *r,
			   struct bf_tables *t)
{
	for (size_t i = 0; i < p->n_cameras; i++) {
		const struct bf_camera_res *cr = &r->cameras[i];

		for (size_t k = 0; k < cr->n_keys; k++) {
			struct bf_cam_key key = { .slot = t->slot, .major = cr->keys[k].major,
						  .minor = cr->keys[k].minor };
			int err = VEC_OR(t->cam, key, 1ull << i);

			if (err)
				return err;
		}
	}
	return 0;
}

/*
 * One address set: a dest (its bit a dest-set bit) or a network camera
 * (a camera bit), with what its host names resolved to (NULL: none).
 */
struct net_item {
	const struct bf_dest *d;
	const struct bf_dest_res *dr;
	uint64_t bit;
};

/* The (protocol, port) keys of ITEMS under key slot KSLOT; sets taking any port go to PORT_ANY. */
static int compile_ports(const struct net_item *items, size_t n, uint32_t kslot, __u64 *port_any,
			 struct bf_tables *t)
{
	for (size_t i = 0; i < n; i++) {
		const struct bf_dest *d = items[i].d;
		uint16_t proto = d->proto == BF_SEL_TCP ? BF_PROTO_TCP :
				 d->proto == BF_SEL_UDP ? BF_PROTO_UDP : BF_PROTO_ANY;

		if (!d->n_ports) {
			port_any[proto] |= items[i].bit;
			continue;
		}
		for (size_t k = 0; k < d->n_ports; k++) {
			struct bf_port_key key = { .slot = kslot, .proto = proto, .port = d->ports[k] };
			int err = VEC_OR(t->port, key, items[i].bit);

			if (err)
				return err;
		}
	}
	return 0;
}

struct prefix {
	uint8_t addr[16];
	uint8_t len;
	uint64_t mask;
};

static int prefix_cmp(const void *a, const void *b)
{
	const struct prefix *x = a, *y = b;

	if (x->len != y->len)
		return x->len - y->len;
	return memcmp(x->addr, y->addr, 16);
}

static void truncate_addr(uint8_t *out, const uint8_t *in, unsigned len)
{
	memset(out, 0, 16);
	memcpy(out, in, len / 8);
	if (len % 8)
		out[len / 8] = in[len / 8] & (uint8_t)(0xff << (8 - len % 8));
}

/* Every CIDR of every set as (prefix, set bit), sorted, duplicates merged. */
/* The I-th prefix of dest D: its own CIDRs first, then what its host names resolved to. */
static const struct bf_cidr *dest_prefix(const struct bf_dest *d, const struct bf_dest_res *dr,
					 size_t k)
{
	return k < d->n_cidrs ? &d->cidrs[k] : &dr->addrs[k - d->n_cidrs];
}

static int collect_prefixes(const struct net_item *items, size_t n_items, struct prefix **out,
			    size_t *n_out, bool lens[129])
{
	struct prefix *pf = NULL;
	size_t n = 0, cap = 0, u = 0;

	for (size_t i = 0; i < n_items; i++) {
		const struct bf_dest *d = items[i].d;
		const struct bf_dest_res *dr = items[i].dr;
		size_t nc = d->any ? 1 : d->n_cidrs + (dr ? dr->n_addrs : 0);

		for (size_t k = 0; k < nc; k++) {
			if (n == cap) {
				void *nv = realloc(pf, (cap = cap ? cap * 2 : 64) * sizeof(*pf));

				if (!nv) {
					free(pf);
					return -ENOMEM;
				}
				pf = nv;
			}
			memset(&pf[n], 0, sizeof(pf[n]));
			if (!d->any) {
				const struct bf_cidr *c = dest_prefix(d, dr, k);

				pf[n].len = c->prefix;
				truncate_addr(pf[n].addr, c->addr, pf[n].len);
			}
			pf[n].mask = items[i].bit;
			lens[pf[n].len] = true;
			n++;
		}
	}
	if (n)
		qsort(pf, n, sizeof(*pf), prefix_cmp);
	for (size_t i = 0; i < n; i++) {
		if (u && prefix_cmp(&pf[u - 1], &pf[i]) == 0)
			pf[u - 1].mask |= pf[i].mask;
		else
			pf[u++] = pf[i];
	}
	*out = pf;
	*n_out = u;
	return 0;
}

/*
 * Every distinct prefix gets the union of the sets of every prefix that
 * contains it, so the single longest-prefix match the trie returns already
 * carries every set the address belongs to. For each prefix we probe each
 * shorter length present with a binary search: n * lengths * log n.
 */
static int compile_prefixes(const struct net_item *items, size_t n, uint32_t kslot,
			    struct bf_tables *t)
{
	struct prefix *pf = NULL, probe;
	bool lens[129] = { false };
	size_t u = 0;
	int err = collect_prefixes(items, n, &pf, &u, lens);

	for (size_t i = 0; i < u && !err; i++) {
		struct bf_dest_key key = { .prefixlen = 32 + pf[i].len };
		uint64_t mask = pf[i].mask;

		for (unsigned l = 0; l < pf[i].len; l++) {
			struct prefix *hit;

			if (!lens[l])
				continue;
			probe.len = (uint8_t)l;
			truncate_addr(probe.addr, pf[i].addr, l);
			hit = bsearch(&probe, pf, u, sizeof(*pf), prefix_cmp);
			if (hit)
				mask |= hit->mask;
		}
		key.slot[3] = (uint8_t)kslot;
		memcpy(key.addr, pf[i].addr, 16);
		err = VEC_PUSH(t->dest, ((struct bf_kv_dest){ .k = key, .v = { mask } }));
	}
	free(pf);
	return err;
}

/*
 * ONVIF WS-Discovery: a probe to 239.255.255.250 (or ff02::c) udp 3702
 * asks every ONVIF camera on the link to answer with where its streams
 * are. Probing the camera network is a capture path too, so an onvif
 * camera also stands for these.
 */
static struct bf_cidr onvif_cidrs[2] = {
	{ .addr = { [10] = 0xff, [11] = 0xff, 239, 255, 255, 250 }, .prefix = 128, .v4 = true },
	{ .addr = { 0xff, 0x02, [15] = 0x0c }, .prefix = 128 },
};
static uint16_t onvif_ports[1] = { 3702 };
static const struct bf_dest onvif_discovery = {
	.cidrs = onvif_cidrs, .n_cidrs = 2, .proto = BF_SEL_UDP, .ports = onvif_ports, .n_ports = 1,
};

/*
 * The dest sets under the slot, then the network cameras under their own
 * key slot (BF_NETCAM_SLOT): the same trie and port hash, kept apart.
 */
static int compile_nets(const struct bf_policy *p, const struct bf_resolved *r, struct bf_tables *t)
{
	size_t n = p->n_dests > 2 * p->n_cameras ? p->n_dests : 2 * p->n_cameras, k = 0;
	struct net_item *items = calloc(n ? n : 1, sizeof(*items));
	int err;

	if (!items)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_dests; i++)
		items[i] = (struct net_item){ &p->dests[i], r && r->dests ? &r->dests[i] : NULL, 1ull << i };
	err = compile_ports(items, p->n_dests, t->slot, t->cfg.port_any, t);
	err = err ?: compile_prefixes(items, p->n_dests, t->slot, t);
	for (size_t i = 0; i < p->n_cameras && i < BF_MAX_CAMERAS; i++) {
		if (!p->cameras[i].is_net)
			continue;
		items[k++] = (struct net_item){ &p->cameras[i].net,
						r && r->dests ? &r->dests[p->n_dests + i] : NULL, 1ull << i };
		if (p->cameras[i].speaks == BF_SPEAKS_ONVIF)
			items[k++] = (struct net_item){ &onvif_discovery, NULL, 1ull << i };
	}
	if (k)
		t->cfg.keys |= BF_KEY_NETCAM;
	err = err ?: compile_ports(items, k, BF_NETCAM_SLOT(t->slot), t->cfg.cam_port_any, t);
	err = err ?: compile_prefixes(items, k, BF_NETCAM_SLOT(t->slot), t);
	free(items);
	return err;
}

static int compile_rules(const struct bf_policy *p, struct bf_tables *t, char *errbuf, size_t errlen)
{
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct bf_rule_ast *ra = &p->rules[i];
		bool cap = ra->kind == BF_RULE_CAPTURE, ipc = ra->kind == BF_RULE_IPC;
		uint32_t *n = cap ? &t->cfg.n_capture : ipc ? &t->cfg.n_ipc : &t->cfg.n_export;
		struct bf_rule *r;

		if (*n >= BF_MAX_RULES) {
			snprintf(errbuf, errlen, "%s:%u:%u: more than %d %s rules", ra->src.file,
				 ra->src.line, ra->src.col, BF_MAX_RULES,
				 cap ? "capture" : ipc ? "ipc" : "export");
			return -E2BIG;
		}
		r = cap ? &t->capture[*n] : ipc ? &t->ipc[*n] : &t->export[*n];
		(cap ? t->capture_ast : ipc ? t->ipc_ast : t->export_ast)[*n] = (int)i;
		(*n)++;
		r->flags = (ra->allow ? BF_RF_ALLOW : 0) | (ra->audit ? BF_RF_AUDIT : 0);
		if (ra->app < 0)
			r->flags |= BF_RF_ANY_APP;
		else
			r->apps = 1ull << ra->app;
		if (ra->obj < 0)
			r->flags |= BF_RF_ANY_OBJ;
		else
			r->objs = 1ull << ra->obj;
		if (!cap && !ipc && ra->quota_bytes)
			t->export_quota[*n - 1] = (struct bf_quota_cfg){
				.bytes = ra->quota_bytes,
				.period_ns = (uint64_t)ra->quota_period_s * 1000000000ull };
		/* The parser guarantees a consent rule names one app. */
		if (cap && ra->consent && ra->app >= 0) {
			r->flags |= BF_RF_CONSENT;
			r->app = (uint8_t)ra->app;
			r->purpose = bf_purpose_id(p, ra->purpose);
		}
	}
	return 0;
}

uint16_t bf_purpose_id(const struct bf_policy *p, const char *purpose)
{
	uint16_t id = 0;

	/* Ids number distinct purposes in order of first use, from 1. */
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct bf_rule_ast *r = &p->rules[i];
		bool seen = false;

		if (!r->consent)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = p->rules[j].consent && strcmp(p->rules[j].purpose, r->purpose) == 0;
		if (seen)
			continue;
		id++;
		if (strcmp(r->purpose, purpose) == 0)
			return id;
	}
	return 0;
}

static int compile_unix(const struct bf_policy *p, struct bf_tables *t)
{
	for (size_t i = 0; i < p->n_unix_addrs && i < 64; i++) {
		const struct bf_unix_addr *u = &p->unix_addrs[i];
		struct bf_unix_key key = { .slot = t->slot, .len = u->len };
		int err;

		memcpy(key.addr, u->addr, u->len);
		err = VEC_PUSH(t->unix_addrs, ((struct bf_kv_unix){ .k = key, .v = { 1ull << i } }));
		if (err)
			return err;
	}
	return 0;
}

_Static_assert(BF_POLICY_MAX_STORES == BF_MAX_STORES, "the parser counts stores against the kernel table");

/*
 * One entry per store inode: lines naming one path (or two paths of one
 * inode) add holders to it. A store not found now is left out (the next
 * resolution adds it), as is one whose app is undefined.
 */
static int compile_stores(const struct bf_policy *p, const struct bf_resolved *r, struct bf_tables *t,
			  char *errbuf, size_t errlen)
{
	struct bf_store_set *ss = &t->stores;

	for (size_t i = 0; i < p->n_stores && r->stores; i++) {
		const struct bf_store_ast *st = &p->stores[i];
		const struct bf_store_res *sr = &r->stores[i];
		uint32_t j;

		if (!sr->ok || st->app < 0)
			continue;
		for (j = 0; j < ss->n; j++)
			if (ss->s[j].dev == sr->dev && ss->s[j].ino == sr->ino)
				break;
		if (j == BF_MAX_STORES) {
			snprintf(errbuf, errlen, "more than %d template stores", BF_MAX_STORES);
			return -E2BIG;
		}
		if (j == ss->n) {
			ss->s[j] = (struct bf_store){ .dev = sr->dev, .ino = sr->ino, .line = (__u32)i,
						      .flags = (sr->dir ? BF_STF_DIR : 0) |
							       (st->audit ? BF_STF_AUDIT : 0) };
			t->store_ast[j] = (int)i;
			ss->n++;
		}
		ss->s[j].apps |= 1ull << st->app;
		ss->ino_bits |= 1ull << (sr->ino % 64);
	}
	return 0;
}

static int check_limits(const struct bf_policy *p, char *err, size_t errlen)
{
	const struct bf_src *s = NULL;
	const char *what = NULL;
	int max = 0;

	if (p->n_apps > BF_MAX_APPS)
		s = &p->apps[BF_MAX_APPS].src, what = "apps", max = BF_MAX_APPS;
	else if (p->n_cameras > BF_MAX_CAMERAS)
		s = &p->cameras[BF_MAX_CAMERAS].src, what = "cameras", max = BF_MAX_CAMERAS;
	else if (p->n_dests > BF_MAX_DEST_SETS)
		s = &p->dests[BF_MAX_DEST_SETS].src, what = "dest sets", max = BF_MAX_DEST_SETS;
	if (!s)
		return 0;
	snprintf(err, errlen, "%s:%u:%u: more than %d %s (a kernel table limit)", s->file, s->line,
		 s->col, max, what);
	return -E2BIG;
}

/* The maps hold both slots, so one policy may use half of each. */
static int check_key_counts(const struct bf_tables *t, char *err, size_t errlen)
{
	const struct { const char *what; size_t n, max; } c[] = {
		{ "exe inodes", t->exe.n, BF_MAX_EXES },
		{ "cgroups", t->cgrp.n, BF_MAX_CGROUPS },
		{ "users", t->uid.n, BF_MAX_UIDS },
		{ "camera device keys", t->cam.n, BF_MAX_CAM_KEYS },
		{ "(protocol, port) pairs", t->port.n, BF_MAX_PORT_KEYS },
		{ "distinct address prefixes", t->dest.n, BF_MAX_DEST_KEYS },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		if (c[i].n <= c[i].max)
			continue;
		snprintf(err, errlen, "the policy needs %zu %s; the kernel table holds %zu", c[i].n,
			 c[i].what, c[i].max);
		return -E2BIG;
	}
	return 0;
}

int bf_compile(const struct bf_policy *p, const struct bf_resolved *r, uint32_t slot,
	       uint32_t policy_seq, struct bf_tables *t, char *errbuf, size_t errlen)
{
	int err;

	memset(t, 0, sizeof(*t));
	t->slot = slot;
	t->cfg.mode = p->audit_mode ? BF_MODE_AUDIT : BF_MODE_ENFORCE;
	if (!p->log_failure_continue)
		t->cfg.flags |= BF_CFG_DENY_ON_LOG_FAIL;
	t->cfg.policy_seq = policy_seq;
	err = check_limits(p, errbuf, errlen);
	err = err ?: compile_rules(p, t, errbuf, errlen);
	err = err ?: compile_apps(p, r, t);
	err = err ?: compile_cameras(p, r, t);
	err = err ?: compile_nets(p, r, t);
	err = err ?: compile_unix(p, t);
	err = err ?: compile_stores(p, r, t, errbuf, errlen);
	err = err ?: check_key_counts(t, errbuf, errlen);
	if (err == -ENOMEM)
		snprintf(errbuf, errlen, "out of memory compiling the policy");
	if (err)
		bf_tables_free(t);
	return err;
}

void bf_tables_free(struct bf_tables *t)
{
	free(t->exe.v);
	free(t->cgrp.v);
	free(t->uid.v);
	free(t->cam.v);
	free(t->port.v);
	free(t->dest.v);
	free(t->unix_addrs.v);
	t->unix_addrs.v = NULL;
	t->unix_addrs.n = 0;
	free(t->windows);
	t->windows = NULL;
	t->window_apps = 0;
	t->exe.v = NULL;
	t->cgrp.v = NULL;
	t->uid.v = NULL;
	t->cam.v = NULL;
	t->port.v = NULL;
	t->dest.v = NULL;
	t->exe.n = t->cgrp.n = t->uid.n = t->cam.n = t->port.n = t->dest.n = 0;
}

#define VEC_FIND(vec, key)                                                           \
	({                                                                           \
		uint64_t _m = 0;                                                     \
		for (size_t _i = 0; _i < (vec).n; _i++)                              \
			if (memcmp(&(vec).v[_i].k, &(key), sizeof(key)) == 0)        \
				_m = (vec).v[_i].v.mask;                             \
		_m;                                                                  \
	})

uint64_t bf_eval_apps(const struct bf_tables *t, uint64_t exe_dev, uint64_t exe_ino, uint32_t uid,
		      const uint64_t *cgids, size_t n_cgids)
{
	struct bf_exe_key ek = { .slot = t->slot, .dev = exe_dev, .ino = exe_ino };
	struct bf_uid_key uk = { .slot = t->slot, .uid = uid };
	uint64_t exe_m = t->cfg.apps_no_exe | VEC_FIND(t->exe, ek);
	uint64_t uid_m = t->cfg.apps_no_uid | VEC_FIND(t->uid, uk);
	uint64_t cg_m = t->cfg.apps_no_cgroup;

	for (size_t l = 0; l < n_cgids && l < BF_MAX_CG_LEVELS; l++) {
		struct bf_cgrp_key ck = { .slot = t->slot, .cgid = cgids[l] };

		if (t->cfg.cg_levels & (1u << l))
			cg_m |= VEC_FIND(t->cgrp, ck);
	}
	return exe_m & uid_m & cg_m;
}

uint64_t bf_eval_unix(const struct bf_tables *t, const uint8_t *addr, uint32_t len)
{
	struct bf_unix_key key = { .slot = t->slot, .len = len };

	if (len > sizeof(key.addr))
		return 0;
	memcpy(key.addr, addr, len);
	return VEC_FIND(t->unix_addrs, key);
}

uint64_t bf_eval_cameras(const struct bf_tables *t, uint32_t major, uint32_t minor)
{
	struct bf_cam_key exact = { .slot = t->slot, .major = major, .minor = minor };
	struct bf_cam_key class = { .slot = t->slot, .major = major, .minor = BF_ANY_MINOR };

	return VEC_FIND(t->cam, exact) | VEC_FIND(t->cam, class);
}

/* Longest-prefix match by brute force under key slot KSLOT: the reference the LPM trie must agree with. */
static uint64_t eval_net(const struct bf_tables *t, uint32_t kslot, const __u64 *port_any,
			 const uint8_t addr[16], uint16_t port, uint8_t ipproto)
{
	struct bf_port_key pk = { .slot = kslot, .port = port };
	uint64_t sets = 0, ports = port_any[BF_PROTO_ANY];
	int best = -1;

	for (size_t i = 0; i < t->dest.n; i++) {
		const struct bf_dest_key *k = &t->dest.v[i].k;
		int len = (int)k->prefixlen - 32;
		uint8_t a[16];

		if (k->slot[3] != kslot)
			continue;
		truncate_addr(a, addr, (unsigned)len);
		if (len > best && memcmp(a, k->addr, 16) == 0) {
			best = len;
			sets = t->dest.v[i].v.mask;
		}
	}
	pk.proto = ipproto == 6 ? BF_PROTO_TCP : ipproto == 17 ? BF_PROTO_UDP : 0;
	if (pk.proto)
		ports |= port_any[pk.proto] | VEC_FIND(t->port, pk);
	return sets & ports;
}

uint64_t bf_eval_dest_sets(const struct bf_tables *t, const uint8_t addr[16], uint16_t port,
			   uint8_t ipproto)
{
	return eval_net(t, t->slot, t->cfg.port_any, addr, port, ipproto);
}

uint64_t bf_eval_net_cameras(const struct bf_tables *t, const uint8_t addr[16], uint16_t port,
			     uint8_t ipproto)
{
	return eval_net(t, BF_NETCAM_SLOT(t->slot), t->cfg.cam_port_any, addr, port, ipproto);
}

bool bf_rule_matches(const struct bf_rule *r, uint64_t apps, uint64_t objs)
{
	return ((r->flags & BF_RF_ANY_APP) || (r->apps & apps)) &&
	       ((r->flags & BF_RF_ANY_OBJ) || (r->objs & objs));
}

/* Mirrors bf_first_match: audit rules are trials and never decide. */
uint32_t bf_eval_rules(const struct bf_rule *rules, uint32_t n, uint64_t apps, uint64_t objs,
		       uint32_t *flags)
{
	for (uint32_t i = 0; i < n && i < BF_MAX_RULES; i++) {
		const struct bf_rule *r = &rules[i];

		if (!(r->flags & BF_RF_AUDIT) && bf_rule_matches(r, apps, objs)) {
			*flags = r->flags;
			return i;
		}
	}
	*flags = 0;
	return BF_RULE_DEFAULT;
}

uint32_t bf_eval_audit_rule(const struct bf_rule *rules, uint32_t n, uint64_t apps, uint64_t objs,
			    uint32_t *flags)
{
	for (uint32_t i = 0; i < n && i < BF_MAX_RULES; i++) {
		const struct bf_rule *r = &rules[i];

		if (!bf_rule_matches(r, apps, objs))
			continue;
		if (!(r->flags & BF_RF_AUDIT))
			break;	/* the deciding rule comes first: no trial to report */
		*flags = r->flags;
		return i;
	}
	*flags = 0;
	return BF_RULE_DEFAULT;
}
