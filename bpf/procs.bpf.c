/* procs.bpf.c - taint follows the process: copied at fork, dropped with the last thread's exit. */
#include "maps.bpf.h"

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
