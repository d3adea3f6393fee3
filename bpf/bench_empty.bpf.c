/* bench_empty.bpf.c - benchmark baseline: a cgroup/dev and a cgroup/connect4 program that allow everything. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/*
 * The baseline for "what does biofence's decision cost": the hook dispatch
 * itself is paid by any program of the same type, so it is measured here.
 */
SEC("cgroup/dev")
int bench_empty_dev(struct bpf_cgroup_dev_ctx *ctx)
{
	return 1;
}

SEC("cgroup/connect4")
int bench_empty_connect4(struct bpf_sock_addr *ctx)
{
	return 1;
}
