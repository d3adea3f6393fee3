/* sockets.bpf.c - what a tainted process sends (connect and sendmsg, inet and unix; raw and ping sockets; quotas on egress), and who reaches or hears a network camera. */
#include "capture.bpf.h"
#include "export.bpf.h"
#include "ipc.bpf.h"
#include "use_report.bpf.h"

#define BF_SOCK_DGRAM  2
#define BF_SOCK_RAW    3
#define BF_SOCK_PACKET 10	/* the obsolete AF_INET packet socket */
#define BF_IPPROTO_ICMP   1
#define BF_IPPROTO_ICMPV6 58

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

/* Where CTX goes, into E: address (IPv4 mapped), port and protocol. */
static __always_inline void bf_sock_dest(struct bpf_sock_addr *ctx, int v6, struct bf_event *e)
{
	e->proto = ctx->protocol;
	e->port = bpf_ntohs(ctx->user_port);
	if (v6) {
		__u32 a[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2],
			       ctx->user_ip6[3] };

		__builtin_memcpy(e->addr, a, 16);
		e->flags |= BF_EF_IPV6;
	} else {
		bf_map_v4(e->addr, ctx->user_ip4);
	}
}

/*
 * The owner of every UDP socket that may hear from a network camera
 * (struct bf_sk_owner). Pinned: a restarted agent's programs judge the
 * sockets made before it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct bf_sk_owner);
	BF_PINNED;
} bf_sk_owner SEC(".maps");

/* SK is owned by the process E identified (bf_identify filled it). */
static __always_inline void bf_owner_set(struct bpf_sock *sk, const struct bf_event *e)
{
	struct bf_sk_owner *o;

	if (!sk)
		return;
	o = bpf_sk_storage_get(&bf_sk_owner, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!o)
		return;
	o->exe_dev = e->exe_dev;
	o->exe_ino = e->exe_ino;
	o->uid = e->uid;
	o->tgid = e->tgid;
	__builtin_memcpy(o->comm, e->comm, sizeof(o->comm));
}

/* The network cameras CTX's destination is, in SLOT; 0 under a policy without any (two array loads). */
static __always_inline __u64 bf_sock_cameras(struct bpf_sock_addr *ctx, int v6,
					      const struct bf_slot_config *cfg, __u32 slot)
{
	struct bf_event d;	/* only its address, port and protocol are filled and read */

	if (!(cfg->keys & BF_KEY_NETCAM))
		return 0;
	bf_sock_dest(ctx, v6, &d);
	return bf_net_sets(d.addr, d.port, d.proto, cfg->cam_port_any, BF_NETCAM_SLOT(slot));
}

/*
 * A connect or a send. To a network camera it pulls the camera's stream:
 * a capture, whoever makes it, judged as a camera open is (bf_capture_decide),
 * and an allowed one taints; its UDP socket's owner is recorded for the
 * datagrams that come back (bf_ingress). Anywhere else, a tainted
 * process's is an export, judged by the export rules; an untainted
 * process's is let through after the taint lookup. One bf_identify for
 * both: every inlined copy is verified again at every agent start.
 */
static __always_inline int bf_sock_decide(struct bpf_sock_addr *ctx, int v6, __u32 what)
{
	const struct bf_slot_config *cfg;
	struct bf_taint *t = 0;
	struct bf_send s;
	__u32 slot, seq;
	__u64 cams;
	int allowed;

	cfg = bf_config(&slot, &seq);
	if (!cfg)
		return 1;
	cams = bf_sock_cameras(ctx, v6, cfg, slot);
	if (!cams && !(t = bf_current_taint()))
		return 1;
	__builtin_memset(&s, 0, sizeof(s));
	s.cfg = cfg;
	s.slot = slot;
	s.e.flags = what;
	s.e.boot_ns = bpf_ktime_get_boot_ns();
	s.e.policy_seq = seq;
	if (t)
		s.e.taint = *t;
	bf_sock_dest(ctx, v6, &s.e);
	bf_identify(&s.e, cfg, slot);
	if (cams) {
		s.e.kind = BF_KIND_CAPTURE;
		s.e.flags |= BF_EF_NETCAM;
		s.e.objs = cams;
		s.e.minor = bf_lowest_bit(cams);	/* the camera a taint names */
		allowed = bf_capture_decide(&s.e, cfg, slot);
		bf_submit(&s.e);
		if (s.e.proto == BF_IPPROTO_UDP)
			bf_owner_set(ctx->sk, &s.e);	/* the camera's datagrams come back to this socket */
		return allowed;
	}
	s.e.kind = BF_KIND_EXPORT;
	s.e.objs = bf_dest_sets(&s.e, cfg, slot);
	allowed = bf_send_decide(&s, BF_TABLE_EXPORT, cfg->n_export, BF_STAT_EXPORT_DENY);
	if (allowed && (cfg->keys & BF_KEY_QUOTA))	/* policies without quotas pay nothing */
		bf_quota_tag(ctx, slot, s.e.rule, s.rule_flags);
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
 * A UDP socket bound where a policy has network cameras may be where a
 * camera pushes its stream (RTP to a port the client chose): its owner
 * is recorded for bf_ingress. Never refused here.
 */
static __always_inline int bf_bind_decide(struct bpf_sock_addr *ctx)
{
	const struct bf_slot_config *cfg;
	struct bf_event e;
	__u32 slot, seq;

	if (ctx->type != BF_SOCK_DGRAM || ctx->protocol != BF_IPPROTO_UDP)
		return 1;
	cfg = bf_config(&slot, &seq);
	if (!cfg || !(cfg->keys & BF_KEY_NETCAM))
		return 1;
	__builtin_memset(&e, 0, sizeof(e));
	bf_identify(&e, cfg, slot);
	bf_owner_set(ctx->sk, &e);
	return 1;
}

/*
 * A datagram from a network camera, read with its source address
 * (recvfrom, recvmsg with a name) by whoever holds the socket now. The
 * ingress judged the socket's owner; a socket handed to another process
 * (SCM_RIGHTS, inheritance) brings the frames to a reader nobody judged.
 * These hooks run in the reader, after the datagram is dequeued: they
 * cannot refuse it (they only rewrite the source), so the reader is
 * judged and, whatever the verdict, tainted: the frames have reached it,
 * and the export rules decide where they may go. A reader the rules do
 * not allow is recorded, not enforced, once a second per process and
 * camera. A tainted reader, the app's usual case, pays one more lookup.
 */
static __always_inline int bf_recv_decide(struct bpf_sock_addr *ctx, int v6)
{
	const struct bf_slot_config *cfg;
	struct bf_event e;	/* zeroed only for a camera's datagram */
	__u32 slot, seq;
	__u64 cams;

	cfg = bf_config(&slot, &seq);
	if (!cfg || !(cfg->keys & BF_KEY_NETCAM) || bf_current_taint())
		return 1;
	__builtin_memset(&e, 0, sizeof(e));
	e.flags = BF_EF_NETCAM | BF_EF_RECVFROM;	/* before the judgement: it cannot refuse here */
	bf_sock_dest(ctx, v6, &e);	/* in a recvmsg hook: where the datagram came from */
	cams = bf_net_sets(e.addr, e.port, e.proto, cfg->cam_port_any, BF_NETCAM_SLOT(slot));
	if (!cams)
		return 1;
	e.kind = BF_KIND_CAPTURE;
	e.boot_ns = bpf_ktime_get_boot_ns();
	e.policy_seq = seq;
	e.objs = cams;
	e.minor = bf_lowest_bit(cams);
	if (bf_capture_judge(&e, cfg, slot))
		return 1;	/* allowed: tainted like the socket's owner at arrival */
	e.flags &= ~BF_EF_ENFORCED;	/* delivered: this hook cannot refuse */
	if (!bf_taint_self(&e))
		e.flags |= BF_EF_TAINT_FULL;
	if (bf_use_report_due(&e))
		bf_submit(&e);
	return 1;
}

SEC("cgroup/recvmsg4")
int bf_recvmsg4(struct bpf_sock_addr *ctx)
{
	return bf_recv_decide(ctx, 0);
}

SEC("cgroup/recvmsg6")
int bf_recvmsg6(struct bpf_sock_addr *ctx)
{
	return bf_recv_decide(ctx, 1);
}

SEC("cgroup/bind4")
int bf_bind4(struct bpf_sock_addr *ctx)
{
	return bf_bind_decide(ctx);
}

SEC("cgroup/bind6")
int bf_bind6(struct bpf_sock_addr *ctx)
{
	return bf_bind_decide(ctx);
}

/*
 * 6.2+ only, and used only by the unix-socket programs, which exist only
 * where cgroup/connect_unix does (6.7+). Weak, so that on an older kernel
 * libbpf leaves it unresolved instead of refusing the whole object: the
 * agent never loads those programs there (see bf_loader probe_unix_hooks).
 */
extern void *bpf_cast_to_kern_ctx(void *obj) __ksym __weak;

/*
 * The address exactly as the process gave it, shaped like a policy key
 * (see bf_unix_key_read). The kernel has copied the sockaddr in, but not
 * yet terminated it, so only uaddrlen bytes are read.
 */
static __always_inline void bf_unix_key_of(struct bpf_sock_addr *ctx, struct bf_unix_key *k)
{
	struct bpf_sock_addr_kern *sa = bpf_cast_to_kern_ctx(ctx);
	__u32 n = sa->uaddrlen;

	bf_unix_key_read(k, (char *)sa->uaddr + 2, n > 2 ? n - 2 : 0);
}

/* A tainted process reaching a unix socket: judged by the address it names. */
static __always_inline int bf_unix_decide(struct bpf_sock_addr *ctx, __u32 what)
{
	struct bf_unix_key k;
	struct bf_send s;	/* zeroed by bf_send_start */

	if (!bf_send_begin(&s, BF_KIND_IPC, what))
		return 1;
	__builtin_memset(&k, 0, sizeof(k));	/* an untainted caller never pays for it */
	bf_unix_key_of(ctx, &k);
	return bf_ipc_judge(&s, &k, ctx->type);
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
	struct bf_send s;	/* zeroed by bf_send_start */

	if (!bf_unjudged_socket(ctx) ||
	    !bf_send_begin(&s, BF_KIND_SOCKET, ctx->family == 10 ? BF_EF_IPV6 : 0))
		return 1;
	return bf_socket_verdict(&s, ctx->family, ctx->type, ctx->protocol);
}

/*
 * Where datagram D came from: E's address and port; 0 if not UDP over
 * IPv4 or IPv6 (IPv6 extension headers included: not judged). In
 * cgroup_skb the packet starts at its network header.
 */
static __always_inline int bf_skb_source(struct __sk_buff *skb, struct bf_event *e)
{
	__u8 ip[40];
	__u16 sport;
	__u32 off;

	if (skb->family == 2) {	/* AF_INET */
		if (bpf_skb_load_bytes(skb, 0, ip, 20) || ip[9] != BF_IPPROTO_UDP)
			return 0;
		bf_map_v4(e->addr, *(__u32 *)(ip + 12));
		off = (ip[0] & 0xf) * 4;
	} else if (skb->family == 10) {	/* AF_INET6 */
		if (bpf_skb_load_bytes(skb, 0, ip, 40) || ip[6] != BF_IPPROTO_UDP)
			return 0;
		__builtin_memcpy(e->addr, ip + 8, 16);
		e->flags |= BF_EF_IPV6;
		off = 40;
	} else {
		return 0;
	}
	if (bpf_skb_load_bytes(skb, off, &sport, 2))
		return 0;
	e->port = bpf_ntohs(sport);
	e->proto = BF_IPPROTO_UDP;
	return 1;
}

/* The cgroup id at depth LEVEL above the socket SKB arrived at (bpf_get_current_ancestor_cgroup_id's twin). */
#define BF_SKB_ANCESTOR(level) bpf_skb_ancestor_cgroup_id(skb, level)

/*
 * A datagram from a network camera arriving at a UDP socket: the stream a
 * camera pushes unasked (RTP to a port the client chose), which no
 * connect or send hook sees. Judged as a pull by the socket's owner would
 * be (capture rules, consent windows in kernel time), dropped when
 * refused, and an allowed one taints the owner. A socket with no owner
 * recorded (made before the policy named network cameras) is judged as a
 * process no app matches. Reported at most once a second per process and
 * camera. Every packet in scope passes here: two array loads under a
 * policy without network cameras.
 */
SEC("cgroup_skb/ingress")
int bf_ingress(struct __sk_buff *skb)
{
	const struct bf_slot_config *cfg;
	const struct bf_sk_owner *o;
	struct bpf_sock *sk;
	struct bf_event e;	/* zeroed only for a UDP socket under a policy naming network cameras */
	__u32 slot, seq;
	int allowed;

	cfg = bf_config(&slot, &seq);
	if (!cfg || !(cfg->keys & BF_KEY_NETCAM))
		return 1;
	sk = skb->sk;
	if (!sk || !(sk = bpf_sk_fullsock(sk)) || sk->protocol != BF_IPPROTO_UDP)
		return 1;
	__builtin_memset(&e, 0, sizeof(e));
	if (!bf_skb_source(skb, &e))
		return 1;
	e.objs = bf_net_sets(e.addr, e.port, e.proto, cfg->cam_port_any, BF_NETCAM_SLOT(slot));
	if (!e.objs)
		return 1;
	o = bpf_sk_storage_get(&bf_sk_owner, sk, 0, 0);
	if (o) {
		e.exe_dev = o->exe_dev;
		e.exe_ino = o->exe_ino;
		e.uid = o->uid;
		e.pid = e.tgid = o->tgid;
		__builtin_memcpy(e.comm, o->comm, sizeof(e.comm));
		/* The owner's apps as bf_identify would give them now: its exe and uid, the socket's cgroups. */
		e.apps = bf_apps_of(&e, e.exe_ino != 0, BF_CGROUP_APPS(cfg, slot, BF_SKB_ANCESTOR), cfg, slot);
	}
	e.cgid = bpf_skb_cgroup_id(skb);
	e.kind = BF_KIND_CAPTURE;
	e.flags |= BF_EF_NETCAM | BF_EF_INGRESS;
	e.boot_ns = bpf_ktime_get_boot_ns();
	e.policy_seq = seq;
	e.minor = bf_lowest_bit(e.objs);
	allowed = bf_capture_decide(&e, cfg, slot);
	if (bf_use_report_due(&e))
		bf_submit(&e);
	return allowed;
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
