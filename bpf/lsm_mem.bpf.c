/* lsm_mem.bpf.c - BPF LSM hook on process memory: whoever reads a tainted process's memory is tainted too; a template holder's is read by no one. */
#include "lsm.bpf.h"
#include "taint.bpf.h"

#define BF_PTRACE_ATTACH 0x02	/* PTRACE_MODE_ATTACH: ptrace itself, process_vm_readv, /proc/PID/mem */

/*
 * A process that holds camera data in memory gives it away to whoever
 * may read that memory: a debugger attaching, process_vm_readv,
 * /proc/PID/mem (ptrace_peek). Such a reader is tainted with the target's
 * taint, as the reader of a pipe is, so what it sends is judged; it is
 * not refused, so a sysadmin may still debug a camera app. Only attach
 * mode counts: the agent's own /proc scans (fd links, exe) ask in read
 * mode and are not tainted by them.
 */
/*
 * A template holder (BF_TAINT_HOLDER, see bpf/lsm_store.bpf.c) keeps the
 * faces of everyone enrolled in memory: reading it is refused outright,
 * to root too, and reported. Audit mode only reports.
 */
static __always_inline int bf_holder_refuse(struct task_struct *child, unsigned int mode)
{
	struct bf_store_event se = {};
	const struct bf_slot_config *cfg;
	__u32 slot, seq;

	cfg = bf_config(&slot, &seq);
	if (!cfg)
		return 0;
	se.e.kind = BF_KIND_STORE;
	se.e.flags = BF_EF_LSM | BF_EF_DENY_RULE;
	if (cfg->mode != BF_MODE_AUDIT)
		se.e.flags |= BF_EF_ENFORCED;
	else
		se.e.flags |= BF_EF_ALLOW;
	se.e.boot_ns = bpf_ktime_get_boot_ns();
	se.e.policy_seq = seq;
	se.e.rule = BF_RULE_DEFAULT;
	se.e.access = BF_STORE_PTRACE;
	se.e.objs = child->tgid;
	se.e.major = mode;
	bf_identify(&se.e, cfg, slot);
	__builtin_memcpy(se.name, child->comm, sizeof(child->comm));
	se.name_len = sizeof(child->comm);
	BF_SUBMIT(se);
	return bf_lsm_ret(cfg->mode == BF_MODE_AUDIT);
}

SEC("lsm/ptrace_access_check")
int BPF_PROG(bf_lsm_ptrace_access_check, struct task_struct *child, unsigned int mode, int ret)
{
	__u32 target;
	struct bf_taint *t;

	if (ret || !(mode & BF_PTRACE_ATTACH) || !bf_in_scope())
		return ret;
	target = child->tgid;
	t = bpf_map_lookup_elem(&bf_taint, &target);
	if (!t)
		return 0;
	if (t->flags & BF_TAINT_HOLDER)
		return bf_holder_refuse(child, mode);
	if (bf_current_taint())
		return 0;
	return bf_lsm_ret(bf_taint_via(bpf_get_current_pid_tgid() >> 32, t, BF_VIA_PTRACE, 1));
}
