/* agent_unpriv.c - privilege separation: a zygote per helper (parser, resolver), a worker per request, checked answers back over a socketpair. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent_unpriv.h"
#include "confine.h"
#include "ctl.h"
#include "default_policy.h"
#include "log.h"
#include "policy/codec.h"
#include "util.h"
#include "wire.h"

/* Frame types: a request, its reply, or the zygote's word that the worker failed (payload: why). */
#define UNPRIV_HELLO   0x10u     /* the zygote, once: u8 confined, str why-not */
#define UNPRIV_PARSE   0x01u
#define UNPRIV_LOOKUP  0x02u
#define UNPRIV_FAULT   0x03u     /* a worker that misbehaves on purpose (agent_unpriv_fault) */
#define UNPRIV_CTL     0x04u     /* a control request line */
#define UNPRIV_REPLY   0x100u
#define UNPRIV_FAILED  0x200u

struct frame {
	uint32_t type;
	uint32_t len;
};

/* A worker's time limit (SIGALRM ends it): parsing 100,000 lines takes well under a second; DNS may retry. */
#define PARSE_LIMIT_S   30
#define LOOKUP_LIMIT_S  60
#define FAULT_LIMIT_S   2
#define CTL_LIMIT_S     2       /* a line is at most BF_CTL_MAX_REQUEST bytes: microseconds of work */
#define HELLO_LIMIT_S   10
#define ZYGOTE_FD       3

/* ---- frames ---- */

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		/* MSG_NOSIGNAL: a gone peer is an error here, never a SIGPIPE. */
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == ENOTSOCK)
			n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* LEN bytes by DEADLINE_NS (CLOCK_MONOTONIC; 0: none). -EPIPE at EOF, -ETIMEDOUT. */
static int read_all(int fd, void *buf, size_t len, int64_t deadline_ns)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n;

		if (deadline_ns) {
			int64_t left = deadline_ns - bf_now_ns(CLOCK_MONOTONIC);
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			int r;

			if (left <= 0)
				return -ETIMEDOUT;
			r = poll(&pfd, 1, (int)(left / 1000000 + 1));
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				return -errno;
			if (r == 0)
				return -ETIMEDOUT;
		}
		n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int send_frame(int fd, uint32_t type, const void *payload, size_t len)
{
	struct frame h = { type, (uint32_t)len };
	int err;

	if (len > BF_WIRE_MAX)
		return -E2BIG;
	err = write_all(fd, &h, sizeof(h));
	return err ?: write_all(fd, payload, len);
}

/* One frame of at most BF_WIRE_MAX bytes into *P (freed by the caller). */
static int recv_frame(int fd, uint32_t *type, uint8_t **p, size_t *len, int64_t deadline_ns)
{
	struct frame h;
	int err = read_all(fd, &h, sizeof(h), deadline_ns);

	*p = NULL;
	if (err)
		return err;
	if (h.len > BF_WIRE_MAX)
		return -EBADMSG;
	*p = malloc(h.len ? h.len : 1);
	if (!*p)
		return -ENOMEM;
	err = read_all(fd, *p, h.len, deadline_ns);
	if (err) {
		free(*p);
		*p = NULL;
		return err;
	}
	*type = h.type;
	*len = h.len;
	return 0;
}

/* ---- the workers: what runs on outside input, in a fresh copy of the zygote each time ---- */

static void work_parse(struct bf_rbuf *r, struct bf_wbuf *w)
{
	struct bf_diags diags = { 0 };
	struct bf_policy *p = NULL;
	uint32_t flags = bf_rget_u32(r);
	char *path = bf_rget_str(r, PATH_MAX - 1, true);
	int err = r->err;

	if (!err)
		err = path ? bf_policy_parse(path, flags, &p, &diags) :
			     bf_policy_parse_string(BF_EMBEDDED_NAME, bf_default_policy_text, flags, &p, &diags);
	bf_wput_u32(w, (uint32_t)err);
	bf_diags_encode(w, &diags);
	bf_wput_u8(w, p != NULL);
	if (p)
		bf_policy_encode(w, p);
	bf_policy_free(p);
	bf_diags_free(&diags);
	free(path);
}

static void work_lookup(struct bf_rbuf *r, struct bf_wbuf *w)
{
	struct bf_dns_answer a = { 0 };
	char name[BF_DNS_NAME_MAX];

	bf_rget_strbuf(r, name, sizeof(name));
	if (r->err) {
		a.err = -EINVAL;
		snprintf(a.why, sizeof(a.why), "a malformed request");
	} else {
		bf_dns_lookup(name, &a);
	}
	bf_wput_u32(w, (uint32_t)a.err);
	bf_wput_str(w, a.why);
	bf_wput_u32(w, (uint32_t)a.n);
	bf_wput(w, a.addrs, a.n * sizeof(a.addrs[0]));
	bf_wput_u8(w, a.have);
	bf_wput_u32(w, a.ttl_s);
}

static void work_ctl(struct bf_rbuf *r, struct bf_wbuf *w)
{
	size_t n = r->len - r->off;
	char *line = malloc(n + 1);	/* bf_ctl_parse_request writes its NUL at line[n] */
	struct json_object *req, *err = NULL;

	if (!line)
		_exit(3);
	memcpy(line, r->p + r->off, n);
	req = bf_ctl_parse_request(line, n, &err);
	bf_wput_u8(w, req != NULL);
	bf_wput_json(w, req ? req : err);
	json_object_put(req);
	json_object_put(err);
	free(line);
}

/* What a parser bug or a hostile answer might make a worker do; the tests make it do each. */
static void work_fault(struct bf_rbuf *r, struct bf_wbuf *w, int out)
{
	char what[64];
	int fd;

	bf_rget_strbuf(r, what, sizeof(what));
	if (strcmp(what, "segv") == 0)
		raise(SIGSEGV);
	else if (strcmp(what, "hang") == 0)
		for (;;)
			sleep(1);
	else if (strcmp(what, "write") == 0 && (fd = open("/tmp/bf-unpriv-fault", O_WRONLY | O_CREAT, 0600)) >= 0)
		close(fd);
	else if (strcmp(what, "exec") == 0)
		execl("/bin/true", "true", (char *)NULL);
	else if (strcmp(what, "garbage") == 0)
		_exit(write_all(out, "not a frame", 11) ? 4 : 0);
	else if (strcmp(what, "unix") == 0 || strcmp(what, "inet") == 0) {
		fd = socket(what[0] == 'u' ? AF_UNIX : AF_INET, SOCK_STREAM, 0);
		snprintf(what, sizeof(what), "%s", fd < 0 ? strerror(errno) : "opened");
		if (fd >= 0)
			close(fd);
	}
	bf_wput_str(w, what);	/* "ok", a socket's fate, or a fault that did not stop the worker */
}

static void __attribute__((noreturn)) worker(int out, uint32_t type, const uint8_t *req, size_t len)
{
	struct bf_rbuf r = { .p = req, .len = len };
	struct bf_wbuf w = { 0 };
	struct frame h = { UNPRIV_REPLY, 0 };

	alarm(type == UNPRIV_PARSE ? PARSE_LIMIT_S : type == UNPRIV_LOOKUP ? LOOKUP_LIMIT_S :
	      type == UNPRIV_CTL ? CTL_LIMIT_S : FAULT_LIMIT_S);
	bf_wput(&w, &h, sizeof(h));	/* the header, its length filled in below */
	if (type == UNPRIV_PARSE)
		work_parse(&r, &w);
	else if (type == UNPRIV_LOOKUP)
		work_lookup(&r, &w);
	else if (type == UNPRIV_FAULT)
		work_fault(&r, &w, out);
	else if (type == UNPRIV_CTL)
		work_ctl(&r, &w);
	else
		_exit(2);
	if (w.err)
		_exit(3);
	h.len = (uint32_t)(w.len - sizeof(h));
	memcpy(w.p, &h, sizeof(h));
	_exit(write_all(out, w.p, w.len) ? 4 : 0);
}

/* How a worker ended, in words an inspector can act on; "" when it ended well. */
static void describe_end(int status, size_t got, char *why, size_t len)
{
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		snprintf(why, len, "stopped at its time limit");
	else if (WIFSIGNALED(status))
		snprintf(why, len, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGSYS)
		snprintf(why, len, "stopped by its seccomp filter (a system call not on its allowlist)");
	else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		snprintf(why, len, "exited %d", WEXITSTATUS(status));
	else if (got < sizeof(struct frame))
		snprintf(why, len, "ended without a reply");
	else
		why[0] = 0;
}

/* Runs one request in a worker and relays its reply, or a failure naming how it ended. */
static void zygote_request(int fd, uint32_t type, const uint8_t *req, size_t len)
{
	struct bf_wbuf got = { 0 };
	char why[160], buf[65536];
	int pfd[2], status = 0;
	pid_t pid;
	ssize_t n;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		snprintf(why, sizeof(why), "no pipe for a worker: %s", strerror(errno));
		send_frame(fd, UNPRIV_FAILED, why, strlen(why));
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		close(fd);
		worker(pfd[1], type, req, len);
	}
	close(pfd[1]);
	while (pid > 0 && (n = read(pfd[0], buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		bf_wput(&got, buf, (size_t)n);	/* past BF_WIRE_MAX: err, and the reply is refused below */
	}
	close(pfd[0]);
	if (pid < 0)
		snprintf(why, sizeof(why), "no worker: fork: %s", strerror(errno));
	else if (waitpid(pid, &status, 0) < 0)
		snprintf(why, sizeof(why), "lost its worker: %s", strerror(errno));
	else
		describe_end(status, got.len, why, sizeof(why));
	if (!why[0]) {
		struct frame h;

		memcpy(&h, got.p, sizeof(h));
		if (got.err || h.type != UNPRIV_REPLY || h.len != got.len - sizeof(h))
			snprintf(why, sizeof(why), "sent %zu bytes that are not a reply", got.len);
	}
	if (why[0])
		send_frame(fd, UNPRIV_FAILED, why, strlen(why));
	else
		write_all(fd, got.p, got.len);
	bf_wbuf_free(&got);
}

/*
 * The zygote's filter, which its workers inherit: files read-only, memory,
 * a worker forked (fork's own clone flags only: no thread, no namespace)
 * and reaped, frames on the descriptors it holds. No exec, no write to
 * any file, no ptrace, no bpf, no kill. The resolver adds the sockets DNS
 * needs; the parser has none to make.
 */
static const char *const zygote_calls[] = {
	"read", "readv", "pread64", "write", "writev", "sendto", "lseek", "close", "newfstatat",
	"fstat", "stat", "lstat", "statx", "fstatfs", "statfs", "getdents64", "fcntl", "readlink",
	"readlinkat", "access", "faccessat", "faccessat2", "munmap", "mremap", "madvise", "brk",
	"futex", "clock_gettime", "gettimeofday", "time", "clock_nanosleep", "nanosleep", "getrandom",
	"rt_sigreturn", "rt_sigprocmask", "rt_sigaction", "sigaltstack", "restart_syscall", "getpid",
	"gettid", "getppid", "getuid", "geteuid", "getgid", "getegid", "uname", "sysinfo", "tgkill",
	"exit", "exit_group", "pipe2", "wait4", "alarm", "set_robust_list", "rseq", "poll", "ppoll",
	"prlimit64",
	"getcwd",	/* a relative policy path (make run: policies/default.policy) is made absolute */
};

/* getifaddrs (the parser: a network camera may not be one of the host's own addresses) and DNS */
static const char *const netlink_calls[] = { "bind", "recvfrom", "recvmsg", "getsockname" };
static const char *const resolver_calls[] = {
	"connect", "sendmsg", "sendmmsg", "recvmmsg", "getpeername", "getsockopt", "setsockopt", "ioctl",
};

/*
 * Beyond bf_confine_ro_rules: a worker forked (fork's own flags: no
 * thread, no namespace); then each helper's sockets. No helper may open a
 * unix socket: as uid 0 the parser would be root to the agent's control
 * socket, and NSS (nscd, systemd's userdb) falls back to files without.
 */
static const struct bf_confine_arg_rule fork_rule =
	{ "clone", 0, ~0ull, { CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD }, 1, 0 };
static const struct bf_confine_arg_rule parser_sockets[] = {
	{ "socket", 0, 0xffffffffu, { AF_NETLINK }, 1, 0 },
	{ "socket", 0, 0xffffffffu, { AF_UNIX, AF_INET, AF_INET6 }, 3, EACCES },
};
static const struct bf_confine_arg_rule resolver_sockets[] = {
	{ "socket", 0, 0xffffffffu, { AF_INET, AF_INET6, AF_NETLINK }, 3, 0 },
	{ "socket", 0, 0xffffffffu, { AF_UNIX }, 1, EACCES },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Who each helper is: whose files it reads, and what its filter lets it reach. */
struct role {
	const char *name;
	bool as_nobody;                 /* it reads nothing of root's */
	const struct bf_confine_arg_rule *sockets;
	size_t n_sockets;
	const char *const *net;         /* calls on the sockets it may make */
	size_t n_net;
};

static const struct role roles[] = {
	{ "parser", false, parser_sockets, N(parser_sockets), netlink_calls, N(netlink_calls) },
	{ "resolver", true, resolver_sockets, N(resolver_sockets), resolver_calls, N(resolver_calls) },
	{ "requests", true, NULL, 0, NULL, 0 },
};

static int zygote_filter(const struct role *ro)
{
	const char *calls[N(zygote_calls) + N(netlink_calls) + N(resolver_calls)];
	struct bf_confine_arg_rule limited[BF_CONFINE_RO_RULES + 1 + 2];
	size_t n = 0, n_limited = BF_CONFINE_RO_RULES;

	for (size_t i = 0; i < N(zygote_calls); i++)
		calls[n++] = zygote_calls[i];
	for (size_t i = 0; ro->sockets && i < N(netlink_calls); i++)
		calls[n++] = netlink_calls[i];
	for (size_t i = 0; ro->net == resolver_calls && i < N(resolver_calls); i++)
		calls[n++] = resolver_calls[i];
	memcpy(limited, bf_confine_ro_rules, sizeof(bf_confine_ro_rules));
	limited[n_limited++] = fork_rule;
	for (size_t i = 0; i < ro->n_sockets; i++)
		limited[n_limited++] = ro->sockets[i];
	return bf_confine_seccomp(calls, n, limited, n_limited, NULL);
}

/* Read-only mounts of its own (none writable), no capability (nobody's uid), its filter. WHY: what failed. */
static bool zygote_confine(const struct role *ro, uid_t uid, gid_t gid, char *why, size_t len)
{
	int err = bf_confine_ns();

	/* A plain chroot has no mount of its own to make read-only: the filter still refuses writes. */
	if (!err)
		err = bf_confine_fs(NULL, 0);
	else if (err == -EINVAL)
		err = 0;
	if (err) {
		snprintf(why, len, "read-only mounts: %s", strerror(-err));
		return false;
	}
	err = ro->as_nobody ? bf_confine_user(uid, gid) : bf_confine_caps(NULL, 0);
	if (err) {
		snprintf(why, len, "%s: %s", ro->as_nobody ? "becoming nobody" : "capabilities", strerror(-err));
		return false;
	}
	err = zygote_filter(ro);
	if (err) {
		snprintf(why, len, "seccomp: %s", strerror(-err));
		return false;
	}
	return true;
}

static void __attribute__((noreturn)) zygote(const struct role *ro, int fd, bool confine, uid_t uid, gid_t gid)
{
	char why[160] = "--no-confine", name[32];
	struct bf_wbuf hello = { 0 };
	bool confined = false;
	sigset_t none;

	if (fd != ZYGOTE_FD && (dup2(fd, ZYGOTE_FD) < 0 || close(fd) < 0))
		_exit(1);
	/* Nothing of the agent's stays open here: no map, no log, no control socket. */
	close_range(ZYGOTE_FD + 1, ~0u, 0);
	/*
	 * Every signal at its default action: a worker's crash and its time
	 * limit (SIGALRM) must end it, whatever handler the agent (or a test
	 * harness) had installed; only a gone peer is not fatal here.
	 */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	snprintf(name, sizeof(name), "biofenced-%s", ro->name);
	log_init(name, 0);
	if (confine)
		confined = zygote_confine(ro, uid, gid, why, sizeof(why));
	if (confine && !confined)
		log_warnx("NOT CONFINED: %s", why);
	bf_wput_u8(&hello, confined);
	bf_wput_str(&hello, confined ? "" : why);
	log_debug("%s: pid %d, %s", name, (int)getpid(), confined ? "confined" : why);
	if (hello.err || send_frame(ZYGOTE_FD, UNPRIV_HELLO, hello.p, hello.len))
		_exit(1);
	bf_wbuf_free(&hello);
	for (;;) {
		uint32_t type;
		uint8_t *req;
		size_t len;

		/* EOF: the agent is gone or stopping, and so are we. */
		if (recv_frame(ZYGOTE_FD, &type, &req, &len, 0))
			_exit(0);
		zygote_request(ZYGOTE_FD, type, req, len);
		free(req);
	}
}

/* ---- the agent's side ---- */

static void gone(struct bf_unpriv *u, const char *what, int err)
{
	int status;

	snprintf(u->last_failure, sizeof(u->last_failure), "the %s's zygote is gone (%s: %s)", u->role, what,
		 strerror(-err));
	/*
	 * The agent cannot fork another (its filter has no fork). Reloads wait
	 * for a restart; control requests do not: a withdrawal of consent
	 * must always get through, so they are parsed in the agent meanwhile.
	 */
	if (strcmp(u->role, "parser") == 0)
		log_warnx("%s: reloads are refused until biofenced restarts", u->last_failure);
	else if (strcmp(u->role, "requests") == 0)
		log_warnx("%s: control requests are parsed in the agent until it restarts", u->last_failure);
	else
		log_warnx("%s: host names keep their last addresses until biofenced restarts", u->last_failure);
	close(u->fd);
	u->fd = -1;
	kill(u->pid, SIGKILL);
	waitpid(u->pid, &status, 0);
}

static int read_hello(struct bf_unpriv *u)
{
	int64_t deadline = bf_now_ns(CLOCK_MONOTONIC) + HELLO_LIMIT_S * BF_NS_PER_SEC;
	uint8_t *p;
	size_t len;
	uint32_t type;
	int err = recv_frame(u->fd, &type, &p, &len, deadline);
	struct bf_rbuf r = { .p = p, .len = len };

	if (err)
		return err;
	if (type != UNPRIV_HELLO) {
		free(p);
		return -EBADMSG;
	}
	u->confined = bf_rget_bool(&r);
	bf_rget_strbuf(&r, u->why_not, sizeof(u->why_not));
	free(p);
	return r.err;
}

static int spawn(struct bf_unpriv *u, const struct role *ro, bool confine, uid_t uid, gid_t gid)
{
	int sv[2], err;

	u->role = ro->name;
	u->fd = -1;
	pthread_mutex_init(&u->mu, NULL);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	fflush(NULL);
	u->pid = fork();
	if (u->pid < 0) {
		err = -errno;
		close(sv[0]);
		close(sv[1]);
		u->pid = 0;
		return err;
	}
	if (u->pid == 0) {
		close(sv[0]);
		zygote(ro, sv[1], confine, uid, gid);
	}
	close(sv[1]);
	u->fd = sv[0];
	err = read_hello(u);
	if (err) {
		gone(u, "its first word", err);
		return err;
	}
	if (u->why_not[0])
		log_warnx("the %s is NOT CONFINED (%s): it runs as the agent does", ro->name, u->why_not);
	return 0;
}

int agent_unpriv_start(struct bf_agent *ag)
{
	struct bf_unpriv *u[] = { &ag->privsep.parser, &ag->privsep.resolver, &ag->privsep.requests };
	/* Asked now, while NSS may still reach what it needs. */
	struct passwd *pw = getpwnam("nobody");
	uid_t uid = pw ? pw->pw_uid : 65534;
	gid_t gid = pw ? pw->pw_gid : 65534;

	for (size_t i = 0; i < N(roles); i++) {
		int err = spawn(u[i], &roles[i], !ag->opt.no_confine, uid, gid);

		if (err) {
			log_errno(err, "starting the %s", roles[i].name);
			return err;
		}
	}
	return 0;
}

static void stop_one(struct bf_unpriv *u)
{
	int status;

	if (!u->pid)
		return;
	if (u->fd >= 0)
		close(u->fd);	/* EOF: the zygote exits */
	u->fd = -1;
	waitpid(u->pid, &status, 0);
	u->pid = 0;
}

void agent_unpriv_stop(struct bf_agent *ag)
{
	stop_one(&ag->privsep.parser);
	stop_one(&ag->privsep.resolver);
	stop_one(&ag->privsep.requests);
}

/*
 * One request and its reply. -EIO with WHY set: the worker failed (the
 * zygote lives on); other errors: the zygote itself is gone.
 */
static int call(struct bf_unpriv *u, uint32_t type, const struct bf_wbuf *req, int limit_s, uint8_t **rep,
		size_t *rep_len, char *why, size_t why_len)
{
	int64_t deadline = bf_now_ns(CLOCK_MONOTONIC) + (int64_t)(limit_s + 5) * BF_NS_PER_SEC;
	uint32_t rtype = 0;
	int err;

	*rep = NULL;
	if (u->fd < 0) {
		snprintf(why, why_len, "%s", u->last_failure);
		return -EPIPE;
	}
	u->requests++;
	err = req->err ?: send_frame(u->fd, type, req->p, req->len);
	err = err ?: recv_frame(u->fd, &rtype, rep, rep_len, deadline);
	if (!err && rtype == UNPRIV_FAILED) {
		size_t n = *rep_len < why_len ? *rep_len : why_len - 1;

		/* Its words, but only printable ones: they go to the log and the journal. */
		for (size_t i = 0; i < n; i++)
			why[i] = (*rep)[i] >= 0x20 && (*rep)[i] < 0x7f ? (char)(*rep)[i] : '?';
		why[n] = 0;
		u->failures++;
		snprintf(u->last_failure, sizeof(u->last_failure), "%s", why);
		free(*rep);
		*rep = NULL;
		return -EIO;
	}
	if (!err && rtype != UNPRIV_REPLY)
		err = -EBADMSG;
	if (err) {
		free(*rep);
		*rep = NULL;
		gone(u, "a request", err);
		snprintf(why, why_len, "%s", u->last_failure);
	}
	return err;
}

static int add_diag(struct bf_diags *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int add_diag(struct bf_diags *d, const char *fmt, ...)
{
	char **nm = realloc(d->msgs, (d->n + 1) * sizeof(*nm));
	va_list ap;
	int r;

	if (!nm)
		return -ENOMEM;
	d->msgs = nm;
	va_start(ap, fmt);
	r = vasprintf(&nm[d->n], fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	d->n++;
	d->n_errors++;
	return 0;
}

int agent_unpriv_parse(struct bf_unpriv *u, const char *path, unsigned flags, struct bf_policy **out,
		       struct bf_diags *diags)
{
	struct bf_wbuf req = { 0 };
	struct bf_rbuf r = { 0 };
	char why[192];
	uint8_t *rep;
	size_t len = 0;
	int err, perr;

	*out = NULL;
	bf_wput_u32(&req, flags);
	bf_wput_str(&req, path);
	err = call(u, UNPRIV_PARSE, &req, PARSE_LIMIT_S, &rep, &len, why, sizeof(why));
	bf_wbuf_free(&req);
	if (err) {
		log_warnx("the policy parser failed on %s: %s", path ? path : BF_EMBEDDED_NAME, why);
		add_diag(diags, "%s: the policy parser failed: %s", path ? path : BF_EMBEDDED_NAME, why);
		return -EIO;
	}
	r = (struct bf_rbuf){ .p = rep, .len = len };
	perr = (int32_t)bf_rget_u32(&r);
	err = bf_diags_decode(&r, diags);
	if (!err && bf_rget_bool(&r))
		err = bf_policy_decode(&r, out);
	if (!err && (r.err || r.off != r.len || (perr == 0) != (*out != NULL) || perr > 0 || perr < -4095))
		err = -EBADMSG;
	free(rep);
	if (err) {
		bf_policy_free(*out);
		*out = NULL;
		u->failures++;
		snprintf(u->last_failure, sizeof(u->last_failure), "a reply that does not decode (%s)",
			 strerror(-err));
		log_warnx("the policy parser sent %s", u->last_failure);
		add_diag(diags, "%s: the policy parser sent %s", path ? path : BF_EMBEDDED_NAME, u->last_failure);
		return -EIO;
	}
	return perr;
}

int agent_unpriv_lookup(struct bf_unpriv *u, const char *name, struct bf_dns_answer *a)
{
	struct bf_wbuf req = { 0 };
	struct bf_rbuf r;
	uint8_t *rep;
	size_t len = 0, n;
	int err;

	memset(a, 0, sizeof(*a));
	bf_wput_str(&req, name);
	pthread_mutex_lock(&u->mu);
	err = call(u, UNPRIV_LOOKUP, &req, LOOKUP_LIMIT_S, &rep, &len, a->why, sizeof(a->why));
	pthread_mutex_unlock(&u->mu);
	bf_wbuf_free(&req);
	if (err) {
		a->err = -EIO;
		return -EIO;
	}
	r = (struct bf_rbuf){ .p = rep, .len = len };
	a->err = (int32_t)bf_rget_u32(&r);
	bf_rget_strbuf(&r, a->why, sizeof(a->why));
	n = bf_rget_count(&r, BF_DNS_MAX_ADDRS, sizeof(a->addrs[0]));
	bf_rget(&r, a->addrs, n * sizeof(a->addrs[0]));
	a->n = n;
	a->have = bf_rget_bool(&r);
	a->ttl_s = bf_rget_u32(&r);
	free(rep);
	if (r.err || r.off != r.len || a->err > 0 || a->err < -4095) {
		memset(a, 0, sizeof(*a));
		a->err = -EIO;
		snprintf(a->why, sizeof(a->why), "the resolver sent a reply that does not decode");
		u->failures++;
		return -EIO;
	}
	return 0;
}

struct json_object *agent_unpriv_ctl(struct bf_unpriv *u, const char *line, size_t n, struct json_object **err)
{
	struct bf_wbuf req = { 0 };
	struct json_object *v = NULL, *cmd;
	struct bf_rbuf r;
	char why[192];
	uint8_t *rep;
	size_t len = 0;
	bool ok;

	*err = NULL;
	bf_wput(&req, line, n);
	if (call(u, UNPRIV_CTL, &req, CTL_LIMIT_S, &rep, &len, why, sizeof(why)) != 0) {
		bf_wbuf_free(&req);
		log_warnx("the request parser failed: %s", why);
		*err = bf_ctl_error("internal", "the request parser failed: %s", why);
		return NULL;
	}
	bf_wbuf_free(&req);
	r = (struct bf_rbuf){ .p = rep, .len = len };
	ok = bf_rget_bool(&r);
	v = bf_rget_json(&r);
	free(rep);
	/* What the handlers rely on: a request is an object with a string "cmd"; an error, an object. */
	if (!r.err && r.off == r.len && json_object_is_type(v, json_type_object) &&
	    (!ok || (json_object_object_get_ex(v, "cmd", &cmd) && json_object_is_type(cmd, json_type_string)))) {
		if (ok)
			return v;
		*err = v;
		return NULL;
	}
	json_object_put(v);
	u->failures++;
	snprintf(u->last_failure, sizeof(u->last_failure), "a request reply that does not decode");
	log_warnx("the request parser sent %s", u->last_failure);
	*err = bf_ctl_error("internal", "the request parser sent %s", u->last_failure);
	return NULL;
}

int agent_unpriv_fault(struct bf_unpriv *u, const char *fault, char *why, size_t len)
{
	struct bf_wbuf req = { 0 };
	uint8_t *rep;
	size_t n;
	int err;

	bf_wput_str(&req, fault);
	err = call(u, UNPRIV_FAULT, &req, FAULT_LIMIT_S, &rep, &n, why, len);
	bf_wbuf_free(&req);
	if (!err) {
		struct bf_rbuf r = { .p = rep, .len = n };

		bf_rget_strbuf(&r, why, len);
		free(rep);
	}
	return err;
}

static struct json_object *one_json(const struct bf_unpriv *u)
{
	struct json_object *o = json_object_new_object();

	bf_json_add_u64(o, "pid", (uint64_t)u->pid);
	bf_json_add_bool(o, "running", u->fd >= 0);
	bf_json_add_bool(o, "confined", u->confined);
	bf_json_add_str(o, "why_not", u->confined ? NULL : u->why_not);
	bf_json_add_u64(o, "requests", u->requests);
	bf_json_add_u64(o, "failures", u->failures);
	bf_json_add_str(o, "last_failure", u->last_failure[0] ? u->last_failure : NULL);
	return o;
}

struct json_object *agent_unpriv_json(const struct bf_agent *ag)
{
	struct json_object *o = json_object_new_object();

	if (!ag->privsep.parser.pid)
		return o;
	json_object_object_add(o, "parser", one_json(&ag->privsep.parser));
	json_object_object_add(o, "resolver", one_json(&ag->privsep.resolver));
	json_object_object_add(o, "requests", one_json(&ag->privsep.requests));
	return o;
}
