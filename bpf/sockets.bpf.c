/* sockets.bpf.c - what a tainted process sends: connect and sendmsg (inet and unix), raw and ping sockets, quotas on egress. */
#include "decide.bpf.h"

#define BF_IPPROTO_TCP 6
#define BF_IPPROTO_UDP 17

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
	struct bf_send s = {};
	int allowed;

	if (!bf_send_begin(&s, BF_KIND_EXPORT, what))
		return 1;
	s.e.proto = ctx->protocol;
	s.e.port = bpf_ntohs(ctx->user_port);
	if (v6) {
		__u32 a[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2],
			       ctx->user_ip6[3] };

		__builtin_memcpy(s.e.addr, a, 16);
		s.e.flags |= BF_EF_IPV6;
	} else {
		bf_map_v4(s.e.addr, ctx->user_ip4);
	}
	s.e.objs = bf_dest_sets(&s.e, s.cfg, s.slot);
	allowed = bf_send_judge(&s, BF_TABLE_EXPORT, s.cfg->n_export, BF_STAT_EXPORT_DENY);
	if (allowed && (s.cfg->keys & BF_KEY_QUOTA))	/* policies without quotas pay nothing */
		bf_quota_tag(ctx, s.slot, s.e.rule, s.rule_flags);
	bf_submit(&s.e);
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
	struct bf_unix_key k = {};
	struct bf_send s = {};
	int allowed;

	if (!bf_send_begin(&s, BF_KIND_IPC, what))
		return 1;
	s.e.proto = ctx->type;
	bf_unix_key_of(ctx, &k);
	k.slot = s.slot;
	s.e.objs = bf_lookup_mask(&bf_unix, &k);
	allowed = bf_send_judge(&s, BF_TABLE_IPC, s.cfg->n_ipc, BF_STAT_IPC_DENY);
	bf_submit_ipc(&s.e, &k);
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
	struct bf_send s = {};

	if (!bf_unjudged_socket(ctx) ||
	    !bf_send_begin(&s, BF_KIND_SOCKET, ctx->family == 10 ? BF_EF_IPV6 : 0))
		return 1;
	return bf_socket_verdict(&s, ctx->family, ctx->type, ctx->protocol);
}

/*
 * Set by the agent before load, from a probe: cgroup_skb programs may call
 * bpf_get_current_pid_tgid only on newer kernels (not on 6.1). With 0 the
 * verifier never reaches the call, so the program loads everywhere.
 */
const volatile __u32 bf_skb_has_pid = 0;

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
