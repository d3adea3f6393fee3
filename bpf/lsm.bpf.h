/* lsm.bpf.h - what every BPF LSM hook family shares: the guarded scope, and the kernel constants the hooks test. */
#ifndef BF_LSM_BPF_H
#define BF_LSM_BPF_H

#include "decide.bpf.h"

/*
 * Set by the agent before load: the cgroup it guards, by id and depth
 * below the cgroup2 root. Cgroup programs run only inside it; LSM hooks
 * run for every process on the host, so each one asks first.
 */
const volatile __u64 bf_scope_cgid __weak = 0;
const volatile __u32 bf_scope_level __weak = 0;

static __always_inline int bf_in_scope(void)
{
	return !bf_scope_cgid || bpf_get_current_ancestor_cgroup_id(bf_scope_level) == bf_scope_cgid;
}

/*
 * An LSM verdict from a 0/1 decision: 0 lets the operation through, -1
 * (-EPERM) refuses it. 6.12's verifier checks that an LSM program returns
 * a value in [-4095, 0], and cannot follow the negation clang makes of
 * "a ? 0 : -1" however it is written in C; an add of -1 to a value known
 * to be 0 or 1, kept as written by the asm, it can.
 */
static __always_inline int bf_lsm_ret(int allowed)
{
	__u64 r = allowed ? 1 : 0;

	asm volatile("%[r] += -1" : [r] "+r"(r));
	return (int)r;
}

#define BF_AF_UNIX    1
#define BF_AF_INET    2
#define BF_AF_INET6   10
#define BF_AF_NETLINK 16

#define BF_SOCK_STREAM 1
#define BF_SOCK_DGRAM  2

#define BF_S_IFMT  00170000
#define BF_S_IFCHR 0020000
#define BF_S_IFIFO 0010000
#define BF_S_IFREG 0100000
#define BF_MAP_SHARED  0x01
#define BF_PROT_READ   0x1
#define BF_PROT_WRITE  0x2
#define BF_MAY_WRITE 2
#define BF_MAY_READ  4
#define BF_MINORBITS 20

#endif /* BF_LSM_BPF_H */
