/* agent_sockets.c - tainted processes holding sockets no cgroup hook judges (packet, vsock, raw...): found by a scan and stopped. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "agent.h"
#include "agent_scan.h"
#include "agent_sink.h"
#include "agent_sockets.h"
#include "log.h"
#include "util.h"

#define MAX_SOCKETS 256		/* socket descriptors looked at per process */
#define CAP_NET_RAW_BIT 13

/* The families a scan looks for, and the column of /proc/PID/net/FILE that holds the inode. */
static const struct {
	const char *file;
	const char *family;
	int inode_col;
} tables[] = {
	{ "packet", "packet", 8 },
	{ "raw", "inet raw", 9 },
	{ "raw6", "inet6 raw", 9 },
};

/* Socket descriptors of PID, with their inodes. */
static size_t socket_fds(const char *proc, uint32_t pid, int *fds, unsigned long *inodes, size_t max)
{
	char dir[PATH_MAX], path[PATH_MAX], link[64];
	struct dirent *de;
	size_t n = 0;
	ssize_t len;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%u/fd", proc, pid);
	if (!(d = opendir(dir)))
		return 0;
	while (n < max && (de = readdir(d))) {
		if (de->d_name[0] == '.' || snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		if (sscanf(link, "socket:[%lu]", &inodes[n]) == 1)
			fds[n++] = atoi(de->d_name);
	}
	closedir(d);
	return n;
}

/* Which of INODES appears in PID's net/FILE (its own network namespace's view). */
static bool in_table(const char *proc, uint32_t pid, const char *file, int col,
		     const unsigned long *inodes, size_t n, unsigned long *hit)
{
	char path[PATH_MAX], line[512];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u/net/%s", proc, pid, file);
	if (!(f = fopen(path, "re")))
		return false;
	if (!fgets(line, sizeof(line), f))	/* header */
		line[0] = '\0';
	while (!found && fgets(line, sizeof(line), f)) {
		char *save = NULL, *tok = strtok_r(line, " \t\n", &save);
		unsigned long ino;

		for (int c = 0; tok && c < col; c++)
			tok = strtok_r(NULL, " \t\n", &save);
		if (!tok || sscanf(tok, "%lu", &ino) != 1)
			continue;
		for (size_t i = 0; i < n && !found; i++)
			if (inodes[i] == ino && ino)
				found = true, *hit = ino;
	}
	fclose(f);
	return found;
}

struct held_socket {
	const char *proc;	/* where it was found: the check before a kill looks there again */
	char family[32];
	unsigned long inode;
};

/*
 * Whether a socket of this kind escapes every hook: families with no
 * cgroup hook at all (packet, vsock, bluetooth, ...), and the inet kinds
 * whose sends no sock_addr hook judges (raw, ping). Unix sockets have
 * their hooks; netlink talks to the kernel (and glibc's resolver uses it).
 */
static bool unjudged(int domain, int type, int proto, char *name, size_t len)
{
	const char *fam = domain == AF_INET ? "inet" : "inet6";

	switch (domain) {
	case AF_UNIX:
	case AF_NETLINK:
		return false;
	case AF_INET:
	case AF_INET6:
		if (type == SOCK_RAW || type == SOCK_PACKET)
			snprintf(name, len, "%s raw", fam);
		else if (type == SOCK_DGRAM && (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6))
			snprintf(name, len, "%s ping", fam);
		else
			return false;
		return true;
	case AF_PACKET: snprintf(name, len, "packet"); return true;
	case AF_VSOCK: snprintf(name, len, "vsock"); return true;
	case AF_BLUETOOTH: snprintf(name, len, "bluetooth"); return true;
	default: snprintf(name, len, "family %d", domain); return true;
	}
}

/*
 * Asks each socket itself what it is: a copy of the descriptor through
 * pidfd_getfd (root may), then SO_DOMAIN, SO_TYPE, SO_PROTOCOL. -errno
 * when the copy is not allowed (e.g. Yama ptrace_scope 3).
 */
static int ask_sockets(uint32_t pid, const int *fds, const unsigned long *inodes, size_t n,
		       struct held_socket *s)
{
	int pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0), err = 0;

	if (pidfd < 0)
		return -errno;
	for (size_t i = 0; i < n; i++) {
		int sfd = (int)syscall(SYS_pidfd_getfd, pidfd, fds[i], 0), dom = 0, type = 0, proto = 0;
		socklen_t l = sizeof(int);

		if (sfd < 0) {
			err = errno == EBADF ? 0 : -errno;	/* EBADF: closed meanwhile */
			if (err)
				break;
			continue;
		}
		getsockopt(sfd, SOL_SOCKET, SO_DOMAIN, &dom, &l);
		getsockopt(sfd, SOL_SOCKET, SO_TYPE, &type, &l);
		getsockopt(sfd, SOL_SOCKET, SO_PROTOCOL, &proto, &l);
		close(sfd);
		if (unjudged(dom, type, proto, s->family, sizeof(s->family))) {
			s->inode = inodes[i];
			close(pidfd);
			return 1;
		}
	}
	close(pidfd);
	return err;
}

static bool holds_unjudged(const char *proc, uint32_t pid, struct held_socket *s)
{
	unsigned long *inodes = calloc(MAX_SOCKETS, sizeof(*inodes));
	int *fds = calloc(MAX_SOCKETS, sizeof(*fds));
	size_t n = inodes && fds ? socket_fds(proc, pid, fds, inodes, MAX_SOCKETS) : 0;
	int rc = n ? ask_sockets(pid, fds, inodes, n, s) : 0;

	/* Without pidfd_getfd, the kernel's own tables name packet and raw sockets. */
	for (size_t t = 0; rc < 0 && t < sizeof(tables) / sizeof(tables[0]); t++)
		if (in_table(proc, pid, tables[t].file, tables[t].inode_col, inodes, n, &s->inode)) {
			snprintf(s->family, sizeof(s->family), "%s", tables[t].family);
			rc = 1;
		}
	free(inodes);
	free(fds);
	s->proc = proc;
	return rc == 1;
}

static bool still_holds(uint32_t pid, const void *ctx)
{
	const struct held_socket *was = ctx;
	struct held_socket now;

	return holds_unjudged(was->proc, pid, &now) && now.inode == was->inode;
}

static void comm_of(const char *proc, uint32_t pid, char *buf, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%u/status", proc, pid);
	if (bf_read_field(path, "Name:\t", buf, len))
		snprintf(buf, len, "?");
}

/* Each (pid, socket) is acted on once: an audit-mode report is not repeated every second. */
static bool seen_before(struct bf_sockets_seen *seen, uint32_t pid, unsigned long inode)
{
	unsigned slot;

	for (unsigned i = 0; i < BF_SOCKETS_SEEN; i++)
		if (seen->e[i].pid == pid && seen->e[i].inode == inode)
			return true;
	slot = seen->next++ % BF_SOCKETS_SEEN;
	seen->e[slot].pid = pid;
	seen->e[slot].inode = inode;
	return false;
}

static void act(struct bf_agent *ag, uint32_t pid, const struct held_socket *s)
{
	bool audit = ag->policy.cur->policy->audit_mode;
	struct json_object *rec, *so;
	char comm[64];
	int err = 0;

	if (seen_before(&ag->sockets_seen, pid, s->inode))
		return;
	comm_of(ag->scope.proc, pid, comm, sizeof(comm));
	if (!audit && (err = agent_kill(pid, still_holds, s)) == -ESRCH)
		return;
	rec = bf_audit_begin(ag->log.audit, "socket", bf_audit_now_ns());
	bf_json_add_str(rec, "event", audit ? "report" : "terminate");
	bf_json_add_str(rec, "verdict", "deny");
	bf_json_add_bool(rec, "enforced", !audit && !err);
	bf_json_add_str(rec, "rule", "builtin");
	bf_json_add_u64(rec, "pid", pid);
	bf_json_add_str(rec, "comm", comm);
	so = json_object_new_object();
	bf_json_add_str(so, "family", s->family);
	bf_json_add_u64(so, "inode", s->inode);
	json_object_object_add(rec, "socket", so);
	bf_json_add_str(rec, "reason", "a process that opened a camera holds a socket no cgroup hook "
				       "judges: it could send frames anywhere");
	if (err)
		bf_json_add_str(rec, "error", strerror(-err));
	agent_emit(ag, rec);
	log_warnx("pid %u (%s) opened a camera and holds a %s socket: %s", pid, comm, s->family,
		  audit ? "reported (audit mode)" : err ? strerror(-err) : "terminated");
}

/* CAP_NET_RAW lets a process open a packet socket between two scans: said once per process. */
static void warn_cap_net_raw(struct bf_agent *ag, uint32_t pid)
{
	char path[PATH_MAX], caps[32], comm[64];
	struct json_object *rec;
	uint64_t eff;

	snprintf(path, sizeof(path), "%s/%u/status", ag->scope.proc, pid);
	if (bf_read_field(path, "CapEff:\t", caps, sizeof(caps)) || sscanf(caps, "%" SCNx64, &eff) != 1 ||
	    !(eff & (1ull << CAP_NET_RAW_BIT)) || seen_before(&ag->sockets_seen, pid, 0))
		return;
	comm_of(ag->scope.proc, pid, comm, sizeof(comm));
	rec = bf_audit_begin(ag->log.audit, "socket", bf_audit_now_ns());
	bf_json_add_str(rec, "event", "cap-net-raw");
	bf_json_add_u64(rec, "pid", pid);
	bf_json_add_str(rec, "comm", comm);
	bf_json_add_str(rec, "reason", "a process that opened a camera has CAP_NET_RAW: a packet socket "
				       "it opens is found within a second and stopped, but what it sends "
				       "before that is not; run camera apps without CAP_NET_RAW");
	agent_emit(ag, rec);
	log_warnx("pid %u (%s) opened a camera and has CAP_NET_RAW", pid, comm);
}

void agent_scan_sockets(struct bf_agent *ag)
{
	uint32_t *tgids = calloc(BF_MAX_TAINTED, sizeof(*tgids));
	struct held_socket s;
	size_t n = 0;

	if (!tgids || ag->kern->tainted(&ag->ld, tgids, BF_MAX_TAINTED, &n)) {
		free(tgids);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (tgids[i] == (uint32_t)getpid())
			continue;
		warn_cap_net_raw(ag, tgids[i]);
		if (holds_unjudged(ag->scope.proc, tgids[i], &s))
			act(ag, tgids[i], &s);
	}
	free(tgids);
}
