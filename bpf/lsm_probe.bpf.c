/* lsm_probe.bpf.c - a do-nothing BPF LSM program: loading and attaching it tells if the lsm backend can work here. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("lsm/file_open")
int BPF_PROG(bf_probe_lsm, struct file *file)
{
	return 0;
}
