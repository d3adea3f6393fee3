/* store.bpf.h - template stores: which store a dentry lies under, and the guard every hook on them shares (lsm_files.bpf.c: file_open; lsm_store.bpf.c: the inode hooks). */
#ifndef BF_STORE_BPF_H
#define BF_STORE_BPF_H

#include "lsm.bpf.h"
#include "taint.bpf.h"

/* Written by the agent only: the template stores of each slot (see struct bf_store_set). */
BF_MAP(BPF_MAP_TYPE_ARRAY, BF_SLOTS, __u32, struct bf_store_set) bf_stores BF_SHARED;
BF_MAP(BPF_MAP_TYPE_HASH, BF_SLOTS * BF_MAX_STORES, struct bf_store_key, __u32) bf_store_inodes BF_SHARED;

/* Which store D lies under, if any: its index (0..BF_MAX_STORES-1), else -1. */
struct bf_store_at {
	int idx;
	__u32 depth;	/* levels from D up to the store: 0 is the store itself */
};

/*
 * Walks D's d_parent chain towards its filesystem's root, looking up
 * among the stores each inode whose bit is set in ino_bits (a hash lookup
 * then; comparing with each store in turn made the verifier's states
 * explode). Only an open
 * on a store's filesystem pays for the walk; any other costs one compare
 * per store. The chain is the dentry tree, not a path: a bind mount or a
 * second name for a directory leads to the same inodes. A negative
 * dentry (a name being created) has no inode: the walk starts at its
 * parent.
 */
static __always_inline struct bf_store_at bf_store_find(const struct bf_store_set *ss, __u32 slot,
							 struct dentry *d)
{
	struct bf_store_key k = { .slot = slot };
	struct bf_store_at at = { .idx = -1 };
	__u64 bits = ss->ino_bits;
	__u32 n = ss->n, on = 0;

	k.dev = d->d_sb->s_dev;
#pragma unroll
	for (int i = 0; i < BF_MAX_STORES; i++)
		if (i < n && ss->s[i].dev == k.dev)
			on = 1;
	if (!on)
		return at;
	for (int level = 0; level < BF_STORE_DEPTH; level++) {
		struct inode *in = d->d_inode;
		struct dentry *up;
		__u32 *idx;

		k.ino = in ? in->i_ino : 0;
		if (in && ((bits >> (k.ino & 63)) & 1)) {
			idx = bpf_map_lookup_elem(&bf_store_inodes, &k);
			if (idx) {
				at.idx = *idx;
				at.depth = level;
				return at;
			}
		}
		up = d->d_parent;
		if (!up || up == d)
			break;
		d = up;
	}
	return at;
}

/*
 * A holder's first open under a store: it holds templates from now on,
 * tainted like a camera app (its sends are judged) and marked
 * BF_TAINT_HOLDER (no one may ptrace it). Reported once. 0 when the
 * taint table is full: the open is refused, as a camera open would be.
 */
static __always_inline int bf_store_hold(struct bf_store_event *se)
{
	__u32 tgid = se->e.tgid;
	struct bf_taint *t = bpf_map_lookup_elem(&bf_taint, &tgid);
	struct bf_taint fresh = { .since_ns = se->e.boot_ns, .origin_tgid = tgid,
				  .flags = BF_TAINT_HOLDER };

	if (t) {
		if (t->flags & BF_TAINT_HOLDER)
			return 1;
		t->flags |= BF_TAINT_HOLDER;	/* two racing opens set the same bit */
		se->e.taint = *t;
	} else if (bpf_map_update_elem(&bf_taint, &tgid, &fresh, BPF_NOEXIST) &&
		   !bpf_map_lookup_elem(&bf_taint, &tgid)) {
		se->e.flags |= BF_EF_TAINT_FULL | BF_EF_DENY_RULE;
		bf_count(BF_STAT_TAINT_FULL);
		return 0;
	} else {
		se->e.taint = fresh;
	}
	se->e.access = BF_STORE_HOLD;
	return 1;
}

/*
 * OP (BF_STORE_*) on D: let through unless D is under a template store
 * and the caller is none of its holders. A holder's first open makes it
 * one (bf_store_hold). Refusals are all reported: a copy of the store by
 * root is exactly what an inspector must see, file by file.
 */
static __always_inline int bf_store_guard(struct dentry *d, __u32 op)
{
	const struct bf_store_set *ss;
	const struct bf_slot_config *cfg;
	struct bf_store_event se = {};
	const struct bf_store *st;
	struct bf_store_at at;
	__u32 slot, seq, audit;
	__u64 holders;
	int allowed;

	cfg = bf_config(&slot, &seq);
	if (!cfg)
		return 0;
	ss = bpf_map_lookup_elem(&bf_stores, &slot);
	if (!ss || !ss->n)
		return 0;
	at = bf_store_find(ss, slot, d);
	if (at.idx < 0 || at.idx >= BF_MAX_STORES || !bf_in_scope())
		return 0;
	/* Masked where used: the verifier forgets a spilled index's bounds. */
	st = &ss->s[at.idx & (BF_MAX_STORES - 1)];
	holders = st->apps;
	audit = st->flags & BF_STF_AUDIT;
	se.e.kind = BF_KIND_STORE;
	se.e.flags = BF_EF_LSM;
	se.e.boot_ns = bpf_ktime_get_boot_ns();
	se.e.policy_seq = seq;
	se.e.rule = at.idx;
	se.e.access = op;
	se.e.objs = d->d_inode ? d->d_inode->i_ino : 0;
	se.depth = at.depth;
	bf_identify(&se.e, cfg, slot);
	if (se.e.apps & holders) {
		if (op != BF_STORE_OPEN)
			return 0;
		allowed = bf_store_hold(&se);
		if (se.e.access != BF_STORE_HOLD && allowed)
			return 0;	/* a holder already: nothing new to say */
	} else {
		se.e.flags |= BF_EF_DENY_RULE;
		allowed = 0;
	}
	if (cfg->mode == BF_MODE_AUDIT || audit)
		allowed = 1;
	else
		se.e.flags |= BF_EF_ENFORCED;
	if (allowed)
		se.e.flags |= BF_EF_ALLOW;
	se.name_len = bpf_probe_read_kernel_str(se.name, sizeof(se.name), d->d_name.name);
	BF_SUBMIT(se);
	return bf_lsm_ret(allowed);
}

#endif /* BF_STORE_BPF_H */
