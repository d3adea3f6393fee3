/* confine.c - least privilege for a process: private read-only mounts, libcap for capabilities, libseccomp for the syscall allowlist. */
#include <errno.h>
#include <fcntl.h>
#include <linux/securebits.h>
#include <sched.h>
#include <seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <grp.h>
#include <unistd.h>

#include "confine.h"
#include "log.h"
#include "util.h"

int bf_confine_ns(void)
{
	if (unshare(CLONE_NEWNS) < 0) {
		log_warn("unshare(CLONE_NEWNS)");
		return -errno;
	}
	/*
	 * Mounts made outside (a camera's, a new bpffs) still reach us; ours
	 * never leave. Not possible when / is not the root of a mount (a plain
	 * chroot): then nothing is mounted, rather than mounts that would
	 * propagate to the host.
	 */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) {
		int err = -errno;

		log_errno(err, err == -EINVAL ? "/ is not the root of a mount (a chroot?)" : "making / a slave mount");
		return err;
	}
	return 0;
}

/* PATH and every mount below it read-only, or writable again. */
static int set_rdonly(const char *path, bool rdonly)
{
	struct mount_attr a = { 0 };

	if (rdonly)
		a.attr_set = MOUNT_ATTR_RDONLY;
	else
		a.attr_clr = MOUNT_ATTR_RDONLY;
	return mount_setattr(AT_FDCWD, path, AT_RECURSIVE, &a, sizeof(a)) < 0 ? -errno : 0;
}

int bf_confine_fs(const char *const *dirs, size_t n)
{
	int err;

	/* First, while they can still be made: a directory that is not there yet is ours to make. */
	for (size_t i = 0; i < n; i++) {
		err = bf_mkdir_all(dirs[i], 0750);
		if (err) {
			log_errno(err, "making %s", dirs[i]);
			return err;
		}
	}
	err = set_rdonly("/", true);
	if (err) {
		log_errno(err, "making every mount read-only");
		return err;
	}
	for (size_t i = 0; i < n; i++) {
		/* A bind mount of a read-only mount is read-only too, until it is cleared. */
		if (mount(dirs[i], dirs[i], NULL, MS_BIND | MS_REC, NULL) < 0) {
			err = -errno;
			log_errno(err, "bind-mounting %s on itself", dirs[i]);
			return err;
		}
		err = set_rdonly(dirs[i], false);
		if (err) {
			log_errno(err, "making %s writable", dirs[i]);
			return err;
		}
	}
	return 0;
}

/* Every capability not in KEEP leaves the bounding set; needs CAP_SETPCAP, so before the sets shrink. */
static int drop_bounding(const cap_value_t *keep, size_t n)
{
	for (cap_value_t c = 0; c < (cap_value_t)cap_max_bits(); c++) {
		bool kept = false;

		for (size_t i = 0; i < n; i++)
			kept |= keep[i] == c;
		if (!kept && CAP_IS_SUPPORTED(c) && cap_drop_bound(c) < 0)
			return -errno;
	}
	return 0;
}

static int set_caps(const cap_value_t *keep, size_t n)
{
	cap_t c = cap_init();
	int err = 0;

	if (!c)
		return -errno;
	if (n && (cap_set_flag(c, CAP_PERMITTED, (int)n, keep, CAP_SET) < 0 ||
		  cap_set_flag(c, CAP_EFFECTIVE, (int)n, keep, CAP_SET) < 0))
		err = -errno;
	if (!err && cap_set_proc(c) < 0)
		err = -errno;
	cap_free(c);
	return err;
}

static int confine_caps(const cap_value_t *keep, size_t n)
{
	/* uid 0 must regain nothing on exec or setuid, and that must stay so. */
	const unsigned bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
			      SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
			      SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
	int err;

	err = drop_bounding(keep, n);
	if (err) {
		log_errno(err, "dropping capabilities from the bounding set");
		return err;
	}
	if (cap_set_secbits(bits) < 0) {
		log_warn("locking the securebits");
		return -errno;
	}
	if (cap_reset_ambient() < 0 && errno != EINVAL) {
		log_warn("clearing the ambient capabilities");
		return -errno;
	}
	err = set_caps(keep, n);
	if (err) {
		log_errno(err, "setting the capabilities");
		return err;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		log_warn("prctl(PR_SET_NO_NEW_PRIVS)");
		return -errno;
	}
	return 0;
}

int bf_confine_caps(const char *const *keep, size_t n)
{
	cap_value_t v[64];

	if (n > sizeof(v) / sizeof(v[0]))
		return -E2BIG;
	for (size_t i = 0; i < n; i++)
		if (cap_from_name(keep[i], &v[i]) < 0) {
			log_warnx("unknown capability %s", keep[i]);
			return -EINVAL;
		}
	return confine_caps(v, n);
}

int bf_confine_thread(void)
{
	return confine_caps(NULL, 0);
}

int bf_confine_user(uid_t uid, gid_t gid)
{
	int err = drop_bounding(NULL, 0);

	if (err) {
		log_errno(err, "dropping every capability from the bounding set");
		return err;
	}
	if (cap_reset_ambient() < 0 && errno != EINVAL)
		return -errno;
	if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0) {
		log_warn("becoming uid %u gid %u", (unsigned)uid, (unsigned)gid);
		return -errno;
	}
	err = set_caps(NULL, 0);
	if (err)
		return err;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ? -errno : 0;
}

#if defined(__SANITIZE_ADDRESS__)
static bool filtered;

/*
 * make check SANITIZE=1: LeakSanitizer checks at exit from a tracer thread
 * it clones and ptraces, which every filter here refuses (and must). A
 * filtered process is checked for every memory error but not for leaks.
 */
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void)
{
	return filtered;
}
#endif

/* Only write(2) and _exit(2) here: the process is going, and says why on its way. */
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	static const char head[] = "seccomp: system call ";
	static const char tail[] = " is not on the allowlist; exiting\n";
	char num[16];
	int nr = si->si_syscall, i = (int)sizeof(num);
	ssize_t r;

	(void)sig;
	(void)uc;
	do {
		num[--i] = (char)('0' + nr % 10);
		nr /= 10;
	} while (nr > 0 && i > 0);
	r = write(STDERR_FILENO, head, sizeof(head) - 1);
	r = write(STDERR_FILENO, num + i, sizeof(num) - (size_t)i);
	r = write(STDERR_FILENO, tail, sizeof(tail) - 1);
	(void)r;
	_exit(128 + SIGSYS);
}

static int add_limited(scmp_filter_ctx ctx, const struct bf_confine_arg_rule *r)
{
	int nr = seccomp_syscall_resolve_name(r->name), err = 0;

	if (nr == __NR_SCMP_ERROR) {
		log_warnx("seccomp: no system call named %s here", r->name);
		return -EINVAL;
	}
	/* One rule per value: any of them lets the call through (or fails it with r->err). */
	for (size_t i = 0; !err && i < r->n_vals; i++)
		err = seccomp_rule_add(ctx, r->err ? SCMP_ACT_ERRNO((uint32_t)r->err) : SCMP_ACT_ALLOW, nr, 1,
				       SCMP_CMP(r->arg, SCMP_CMP_MASKED_EQ, r->mask, r->vals[i]));
	if (err)
		log_errno(err, "seccomp: allowing %s", r->name);
	return err;
}

static int build_filter(scmp_filter_ctx ctx, const char *const *allow, size_t n,
			const struct bf_confine_arg_rule *limited, size_t n_limited)
{
	int nr, err;

	for (size_t i = 0; i < n_limited; i++) {
		err = add_limited(ctx, &limited[i]);
		if (err)
			return err;
	}

	for (size_t i = 0; i < n; i++) {
		nr = seccomp_syscall_resolve_name(allow[i]);
		if (nr == __NR_SCMP_ERROR) {
			log_warnx("seccomp: no system call named %s here", allow[i]);
			return -EINVAL;
		}
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (err) {
			log_errno(err, "seccomp: allowing %s", allow[i]);
			return err;
		}
	}
	/* glibc tries clone3 first: ENOSYS makes it fall back to clone, which the list decides. */
	err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (err && err != -EEXIST)
		return err;
	err = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	/* The kernel's audit log gets the trapped call too (kernel.seccomp.actions_logged). */
	return err ?: seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
}

int bf_confine_seccomp(const char *const *allow, size_t n, const struct bf_confine_arg_rule *limited,
		       size_t n_limited, size_t *rules)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	sigset_t sys;
	int err;

	if (!ctx)
		return -ENOMEM;
	sigemptyset(&sys);
	sigaddset(&sys, SIGSYS);
	err = sigaction(SIGSYS, &sa, NULL) < 0 ? -errno : 0;
	err = err ?: (pthread_sigmask(SIG_UNBLOCK, &sys, NULL) ? -EINVAL : 0);
	err = err ?: build_filter(ctx, allow, n, limited, n_limited);
	if (!err) {
		err = seccomp_load(ctx);
		if (err)
			log_errno(err, "loading the seccomp filter");
	}
	seccomp_release(ctx);
#if defined(__SANITIZE_ADDRESS__)
	filtered |= !err;
#endif
	if (!err && rules)
		*rules = n + n_limited;
	return err;
}

int bf_confine_caps_text(char *buf, size_t len)
{
	cap_t c = cap_get_proc();
	char *t;

	if (!c)
		return -errno;
	t = cap_to_text(c, NULL);
	cap_free(c);
	if (!t)
		return -errno;
	snprintf(buf, len, "%s", t);
	cap_free(t);
	return 0;
}

/*
 * What a reader of files needs (log show, stats, verify, report): files
 * opened read-only, the descriptors it already holds written, memory.
 * No socket, no exec, no rename, unlink or mkdir, no bpf.
 */
static const char *const reader_calls[] = {
	"read", "readv", "pread64", "write", "writev", "lseek", "close", "newfstatat", "fstat",
	"stat", "lstat", "statx", "fstatfs", "statfs", "getdents64", "fcntl", "ioctl", "readlink",
	"readlinkat", "access", "faccessat", "faccessat2", "fsync", "fdatasync", "munmap", "mremap",
	"madvise", "brk", "futex", "clock_gettime", "gettimeofday", "time", "clock_nanosleep",
	"nanosleep", "getrandom", "rt_sigreturn", "rt_sigprocmask", "rt_sigaction", "sigaltstack",
	"restart_syscall", "getpid", "gettid", "getuid", "geteuid", "getgid", "getegid", "uname",
	"sysinfo", "tgkill", "exit", "exit_group",
};

const struct bf_confine_arg_rule bf_confine_ro_rules[BF_CONFINE_RO_RULES] = {
	{ "openat", 2, O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND, { O_RDONLY }, 1, 0 },
	{ "mmap", 2, PROT_WRITE | PROT_EXEC, { 0, PROT_WRITE, PROT_EXEC }, 3, 0 },
	{ "mprotect", 2, PROT_EXEC, { 0 }, 1, 0 },
};

int bf_confine_reader(void)
{
	/* Root gives up every capability; anyone else has none to give up, only new ones to refuse. */
	int err = geteuid() == 0 ? confine_caps(NULL, 0) :
		  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ? -errno : 0;

	return err ?: bf_confine_seccomp(reader_calls, sizeof(reader_calls) / sizeof(reader_calls[0]),
					 bf_confine_ro_rules, BF_CONFINE_RO_RULES,
					 NULL);
}
