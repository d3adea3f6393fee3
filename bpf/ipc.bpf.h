/* ipc.bpf.h - a unix socket address as the ipc rules name it, and the ipc event, shared by the cgroup unix hooks and the LSM ones. */
#ifndef BF_IPC_BPF_H
#define BF_IPC_BPF_H

#include "decide.bpf.h"

/*
 * N bytes of a sun_path at SRC (kernel memory), shaped like a policy key:
 * a path up to its first NUL (the kernel reads it so), an abstract name
 * (leading NUL) byte for byte.
 */
static __always_inline void bf_unix_key_read(struct bf_unix_key *k, const void *src, __u32 n)
{
	__u32 len = 0, nul = 0;

	if (n > sizeof(k->addr))
		n = sizeof(k->addr);
	bpf_probe_read_kernel(k->addr, n, src);
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

/*
 * The name a socket is bound to, as a policy key: the sun_path at SRC of
 * a unix_address of ADDR_LEN bytes (sun_family included). The kernel stores a bound path as strlen + 1 bytes (its NUL), so
 * no scan for the NUL is needed; which matters, as 6.1's verifier rejects
 * the loop clang makes of bf_unix_key_read's (only the cgroup hooks, 6.7
 * and later, use that one).
 */
static __always_inline void bf_unix_key_bound(struct bf_unix_key *k, const void *src, __u32 addr_len)
{
	/* 64-bit and unsigned all the way, so the verifier sees the bound the call gets. */
	__u64 n = addr_len;

	n = n > 2 ? n - 2 : 0;	/* sun_family */
	if (n > sizeof(k->addr))
		n = sizeof(k->addr);
	bpf_probe_read_kernel(k->addr, n, src);
	k->len = !k->addr[0] && n ? n : n ? n - 1 : 0;
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


/* A tainted process reaching a unix socket whose address K names: the ipc rules decide. */
static __always_inline int bf_ipc_judge(struct bf_send *s, struct bf_unix_key *k, __u32 type)
{
	int allowed;

	s->e.proto = type;
	k->slot = s->slot;
	s->e.objs = bf_lookup_mask(&bf_unix, k);
	allowed = bf_send_judge(s, BF_TABLE_IPC, s->cfg->n_ipc, BF_STAT_IPC_DENY);
	bf_submit_ipc(&s->e, k);
	return allowed;
}

#endif /* BF_IPC_BPF_H */
