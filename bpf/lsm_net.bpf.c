/* lsm_net.bpf.c - BPF LSM hooks on sockets: families no cgroup hook judges, sends on connected sockets, and sockets that carry taint (inet: to every sender; unnamed unix: to the reader). */
#include "capture.bpf.h"
#include "export.bpf.h"
#include "ipc.bpf.h"
#include "lsm.bpf.h"
#include "taint.bpf.h"
#include "use_report.bpf.h"

/*
 * A socket a tainted process made, connected or sent on carries that
 * taint from then on (the first one it got), so whoever sends on it later
 * is judged as if tainted: a socket passed over SCM_RIGHTS, copied with
 * pidfd_getfd or inherited by an untainted process cannot carry frames
 * past the export rules. An unnamed unix socket is marked when a tainted
 * process writes to it (see bf_unix_mark), and taints whoever reads it.
 * Pinned, so a restarted agent's programs see it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct bf_chan);
	BF_PINNED;
} bf_sk_taint SEC(".maps");

/*
 * SK's channel, made if it has none. Two CPUs making it at once: the
 * kernel gives the loser NULL, and the winner's is then there to find.
 */
static __always_inline struct bf_chan *bf_sk_chan(struct sock *sk)
{
	struct bf_chan *c = bpf_sk_storage_get(&bf_sk_taint, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);

	return c ? c : bpf_sk_storage_get(&bf_sk_taint, sk, 0, 0);
}

static __always_inline void bf_sk_mark(struct sock *sk, struct bf_taint *t)
{
	struct bf_chan *c = bf_sk_chan(sk);
	struct bf_taint now;

	/* Marked already, the common case for a tainted sender's every send: no lock (bf_chan_mark checks again under it). */
	if (c && !c->taint.origin_tgid)
		bf_chan_mark(c, t, &now);
}

/* The taint SK carries, or NULL (a unix socket's storage may hold only its readers). */
static __always_inline struct bf_taint *bf_sk_taint_of(struct sock *sk)
{
	struct bf_chan *c = bpf_sk_storage_get(&bf_sk_taint, sk, 0, 0);

	return c && c->taint.origin_tgid ? &c->taint : NULL;
}

/*
 * The families whose traffic a cgroup hook already judges (inet and inet6:
 * sock_addr hooks, and cgroup/sock_create for their raw and ping sockets;
 * unix: the ipc rules) or which never leave this host (netlink, which
 * glibc's resolver needs). Every other family (packet, vsock, bluetooth,
 * CAN, TIPC, RDS, XDP...) sends where no export rule looks.
 */
static __always_inline int bf_family_judged(int family)
{
	return family == BF_AF_UNIX || family == BF_AF_INET || family == BF_AF_INET6 ||
	       family == BF_AF_NETLINK;
}

/*
 * Refused when made, so there is nothing for the agent's scan to catch
 * late: a packet written at once never leaves. KERN: the kernel's own
 * sockets are no process's. RET: an earlier LSM's refusal stands.
 */
SEC("lsm/socket_create")
int BPF_PROG(bf_lsm_socket_create, int family, int type, int protocol, int kern, int ret)
{
	struct bf_send s;	/* zeroed by bf_send_start */

	if (ret || kern || bf_family_judged(family) || !bf_in_scope())
		return ret;
	if (!bf_send_begin(&s, BF_KIND_SOCKET, BF_EF_LSM))
		return 0;
	return bf_lsm_ret(bf_socket_verdict(&s, family, type, protocol));
}

/* A socket made by a tainted process is tainted from birth. */
SEC("lsm/socket_post_create")
int BPF_PROG(bf_lsm_socket_post_create, struct socket *sock, int family, int type, int protocol,
	     int kern, int ret)
{
	struct sock *sk = sock->sk;	/* loaded once: 6.12's verifier wants the NULL test on it */
	struct bf_taint *t;

	if (ret || kern || !sk || (family != BF_AF_INET && family != BF_AF_INET6) || !bf_in_scope())
		return ret;
	t = bf_current_taint();
	if (t)
		bf_sk_mark(sk, t);
	return 0;
}

/* Fills E's address and port from a sockaddr the kernel has copied in; 0 if not inet. */
static __always_inline int bf_addr_of(struct bf_event *e, const struct sockaddr *sa)
{
	struct sockaddr_in6 sin6 = {};
	struct sockaddr_in sin = {};
	__u16 family = 0;

	bpf_probe_read_kernel(&family, sizeof(family), &sa->sa_family);
	if (family == BF_AF_INET) {
		bpf_probe_read_kernel(&sin, sizeof(sin), sa);
		bf_map_v4(e->addr, sin.sin_addr.s_addr);
		e->port = bpf_ntohs(sin.sin_port);
		return 1;
	}
	if (family == BF_AF_INET6) {
		bpf_probe_read_kernel(&sin6, sizeof(sin6), sa);
		__builtin_memcpy(e->addr, &sin6.sin6_addr, 16);
		e->port = bpf_ntohs(sin6.sin6_port);
		e->flags |= BF_EF_IPV6;
		return 1;
	}
	return 0;
}

/* Fills E's address and port from SK's peer; 0 if it has none (not connected). */
static __always_inline int bf_peer_of(struct bf_event *e, struct sock *sk)
{
	if (sk->__sk_common.skc_family == BF_AF_INET6) {
		__builtin_memcpy(e->addr, &sk->__sk_common.skc_v6_daddr, 16);
		e->flags |= BF_EF_IPV6;
	} else {
		bf_map_v4(e->addr, sk->__sk_common.skc_daddr);
	}
	e->port = bpf_ntohs(sk->__sk_common.skc_dport);
	return e->port != 0;
}

/*
 * A send on a socket connected to a network camera (an RTSP or HTTP
 * request on the stream's own connection) talks to the camera: judged as
 * the connect was, by the capture rules, never as an export of what the
 * sender holds (a camera is no dest: check refuses the overlap). Only
 * refusals are reported, once a second per process and camera.
 */
static __always_inline int bf_lsm_netcam_send(struct bf_send *s, __u64 cams)
{
	int allowed;

	s->e.kind = BF_KIND_CAPTURE;
	s->e.flags |= BF_EF_NETCAM;
	s->e.objs = cams;
	s->e.minor = bf_lowest_bit(cams);
	allowed = bf_capture_judge(&s->e, s->cfg, s->slot);
	if (((s->e.flags & BF_EF_DENY_RULE) || !allowed) && bf_use_report_due(&s->e))
		bf_submit(&s->e);
	return bf_lsm_ret(allowed);
}

/* The export judgement of S, once its address is known; refusals and deny-rule hits are reported. */
static __always_inline int bf_lsm_export(struct bf_send *s, struct sock *sk)
{
	__u64 cams;
	int allowed;

	s->e.proto = sk->sk_protocol;
	if (s->cfg->keys & BF_KEY_NETCAM) {
		cams = bf_net_sets(s->e.addr, s->e.port, s->e.proto, s->cfg->cam_port_any,
				   BF_NETCAM_SLOT(s->slot));
		if (cams)
			return bf_lsm_netcam_send(s, cams);
	}
	s->e.objs = bf_dest_sets(&s->e, s->cfg, s->slot);
	allowed = bf_send_judge(s, BF_TABLE_EXPORT, s->cfg->n_export, BF_STAT_EXPORT_DENY);
	if (!allowed || (s->e.flags & BF_EF_DENY_RULE))
		bf_submit(&s->e);
	return bf_lsm_ret(allowed);
}

/*
 * A connect names its address, and for a tainted process the cgroup
 * connect hooks judge it; what is left here is the socket: it is marked,
 * and an untainted process connecting a socket that carries taint is
 * judged by the socket's taint.
 */
SEC("lsm/socket_connect")
int BPF_PROG(bf_lsm_socket_connect, struct socket *sock, struct sockaddr *address, int addrlen,
	     int ret)
{
	struct sock *sk = sock->sk;
	struct bf_send s;	/* zeroed by bf_send_start */
	struct bf_taint *t;
	__u16 family;

	if (ret || !sk)
		return ret;
	family = sk->__sk_common.skc_family;
	if (family != BF_AF_INET && family != BF_AF_INET6)
		return 0;
	/* Taint first, scope after: an untainted connect, the common case, saves a helper call. */
	t = bf_current_taint();
	if (t) {
		if (bf_in_scope())
			bf_sk_mark(sk, t);
		return 0;
	}
	t = bf_sk_taint_of(sk);
	if (!t || !bf_in_scope() ||
	    !bf_send_start(&s, BF_KIND_EXPORT, BF_EF_LSM | BF_EF_CONNECT | BF_EF_SOCK_TAINT, t))
		return 0;
	if (!bf_addr_of(&s.e, address))
		return 0;	/* AF_UNSPEC: a disconnect */
	return bf_lsm_export(&s, sk);
}

/*
 * Data a tainted process writes into an unnamed unix socket (a socketpair,
 * or the client end of a connection it accepted: unix_listen) taints the
 * reader. A socket bound to a name is the ipc rules' to judge by that
 * name, and a daemon serving one (journald's /dev/log, D-Bus) is not
 * tainted by every client that writes to it.
 */
static __always_inline int bf_unix_unnamed(struct sock *sk)
{
	struct unix_sock *u = bpf_skc_to_unix_sock(sk);

	return u && !u->addr;
}

static __always_inline void bf_unix_mark(struct sock *peer, struct bf_taint *t)
{
	struct bf_chan *c;

	if (!peer || !bf_unix_unnamed(peer))
		return;
	c = bf_sk_chan(peer);
	if (c)
		bf_chan_write(c, t, BF_VIA_UNIX);
}

/* A unix stream or seqpacket send (no unix_may_send for them): the receiving end is the peer. */
static __always_inline int bf_unix_send(struct sock *sk)
{
	struct bf_taint *t = bf_current_taint();
	struct unix_sock *u;

	if (!t)
		return 0;
	u = bpf_skc_to_unix_sock(sk);
	if (u)
		bf_unix_mark(u->peer, t);
	return 0;
}

/*
 * Set by the agent before load: the ipc rules are this family's to
 * enforce, because the kernel has no cgroup/connect_unix (before 6.7).
 */
const volatile __u32 bf_lsm_ipc = 0;

/*
 * A tainted process reaching the unix socket OTHER: judged by the name
 * OTHER is bound to (not the spelling the caller used: a relative path
 * reaches the same socket, and is judged as it). An unnamed socket (one
 * end of a socketpair) has no name to judge; the channel taint covers it.
 */
static __always_inline int bf_lsm_ipc_judge(struct sock *other, __u32 type, __u32 what)
{
	struct bf_unix_key k;
	struct unix_address *a;
	struct unix_sock *u;
	struct bf_send s;	/* zeroed by bf_send_start */

	u = bpf_skc_to_unix_sock(other);
	if (!u || !(a = u->addr))
		return 0;
	if (!bf_send_begin(&s, BF_KIND_IPC, what | BF_EF_LSM))
		return 0;
	__builtin_memset(&k, 0, sizeof(k));	/* bytes past the name hash as zero */
	bf_unix_key_bound(&k, a->name[0].sun_path, (__u32)a->len);
	return bf_lsm_ret(bf_ipc_judge(&s, &k, type));
}

/* A stream or seqpacket connect reaches a listening socket here, after the lookup. */
SEC("lsm/unix_stream_connect")
int BPF_PROG(bf_lsm_unix_stream_connect, struct sock *sock, struct sock *other, struct sock *newsk,
	     int ret)
{
	if (ret || !bf_lsm_ipc || !bf_in_scope())
		return ret;
	return bf_lsm_ipc_judge(other, sock->sk_type, BF_EF_CONNECT);
}

/*
 * Every datagram to another unix socket, connected or not, and the
 * connect of a datagram socket, name the receiver here. The ipc rules
 * judge a connect or a send that names an address, as the cgroup hooks
 * do: a send to the peer a socket is already connected to was judged when
 * it connected.
 */
SEC("lsm/unix_may_send")
int BPF_PROG(bf_lsm_unix_may_send, struct socket *sock, struct socket *other, int ret)
{
	struct sock *sk = sock->sk, *osk = other->sk;
	struct bf_taint *t;
	struct unix_sock *u;

	if (ret || !osk || !bf_in_scope())
		return ret;
	t = bf_current_taint();
	if (!t)
		return 0;
	bf_unix_mark(osk, t);
	if (!bf_lsm_ipc || !sk)
		return 0;
	u = bpf_skc_to_unix_sock(sk);
	if (u && u->peer == osk)
		return 0;
	return bf_lsm_ipc_judge(osk, sk->sk_type, 0);
}

/*
 * A receive on a socket connected to a network camera is its stream going
 * on: judged as the connect was, now, so a stream pulled inside a consent
 * window stops when the window ends, and a socket passed to a program the
 * rules do not allow streams nothing to it. Only refusals are reported
 * (the connect was logged), once a second per process and camera. Costs
 * nothing but two array loads in a policy without network cameras.
 */
static __always_inline int bf_netcam_recv(struct sock *sk)
{
	const struct bf_slot_config *cfg;
	struct bf_event e;	/* zeroed only once a policy names network cameras */
	__u32 slot, seq;
	int allowed;

	cfg = bf_config(&slot, &seq);
	if (!cfg || !(cfg->keys & BF_KEY_NETCAM))
		return 0;
	__builtin_memset(&e, 0, sizeof(e));
	if (!bf_peer_of(&e, sk))
		return 0;
	e.proto = sk->sk_protocol;
	e.objs = bf_net_sets(e.addr, e.port, e.proto, cfg->cam_port_any, BF_NETCAM_SLOT(slot));
	if (!e.objs || !bf_in_scope())
		return 0;
	e.kind = BF_KIND_CAPTURE;
	e.flags |= BF_EF_LSM | BF_EF_NETCAM | BF_EF_USE;
	e.boot_ns = bpf_ktime_get_boot_ns();
	e.policy_seq = seq;
	e.minor = bf_lowest_bit(e.objs);
	allowed = bf_capture_judge(&e, cfg, slot);
	if (((e.flags & BF_EF_DENY_RULE) || !allowed) && bf_use_report_due(&e))
		bf_submit(&e);
	return bf_lsm_ret(allowed);
}

/*
 * Reading from an unnamed unix socket that carries taint taints the
 * reader; one that does not yet remembers the reader (see bf_chan_read).
 * A connected inet socket's peer may be a network camera (bf_netcam_recv).
 */
SEC("lsm/socket_recvmsg")
int BPF_PROG(bf_lsm_socket_recvmsg, struct socket *sock, struct msghdr *msg, int size, int flags,
	     int ret)
{
	struct sock *sk = sock->sk;
	struct bf_chan *c;
	__u16 family;

	if (ret || !sk)
		return ret;
	family = sk->__sk_common.skc_family;
	if (family == BF_AF_INET || family == BF_AF_INET6)
		return bf_netcam_recv(sk);
	if (family != BF_AF_UNIX || !bf_in_scope())
		return 0;
	if (bf_current_taint() || !bf_unix_unnamed(sk))
		return 0;
	c = bf_sk_chan(sk);
	if (!c)
		return 0;
	return bf_lsm_ret(bf_chan_read(c, BF_VIA_UNIX));
}

/*
 * A send on a connected socket names no address, so no sock_addr hook
 * runs: a socket connected before its process was tainted
 * (pre_taint_socket) went out unjudged. Here such a send by a tainted
 * process is judged by the socket's peer, as a connect to it would be; a
 * datagram that names its address is the cgroup sendmsg hooks' already.
 * A sender that is not tainted is judged the same way if the socket
 * carries taint, by the address it names or else the peer. TCP ignores a
 * named address (bar Fast Open, whose connect the cgroup hook judges), so
 * a stream is always judged by its peer.
 */
SEC("lsm/socket_sendmsg")
int BPF_PROG(bf_lsm_socket_sendmsg, struct socket *sock, struct msghdr *msg, int size, int ret)
{
	struct sock *sk = sock->sk;
	struct bf_send s;	/* zeroed by bf_send_start */
	struct bf_taint *t;
	__u16 family;
	int stream, named;

	if (ret || !sk)
		return ret;
	family = sk->__sk_common.skc_family;
	/* A datagram's receiver is marked by lsm/unix_may_send, which sees every one. */
	if (family == BF_AF_UNIX)
		return sk->sk_type == BF_SOCK_DGRAM || !bf_in_scope() ? 0 : bf_unix_send(sk);
	if (family != BF_AF_INET && family != BF_AF_INET6)
		return 0;
	stream = sk->sk_type == BF_SOCK_STREAM;
	named = !stream && msg->msg_name;
	/* Taint first, scope after: an untainted send, the common case, saves a helper call. */
	t = bf_current_taint();
	if (t && !bf_in_scope())
		return 0;
	if (t) {
		bf_sk_mark(sk, t);
		if (named)
			return 0;	/* cgroup/sendmsg4, sendmsg6 */
		if (!bf_send_start(&s, BF_KIND_EXPORT, BF_EF_LSM, t))
			return 0;
	} else {
		t = bf_sk_taint_of(sk);
		if (!t || !bf_in_scope() ||
		    !bf_send_start(&s, BF_KIND_EXPORT, BF_EF_LSM | BF_EF_SOCK_TAINT, t))
			return 0;	/* untainted: two lookups */
	}
	if (named ? !bf_addr_of(&s.e, msg->msg_name) : !bf_peer_of(&s.e, sk))
		return 0;	/* unconnected: the send fails, or Fast Open's connect is judged */
	return bf_lsm_export(&s, sk);
}

/*
 * An SQPOLL ring's kernel thread submits what any process sharing the
 * ring queues, as the ring's owner: a tainted child queues connect and
 * send, its untainted parent's thread runs them (io_uring_sqpoll). No hook
 * can tell who queued a request, so where biofence enforces no process in
 * scope may make such a ring, tainted or not (in audit mode it is
 * reported). io_uring without SQPOLL runs requests as their submitter and
 * is judged as usual.
 */
SEC("lsm/uring_sqpoll")
int BPF_PROG(bf_lsm_uring_sqpoll, int ret)
{
	const struct bf_slot_config *cfg;
	struct bf_taint *t;
	struct bf_event e = {};
	__u32 slot, seq;
	int allowed;

	if (ret || !bf_in_scope())
		return ret;
	cfg = bf_config(&slot, &seq);
	if (!cfg)
		return 0;
	e.kind = BF_KIND_SOCKET;
	e.flags = BF_EF_LSM | BF_EF_URING;
	e.boot_ns = bpf_ktime_get_boot_ns();
	e.policy_seq = seq;
	e.rule = BF_RULE_DEFAULT;
	t = bf_current_taint();
	if (t)
		e.taint = *t;
	bf_identify(&e, cfg, slot);
	allowed = bf_verdict(&e, cfg, 0);
	if (!allowed)
		bf_count(BF_STAT_SOCKET_DENY);
	bf_submit(&e);
	return bf_lsm_ret(allowed);
}
