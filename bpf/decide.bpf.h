/* decide.bpf.h - what every hook family decides with: who is asking, the first matching rule, the verdict, the event. */
#ifndef BF_DECIDE_BPF_H
#define BF_DECIDE_BPF_H

#include "maps.bpf.h"

/*
 * The apps E's exe (dev, inode; has_exe: it has one) and uid satisfy, and
 * CGROUP_APPS those its cgroups do: an app matches only if every key it
 * has matches, so each key kind contributes "apps satisfied by this key
 * or keyless". Key kinds no app uses cannot change the mask: their
 * lookups are skipped.
 */
static __always_inline __u64 bf_apps_of(const struct bf_event *e, int has_exe, __u64 cgroup_apps,
					 const struct bf_slot_config *cfg, __u32 slot)
{
	struct bf_exe_key ek = { .slot = slot, .dev = e->exe_dev, .ino = e->exe_ino };
	struct bf_uid_key uk = { .slot = slot, .uid = e->uid };
	__u64 exe_m = cfg->apps_no_exe, uid_m = cfg->apps_no_uid;

	if (has_exe && (cfg->keys & BF_KEY_EXE))
		exe_m |= bf_lookup_mask(&bf_exe, &ek);
	if (cfg->keys & BF_KEY_UID)
		uid_m |= bf_lookup_mask(&bf_uid, &uk);
	return exe_m & uid_m & cgroup_apps;
}

/*
 * The apps the cgroup keys allow, ANCESTOR(level) giving the cgroup id at
 * each depth (the current task's, or a packet's socket's). Only the
 * depths where some app's cgroup sits are worth a lookup. A macro: the
 * helper differs by program type.
 */
#define BF_CGROUP_APPS(cfg, slot, ANCESTOR)						\
	({										\
		struct bf_cgrp_key ck_ = { .slot = (slot) };				\
		__u64 cg_m_ = (cfg)->apps_no_cgroup;					\
											\
		if ((cfg)->cg_levels) {							\
			_Pragma("unroll")						\
			for (int level = 0; level < BF_MAX_CG_LEVELS; level++) {	\
				if (!((cfg)->cg_levels & (1u << level)))		\
					continue;					\
				ck_.cgid = ANCESTOR(level);				\
				if (!ck_.cgid)						\
					break;						\
				cg_m_ |= bf_lookup_mask(&bf_cgrp, &ck_);		\
			}								\
		}									\
		cg_m_;									\
	})

/* One walk up the current task's cgroups, on the caller's stack. */
struct bf_cg_walk {
	__u64 apps;
	__u32 levels, slot;
};

/* One depth of the walk: 1 stops (no depth left with an app's cgroup, or above the task's own). */
static int bf_cg_step(__u32 level, void *ctx)
{
	struct bf_cg_walk *w = ctx;
	struct bf_cgrp_key ck = { .slot = w->slot };

	if (level >= BF_MAX_CG_LEVELS || !(w->levels >> level))
		return 1;
	if (!(w->levels & (1u << level)))
		return 0;
	ck.cgid = bpf_get_current_ancestor_cgroup_id(level);
	if (!ck.cgid)
		return 1;
	w->apps |= bf_lookup_mask(&bf_cgrp, &ck);
	return 0;
}

/*
 * BF_CGROUP_APPS for the current task, as a bpf_loop: its step is verified
 * once, where the unrolled macro is 32 copies in every hook that identifies
 * its caller (the skb hook keeps the macro: its helper needs the skb).
 */
static __always_inline __u64 bf_current_cgroup_apps(const struct bf_slot_config *cfg, __u32 slot)
{
	struct bf_cg_walk w = { .apps = cfg->apps_no_cgroup, .levels = cfg->cg_levels, .slot = slot };

	if (w.levels)
		bpf_loop(BF_MAX_CG_LEVELS, bf_cg_step, &w, 0);
	return w.apps;
}

/* Who is asking: exe (dev, inode) read from the task, uid, cgroup, and the app mask those imply. */
static __always_inline __u64 bf_identify(struct bf_event *e, const struct bf_slot_config *cfg,
					 __u32 slot)
{
	/*
	 * A BTF task pointer: plain loads instead of a bpf_probe_read_kernel
	 * helper call per field (each one an indirect call, costly with
	 * retpolines). A NULL mm (kernel thread) reads as 0, not a fault.
	 */
	struct task_struct *task = bpf_get_current_task_btf();
	struct file *exe = task->mm->exe_file;

	e->pid = task->pid;
	e->tgid = task->tgid;
	e->ppid = task->real_parent->tgid;
	e->uid = task->cred->uid.val;
	e->cgid = bpf_get_current_cgroup_id();
	__builtin_memcpy(e->comm, task->comm, sizeof(e->comm));
	if (exe) {
		e->exe_ino = exe->f_inode->i_ino;
		e->exe_dev = exe->f_inode->i_sb->s_dev;
	}
	e->apps = bf_apps_of(e, exe != 0, bf_current_cgroup_apps(cfg, slot), cfg, slot);
	return e->apps;
}

/* Which rule table a walk reads: one callback serves all three. */
enum bf_rule_table { BF_TABLE_CAPTURE, BF_TABLE_EXPORT, BF_TABLE_IPC };

/* The state of one first-match walk, on the caller's stack. */
struct bf_match {
	__u64 apps, objs;
	__u64 trials_lo, trials_hi;	/* no variable stack offsets: 6.1 refuses them */
	__u32 slot, table;
	__u32 rule, flags;
};

/* One step of the walk: 0 goes on to rule i + 1, 1 stops (decided, or past the table). */
static int bf_match_step(__u32 i, void *ctx)
{
	struct bf_match *m = ctx;
	__u32 key = m->slot * BF_MAX_RULES + i;
	struct bf_rule *r;

	if (i >= BF_MAX_RULES)
		return 1;
	if (m->table == BF_TABLE_CAPTURE)
		r = bpf_map_lookup_elem(&bf_capture_rules, &key);
	else if (m->table == BF_TABLE_EXPORT)
		r = bpf_map_lookup_elem(&bf_export_rules, &key);
	else
		r = bpf_map_lookup_elem(&bf_ipc_rules, &key);
	if (!r)
		return 1;
	if (!((r->flags & BF_RF_ANY_APP) || (r->apps & m->apps)) ||
	    !((r->flags & BF_RF_ANY_OBJ) || (r->objs & m->objs)))
		return 0;
	if (r->flags & BF_RF_AUDIT) {
		if (i < 64)
			m->trials_lo |= 1ull << i;
		else
			m->trials_hi |= 1ull << (i - 64);
		return 0;
	}
	m->rule = i;
	m->flags = r->flags;
	return 1;
}

/*
 * First rule whose app set and object set both match decides; BF_RULE_DEFAULT
 * if none. An "audit" rule is a trial: a match only sets its bit in
 * e->trials and the walk goes on, so a trial can never change a verdict.
 * The walk is a bpf_loop (5.17+): its step is verified once, whatever the
 * rule count. Unrolled or as a bounded loop, 128 steps times the branches
 * before them ran past 6.1's million-instruction verifier limit, which the
 * newer verifier's pruning had hidden.
 */
static __always_inline __u32 bf_first_match(enum bf_rule_table table, __u32 slot, __u32 n,
					    __u64 apps, __u64 objs, __u32 *flags,
					    struct bf_event *e)
{
	struct bf_match m = { .apps = apps, .objs = objs, .slot = slot, .table = table,
			      .rule = BF_RULE_DEFAULT };

	bpf_loop(n < BF_MAX_RULES ? n : BF_MAX_RULES, bf_match_step, &m, 0);
	e->trials[0] = m.trials_lo;
	e->trials[1] = m.trials_hi;
	*flags = m.flags;	/* no match leaves 0: the default denies */
	return m.rule;
}

/* Turn the matched rule into event flags; returns 1 to let the operation through. */
static __always_inline int bf_verdict(struct bf_event *e, const struct bf_slot_config *cfg,
				      __u32 rule_flags)
{
	int audit = cfg->mode == BF_MODE_AUDIT;

	if (!(rule_flags & BF_RF_ALLOW))
		e->flags |= BF_EF_DENY_RULE;
	if (!audit)
		e->flags |= BF_EF_ENFORCED;
	if ((rule_flags & BF_RF_ALLOW) || audit)
		e->flags |= BF_EF_ALLOW;
	return !!(e->flags & BF_EF_ALLOW);
}

/* Set by the agent before load: a quarter of the ring buffer. */
const volatile __u64 bf_wake_bytes __weak = 1 << 18;

/* The largest ring buffer record: an ipc event plus the kernel's 8-byte header. */
#define BF_RECORD_BYTES (sizeof(struct bf_ipc_event) + 8)

/*
 * Copy the decision into the ring buffer, or count it as lost. Waking the
 * agent for every event costs each decision an irq_work and a cross-CPU
 * wakeup; instead the agent drains on a short timer and is woken early
 * only by the one event that fills the buffer past a quarter. Waking on
 * every event past that mark would make each decision pay ~10 us while
 * the agent is stalled, exactly when the buffer is already filling.
 */
static __always_inline __u64 bf_wake_flag(void)
{
	__u64 queued = bpf_ringbuf_query(&bf_events, BPF_RB_AVAIL_DATA);

	if (queued >= bf_wake_bytes && queued < bf_wake_bytes + BF_RECORD_BYTES)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

/*
 * Copies the record REC (an lvalue: struct bf_event or one that starts
 * with it) into the ring buffer, or counts it lost. A macro: the
 * reservation's size must be a constant the verifier sees.
 */
#define BF_SUBMIT(rec)								\
	do {									\
		void *out_ = bpf_ringbuf_reserve(&bf_events, sizeof(rec), 0);	\
										\
		if (!out_) {							\
			bf_count(BF_STAT_LOST);					\
			break;							\
		}								\
		__builtin_memcpy(out_, &(rec), sizeof(rec));			\
		bpf_ringbuf_submit(out_, bf_wake_flag());			\
		bf_count(BF_STAT_EVENTS);					\
	} while (0)

static __always_inline void bf_submit(const struct bf_event *e)
{
	BF_SUBMIT(*e);
}

/* One judgement of a tainted process reaching out, on the hook's stack. */
struct bf_send {
	struct bf_event e;
	const struct bf_slot_config *cfg;
	__u32 slot, rule_flags;
};

/*
 * Starts the event of a send judged under TAINT: the sender's own, or
 * the one a channel carries (a socket a tainted process made or used).
 * 0 when no policy is in force. S is zeroed here, not where it is
 * declared: an untainted send, the common case, never pays for clearing
 * the event's 200 bytes.
 */
static __always_inline int bf_send_start(struct bf_send *s, __u32 kind, __u32 what,
					 const struct bf_taint *taint)
{
	__u32 seq;

	__builtin_memset(s, 0, sizeof(*s));
	s->cfg = bf_config(&s->slot, &seq);
	if (!s->cfg)
		return 0;
	s->e.kind = kind;
	s->e.flags = what;
	s->e.boot_ns = bpf_ktime_get_boot_ns();
	s->e.policy_seq = seq;
	s->e.taint = *taint;
	return 1;
}

/* The caller's taint, or NULL: the one lookup an untainted process pays. */
static __always_inline struct bf_taint *bf_current_taint(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	return bpf_map_lookup_elem(&bf_taint, &tgid);
}

/*
 * Starts the event of a tainted process reaching out; 0 for an untainted
 * one, which is let through after this one hash lookup.
 */
static __always_inline int bf_send_begin(struct bf_send *s, __u32 kind, __u32 what)
{
	struct bf_taint *taint = bf_current_taint();

	return taint && bf_send_start(s, kind, what, taint);
}

/*
 * Once the event names its objects and who is asking: the first rule of
 * TABLE that matches, the verdict; a denial counted under DENY_STAT.
 */
static __always_inline int bf_send_decide(struct bf_send *s, enum bf_rule_table table,
					  __u32 n_rules, enum bf_stat deny_stat)
{
	int allowed;

	s->e.rule = bf_first_match(table, s->slot, n_rules, s->e.apps, s->e.objs, &s->rule_flags,
				   &s->e);
	allowed = bf_verdict(&s->e, s->cfg, s->rule_flags);
	if (!allowed)
		bf_count(deny_stat);
	return allowed;
}

/* The same, once the sender is identified here (the current task). */
static __always_inline int bf_send_judge(struct bf_send *s, enum bf_rule_table table,
					 __u32 n_rules, enum bf_stat deny_stat)
{
	bf_identify(&s->e, s->cfg, s->slot);
	return bf_send_decide(s, table, n_rules, deny_stat);
}

/*
 * A socket no rule may allow a tainted process (raw, ping, packet...):
 * denied, or only reported in audit mode. Returns 1 to let it be made.
 */
static __always_inline int bf_socket_verdict(struct bf_send *s, int family, int type, int protocol)
{
	s->e.port = (__u16)type;
	s->e.proto = (__u8)protocol;
	s->e.access = (__u32)family;
	s->e.rule = BF_RULE_DEFAULT;
	bf_identify(&s->e, s->cfg, s->slot);
	bf_verdict(&s->e, s->cfg, 0);
	if (!(s->e.flags & BF_EF_ALLOW))
		bf_count(BF_STAT_SOCKET_DENY);
	bf_submit(&s->e);
	return !!(s->e.flags & BF_EF_ALLOW);
}

#endif /* BF_DECIDE_BPF_H */
