/* lsm_files.bpf.c - BPF LSM hooks on files: camera opens and every use of a camera descriptor that moves frames are judged, template stores guarded, and pipes carry taint. */
#include "capture.bpf.h"
#include "lsm.bpf.h"
#include "store.bpf.h"
#include "taint.bpf.h"
#include "use_report.bpf.h"

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
	struct bf_event e;	/* zeroed only for a camera: tty and null writes come here too */
	__u32 slot, seq, dev, major, minor;
	__u64 objs;
	int allowed;

	if (!inode || (inode->i_mode & BF_S_IFMT) != BF_S_IFCHR || !bf_in_scope())
		return 0;
	cfg = bf_config(&slot, &seq);
	if (!cfg)
		return 0;
	dev = inode->i_rdev;
	major = dev >> BF_MINORBITS;
	minor = dev & ((1u << BF_MINORBITS) - 1);
	objs = bf_camera_objs(slot, major, minor);
	if (!objs)
		return 0;	/* not a camera */
	__builtin_memset(&e, 0, sizeof(e));
	e.major = major;
	e.minor = minor;
	e.objs = objs;
	e.kind = BF_KIND_CAPTURE;
	e.flags = BF_EF_LSM | BF_EF_USE;
	e.boot_ns = bpf_ktime_get_boot_ns();
	e.policy_seq = seq;
	e.access = use;
	allowed = bf_capture_judge(&e, cfg, slot);
	if (use >> 16 == BF_USE_RECEIVE)
		bf_submit(&e);	/* rare, and a new holder (tainted now) is worth a record */
	else if (((e.flags & BF_EF_DENY_RULE) || !allowed) && bf_use_report_due(&e))
		bf_submit(&e);
	return bf_lsm_ret(allowed);
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

/*
 * Every open on the host. A camera node is judged as cgroup/dev judged it
 * a moment before, in the permission check that logged the open: a second
 * gate, by device, that still holds if the device program is detached
 * (where self-protection is off) or never ran; only a refusal of its own
 * is reported. Any other file may lie in a template store (store.bpf.h).
 */
SEC("lsm/file_open")
int BPF_PROG(bf_lsm_file_open, struct file *file, int ret)
{
	struct inode *inode = file->f_inode;

	if (ret || !inode)
		return ret;
	if ((inode->i_mode & BF_S_IFMT) == BF_S_IFCHR)
		return bf_camera_use(file, BF_USE_OPEN << 16);
	return bf_store_guard(file->f_path.dentry, BF_STORE_OPEN);
}

SEC("lsm/file_ioctl")
int BPF_PROG(bf_lsm_file_ioctl, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	if (ret || !bf_streaming_ioctl(cmd))
		return ret;
	return bf_camera_use(file, BF_USE_IOCTL << 16 | (cmd & 0xff));
}

/* Forward: shared memory carries taint like a pipe (below). */
static __always_inline int bf_shm_io(struct inode *inode, int write, int read, __u32 via);
static __always_inline int bf_is_shm(struct inode *inode);

/*
 * Mapping a camera's buffers is how frames are read without a copy. A
 * shared mapping of shared memory is how they are handed on without one.
 */
SEC("lsm/mmap_file")
int BPF_PROG(bf_lsm_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot,
	     unsigned long flags, int ret)
{
	struct inode *inode;

	if (ret || !file)
		return ret;
	inode = file->f_inode;
	if (inode && (flags & BF_MAP_SHARED) && (inode->i_mode & BF_S_IFMT) == BF_S_IFREG &&
	    bf_is_shm(inode))
		return bf_shm_io(inode, prot & BF_PROT_WRITE, prot & BF_PROT_READ, BF_VIA_SHM);
	return bf_camera_use(file, BF_USE_MMAP << 16);
}

/*
 * A pipe or FIFO a tainted process wrote to carries that taint from then
 * on (inode storage, the first taint it got), and whoever reads it is
 * tainted (pipe_handoff: a helper forked before the camera was opened),
 * also one already waiting in read() when the write came. Seen through
 * read(2) and write(2); splice and vmsplice move pages without this
 * hook, so they are not.
 */
struct {
	__uint(type, BPF_MAP_TYPE_INODE_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct bf_chan);
	BF_PINNED;
} bf_pipe_taint SEC(".maps");

/*
 * INODE's channel carries a write by a tainted process (T) or a read by
 * an untainted one (T NULL) through VIA; 0, or -EPERM for a read refused
 * (the taint table is full).
 */
static __always_inline int bf_inode_chan_io(struct inode *inode, struct bf_taint *t, __u32 via)
{
	struct bf_chan *c;

	c = bpf_inode_storage_get(&bf_pipe_taint, inode, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!c)	/* another CPU made it first: the kernel gives the loser NULL */
		c = bpf_inode_storage_get(&bf_pipe_taint, inode, 0, 0);
	return c ? bf_lsm_ret(bf_chan_apply(c, t, via)) : 0;
}

/* WRITE and READ: what the caller does to a channel INODE (a pipe, or shared memory). */
static __always_inline int bf_chan_io(struct inode *inode, int write, int read, __u32 via)
{
	struct bf_taint *t;

	if (!(write || read) || !bf_in_scope())
		return 0;
	t = bf_current_taint();
	if (t ? !write : !read)
		return 0;	/* a tainted reader or an untainted writer: nothing to carry */
	return bf_inode_chan_io(inode, t, via);
}

static __always_inline int bf_pipe_io(struct inode *inode, int mask)
{
	return bf_chan_io(inode, mask & BF_MAY_WRITE, mask & BF_MAY_READ, BF_VIA_PIPE);
}

/*
 * Shared memory: the kernel's own shm mount (memfd_create) and /dev/shm,
 * by the device numbers the agent found (0: none). A
 * tainted process that writes to one, or maps it shared and writable,
 * marks its inode as a pipe's write would; whoever reads it or maps it
 * shared is tainted, also one that mapped it before the write (a
 * registered reader). Writes through a mapping are invisible, so the
 * mapping stands for them. SysV segments: lsm/shm_shmat, below. A
 * hugetlbfs memfd and files elsewhere are not shared memory here: status
 * says so.
 */
const volatile __u32 bf_shm_devs[2] = {};

/* Whether regular file INODE lives on a shared-memory mount (its device; the caller checked the type). */
static __always_inline int bf_is_shm(struct inode *inode)
{
	__u32 dev = inode->i_sb->s_dev;

	return dev && (dev == bf_shm_devs[0] || dev == bf_shm_devs[1]);
}

static __always_inline int bf_shm_io(struct inode *inode, int write, int read, __u32 via)
{
	return bf_chan_io(inode, write, read, via);
}

/*
 * A SysV segment: shmat maps it without mmap_file, and 6.1 lets no
 * program here take storage on its inode, so its channel is kept in a
 * hash keyed by the segment's kernel address (live as long as it is:
 * dropped at shm_free_security). Attaching it read-write stands for a
 * tainted write, attaching it at all for a read.
 */
#define BF_MAX_SYSV_SHM 4096
#define BF_SHM_RDONLY   010000
BF_MAP(BPF_MAP_TYPE_HASH, BF_MAX_SYSV_SHM, __u64, struct bf_chan) bf_sysv_taint SEC(".maps");

SEC("lsm/shm_shmat")
int BPF_PROG(bf_lsm_shm_shmat, struct kern_ipc_perm *perm, char *shmaddr, int shmflg, int ret)
{
	static const struct bf_chan zero;
	struct bf_taint *t;
	struct bf_chan *c;
	__u64 key = (__u64)perm;

	if (ret || !bf_in_scope())
		return ret;
	t = bf_current_taint();
	if (t && (shmflg & BF_SHM_RDONLY))
		return 0;	/* a tainted reader: nothing to carry */
	c = bpf_map_lookup_elem(&bf_sysv_taint, &key);
	if (!c) {
		bpf_map_update_elem(&bf_sysv_taint, &key, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&bf_sysv_taint, &key);
	}
	if (!c) {
		/* Full: this segment carries no taint; counted (taint_full in status), never silent. */
		bf_count(BF_STAT_TAINT_FULL);
		return 0;
	}
	return bf_lsm_ret(bf_chan_apply(c, t, BF_VIA_SYSV));
}

SEC("lsm/shm_free_security")
int BPF_PROG(bf_lsm_shm_free, struct kern_ipc_perm *perm)
{
	__u64 key = (__u64)perm;

	bpf_map_delete_elem(&bf_sysv_taint, &key);
	return 0;
}

/*
 * Every read and write through a file. The first test is the inode's
 * type, so the common case (neither a pipe nor a character device) costs
 * two loads. read() on a camera is V4L2's read I/O method: frames without
 * any ioctl, judged as a use.
 */
SEC("lsm/file_permission")
int BPF_PROG(bf_lsm_file_permission, struct file *file, int mask, int ret)
{
	struct inode *inode = file->f_inode;
	__u32 fmt;

	if (ret || !inode)
		return ret;
	fmt = inode->i_mode & BF_S_IFMT;
	if (fmt == BF_S_IFIFO)
		return bf_pipe_io(inode, mask);
	if (fmt == BF_S_IFREG)
		return bf_is_shm(inode) ? bf_shm_io(inode, mask & BF_MAY_WRITE, mask & BF_MAY_READ, BF_VIA_SHM_IO) : 0;
	if (fmt != BF_S_IFCHR || !(mask & BF_MAY_READ))
		return 0;
	return bf_camera_use(file, BF_USE_READ << 16);
}

/*
 * A camera descriptor arriving over SCM_RIGHTS or copied with pidfd_getfd
 * is judged as an open by its receiver now: refused (the fd is never
 * installed: recvmsg reports MSG_CTRUNC, pidfd_getfd EPERM) unless the
 * receiver may capture, and an allowed receiver is tainted at once, before
 * its first use, so what it sends is judged even if it never reads.
 */
SEC("lsm/file_receive")
int BPF_PROG(bf_lsm_file_receive, struct file *file, int ret)
{
	if (ret)
		return ret;
	return bf_camera_use(file, BF_USE_RECEIVE << 16);
}
