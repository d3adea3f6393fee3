/* lsm.bpf.c - what only BPF LSM hooks see: every use of a camera descriptor, and sockets of families no cgroup hook judges. */
#include "capture.bpf.h"

/*
 * Set by the agent before load: the cgroup it guards, by id and depth
 * below the cgroup2 root. Cgroup programs run only inside it; LSM hooks
 * run for every process on the host, so each one asks first.
 */
const volatile __u64 bf_scope_cgid = 0;
const volatile __u32 bf_scope_level = 0;

static __always_inline int bf_in_scope(void)
{
	return !bf_scope_cgid || bpf_get_current_ancestor_cgroup_id(bf_scope_level) == bf_scope_cgid;
}

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

	if (ret || kern || bf_family_judged(family) || !bf_in_scope())
		return ret;
	if (!bf_send_begin(&s, BF_KIND_SOCKET, BF_EF_LSM))
		return 0;
	return bf_socket_verdict(&s, family, type, protocol) ? 0 : -1;	/* -EPERM */
}

#define BF_S_IFMT  00170000
#define BF_S_IFCHR 0020000
#define BF_MAY_READ 4
#define BF_MINORBITS 20

/*
 * A refused use is reported once a second per (process, camera): a loop
 * of refused DQBUFs must not flood the ring buffer. Not pinned: a
 * restarted agent may report one more.
 */
struct bf_use_key {
	__u32 tgid;
	__u32 dev;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct bf_use_key);
	__type(value, __u64);
} bf_use_reported SEC(".maps");

static __always_inline int bf_use_report_due(const struct bf_event *e)
{
	struct bf_use_key k = { .tgid = e->tgid, .dev = e->major << BF_MINORBITS | e->minor };
	__u64 *last = bpf_map_lookup_elem(&bf_use_reported, &k);

	if (last && e->boot_ns - *last < 1000000000ull)
		return 0;
	bpf_map_update_elem(&bf_use_reported, &k, &e->boot_ns, BPF_ANY);
	return 1;
}

/*
 * A use of an open descriptor of FILE (USE: BF_USE_* << 16 | detail) is
 * judged as an open of its camera now would be: by the caller, against
 * the policy in force, inside its consent window. 0 lets it through,
 * -EPERM refuses it; only refusals are reported (the open was logged).
 */
static __always_inline int bf_camera_use(struct file *file, __u32 use)
{
	struct inode *inode = file->f_inode;
	const struct bf_slot_config *cfg;
	struct bf_event e = {};
	__u32 slot, seq, dev;
	int allowed;

	if (!inode || (inode->i_mode & BF_S_IFMT) != BF_S_IFCHR || !bf_in_scope())
		return 0;
	cfg = bf_config(&slot, &seq);
	if (!cfg)
		return 0;
	dev = inode->i_rdev;
	e.major = dev >> BF_MINORBITS;
	e.minor = dev & ((1u << BF_MINORBITS) - 1);
	e.objs = bf_camera_objs(slot, e.major, e.minor);
	if (!e.objs)
		return 0;	/* not a camera */
	e.kind = BF_KIND_CAPTURE;
	e.flags = BF_EF_LSM | BF_EF_USE;
	e.boot_ns = bpf_ktime_get_boot_ns();
	e.policy_seq = seq;
	e.access = use;
	allowed = bf_capture_judge(&e, cfg, slot);
	if ((e.flags & BF_EF_DENY_RULE) || !allowed) {
		if (bf_use_report_due(&e))
			bf_submit(&e);
	}
	return allowed ? 0 : -1;	/* -EPERM */
}

/* The V4L2 ioctls that start streaming, move frames or hand out buffers. */
static __always_inline int bf_streaming_ioctl(unsigned int cmd)
{
	__u32 nr = cmd & 0xff;

	if (((cmd >> 8) & 0xff) != 'V')
		return 0;
	return nr == 8 || nr == 15 || nr == 16 || nr == 17 || nr == 18 ||	/* REQBUFS QBUF EXPBUF DQBUF STREAMON */
	       nr == 92 || nr == 93;						/* CREATE_BUFS PREPARE_BUF */
}

SEC("lsm/file_ioctl")
int BPF_PROG(bf_lsm_file_ioctl, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	if (ret || !bf_streaming_ioctl(cmd))
		return ret;
	return bf_camera_use(file, BF_USE_IOCTL << 16 | (cmd & 0xff));
}

/* Mapping a camera's buffers is how frames are read without a copy. */
SEC("lsm/mmap_file")
int BPF_PROG(bf_lsm_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot,
	     unsigned long flags, int ret)
{
	if (ret || !file)
		return ret;
	return bf_camera_use(file, BF_USE_MMAP << 16);
}

/* read() on a camera is V4L2's read I/O method: frames without any ioctl. */
SEC("lsm/file_permission")
int BPF_PROG(bf_lsm_file_permission, struct file *file, int mask, int ret)
{
	if (ret || !(mask & BF_MAY_READ))
		return ret;
	return bf_camera_use(file, BF_USE_READ << 16);
}
