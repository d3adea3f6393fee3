/* confine.h - least privilege for a process: a read-only filesystem but for named directories, named capabilities only (libcap), a syscall allowlist (libseccomp). */
#ifndef BF_CONFINE_H
#define BF_CONFINE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * The order is the caller's: bf_confine_ns() before any thread starts (a
 * mount namespace is per thread when it is made, and every later thread
 * shares it); bf_confine_fs(), bf_confine_caps() and bf_confine_seccomp()
 * once nothing is left to set up. Each returns 0 or -errno and logs why.
 */

/* A private mount namespace, mounts from outside still propagating in. */
int bf_confine_ns(void);

/*
 * Everything read-only but DIRS (each made writable again by a bind mount
 * on itself; a directory that does not exist is created 0750 first).
 * Writes elsewhere fail with EROFS; devices and sockets are not affected.
 */
int bf_confine_fs(const char *const *dirs, size_t n);

/*
 * Only the capabilities named in KEEP (cap_from_name names, e.g.
 * "cap_bpf") stay, in the permitted and effective sets; every other one
 * leaves every set, the bounding set included; the ambient set is
 * cleared; the securebits are locked so that uid 0 regains nothing; and
 * no_new_privs is set. For the calling thread: threads made later inherit
 * it, threads made earlier must call it themselves (bf_confine_thread).
 */
int bf_confine_caps(const char *const *keep, size_t n);

/* No capabilities at all and no_new_privs, for a thread that needs none. */
int bf_confine_thread(void);

/*
 * A seccomp filter on every thread of the process (TSYNC) allowing only
 * the system calls named in ALLOW. Any other traps: the process writes
 * one line naming the call on stderr and exits 159 (128 + SIGSYS), the
 * call never made. A trap, not EPERM: a call the filter forgot must stop
 * the agent loudly (the pinned programs keep enforcing and the service
 * manager restarts it), never fail quietly inside a library. clone3 gets
 * ENOSYS, so glibc would fall back to clone, which is itself refused
 * unless allowed. LIMITED are allowed only with the arguments they name.
 * *RULES is the number of calls allowed, limited ones included.
 */
/*
 * A call allowed only when (argument ARG & MASK) is one of VALS, e.g.
 * socket(2) for four families; with ERR set, not allowed but failed with
 * that errno instead of trapped (a unix socket a library tries and can do
 * without: glibc's NSS falls back to files when nscd cannot be reached).
 */
struct bf_confine_arg_rule {
	const char *name;
	unsigned arg;
	unsigned long long mask;
	unsigned long long vals[4];
	size_t n_vals;
	int err;
};

/*
 * The three rules every reader of outside input shares: files opened
 * read-only only, memory never writable and executable at once, nothing
 * made executable after it is mapped.
 */
#define BF_CONFINE_RO_RULES 3
extern const struct bf_confine_arg_rule bf_confine_ro_rules[BF_CONFINE_RO_RULES];

int bf_confine_seccomp(const char *const *allow, size_t n, const struct bf_confine_arg_rule *limited,
		       size_t n_limited, size_t *rules);

/*
 * For a command that reads what others wrote (an audit log) and writes
 * only to descriptors it already holds: no capability, no_new_privs, and
 * a filter that allows files opened read-only and nothing that writes,
 * renames, connects or executes. 0 or -errno (the filter is not loaded).
 */
int bf_confine_reader(void);

/*
 * Root gives up being root: every capability leaves the bounding set, then
 * the process becomes UID:GID with no supplementary group (the kernel
 * clears its capabilities on the way), and no_new_privs is set. Before any
 * filter; needs CAP_SETPCAP, CAP_SETUID and CAP_SETGID. 0 or -errno.
 */
int bf_confine_user(uid_t uid, gid_t gid);

/* The calling thread's capabilities as text ("=" when none), e.g. "cap_kill,cap_bpf=ep". */
int bf_confine_caps_text(char *buf, size_t len);

#endif /* BF_CONFINE_H */
