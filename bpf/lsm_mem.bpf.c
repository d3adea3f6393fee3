/* lsm_mem.bpf.c - BPF LSM hook on process memory: whoever reads a tainted process's memory is tainted too. */
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
SEC("lsm/ptrace_access_check")
int BPF_PROG(bf_lsm_ptrace_access_check, struct task_struct *child, unsigned int mode, int ret)
{
	__u32 target;
	struct bf_taint *t;

	if (ret || !(mode & BF_PTRACE_ATTACH) || !bf_in_scope())
		return ret;
	target = child->tgid;
	t = bpf_map_lookup_elem(&bf_taint, &target);
	if (!t || bf_current_taint())
		return 0;
	return bf_lsm_ret(bf_taint_via(bpf_get_current_pid_tgid() >> 32, t, BF_VIA_PTRACE, 1));
}
