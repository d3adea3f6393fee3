/* agent_confine.c - what biofenced gives up once it is set up: writes outside its paths, capabilities, system calls. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "agent_confine.h"
#include "audit/audit.h"
#include "agent_ledger.h"
#include "bpf/loader.h"
#include "confine.h"
#include "log.h"
#include "util.h"

/*
 * What the main loop still needs, each for a reason, measured: without it,
 * the test named fails.
 *   cap_bpf              every bpf(2) call (tables on reload, windows,
 *                        taint, counters): Debian's
 *                        kernel.unprivileged_bpf_disabled refuses bpf(2)
 *                        to anyone without it (every kernel test);
 *   cap_kill             a closed window ends a holder running as its own
 *                        user (test_consent, "the holder is terminated");
 *   cap_sys_ptrace       /proc/PID/exe of other users' processes and the
 *                        fds of any process with more capabilities than
 *                        the agent: who a broker is, who holds a camera or
 *                        a packet socket (test_consent, test_sockets);
 *   cap_dac_read_search  /proc/PID/fd of another user's process is 0500
 *                        and its own (test_consent, the holder).
 * Everything else goes: CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_DAC_OVERRIDE
 * (the agent writes only root's own files), CAP_PERFMON (no new program
 * is loaded after start).
 */
static const char *const kept_caps[] = { "cap_bpf", "cap_kill", "cap_sys_ptrace",
						   "cap_dac_read_search" };

/*
 * The system calls of the main loop and the resolver thread, after
 * setup: no execve, no fork or clone, no mount, no ptrace, no module or
 * key calls, no new BPF programs (bpf(2) itself stays: maps).
 */
static const char *const allowed_calls[] = {
	/* files: the log, the ledger, the policy, /proc, /sys */
	"read", "write", "readv", "writev", "pread64", "pwrite64", "lseek", "close", "openat",
	"open", "newfstatat", "fstat", "stat", "lstat", "statx", "statfs", "fstatfs", "readlink",
	"readlinkat", "getdents64", "fcntl", "dup", "dup2", "dup3", "ioctl", "access", "faccessat",
	"faccessat2", "rename", "renameat", "renameat2", "unlink", "unlinkat", "mkdir", "mkdirat",
	"rmdir", "fsync", "fdatasync", "ftruncate", "fchmod", "flock", "getcwd", "umask",
	"name_to_handle_at", "inotify_add_watch", "inotify_rm_watch",
	/* the loop */
	"capget", "epoll_wait", "epoll_pwait", "epoll_ctl", "poll", "ppoll", "select", "pselect6",
	"timerfd_settime", "timerfd_gettime", "rt_sigprocmask", "rt_sigreturn",
	"rt_sigaction", "restart_syscall", "nanosleep", "clock_nanosleep", "clock_gettime",
	"gettimeofday", "time", "futex", "sched_yield", "getrandom",
	/* sockets: control, syslog, sd_notify, DNS, netlink uevents */
	"connect", "accept", "accept4", "recvmsg", "sendmsg", "recvfrom", "sendto",
	"recvmmsg", "sendmmsg", "getsockopt", "setsockopt", "getsockname", "getpeername",
	"shutdown", "bind",
	/* memory */
	"munmap", "mremap", "madvise", "brk",
	/* the process */
	"getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid", "getresuid",
	"getresgid", "uname", "sysinfo", "prlimit64", "getrusage", "kill", "tgkill", "exit",
	"wait4",	/* reaping a helper that is gone or stopping (agent_unpriv.c); never a fork */
	"exit_group", "set_robust_list", "rseq", "sched_getaffinity",
	"sigaltstack",	/* ASan and UBSan set one up and take it down (make check SANITIZE=1) */
	/* a closed window ends its holders; a peer's socket is looked at */
	"pidfd_open", "pidfd_send_signal", "pidfd_getfd",
	/* the kernel side: maps only (loading a program needs capabilities the agent no longer has) */
	"bpf",
};

/*
 * Allowed only with these arguments. Memory is never writable and
 * executable at once, and nothing already mapped becomes executable
 * (systemd's MemoryDenyWriteExecute=, here under make run too): shared
 * libraries are still mapped executable from their files. Sockets only of
 * the families the agent speaks: unix (control, syslog, sd_notify), inet
 * and inet6 (DNS, syslog), netlink (uevents).
 */
static const struct bf_confine_arg_rule limited_calls[] = {
	{ "mmap", 2, PROT_WRITE | PROT_EXEC, { 0, PROT_WRITE, PROT_EXEC }, 3, 0 },
	{ "mprotect", 2, PROT_EXEC, { 0 }, 1, 0 },
	{ "socket", 0, 0xffffffffu, { AF_UNIX, AF_INET, AF_INET6, AF_NETLINK }, 4, 0 },
};

static void add_dir(struct bf_confinement *c, const char *path, bool is_file)
{
	char tmp[PATH_MAX], *dir;

	if (!path || c->n_writable >= BF_CONFINE_DIRS)
		return;
	snprintf(tmp, sizeof(tmp), "%s", path);
	dir = is_file ? dirname(tmp) : tmp;
	for (size_t i = 0; i < c->n_writable; i++)
		if (strcmp(c->writable[i], dir) == 0)
			return;
	snprintf(c->writable[c->n_writable++], PATH_MAX, "%s", dir);
}

static void failed(struct bf_confinement *c, const char *step, int err)
{
	if (!c->why[0])
		snprintf(c->why, sizeof(c->why), "%s: %s", step, strerror(-err));
	log_warnx("NOT CONFINED: %s: %s; enforcement goes on, with the privileges of root", step,
		  strerror(-err));
}

void agent_confine_mounts(struct bf_agent *ag)
{
	struct bf_confinement *c = &ag->confine;
	const char *dirs[BF_CONFINE_DIRS];
	int err;

	if (ag->opt.no_confine) {
		c->off = true;
		log_warnx("NOT CONFINED (--no-confine): every capability kept, every path writable, no seccomp filter");
		return;
	}
	add_dir(c, ag->opt.log, true);
	add_dir(c, agent_ledger_path(ag), true);
	add_dir(c, ag->opt.control, true);
	add_dir(c, ag->opt.metrics, true);
	add_dir(c, ag->opt.pin_dir, false);
	for (size_t i = 0; i < c->n_writable; i++)
		dirs[i] = c->writable[i];
	/* The bpffs must be mounted where everyone sees it, before the namespace is ours. */
	err = bf_bpffs_prepare(ag->opt.pin_dir);
	err = err ?: bf_confine_ns();
	err = err ?: bf_confine_fs(dirs, c->n_writable);
	if (err)
		failed(c, "read-only filesystem", err);
	c->fs = !err;
}

void agent_confine_process(struct bf_agent *ag)
{
	struct bf_confinement *c = &ag->confine;
	size_t n = sizeof(allowed_calls) / sizeof(allowed_calls[0]);
	int err;

	if (c->off)
		return;
	err = bf_confine_caps(kept_caps, sizeof(kept_caps) / sizeof(kept_caps[0]));
	if (err)
		failed(c, "capabilities", err);
	c->caps = !err;
	err = bf_confine_seccomp(allowed_calls, n, limited_calls,
				 sizeof(limited_calls) / sizeof(limited_calls[0]), &c->syscalls);
	if (err)
		failed(c, "seccomp", err);
	c->seccomp = !err;
	if (bf_confine_caps_text(c->caps_text, sizeof(c->caps_text)))
		snprintf(c->caps_text, sizeof(c->caps_text), "unknown");
	if (c->fs && c->caps && c->seccomp)
		log_info("confined: capabilities %s; %zu system calls allowed; writable: %zu directories",
			 c->caps_text, c->syscalls, c->n_writable);
}

struct json_object *agent_confine_json(const struct bf_agent *ag)
{
	const struct bf_confinement *c = &ag->confine;
	struct json_object *o = json_object_new_object(), *w = json_object_new_array();
	char buf[64];

	bf_json_add_bool(o, "active", !c->off && c->fs && c->caps && c->seccomp);
	if (c->off)
		bf_json_add_str(o, "why_not", "--no-confine");
	else if (c->why[0])
		bf_json_add_str(o, "why_not", c->why);
	bf_json_add_str(o, "capabilities", c->caps ? c->caps_text : "all (not dropped)");
	bf_json_add_bool(o, "no_new_privs", c->caps);
	snprintf(buf, sizeof(buf), "allowlist of %zu system calls; any other: the agent exits", c->syscalls);
	bf_json_add_str(o, "seccomp", c->seccomp ? buf : "none");
	for (size_t i = 0; c->fs && i < c->n_writable; i++)
		json_object_array_add(w, json_object_new_string(c->writable[i]));
	json_object_object_add(o, "writable", c->fs ? w : NULL);
	if (!c->fs)
		json_object_put(w);
	return o;
}
