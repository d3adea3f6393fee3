/* protect.bpf.c - self-protection, BPF LSM only: no one but the agent writes biofence's maps, takes its programs or links, removes its pins, kills or ptraces it. */
#include "decide.bpf.h"

/*
 * Filled by the agent after load (userspace/lib/bpf/protect.c). Not
 * pinned: each load has its own, holding the ids of that load's objects,
 * and the programs of a load read only their own (see include/biofence.h).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bf_protect_cfg);
} bf_protect SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct bf_protect_key);
	__type(value, __u8);
} bf_protect_ids SEC(".maps");

#define BF_FMODE_WRITE 0x2
#define BF_PTRACE_MODE_ATTACH 0x02

/* The configuration while protection is on; NULL lets everything through. */
static __always_inline const struct bf_protect_cfg *bf_prot_cfg(void)
{
	__u32 zero = 0;
	const struct bf_protect_cfg *c = bpf_map_lookup_elem(&bf_protect, &zero);

	return c && (c->flags & BF_PROT_ON) ? c : 0;
}

/*
 * Is TASK running the agent's executable, or the one it trusts to take
 * over (an upgrade)? A kernel thread (no mm) is not.
 */
static __always_inline int bf_runs_agent(struct task_struct *task, const struct bf_protect_cfg *c)
{
	struct file *exe = task->mm->exe_file;
	__u64 ino, dev;

	if (!exe)
		return 0;
	ino = exe->f_inode->i_ino;
	dev = exe->f_inode->i_sb->s_dev;
	return (ino == c->agent_ino && dev == c->agent_dev) ||
	       (c->next_ino && ino == c->next_ino && dev == c->next_dev);
}

static __always_inline int bf_is_agent(const struct bf_protect_cfg *c)
{
	return bf_runs_agent(bpf_get_current_task_btf(), c);
}

static __always_inline int bf_ours(__u32 kind, __u32 id)
{
	struct bf_protect_key k = { .kind = kind, .id = id };

	return id && bpf_map_lookup_elem(&bf_protect_ids, &k) != 0;
}

/*
 * Report a refusal (WHAT, its DETAIL, the OBJ concerned) and refuse: -EPERM.
 * Built in the ring buffer itself, not on the stack the callers need.
 */
static __always_inline int bf_refuse(__u32 what, __u32 detail, __u32 obj)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct file *exe = task->mm->exe_file;
	struct bf_event *e;

	bf_count(BF_STAT_PROTECT_DENY);
	e = bpf_ringbuf_reserve(&bf_events, sizeof(*e), 0);
	if (!e) {
		bf_count(BF_STAT_LOST);
		return -1;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->boot_ns = bpf_ktime_get_boot_ns();
	e->cgid = bpf_get_current_cgroup_id();
	e->kind = BF_KIND_PROTECT;
	e->flags = BF_EF_LSM | BF_EF_ENFORCED | BF_EF_DENY_RULE;
	e->pid = task->pid;
	e->tgid = task->tgid;
	e->ppid = task->real_parent->tgid;
	e->uid = task->cred->uid.val;
	e->rule = BF_RULE_DEFAULT;
	e->access = what;
	e->major = detail;
	e->window = obj;
	if (exe) {
		e->exe_ino = exe->f_inode->i_ino;
		e->exe_dev = exe->f_inode->i_sb->s_dev;
	}
	bpf_probe_read_kernel(e->comm, sizeof(e->comm), task->comm);
	bpf_ringbuf_submit(e, bf_wake_flag());
	bf_count(BF_STAT_EVENTS);
	return -1;	/* -EPERM */
}

/*
 * Every fd to an existing map (by id, from a pin): a read-only one stays
 * open to all (status tools, bpftool map dump with BPF_F_RDONLY), a
 * writable one of biofence's is the agent's alone.
 */
SEC("lsm/bpf_map")
int BPF_PROG(bf_protect_bpf_map, struct bpf_map *map, fmode_t fmode)
{
	const struct bf_protect_cfg *c = bf_prot_cfg();

	if (!c || !(fmode & BF_FMODE_WRITE) || !bf_ours(BF_PROT_OBJ_MAP, map->id) || bf_is_agent(c))
		return 0;
	return bf_refuse(BF_PROT_MAP_WRITE, fmode, map->id);
}

/* A program fd could be attached elsewhere, or its maps reached: none to non-agents. */
SEC("lsm/bpf_prog")
int BPF_PROG(bf_protect_bpf_prog, struct bpf_prog *prog)
{
	const struct bf_protect_cfg *c = bf_prot_cfg();
	__u32 id = prog->aux->id;

	if (!c || !bf_ours(BF_PROT_OBJ_PROG, id) || bf_is_agent(c))
		return 0;
	return bf_refuse(BF_PROT_PROG_FD, 0, id);
}

/* The link behind descriptor FD of the current process, by id; 0 for none. */
static __always_inline __u32 bf_fd_link_id(__u32 fd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = task->files->fdt;
	struct file **fds;
	struct file *f = 0;
	void *priv;

	if (!fdt || fd >= fdt->max_fds)
		return 0;
	fds = fdt->fd;
	if (bpf_probe_read_kernel(&f, sizeof(f), fds + fd) || !f)
		return 0;
	/*
	 * Not checked to be a link: another file whose private data reads as
	 * one of our link ids only turns that command's EINVAL into EPERM.
	 */
	priv = BPF_CORE_READ(f, private_data);
	return priv ? BPF_CORE_READ((struct bpf_link *)priv, id) : 0;
}

/*
 * "PIN_DIR/links/..." as the caller wrote it. A path spelt otherwise
 * (relative, "//", a bind mount) is not recognised here; what a link fd
 * could do (detach, update) is refused by the fd below all the same.
 */
static __always_inline int bf_under_links(const struct bf_protect_cfg *c, __u64 upath)
{
	char buf[BF_PROT_PREFIX];

	if (!c->links_prefix[0] || bpf_probe_read_user_str(buf, sizeof(buf), (const void *)upath) < 0)
		return 0;
	for (int i = 0; i < BF_PROT_PREFIX; i++) {
		if (!c->links_prefix[i])
			return 1;
		if (buf[i] != c->links_prefix[i])
			return 0;
	}
	return 0;
}

/*
 * ATTR's fields are read with CO-RE probe reads: a direct load from the
 * union walks into its first member only, where an 8-byte field at
 * offset 0 (pathname) does not fit (6.1's verifier refuses the program).
 *
 * Every bpf(2) command, before the kernel acts: what reaches a link with
 * no hook of its own (links have none), and programs that could make any
 * LSM hook, ours included, return 0 (fmod_ret on security_* functions).
 * A closed link fd never detaches a pinned link; only LINK_DETACH does.
 */
SEC("lsm/bpf")
int BPF_PROG(bf_protect_bpf, int cmd, union bpf_attr *attr, unsigned int size)
{
	const struct bf_protect_cfg *c = bf_prot_cfg();
	__u32 id;

	if (!c)
		return 0;
	if (cmd == BPF_LINK_GET_FD_BY_ID) {
		id = BPF_CORE_READ(attr, link_id);
		if (bf_ours(BF_PROT_OBJ_LINK, id) && !bf_is_agent(c))
			return bf_refuse(BF_PROT_LINK_FD, cmd, id);
	} else if (cmd == BPF_LINK_DETACH || cmd == BPF_LINK_UPDATE) {
		id = bf_fd_link_id(cmd == BPF_LINK_DETACH ? BPF_CORE_READ(attr, link_detach.link_fd) :
							     BPF_CORE_READ(attr, link_update.link_fd));
		if (bf_ours(BF_PROT_OBJ_LINK, id) && !bf_is_agent(c))
			return bf_refuse(BF_PROT_LINK_DETACH, cmd, id);
	} else if (cmd == BPF_OBJ_GET) {
		if (bf_under_links(c, BPF_CORE_READ(attr, pathname)) && !bf_is_agent(c))
			return bf_refuse(BF_PROT_PIN_GET, cmd, 0);
	} else if (cmd == BPF_PROG_LOAD) {
		if (BPF_CORE_READ(attr, expected_attach_type) == BPF_MODIFY_RETURN && !bf_is_agent(c))
			return bf_refuse(BF_PROT_FMOD_RET, cmd, 0);
	}
	return 0;
}

/* One of the pin dir, its links/ or its maps/ (on the pins' bpffs)? */
static __always_inline int bf_pin_inode(const struct bf_protect_cfg *c, struct inode *inode)
{
	__u64 ino;

	if (!inode || inode->i_sb->s_dev != c->pin_dev)
		return 0;
	ino = inode->i_ino;
	return ino == c->dir_ino[0] || ino == c->dir_ino[1] || ino == c->dir_ino[2];
}

/* Dropping a pin drops the kernel's last reference the agent does not hold. */
SEC("lsm/inode_unlink")
int BPF_PROG(bf_protect_unlink, struct inode *dir, struct dentry *dentry)
{
	const struct bf_protect_cfg *c = bf_prot_cfg();

	if (!c || !bf_pin_inode(c, dir) || bf_is_agent(c))
		return 0;
	return bf_refuse(BF_PROT_PIN_UNLINK, 0, 0);
}

SEC("lsm/inode_rmdir")
int BPF_PROG(bf_protect_rmdir, struct inode *dir, struct dentry *dentry)
{
	const struct bf_protect_cfg *c = bf_prot_cfg();

	if (!c || !(bf_pin_inode(c, dir) || bf_pin_inode(c, dentry->d_inode)) || bf_is_agent(c))
		return 0;
	return bf_refuse(BF_PROT_PIN_UNLINK, 1, 0);
}

/* A pin moved out could be unlinked where we do not look; a pin dir moved breaks the restart. */
SEC("lsm/inode_rename")
int BPF_PROG(bf_protect_rename, struct inode *old_dir, struct dentry *old_dentry,
	     struct inode *new_dir, struct dentry *new_dentry)
{
	const struct bf_protect_cfg *c = bf_prot_cfg();

	/* The inode compares first: every rename on the host passes here, and few touch the pins. */
	if (!c || !(bf_pin_inode(c, old_dir) || bf_pin_inode(c, new_dir) ||
		    bf_pin_inode(c, old_dentry->d_inode)) || bf_is_agent(c))
		return 0;
	return bf_refuse(BF_PROT_PIN_UNLINK, 2, 0);
}

/* The last unmount of a bpffs frees every pin in it, and so detaches every pinned link. */
SEC("lsm/sb_umount")
int BPF_PROG(bf_protect_umount, struct vfsmount *mnt, int flags)
{
	const struct bf_protect_cfg *c = bf_prot_cfg();

	if (!c || mnt->mnt_sb->s_dev != c->pin_dev || bf_is_agent(c))
		return 0;
	return bf_refuse(BF_PROT_UMOUNT, (__u32)flags, 0);
}

/* The running agent: the pid it wrote, still running its executable (a reused pid is not). */
static __always_inline int bf_is_running_agent(const struct bf_protect_cfg *c, struct task_struct *p)
{
	return p->tgid == c->agent_tgid && bf_runs_agent(p, c);
}

/* 0 probes, SIGHUP reloads (the agent handles it), CHLD CONT URG WINCH change nothing. */
static __always_inline int bf_harmless_signal(int sig)
{
	return sig == 0 || sig == 1 || sig == 17 || sig == 18 || sig == 23 || sig == 28;
}

/*
 * Signals from processes to the agent: only init (systemctl stop) and the
 * agent's executable itself may end or stop it. The kernel's own signals
 * (SEND_SIG_PRIV, si_code > 0) are never refused.
 */
SEC("lsm/task_kill")
int BPF_PROG(bf_protect_kill, struct task_struct *p, struct kernel_siginfo *info, int sig,
	     const struct cred *cred)
{
	const struct bf_protect_cfg *c = bf_prot_cfg();
	unsigned long special = (unsigned long)info;

	if (!c || bf_harmless_signal(sig) || !bf_is_running_agent(c, p))
		return 0;
	if (special == 1 || (special > 1 && info->si_code > 0))
		return 0;
	if ((bpf_get_current_pid_tgid() >> 32) == 1 || bf_is_agent(c))
		return 0;
	return bf_refuse(BF_PROT_SIGNAL, (__u32)sig, p->tgid);
}

/* Attach, /proc/PID/mem, pidfd_getfd, process_vm_*: the agent's fds and memory are its own. */
SEC("lsm/ptrace_access_check")
int BPF_PROG(bf_protect_ptrace, struct task_struct *child, unsigned int mode)
{
	const struct bf_protect_cfg *c = bf_prot_cfg();

	if (!c || !(mode & BF_PTRACE_MODE_ATTACH) || !bf_is_running_agent(c, child))
		return 0;
	return bf_refuse(BF_PROT_PTRACE, mode, child->tgid);
}
