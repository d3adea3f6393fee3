/* taint.bpf.h - taint that reaches a process through a channel: the reader of what a tainted process wrote becomes tainted itself. */
#ifndef BF_TAINT_BPF_H
#define BF_TAINT_BPF_H

#include "decide.bpf.h"

/*
 * Taints process TGID with T, having come through channel VIA
 * (BF_VIA_*), and reports it as a "taint" record. CURRENT: TGID is the
 * caller, whose identity is read here; otherwise (a reader tainted from
 * the writer's side) the agent reads it from /proc. Returns 0 when the
 * taint table is full and the policy enforces: the caller's read is then
 * refused rather than let bytes out of sight.
 */
static __always_inline int bf_taint_via(__u32 tgid, const struct bf_taint *t, __u32 via, int current)
{
	const struct bf_slot_config *cfg;
	struct bf_event e = {};
	__u32 slot, seq;
	int ok;

	if (bpf_map_lookup_elem(&bf_taint, &tgid))
		return 1;	/* tainted already: nothing new to say */
	ok = !bpf_map_update_elem(&bf_taint, &tgid, t, BPF_NOEXIST) ||
	     bpf_map_lookup_elem(&bf_taint, &tgid);
	cfg = bf_config(&slot, &seq);
	if (!cfg)
		return 1;
	e.kind = BF_KIND_TAINT;
	e.flags = BF_EF_LSM | (ok ? BF_EF_ALLOW : BF_EF_TAINT_FULL);
	if (cfg->mode != BF_MODE_AUDIT)
		e.flags |= BF_EF_ENFORCED;
	e.boot_ns = bpf_ktime_get_boot_ns();
	e.policy_seq = seq;
	e.access = via;
	e.rule = BF_RULE_DEFAULT;
	e.taint = *t;
	if (current) {
		bf_identify(&e, cfg, slot);
	} else {
		e.flags |= BF_EF_PEER;
		e.pid = e.tgid = tgid;
	}
	if (!ok)
		bf_count(BF_STAT_TAINT_FULL);
	bf_submit(&e);
	return ok || cfg->mode == BF_MODE_AUDIT;
}

/*
 * The untainted caller reads from channel C: tainted at once if a tainted
 * process wrote to C, else remembered as a reader, to be tainted when one
 * does (it may be blocked in this very read). Under C's lock, so a writer
 * on another CPU either finds the reader registered or is seen by it.
 * Returns 0 to refuse.
 */
static __always_inline int bf_chan_read(struct bf_chan *c, __u32 via)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct bf_taint t = {};
	int known = 0;

	bpf_spin_lock(&c->lock);
	if (c->taint.origin_tgid) {
		t = c->taint;
	} else {
#pragma unroll
		for (int i = 0; i < BF_CHAN_READERS; i++)
			if (c->readers[i] == tgid)
				known = 1;
		if (!known) {
			c->readers[c->next & (BF_CHAN_READERS - 1)] = tgid;
			c->next++;
		}
	}
	bpf_spin_unlock(&c->lock);
	return t.origin_tgid ? bf_taint_via(tgid, &t, via, 1) : 1;
}

/* Takes reader slot I of C, or 0 (no helper may run under the lock, so one slot at a time). */
static __always_inline __u32 bf_chan_take(struct bf_chan *c, int i)
{
	__u32 reader;

	bpf_spin_lock(&c->lock);
	reader = c->readers[i & (BF_CHAN_READERS - 1)];
	c->readers[i & (BF_CHAN_READERS - 1)] = 0;
	bpf_spin_unlock(&c->lock);
	return reader;
}

/*
 * C carries T from now on, unless it carries a taint already; NOW gets
 * the taint it carries. Returns whether readers wait to be tainted (the
 * common write, with none, then takes the lock once).
 */
static __always_inline int bf_chan_mark(struct bf_chan *c, const struct bf_taint *t, struct bf_taint *now)
{
	__u32 any = 0;

	bpf_spin_lock(&c->lock);
	if (!c->taint.origin_tgid)
		c->taint = *t;
	*now = c->taint;
#pragma unroll
	for (int i = 0; i < BF_CHAN_READERS; i++)
		any |= c->readers[i];
	bpf_spin_unlock(&c->lock);
	return any != 0;
}

/* Tainted process's taint T is written into channel C: C carries it, and its recent readers are tainted. */
static __always_inline void bf_chan_write(struct bf_chan *c, const struct bf_taint *t, __u32 via)
{
	struct bf_taint now;

	if (!bf_chan_mark(c, t, &now))
		return;
#pragma unroll
	for (int i = 0; i < BF_CHAN_READERS; i++) {
		__u32 reader = bf_chan_take(c, i);

		if (reader)
			bf_taint_via(reader, &now, via, 0);
	}
}

/*
 * Channel C carries an access through VIA: a write by a tainted process
 * (T) marks it, a read by an untainted one (T NULL) is judged against it.
 * Returns 0 to refuse (only a read, when the taint table is full).
 */
static __always_inline int bf_chan_apply(struct bf_chan *c, const struct bf_taint *t, __u32 via)
{
	if (!t)
		return bf_chan_read(c, via);
	bf_chan_write(c, t, via);
	return 1;
}

#endif /* BF_TAINT_BPF_H */
