/* lsm.bpf.c - what only BPF LSM hooks see: sockets of families no cgroup hook judges, refused to a tainted process when it makes one. */
#include "decide.bpf.h"

#define BF_AF_UNIX    1
#define BF_AF_INET    2
#define BF_AF_INET6   10
#define BF_AF_NETLINK 16

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
	struct bf_send s = {};

	if (ret || kern || bf_family_judged(family))
		return ret;
	if (!bf_send_begin(&s, BF_KIND_SOCKET, BF_EF_LSM))
		return 0;
	return bf_socket_verdict(&s, family, type, protocol) ? 0 : -1;	/* -EPERM */
}
