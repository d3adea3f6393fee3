/* biofence.bpf.c - camera-open and tainted-send decisions in cgroup hooks; taint follows fork/exit. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "biofence.h"

char LICENSE[] SEC("license") = "GPL";

#define BF_IPPROTO_TCP 6
#define BF_IPPROTO_UDP 17

/*
 * Every map is pinned by name under the agent's pin dir, so a restarted
 * agent reuses the tables, the taint set and any events still queued.
 */
#define BF_PINNED __uint(pinning, LIBBPF_PIN_BY_NAME)

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bf_active);
	BF_PINNED;
} bf_active SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BF_SLOTS);
	__type(key, __u32);
	__type(value, struct bf_slot_config);
	BF_PINNED;
} bf_slots SEC(".maps");

struct bf_rule_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BF_SLOTS * BF_MAX_RULES);
	__type(key, __u32);
	__type(value, struct bf_rule);
	BF_PINNED;
};
struct bf_rule_map bf_capture_rules SEC(".maps");
struct bf_rule_map bf_export_rules SEC(".maps");
struct bf_rule_map bf_ipc_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BF_SLOTS * 64);
	__type(key, struct bf_unix_key);
	__type(value, struct bf_mask);
	BF_PINNED;
} bf_unix SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BF_SLOTS * BF_MAX_EXES);
	__type(key, struct bf_exe_key);
	__type(value, struct bf_mask);
	BF_PINNED;
} bf_exe SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BF_SLOTS * BF_MAX_CGROUPS);
	__type(key, struct bf_cgrp_key);
	__type(value, struct bf_mask);
	BF_PINNED;
} bf_cgrp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BF_SLOTS * BF_MAX_UIDS);
	__type(key, struct bf_uid_key);
	__type(value, struct bf_mask);
	BF_PINNED;
} bf_uid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BF_SLOTS * BF_MAX_CAM_KEYS);
	__type(key, struct bf_cam_key);
	__type(value, struct bf_mask);
	BF_PINNED;
} bf_cam SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BF_SLOTS * BF_MAX_PORT_KEYS);
	__type(key, struct bf_port_key);
	__type(value, struct bf_mask);
	BF_PINNED;
} bf_port SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, BF_SLOTS * BF_MAX_DEST_KEYS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct bf_dest_key);
	__type(value, struct bf_mask);
	BF_PINNED;
} bf_dest SEC(".maps");

/*
 * Not LRU: evicting an entry would silently untaint a process. When the
 * table is full the camera open is refused instead (fail closed).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BF_MAX_TAINTED);
	__type(key, __u32);	/* tgid */
	__type(value, struct bf_taint);
	BF_PINNED;
} bf_taint SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);	/* the agent may resize before load */
	BF_PINNED;
} bf_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bf_stats);
	BF_PINNED;
} bf_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bf_runtime);
	BF_PINNED;
} bf_runtime SEC(".maps");

/* See struct bf_sk_quota. Pinned: a restarted agent's programs still know which sockets count. */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct bf_sk_quota);
	BF_PINNED;
} bf_sk_quota SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BF_SLOTS * (BF_MAX_QUOTAS + 1));
	__type(key, __u32);
	__type(value, struct bf_quota_cfg);
	BF_PINNED;
} bf_quota_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BF_MAX_QUOTAS + 1);
	__type(key, __u32);
	__type(value, struct bf_quota_use);
	BF_PINNED;
} bf_quota_use SEC(".maps");

/* Written by the agent only; see struct bf_window_set. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BF_SLOTS * BF_MAX_APPS);
	__type(key, struct bf_window_key);
	__type(value, struct bf_window_set);
	BF_PINNED;
} bf_windows SEC(".maps");

/* Never read by the programs: the agent's windows, kept across its restarts. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BF_MAX_WINDOWS);
	__type(key, __u32);	/* window id */
	__type(value, struct bf_window_info);
	BF_PINNED;
} bf_window_info SEC(".maps");

/* Never read by the programs: the next window id, so ids stay unique across agent restarts. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	BF_PINNED;
} bf_window_next SEC(".maps");

/*
 * Written by the agent only: how many lost events it has already logged,
 * so a restarted agent reports the rest and not the same ones twice.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	BF_PINNED;
} bf_lost_logged SEC(".maps");

static __always_inline void bf_count(enum bf_stat which)
{
	__u32 zero = 0;
	struct bf_stats *s = bpf_map_lookup_elem(&bf_stats, &zero);

	if (s && which < BF_STAT_N)
		__sync_fetch_and_add(&s->n[which], 1);
}

/* Both lookups are of fixed-size arrays, so they cannot fail for index 0..1. */
static __always_inline const struct bf_slot_config *bf_config(__u32 *slot, __u32 *seq)
{
	__u32 zero = 0;
	struct bf_active *a = bpf_map_lookup_elem(&bf_active, &zero);

	if (!a)
		return 0;
	*slot = a->slot & 1;
	*seq = a->policy_seq;
	return bpf_map_lookup_elem(&bf_slots, slot);
}

static __always_inline __u64 bf_lookup_mask(void *map, const void *key)
{
	struct bf_mask *m = bpf_map_lookup_elem(map, key);

	return m ? m->mask : 0;
}

/*
 * Who is asking: exe (dev, inode) read from the task, uid, cgroup, and the
 * app mask those imply. An app matches only if every key it has matches,
 * so each key kind contributes "apps satisfied by this key or keyless".
 */
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
	struct bf_exe_key ek = { .slot = slot };
	struct bf_uid_key uk = { .slot = slot };
	struct bf_cgrp_key ck = { .slot = slot };
	__u64 exe_m = cfg->apps_no_exe, uid_m = cfg->apps_no_uid, cg_m = cfg->apps_no_cgroup;

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
	/* Key kinds no app uses cannot change the mask: skip their lookups. */
	if (exe && (cfg->keys & BF_KEY_EXE)) {
		ek.dev = e->exe_dev;
		ek.ino = e->exe_ino;
		exe_m |= bf_lookup_mask(&bf_exe, &ek);
	}
	if (cfg->keys & BF_KEY_UID) {
		uk.uid = e->uid;
		uid_m |= bf_lookup_mask(&bf_uid, &uk);
	}
	/* Only the depths where some app's cgroup sits are worth a lookup. */
	if (cfg->cg_levels) {
#pragma unroll
		for (int level = 0; level < BF_MAX_CG_LEVELS; level++) {
			if (!(cfg->cg_levels & (1u << level)))
				continue;
			ck.cgid = bpf_get_current_ancestor_cgroup_id(level);
			if (!ck.cgid)
				break;
			cg_m |= bf_lookup_mask(&bf_cgrp, &ck);
		}
	}
	e->apps = exe_m & uid_m & cg_m;
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
	*flags = m.rule == BF_RULE_DEFAULT ? 0 : m.flags;	/* default: deny */
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

/*
 * Set by the agent before load, from a probe: cgroup_skb programs may call
 * bpf_get_current_pid_tgid only on newer kernels (not on 6.1). With 0 the
 * verifier never reaches the call, so the program loads everywhere.
 */
const volatile __u32 bf_skb_has_pid = 0;

/* Set by the agent before load: a quarter of the ring buffer. */
const volatile __u64 bf_wake_bytes = 1 << 18;

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

static __always_inline void bf_submit(const struct bf_event *e)
{
	struct bf_event *out = bpf_ringbuf_reserve(&bf_events, sizeof(*out), 0);

	if (!out) {
		bf_count(BF_STAT_LOST);
		return;
	}
	__builtin_memcpy(out, e, sizeof(*out));
	bpf_ringbuf_submit(out, bf_wake_flag());
	bf_count(BF_STAT_EVENTS);
}

/* A process allowed to capture is tainted; returns 0 if the taint table is full. */
static __always_inline int bf_taint_self(struct bf_event *e)
{
	struct bf_taint t = {
		.since_ns = e->boot_ns,
		.origin_tgid = e->tgid,
		.major = e->major,
		.minor = e->minor,
	};
	struct bf_taint *old = bpf_map_lookup_elem(&bf_taint, &e->tgid);

	if (old) {
		e->taint = *old;
		return 1;
	}
	if (bpf_map_update_elem(&bf_taint, &e->tgid, &t, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&bf_taint, &e->tgid))
		return 0;
	e->taint = t;
	return 1;
}

static __always_inline int bf_log_failed(void)
{
	__u32 zero = 0;
	struct bf_runtime *rt = bpf_map_lookup_elem(&bf_runtime, &zero);

	return rt && rt->log_failed;
}

/*
 * A consent rule allows only inside a window opened for its app on one of
 * the cameras this device is. The window's end is checked here, in kernel
 * time, so it closes on time even when the agent is slow or dead.
 */
static __always_inline int bf_window_allows(struct bf_event *e, __u32 slot, __u32 rule)
{
	__u32 key = slot * BF_MAX_RULES + rule;
	struct bf_window_key wk = { .slot = slot };
	struct bf_window_set *w;
	struct bf_rule *r;

	if (rule >= BF_MAX_RULES)
		return 0;
	r = bpf_map_lookup_elem(&bf_capture_rules, &key);
	if (!r)
		return 0;
	wk.app = r->app;
	w = bpf_map_lookup_elem(&bf_windows, &wk);
	if (!w)
		return 0;
	for (__u32 c = 0; c < BF_MAX_CAMERAS; c++) {
		struct bf_window_cam *wc = &w->cam[c];

		if (!(e->objs & (1ull << c)) || !wc->end_ns || wc->purpose != r->purpose)
			continue;
		e->window = wc->window_id;
		if (e->boot_ns < wc->end_ns) {
			e->flags &= ~BF_EF_WIN_EXPIRED;
			return 1;
		}
		e->flags |= BF_EF_WIN_EXPIRED;
	}
	return 0;
}

SEC("cgroup/dev")
int bf_dev(struct bpf_cgroup_dev_ctx *ctx)
{
	__u32 type = ctx->access_type & 0xffff, access = ctx->access_type >> 16;
	struct bf_cam_key ck = { .major = ctx->major, .minor = ctx->minor };
	const struct bf_slot_config *cfg;
	struct bf_event e = {};
	__u32 slot, seq, rule_flags;
	int allowed;

	/* mknod alone captures nothing; opening the node is what is judged. */
	if (type != BF_DEVCG_DEV_CHAR || !(access & (BF_DEVCG_ACC_READ | BF_DEVCG_ACC_WRITE)))
		return 1;
	cfg = bf_config(&slot, &seq);
	if (!cfg)
		return 1;
	ck.slot = slot;
	e.objs = bf_lookup_mask(&bf_cam, &ck);
	ck.minor = BF_ANY_MINOR;
	e.objs |= bf_lookup_mask(&bf_cam, &ck);
	if (!e.objs)
		return 1;	/* not a camera: no event, no cost beyond two lookups */

	e.kind = BF_KIND_CAPTURE;
	e.boot_ns = bpf_ktime_get_boot_ns();
	e.policy_seq = seq;
	e.major = ctx->major;
	e.minor = ctx->minor;
	e.access = access;
	bf_identify(&e, cfg, slot);
	e.rule = bf_first_match(BF_TABLE_CAPTURE, slot, cfg->n_capture, e.apps, e.objs,
				&rule_flags, &e);
	if (rule_flags & BF_RF_CONSENT) {
		e.flags |= BF_EF_CONSENT;
		if (!bf_window_allows(&e, slot, e.rule)) {
			rule_flags &= ~BF_RF_ALLOW;
			e.flags |= BF_EF_NO_WINDOW;
		}
	}
	allowed = bf_verdict(&e, cfg, rule_flags);
	if (allowed && (cfg->flags & BF_CFG_DENY_ON_LOG_FAIL) && cfg->mode != BF_MODE_AUDIT &&
	    bf_log_failed()) {
		/* A capture that cannot be recorded cannot be justified. */
		e.flags |= BF_EF_LOG_FAILED;
		e.flags &= ~BF_EF_ALLOW;
		allowed = 0;
		bf_count(BF_STAT_LOGFAIL_DENY);
	}
	if (allowed && !bf_taint_self(&e)) {
		/* Untracked capture would make export rules meaningless. */
		e.flags |= BF_EF_TAINT_FULL;
		e.flags &= ~BF_EF_ALLOW;
		allowed = 0;
		bf_count(BF_STAT_TAINT_FULL);
	}
	if (!allowed)
		bf_count(BF_STAT_CAPTURE_DENY);
	bf_submit(&e);
	return allowed;
}

/* IPv4 lives at ::ffff:a.b.c.d so one trie and one rule set serve both families. */
static __always_inline void bf_map_v4(__u8 *addr, __u32 ip4_be)
{
	__builtin_memset(addr, 0, 10);
	addr[10] = 0xff;
	addr[11] = 0xff;
	__builtin_memcpy(addr + 12, &ip4_be, 4);
}

static __always_inline __u64 bf_dest_sets(const struct bf_event *e, const struct bf_slot_config *cfg,
					  __u32 slot)
{
	struct bf_dest_key dk = { .prefixlen = 32 + 128 };
	struct bf_port_key pk = { .slot = slot, .port = e->port };
	__u64 sets, ports = cfg->port_any[BF_PROTO_ANY];

	dk.slot[3] = slot;
	__builtin_memcpy(dk.addr, e->addr, 16);
	sets = bf_lookup_mask(&bf_dest, &dk);
	if (!sets)
		return 0;
	if (e->proto == BF_IPPROTO_TCP)
		pk.proto = BF_PROTO_TCP;
	else if (e->proto == BF_IPPROTO_UDP)
		pk.proto = BF_PROTO_UDP;
	if (pk.proto) {
		ports |= cfg->port_any[pk.proto];
		ports |= bf_lookup_mask(&bf_port, &pk);
	}
	return sets & ports;
}

/*
 * Starts the event of a tainted process reaching out; NULL for an
 * untainted one, which is let through after this one hash lookup.
 */
static __always_inline const struct bf_slot_config *bf_taint_begin(struct bf_event *e, __u32 kind,
								     __u32 what, __u32 *slot)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, seq;
	struct bf_taint *taint = bpf_map_lookup_elem(&bf_taint, &tgid);
	const struct bf_slot_config *cfg;

	if (!taint)
		return 0;
	cfg = bf_config(slot, &seq);
	if (!cfg)
		return 0;
	e->kind = kind;
	e->flags = what;
	e->boot_ns = bpf_ktime_get_boot_ns();
	e->policy_seq = seq;
	e->taint = *taint;
	return cfg;
}

/*
 * The socket's packets from now on count against the deciding rule's
 * quota, or against none: a UDP socket's next send may go elsewhere.
 */
static __always_inline void bf_quota_tag(struct bpf_sock_addr *ctx, __u32 slot, __u32 rule,
					 __u32 rule_flags)
{
	__u32 key = slot * BF_MAX_RULES + rule, quota = 0;
	struct bf_sk_quota *q;
	struct bf_rule *r;

	if (!ctx->sk)
		return;
	if ((rule_flags & BF_RF_QUOTA) && rule < BF_MAX_RULES &&
	    (r = bpf_map_lookup_elem(&bf_export_rules, &key)))
		quota = r->quota;
	q = bpf_sk_storage_get(&bf_sk_quota, ctx->sk, 0, quota ? BPF_SK_STORAGE_GET_F_CREATE : 0);
	if (q)
		q->quota = quota;
}

static __always_inline int bf_sock_decide(struct bpf_sock_addr *ctx, int v6, __u32 what)
{
	const struct bf_slot_config *cfg;
	struct bf_event e = {};
	__u32 slot, rule_flags;
	int allowed;

	cfg = bf_taint_begin(&e, BF_KIND_EXPORT, what, &slot);
	if (!cfg)
		return 1;
	e.proto = ctx->protocol;
	e.port = bpf_ntohs(ctx->user_port);
	if (v6) {
		__u32 a[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2],
			       ctx->user_ip6[3] };

		__builtin_memcpy(e.addr, a, 16);
		e.flags |= BF_EF_IPV6;
	} else {
		bf_map_v4(e.addr, ctx->user_ip4);
	}
	e.objs = bf_dest_sets(&e, cfg, slot);
	bf_identify(&e, cfg, slot);
	e.rule = bf_first_match(BF_TABLE_EXPORT, slot, cfg->n_export, e.apps, e.objs,
				&rule_flags, &e);
	allowed = bf_verdict(&e, cfg, rule_flags);
	if (!allowed)
		bf_count(BF_STAT_EXPORT_DENY);
	else if (cfg->keys & BF_KEY_QUOTA)	/* policies without quotas pay nothing */
		bf_quota_tag(ctx, slot, e.rule, rule_flags);
	bf_submit(&e);
	return allowed;
}

SEC("cgroup/connect4")
int bf_connect4(struct bpf_sock_addr *ctx)
{
	return bf_sock_decide(ctx, 0, BF_EF_CONNECT);
}

SEC("cgroup/connect6")
int bf_connect6(struct bpf_sock_addr *ctx)
{
	return bf_sock_decide(ctx, 1, BF_EF_CONNECT);
}

SEC("cgroup/sendmsg4")
int bf_sendmsg4(struct bpf_sock_addr *ctx)
{
	return bf_sock_decide(ctx, 0, 0);
}

SEC("cgroup/sendmsg6")
int bf_sendmsg6(struct bpf_sock_addr *ctx)
{
	return bf_sock_decide(ctx, 1, 0);
}

/*
 * 6.2+ only, and used only by the unix-socket programs, which exist only
 * where cgroup/connect_unix does (6.7+). Weak, so that on an older kernel
 * libbpf leaves it unresolved instead of refusing the whole object: the
 * agent never loads those programs there (see bf_loader probe_unix_hooks).
 */
extern void *bpf_cast_to_kern_ctx(void *obj) __ksym __weak;

/*
 * The address exactly as the process gave it, shaped like a policy key:
 * a path up to its first NUL (the kernel reads it so), an abstract name
 * (leading NUL) byte for byte. The kernel has copied the sockaddr in, but
 * not yet terminated it, so only uaddrlen bytes are read.
 */
static __always_inline void bf_unix_key_of(struct bpf_sock_addr *ctx, struct bf_unix_key *k)
{
	struct bpf_sock_addr_kern *sa = bpf_cast_to_kern_ctx(ctx);
	__u32 n = sa->uaddrlen, len = 0, nul = 0;

	n = n > 2 ? n - 2 : 0;	/* sun_family */
	if (n > sizeof(k->addr))
		n = sizeof(k->addr);
	bpf_probe_read_kernel(k->addr, n, (char *)sa->uaddr + 2);
	if (!k->addr[0]) {
		k->len = n;
		return;
	}
	for (__u32 i = 0; i < sizeof(k->addr); i++) {
		if (i >= n)
			break;
		if (!k->addr[i])
			nul = 1;
		if (nul)
			k->addr[i] = 0;
		else
			len = i + 1;
	}
	k->len = len;
}

static __always_inline void bf_submit_ipc(const struct bf_event *e, const struct bf_unix_key *k)
{
	struct bf_ipc_event *out = bpf_ringbuf_reserve(&bf_events, sizeof(*out), 0);

	if (!out) {
		bf_count(BF_STAT_LOST);
		return;
	}
	__builtin_memcpy(&out->e, e, sizeof(*e));
	__builtin_memcpy(out->addr, k->addr, sizeof(out->addr));
	out->addr_len = k->len;
	bpf_ringbuf_submit(out, bf_wake_flag());
	bf_count(BF_STAT_EVENTS);
}

/* A tainted process reaching a unix socket: judged by the address it names. */
static __always_inline int bf_unix_decide(struct bpf_sock_addr *ctx, __u32 what)
{
	const struct bf_slot_config *cfg;
	struct bf_unix_key k = {};
	struct bf_event e = {};
	__u32 slot, rule_flags;
	int allowed;

	cfg = bf_taint_begin(&e, BF_KIND_IPC, what, &slot);
	if (!cfg)
		return 1;
	e.proto = ctx->type;
	bf_unix_key_of(ctx, &k);
	k.slot = slot;
	e.objs = bf_lookup_mask(&bf_unix, &k);
	bf_identify(&e, cfg, slot);
	e.rule = bf_first_match(BF_TABLE_IPC, slot, cfg->n_ipc, e.apps, e.objs, &rule_flags, &e);
	allowed = bf_verdict(&e, cfg, rule_flags);
	if (!allowed)
		bf_count(BF_STAT_IPC_DENY);
	bf_submit_ipc(&e, &k);
	return allowed;
}

/*
 * cgroup/connect_unix and cgroup/sendmsg_unix (kernel 6.7): libbpf 1.1
 * knows neither section, so they are declared as connect4 and the agent
 * sets their real attach types before load (or leaves them out, and says
 * so, on an older kernel).
 */
SEC("cgroup/connect4")
int bf_connect_unix(struct bpf_sock_addr *ctx)
{
	return bf_unix_decide(ctx, BF_EF_CONNECT);
}

SEC("cgroup/connect4")
int bf_sendmsg_unix(struct bpf_sock_addr *ctx)
{
	return bf_unix_decide(ctx, 0);
}

#define BF_SOCK_DGRAM  2
#define BF_SOCK_RAW    3
#define BF_SOCK_PACKET 10	/* the obsolete AF_INET packet socket */
#define BF_IPPROTO_ICMP   1
#define BF_IPPROTO_ICMPV6 58

/* Ping sockets run the connect hook but no sendmsg hook: an echo's payload is any bytes, anywhere. */
static __always_inline int bf_unjudged_socket(const struct bpf_sock *ctx)
{
	if (ctx->type == BF_SOCK_RAW || ctx->type == BF_SOCK_PACKET)
		return 1;
	return ctx->type == BF_SOCK_DGRAM &&
	       (ctx->protocol == BF_IPPROTO_ICMP || ctx->protocol == BF_IPPROTO_ICMPV6);
}

/*
 * A raw socket writes any header to any address, past every port and
 * address the export rules name, and a ping socket's sends are never
 * judged: a tainted process may create neither.
 * The kernel runs this hook for inet and inet6 sockets only; the agent's
 * scan covers the families it does not (AF_PACKET and the like).
 */
SEC("cgroup/sock_create")
int bf_sock_create(struct bpf_sock *ctx)
{
	const struct bf_slot_config *cfg;
	struct bf_event e = {};
	__u32 slot;

	if (!bf_unjudged_socket(ctx))
		return 1;
	cfg = bf_taint_begin(&e, BF_KIND_SOCKET, ctx->family == 10 ? BF_EF_IPV6 : 0, &slot);
	if (!cfg)
		return 1;
	e.port = (__u16)ctx->type;
	e.proto = (__u8)ctx->protocol;
	e.rule = BF_RULE_DEFAULT;
	bf_identify(&e, cfg, slot);
	bf_verdict(&e, cfg, 0);	/* no rule allows it; audit mode only reports */
	if (!(e.flags & BF_EF_ALLOW))
		bf_count(BF_STAT_SOCKET_DENY);
	bf_submit(&e);
	return !!(e.flags & BF_EF_ALLOW);
}

/*
 * Counts what a quota-tagged socket sends and drops what goes past the
 * quota. Every packet in scope passes here: under a policy with no quota
 * it costs two inlined array loads, otherwise a socket never tagged
 * (every untainted one) costs one storage lookup more. The first drop of
 * a period is reported, once.
 */
SEC("cgroup_skb/egress")
int bf_egress(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	const struct bf_slot_config *cfg;
	struct bf_quota_cfg *qc;
	struct bf_quota_use *use;
	struct bf_sk_quota *q;
	__u32 slot, seq, key, id;
	__u64 now, pid_tgid;

	/* Sockets tagged under an earlier policy count only if this one still has their quota. */
	cfg = bf_config(&slot, &seq);
	if (!cfg || !(cfg->keys & BF_KEY_QUOTA))
		return 1;
	if (!sk || !(sk = bpf_sk_fullsock(sk)))
		return 1;
	q = bpf_sk_storage_get(&bf_sk_quota, sk, 0, 0);
	if (!q || !q->quota || q->quota > BF_MAX_QUOTAS)
		return 1;
	id = q->quota;
	key = slot * (BF_MAX_QUOTAS + 1) + id;
	qc = bpf_map_lookup_elem(&bf_quota_cfg, &key);
	use = bpf_map_lookup_elem(&bf_quota_use, &id);
	if (!qc || !use || !qc->bytes)
		return 1;	/* the policy in force has no such quota any more */
	now = bpf_ktime_get_boot_ns();
	if (now - use->period_start_ns >= qc->period_ns) {
		/* Racy across CPUs at the turn of a period: a few packets may count twice. */
		use->period_start_ns = now;
		use->bytes = 0;
		use->hit = 0;
	}
	if (use->bytes + skb->len <= qc->bytes) {
		__sync_fetch_and_add(&use->bytes, skb->len);
		return 1;
	}
	if (cfg->mode != BF_MODE_AUDIT) {
		__sync_fetch_and_add(&use->dropped, 1);
		bf_count(BF_STAT_QUOTA_DROP);
	}
	if (!__sync_lock_test_and_set(&use->hit, 1)) {
		struct bf_event e = { .kind = BF_KIND_QUOTA, .boot_ns = now, .rule = id,
				      .objs = qc->bytes, .apps = use->bytes, .policy_seq = seq };

		if (cfg->mode != BF_MODE_AUDIT)
			e.flags = BF_EF_ENFORCED;
		if (bf_skb_has_pid) {
			pid_tgid = bpf_get_current_pid_tgid();
			e.pid = (__u32)pid_tgid;
			e.tgid = pid_tgid >> 32;
		}
		bf_submit(&e);
	}
	return cfg->mode == BF_MODE_AUDIT;	/* audit mode: counted and told, never dropped */
}

/* Runs before the child is first scheduled, so it can never send untainted. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(bf_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid), ctgid = BPF_CORE_READ(child, tgid);
	struct bf_taint *t, copy;

	if (ptgid == ctgid)
		return 0;	/* a new thread shares its process's taint */
	t = bpf_map_lookup_elem(&bf_taint, &ptgid);
	if (!t)
		return 0;
	copy = *t;
	if (bpf_map_update_elem(&bf_taint, &ctgid, &copy, BPF_ANY))
		bf_count(BF_STAT_TAINT_FULL);
	return 0;
}

/* Taint ends with the last thread of the process, not with its leader. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(bf_exit, struct task_struct *task)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);

	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	bpf_map_delete_elem(&bf_taint, &tgid);
	return 0;
}
