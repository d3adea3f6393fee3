/* biofence.h - map keys, values and events shared by the BPF programs and the agent. */
#ifndef BIOFENCE_H
#define BIOFENCE_H

/* The layout is an ABI between the programs and the agent: a size that moves fails the build. */
#define BF_CHECK_SIZE(t, n) _Static_assert(sizeof(t) == (n), #t " layout changed")

/*
 * Everything here crosses the kernel/user boundary, so it uses only
 * fixed-width __uNN types, pads explicitly and is size-checked below.
 *
 * How a policy becomes tables (worked example)
 * --------------------------------------------
 *   app recognizer exe "/opt/gate/bin/recognizer"      -> app bit 0
 *   app nvr        unit "nvr.service"                  -> app bit 1
 *   camera lobby   path "/dev/video0"   (81:0)         -> camera bit 0
 *   camera all     class video                         -> camera bit 1
 *   dest controller 10.20.0.5 tcp 8443                 -> dest-set bit 0
 *   dest local      127.0.0.0/8, ::1                   -> dest-set bit 1
 *
 *   bf_exe   {slot, dev, ino of recognizer}  -> apps 0x1
 *   bf_cgrp  {slot, cgroup id of nvr.service}-> apps 0x2
 *   bf_cam   {slot, 81, 0}                   -> cameras 0x1 (lobby)
 *   bf_cam   {slot, 81, BF_ANY_MINOR}        -> cameras 0x2 (all)
 *   bf_dest  {slot, ::ffff:10.20.0.5/128}    -> sets 0x1
 *   bf_dest  {slot, ::ffff:127.0.0.0/104}    -> sets 0x2
 *   bf_port  {slot, TCP, 8443}               -> sets 0x1
 *   config.port_any[any/tcp/udp]             -> sets 0x2 (local has no ports)
 *
 *   camera gate net 192.168.50.21 tcp 554    -> camera bit 2
 *   bf_dest  {slot + 2, ::ffff:192.168.50.21/128} -> cameras 0x4
 *   bf_port  {slot + 2, TCP, 554}            -> cameras 0x4
 *
 * A process running recognizer has apps 0x1; it opens 81:0, and the exact
 * and whole-class lookups together give cameras 0x3. The first capture
 * rule with (rule.apps & 0x1) && (rule.objs & 0x3) that is not an "audit"
 * trial decides; a matching trial rule before it is only reported. IPv4 addresses live in the IPv4-mapped range of one IPv6 trie,
 * so a connect6 to ::ffff:10.20.0.5 is judged exactly like a connect4.
 *
 * Every key starts with the table slot (0 or 1). The agent fills the
 * inactive slot, then flips bf_active[0].slot with one
 * array update: a program reads the slot once and sees the old policy or
 * the new one, never a mix.
 */

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define BF_MAX_APPS       64   /* bits in an app mask */
#define BF_MAX_CAMERAS    64   /* bits in a camera mask */
#define BF_MAX_DEST_SETS  64   /* bits in a dest-set mask */
#define BF_MAX_RULES      128  /* per kind (capture, export) per slot */
#define BF_MAX_CG_LEVELS  32   /* cgroup depths an app key may sit at */
#define BF_SLOTS          2
#define BF_MAX_EXES       4096
#define BF_MAX_CGROUPS    4096
#define BF_MAX_UIDS       1024
#define BF_MAX_CAM_KEYS   4096
#define BF_MAX_PORT_KEYS  16384
#define BF_MAX_DEST_KEYS  65536
#define BF_MAX_TAINTED    65536
#define BF_MAX_PURPOSES   255  /* consent purposes per policy */
#define BF_MAX_WINDOWS    1024 /* windows open or awaiting their holder check */
#define BF_WINDOW_HOLDERS 8    /* processes remembered per window */
#define BF_MAX_QUOTAS     64   /* export quotas (ids 1..64) */

#define BF_ANY_MINOR      0xffffffffu
#define BF_RULE_DEFAULT   0xffffffffu  /* event.rule when no rule matched */

#define BF_PROTO_ANY 0  /* index into bf_slot_config.port_any */
#define BF_PROTO_TCP 1
#define BF_PROTO_UDP 2
#define BF_PROTO_N   3

/* device cgroup ctx->access_type: type in the low 16 bits, access above */
#define BF_DEVCG_DEV_CHAR  2
#define BF_DEVCG_ACC_MKNOD 1
#define BF_DEVCG_ACC_READ  2
#define BF_DEVCG_ACC_WRITE 4

enum bf_mode {
	BF_MODE_ENFORCE = 0,
	BF_MODE_AUDIT = 1,
};

/* bf_rule.flags */
#define BF_RF_ALLOW    (1u << 0)
#define BF_RF_AUDIT    (1u << 1)  /* per-rule "audit": a trial, logged, never decides */
#define BF_RF_ANY_APP  (1u << 2)  /* "any" app: matches a process with no app too */
#define BF_RF_ANY_OBJ  (1u << 3)  /* "any" camera or destination */
#define BF_RF_CONSENT  (1u << 4)  /* allows only inside a capture window (bf_windows) */
#define BF_RF_QUOTA    (1u << 5)  /* export: its sends count against quota id bf_rule.quota */

enum bf_kind {
	BF_KIND_CAPTURE = 1,
	BF_KIND_EXPORT = 2,
	BF_KIND_IPC = 3,        /* a tainted connect/send on an AF_UNIX socket (struct bf_ipc_event) */
	BF_KIND_SOCKET = 4,     /* a tainted process creating a raw socket: port = type, proto = protocol */
	BF_KIND_QUOTA = 5,      /* a quota ran out: rule = quota id, objs = bytes allowed per period */
	BF_KIND_TAINT = 6,      /* a process tainted by reading what a tainted one wrote: access = BF_VIA_* */
	BF_KIND_PROTECT = 7,    /* self-protection refused something (struct bf_event, see BF_PROT_*) */
	BF_KIND_STORE = 8,      /* a template store was touched by a process not its holder (struct bf_store_event) */
};

/* BF_KIND_TAINT: the channel the taint came through (an LSM hook saw the read). */
#define BF_VIA_PIPE 1       /* a pipe or FIFO (lsm/file_permission) */
#define BF_VIA_UNIX 2       /* an unnamed unix socket: a socketpair, or an accepted connection's client end (lsm/socket_recvmsg) */
/* Shared memory (a memfd or a /dev/shm file; a SysV segment), one value per hook that moved it: the record names the hook. */
#define BF_VIA_SHM 4        /* mapped shared (lsm/mmap_file) */
#define BF_VIA_SHM_IO 5     /* read(2) or write(2) on it (lsm/file_permission) */
#define BF_VIA_SYSV 6       /* a SysV segment attached (lsm/shm_shmat) */
#define BF_VIA_PTRACE 3     /* the memory of a tainted process, read by ptrace, process_vm_readv or /proc/PID/mem (lsm/ptrace_access_check) */

/* bf_event.flags */
#define BF_EF_ALLOW       (1u << 0)  /* the operation went through */
#define BF_EF_ENFORCED    (1u << 1)  /* the verdict was applied (not audit) */
#define BF_EF_DENY_RULE   (1u << 2)  /* the rule (or default) said deny */
#define BF_EF_TAINT_FULL  (1u << 3)  /* taint could not be recorded: denied */
#define BF_EF_CONNECT     (1u << 4)  /* export: connect(), else sendmsg() */
#define BF_EF_IPV6        (1u << 5)  /* export: the socket was AF_INET6 */
#define BF_EF_CONSENT     (1u << 6)  /* capture: a consent rule decided */
#define BF_EF_NO_WINDOW   (1u << 7)  /* capture: ... and no window was open: denied */
#define BF_EF_WIN_EXPIRED (1u << 8)  /* capture: ... a window for it had just run out */
#define BF_EF_LOG_FAILED  (1u << 9)  /* capture: refused because the audit log cannot be written */
#define BF_EF_LSM         (1u << 10) /* decided by a BPF LSM program (else a cgroup one) */
#define BF_EF_USE         (1u << 11) /* capture: a use of an open camera descriptor, not an open */
#define BF_EF_SOCK_TAINT  (1u << 12) /* export: the socket carries taint; its sender is not tainted */
#define BF_EF_URING       (1u << 13) /* socket: an io_uring SQPOLL ring, made by any process in scope */
#define BF_EF_PEER        (1u << 14) /* taint: pid was tainted from the writer's side; the agent reads its details from /proc */
#define BF_EF_NETCAM      (1u << 15) /* capture: a connect or send to a network camera; addr, port, proto say where, minor which camera */
#define BF_EF_INGRESS     (1u << 16) /* capture, BF_EF_NETCAM: a datagram from the camera arriving (cgroup_skb/ingress), judged by the socket's owner */
#define BF_EF_RECVFROM    (1u << 17) /* capture, BF_EF_NETCAM: a datagram from the camera read with its source (cgroup/recvmsg4, 6) by whoever reads it: never refused there, a reader the rules do not allow is tainted */

/*
 * Capture events with BF_EF_USE: which use, in access. The LSM hooks judge
 * every use that moves frames as they judge an open, so a descriptor kept
 * past its window, passed to another process or copied with pidfd_getfd
 * streams only while its holder may capture now.
 */
#define BF_USE_IOCTL 1      /* access = BF_USE_IOCTL << 16 | the V4L2 ioctl's number */
#define BF_USE_MMAP  2
#define BF_USE_READ  3
#define BF_USE_RECEIVE 4    /* the descriptor arrived (SCM_RIGHTS, pidfd_getfd): reported allowed or not */
#define BF_USE_OPEN  5      /* lsm/file_open: the open cgroup/dev allowed, judged again (refusals only) */

/* bf_stats counters, one array per CPU */
enum bf_stat {
	BF_STAT_EVENTS = 0,     /* events submitted to the ring buffer */
	BF_STAT_LOST,           /* events the ring buffer had no room for */
	BF_STAT_CAPTURE_DENY,   /* camera opens refused */
	BF_STAT_EXPORT_DENY,    /* tainted sends refused */
	BF_STAT_TAINT_FULL,     /* taint table full (open refused, fork not followed) */
	BF_STAT_IPC_DENY,       /* tainted unix-socket connects/sends refused */
	BF_STAT_SOCKET_DENY,    /* raw sockets refused to tainted processes */
	BF_STAT_QUOTA_DROP,     /* packets dropped past an export quota */
	BF_STAT_LOGFAIL_DENY,   /* camera opens refused because the log could not be written */
	BF_STAT_PROTECT_DENY,   /* self-protection refusals (bpf/protect.bpf.c) */
	BF_STAT_N,
};

/* bf_active[0] */
struct bf_active {
	__u32 slot;         /* 0 or 1: the tables in force */
	__u32 policy_seq;   /* agent's generation number, echoed in events */
};
BF_CHECK_SIZE(struct bf_active, 8);

/* bf_slots[slot] */
struct bf_slot_config {
	__u64 apps_no_exe;      /* apps with no exe key (exe condition holds) */
	__u64 apps_no_cgroup;   /* apps with no unit/cgroup key */
	__u64 apps_no_uid;      /* apps with no user key */
	__u64 port_any[BF_PROTO_N]; /* dest sets taking any port (per proto) */
	__u32 mode;             /* enum bf_mode */
	__u32 n_capture;        /* capture rules in use */
	__u32 n_export;         /* export rules in use */
	__u32 cg_levels;        /* bit L: some app cgroup sits at depth L */
	__u32 policy_seq;
	__u32 keys;             /* BF_KEY_*: key kinds some app uses (others need no lookup) */
	__u32 n_ipc;            /* ipc rules in use */
	__u32 flags;            /* BF_CFG_* */
	__u64 cam_port_any[BF_PROTO_N]; /* network cameras taking any port (per proto) */
};
BF_CHECK_SIZE(struct bf_slot_config, 104);

#define BF_CFG_DENY_ON_LOG_FAIL (1u << 0) /* refuse camera opens while bf_runtime.log_failed */

/* bf_runtime[0]: the agent's view of things the policy reacts to, written by the agent only. */
struct bf_runtime {
	__u32 log_failed;       /* the audit log cannot be written right now */
	__u32 _pad;
};
BF_CHECK_SIZE(struct bf_runtime, 8);

#define BF_KEY_EXE    (1u << 0)
#define BF_KEY_UID    (1u << 1)
#define BF_KEY_QUOTA  (1u << 2)   /* some export rule has a quota: sockets need tagging */
#define BF_KEY_NETCAM (1u << 3)   /* some camera is a network camera: every connect and send is looked up */

/*
 * Network cameras live in the dests' tables (bf_dest, bf_port) under their
 * own key slot, so one trie and one port hash serve both, and a connect
 * looks up the camera addresses the same way a tainted send looks up its
 * destination: the value there is a camera mask, not a dest-set mask.
 */
#define BF_NETCAM_SLOT(slot) ((slot) + BF_SLOTS)

struct bf_rule {
	__u64 apps;   /* app mask (ignored with BF_RF_ANY_APP) */
	__u64 objs;   /* camera or dest-set mask (ignored with BF_RF_ANY_OBJ) */
	__u32 flags;  /* BF_RF_* */
	union {
		__u16 purpose; /* capture, BF_RF_CONSENT: purpose id, 1..BF_MAX_PURPOSES */
		__u16 quota;   /* export: quota id, 1..BF_MAX_QUOTAS, 0 for none */
	};
	__u8 app;     /* BF_RF_CONSENT: the one app the rule names (its bit) */
	__u8 _pad;
};
BF_CHECK_SIZE(struct bf_rule, 24);

struct bf_exe_key {
	__u32 slot;
	__u32 _pad;
	__u64 dev;    /* kernel dev_t of the exe's superblock: major << 20 | minor */
	__u64 ino;
};
BF_CHECK_SIZE(struct bf_exe_key, 24);

struct bf_cgrp_key {
	__u32 slot;
	__u32 _pad;
	__u64 cgid;   /* cgroup v2 id (the cgroup directory's inode number) */
};
BF_CHECK_SIZE(struct bf_cgrp_key, 16);

struct bf_uid_key {
	__u32 slot;
	__u32 uid;
};
BF_CHECK_SIZE(struct bf_uid_key, 8);

struct bf_cam_key {
	__u32 slot;
	__u32 major;
	__u32 minor;  /* BF_ANY_MINOR for a whole class */
};
BF_CHECK_SIZE(struct bf_cam_key, 12);

struct bf_port_key {
	__u32 slot;
	__u16 proto;  /* BF_PROTO_TCP or BF_PROTO_UDP */
	__u16 port;   /* host order */
};
BF_CHECK_SIZE(struct bf_port_key, 8);

/* LPM trie key: prefixlen counts the 32 slot bits too */
struct bf_dest_key {
	__u32 prefixlen;
	__u8 slot[4];   /* big-endian slot number, always fully matched */
	__u8 addr[16];  /* IPv6, IPv4 as ::ffff:a.b.c.d */
};
BF_CHECK_SIZE(struct bf_dest_key, 24);

/*
 * A unix socket address as the policy names it, the way it sits in
 * sun_path: a filesystem path without its NUL ("/run/door.sock", len 14)
 * or an abstract name with its leading NUL ("\0door", len 5). Bytes past
 * len are zero, so the kernel's copy of what a process asked for hashes
 * the same as the policy's.
 */
struct bf_unix_key {
	__u32 slot;
	__u32 len;
	__u8 addr[108];
};
BF_CHECK_SIZE(struct bf_unix_key, 116);

struct bf_mask {
	__u64 mask;
};

/*
 * Capture windows. A consent rule for app A allows opening a device whose
 * camera mask has bit C only while bf_windows{slot, A}.cam[C] has the
 * rule's purpose and an end still in the future (boot time): the kernel
 * ends a window by itself, whether or not the agent is alive. Example:
 *
 *   capture allow recognizer lobby consent entry window 10s
 *   recognizer is app bit 0, lobby camera bit 0, purpose "entry" id 1;
 *   a window opened at boot time T for 10 s writes
 *   bf_windows{slot, 0}.cam[0] = { .end_ns = T + 10e9, .purpose = 1, .window_id = 7 }
 *
 * Two windows on one (app, camera) share the entry: the later end wins.
 */
struct bf_window_key {
	__u32 slot;
	__u32 app;    /* app bit */
};
BF_CHECK_SIZE(struct bf_window_key, 8);

struct bf_window_cam {
	__u64 end_ns;     /* bpf_ktime_get_boot_ns() at which it ends; 0: none */
	__u32 purpose;    /* purpose id of the consent rule it was opened for */
	__u32 window_id;
};
BF_CHECK_SIZE(struct bf_window_cam, 16);

struct bf_window_set {
	struct bf_window_cam cam[BF_MAX_CAMERAS];  /* by camera bit */
};
BF_CHECK_SIZE(struct bf_window_set, 16 * BF_MAX_CAMERAS);

/*
 * The agent's own record of a window (bf_window_info, never read by the
 * programs): pinned with the maps, so a restarted agent still knows whose
 * consent each kernel entry stands for and which processes to check when
 * it ends. Names are those of the policy the window was opened under.
 */
struct bf_window_holder {
	__u32 tgid;
	__u32 major;
	__u32 minor;
	__u32 _pad;
};
BF_CHECK_SIZE(struct bf_window_holder, 16);

#define BF_WINDOW_OPEN  1  /* bf_window_info.state */
#define BF_WINDOW_ENDED 2  /* ended; its holders are still to be checked */

struct bf_window_info {
	__u64 start_ns;      /* CLOCK_REALTIME */
	__u64 end_ns;        /* CLOCK_REALTIME, as granted */
	__u64 end_boot_ns;   /* the same instant in boot time: what the kernel enforces */
	__u64 ended_ns;      /* CLOCK_REALTIME when it ended (close, expiry, revoke) */
	__u32 id;
	__u32 state;         /* BF_WINDOW_* */
	__u32 end_reason;    /* agent-defined */
	__u32 n_holders;
	struct bf_window_holder holders[BF_WINDOW_HOLDERS];
	char consent[128];
	char app[64];
	char camera[64];
	char purpose[64];
	char rule[128];      /* "FILE:LINE" of the consent rule, possibly cut short */
};
BF_CHECK_SIZE(struct bf_window_info, 48 + 16 * BF_WINDOW_HOLDERS + 448);

/* bf_stats[0], per CPU */
struct bf_stats {
	__u64 n[BF_STAT_N];
};

/*
 * Why a process is tainted: the camera open that started it, or (flags
 * BF_TAINT_HOLDER, major and minor 0) the first file of a template store
 * it opened as the store's holder. Forks copy it, flags included.
 */
struct bf_taint {
	__u64 since_ns;     /* bpf_ktime_get_boot_ns() of the open */
	__u32 origin_tgid;  /* the process that opened the camera */
	__u32 major;
	__u32 minor;
	__u32 flags;        /* BF_TAINT_*; was padding, so older pinned entries read 0 */
};
BF_CHECK_SIZE(struct bf_taint, 24);

#define BF_TAINT_HOLDER (1u << 0)  /* holds face templates: no one may ptrace it (lsm/ptrace_access_check) */
#define BF_TAINT_NET    (1u << 1)  /* from a network camera: major 0, minor the camera's index in the policy */

/*
 * A channel that carries taint (a pipe's inode storage, an unnamed unix
 * socket's or an inet socket's socket storage). taint.origin_tgid 0: no
 * tainted process wrote to it yet. Readers: the untainted processes that
 * read from it lately, tainted when a tainted process writes to it (a
 * reader blocked in read() before the write would otherwise get the bytes
 * unseen: the LSM hook runs before the read waits).
 */
#define BF_CHAN_READERS 8
/* Not a typedef: 6.1 finds a map value's spin lock only as a struct member. */
#ifdef __VMLINUX_H__
#define BF_CHAN_LOCK struct bpf_spin_lock
#else
#define BF_CHAN_LOCK __u32	/* userspace never reads a channel */
#endif
struct bf_chan {
	struct bf_taint taint;
	__u32 readers[BF_CHAN_READERS];
	__u32 next;
	/*
	 * A reader on one CPU and a writer on another: without it the reader
	 * may see no taint yet and register itself only after the writer has
	 * looked at the readers, and then read the bytes untainted.
	 */
	BF_CHAN_LOCK lock;
};
BF_CHECK_SIZE(struct bf_chan, 64);

struct bf_event {
	__u64 boot_ns;      /* bpf_ktime_get_boot_ns() */
	__u64 cgid;
	__u64 exe_dev;
	__u64 exe_ino;
	__u64 apps;         /* the process's app mask */
	__u64 objs;         /* camera mask (capture) or dest-set mask (export) */
	__u32 kind;         /* enum bf_kind */
	__u32 flags;        /* BF_EF_* */
	__u32 pid;          /* thread id */
	__u32 tgid;
	__u32 ppid;         /* tgid of the real parent */
	__u32 uid;
	__u32 policy_seq;
	__u32 rule;         /* the deciding rule's index within its kind, or BF_RULE_DEFAULT */
	__u32 window;       /* capture: the window that allowed it (or had just run out) */
	__u64 trials[BF_MAX_RULES / 64]; /* bit i: "audit" rule i matched before the decision */
	/* capture */
	__u32 major;
	__u32 minor;
	__u32 access;       /* BPF_DEVCG_ACC_*; socket events: the address family (AF_*) */
	/* export */
	__u16 port;         /* host order */
	__u8 proto;         /* IPPROTO_TCP / IPPROTO_UDP */
	__u8 _pad0;
	__u8 addr[16];      /* IPv6, IPv4 as ::ffff:a.b.c.d */
	struct bf_taint taint;
	char comm[16];
};
BF_CHECK_SIZE(struct bf_event, 176);

/*
 * Who owns a UDP socket that may receive from a network camera: recorded
 * (socket storage) when the socket is bound or sends to a camera, so a
 * datagram the camera pushes to it can be judged on arrival, in softirq,
 * where no process is current. The app mask is worked out again from
 * these at arrival, against the policy in force then.
 */
struct bf_sk_owner {
	__u64 exe_dev;      /* kernel encoding (major << 20 | minor) */
	__u64 exe_ino;
	__u32 uid;
	__u32 tgid;
	char comm[16];
};
BF_CHECK_SIZE(struct bf_sk_owner, 40);

/*
 * Export quotas. A connect or send allowed by a rule with a quota tags the
 * socket (bf_sk_quota, socket-local storage) with the quota's id; every
 * packet the socket sends is then counted in cgroup_skb/egress against
 * bf_quota_cfg[slot * (BF_MAX_QUOTAS + 1) + id] and dropped past it. Ids
 * are given by the agent, stable across reloads and restarts (the name
 * "APP/DEST" lives in bf_quota_use), so counts survive both.
 *
 *   export allow recognizer controller quota 1MiB/hour    -> id 1
 *   bf_quota_cfg[slot * 65 + 1] = { .bytes = 1048576, .period_ns = 3600e9 }
 */
struct bf_sk_quota {
	__u32 quota;    /* id, 0: none (the socket's last decision had no quota) */
	__u32 _pad;
};
BF_CHECK_SIZE(struct bf_sk_quota, 8);

struct bf_quota_cfg {
	__u64 bytes;      /* allowed per period; 0: no such quota in this slot */
	__u64 period_ns;
};
BF_CHECK_SIZE(struct bf_quota_cfg, 16);

struct bf_quota_use {
	__u64 period_start_ns;  /* bpf_ktime_get_boot_ns() */
	__u64 bytes;            /* sent in this period */
	__u64 dropped;          /* packets dropped, ever */
	__u64 hit;              /* the hit of this period has been reported */
	char name[128];         /* "APP/DEST": the agent's key for this id */
};
BF_CHECK_SIZE(struct bf_quota_use, 160);

/* An ipc decision: the common event plus the address asked for, which no rule may name. */
struct bf_ipc_event {
	struct bf_event e;      /* e.objs: unix address mask; e.proto: SOCK_STREAM/SOCK_DGRAM... */
	__u32 addr_len;
	__u8 addr[108];
};
BF_CHECK_SIZE(struct bf_ipc_event, 176 + 112);

/*
 * Self-protection (bpf/protect.bpf.c, BPF LSM only). "The agent" is any
 * process whose executable is the inode in bf_protect_cfg; it alone may
 * write biofence's maps, take its programs and links, remove its pins. The
 * running agent (agent_tgid, with that executable) may be neither killed
 * (but by pid 1) nor ptraced. Example, an agent started from
 * /usr/sbin/biofenced (8:1, inode 4242) with --pin-dir /sys/fs/bpf/biofence:
 *
 *   bf_protect[0] = { .agent_dev = 8 << 20 | 1, .agent_ino = 4242,
 *                     .pin_dev = (bpffs dev), .dir_ino = { pin dir, links/, maps/ },
 *                     .agent_tgid = 812, .flags = BF_PROT_ON,
 *                     .links_prefix = "/sys/fs/bpf/biofence/links/" }
 *   bf_protect_ids{BF_PROT_OBJ_MAP, 17} = 1   every map, program and link of this load, by id
 *
 * 'biofence trust /usr/sbin/biofenced' before a package upgrade sets
 * next_dev/next_ino to the new binary, so the restarted agent is "the agent" too.
 */
#define BF_PROT_ON      (1u << 0)  /* bf_protect_cfg.flags: refuse; 0: every hook lets all through */

enum bf_prot_obj {
	BF_PROT_OBJ_MAP = 1,
	BF_PROT_OBJ_PROG = 2,
	BF_PROT_OBJ_LINK = 3,
};

/* bf_protect_ids key: one of biofence's own objects. */
struct bf_protect_key {
	__u32 kind;     /* enum bf_prot_obj */
	__u32 id;       /* the kernel's id of the map, program or link */
};
BF_CHECK_SIZE(struct bf_protect_key, 8);

#define BF_PROT_PREFIX 128  /* links_prefix bytes, NUL included; a longer pin dir is not path-checked */

/* bf_protect[0], written by the agent only (see above). */
struct bf_protect_cfg {
	__u64 agent_dev;        /* kernel dev_t (major << 20 | minor) of the agent's executable */
	__u64 agent_ino;
	__u64 next_dev;         /* an executable the agent trusts to take over (biofence trust), or 0 */
	__u64 next_ino;
	__u64 pin_dev;          /* kernel dev_t of the bpffs holding the pins */
	__u64 dir_ino[3];       /* the pin dir, its links/ and its maps/ */
	__u32 agent_tgid;       /* the running agent */
	__u32 flags;            /* BF_PROT_* */
	char links_prefix[BF_PROT_PREFIX]; /* "PIN_DIR/links/": BPF_OBJ_GET under it is refused */
};
BF_CHECK_SIZE(struct bf_protect_cfg, 72 + BF_PROT_PREFIX);

/*
 * A refusal (BF_KIND_PROTECT): the caller is the event's process; what was
 * refused is in access (BF_PROT_*), its detail in major (the signal, the
 * ptrace mode, the bpf command) and the object in window (a map, program
 * or link id; the target's pid for a signal or ptrace).
 */
enum bf_prot_what {
	BF_PROT_MAP_WRITE = 1,  /* a writable fd to one of biofence's maps */
	BF_PROT_PROG_FD,        /* any fd to one of its programs */
	BF_PROT_LINK_FD,        /* BPF_LINK_GET_FD_BY_ID of one of its links */
	BF_PROT_PIN_GET,        /* BPF_OBJ_GET of a path under PIN_DIR/links/ */
	BF_PROT_LINK_DETACH,    /* BPF_LINK_DETACH or BPF_LINK_UPDATE on one of its links */
	BF_PROT_FMOD_RET,       /* loading a program that may rewrite what a kernel function returns */
	BF_PROT_PIN_UNLINK,     /* unlink, rmdir or rename in the pin dir */
	BF_PROT_UMOUNT,         /* unmounting the bpffs that holds the pins */
	BF_PROT_SIGNAL,         /* a signal that would end or stop the agent */
	BF_PROT_PTRACE,         /* ptrace attach, /proc/PID/mem, pidfd_getfd... of the agent */
	BF_PROT_N,
};

/*
 * Template stores (bpf/lsm_store.bpf.c, BPF LSM only). A policy line
 *
 *   template-store recognizer "/var/lib/gate/templates"
 *
 * names a directory (or a file) only the app's processes may open, create
 * in, link, rename or remove anything under. The agent resolves each path
 * to its inode; the programs walk a file's d_parent chain (at most
 * BF_STORE_DEPTH levels) on the stores' filesystems only, looking each
 * inode up in bf_store_inodes. Example, for the line above (8:1, inode
 * 5150, recognizer is app bit 0):
 *
 *   bf_stores[slot] = { .n = 1, .ino_bits = 1ull << (5150 % 64),
 *                       .s[0] = { .dev = 8 << 20 | 1, .ino = 5150, .apps = 0x1,
 *                                 .flags = BF_STF_DIR, .line = 0 } }
 *   bf_store_inodes{slot, 8 << 20 | 1, 5150} = 0
 *
 * A holder that opens a store file is tainted (BF_TAINT_HOLDER): what it
 * sends is judged like a camera app's, and no one may ptrace it.
 */
#define BF_MAX_STORES   8
#define BF_STORE_DEPTH  32   /* d_parent levels walked from a file towards its filesystem's root */

#define BF_STF_DIR   (1u << 0)  /* a directory: everything under it too */
#define BF_STF_AUDIT (1u << 1)  /* "audit": refusals are logged, not applied */

struct bf_store {
	__u64 dev;      /* kernel dev_t of its filesystem */
	__u64 ino;
	__u64 apps;     /* the holders' app mask */
	__u32 flags;    /* BF_STF_* */
	__u32 line;     /* index of its template-store line in the policy (for records) */
};
BF_CHECK_SIZE(struct bf_store, 32);

/*
 * bf_stores[slot]: the stores in force, n of them. ino_bits has bit
 * (ino % 64) set for each store's inode: the walk looks an inode up in
 * bf_store_inodes only when its bit is set, so most levels of most walks
 * cost a shift, not a hash lookup.
 */
struct bf_store_set {
	__u32 n;
	__u32 _pad;
	__u64 ino_bits;
	struct bf_store s[BF_MAX_STORES];
};
BF_CHECK_SIZE(struct bf_store_set, 16 + 32 * BF_MAX_STORES);

/* bf_store_inodes key: a store's inode, found by the programs' d_parent walk; the value is its index. */
struct bf_store_key {
	__u32 slot;
	__u32 _pad;
	__u64 dev;
	__u64 ino;
};
BF_CHECK_SIZE(struct bf_store_key, 24);

/* BF_KIND_STORE access: what was done under a store. */
enum bf_store_op {
	BF_STORE_OPEN = 1,      /* lsm/file_open */
	BF_STORE_CREATE,        /* lsm/inode_create, inode_mkdir, inode_mknod, inode_symlink */
	BF_STORE_LINK,          /* lsm/inode_link: a hard link into or out of a store */
	BF_STORE_RENAME,        /* lsm/inode_rename: into or out of a store */
	BF_STORE_REMOVE,        /* lsm/inode_unlink, inode_rmdir */
	BF_STORE_HOLD,          /* a holder's first open: it now holds templates (allowed, reported once) */
	BF_STORE_PTRACE,        /* ptrace attach, process_vm_readv, /proc/PID/mem of a holder (lsm/ptrace_access_check) */
	BF_STORE_OP_N,
};

/*
 * A template-store event: e.rule is the store's index in bf_store_set,
 * e.access a BF_STORE_*, e.objs the file's inode number (the target's
 * tgid for BF_STORE_PTRACE), name the file's last path component.
 */
struct bf_store_event {
	struct bf_event e;
	__u32 name_len;
	__u32 depth;            /* levels between the file and its store: 0 is the store itself */
	__u8 name[104];
};
BF_CHECK_SIZE(struct bf_store_event, 176 + 112);

#endif /* BIOFENCE_H */
