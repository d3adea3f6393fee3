/* agent_events.c - the ring-buffer dispatcher: kernel decisions into audit records; lost-event records; camera holders at start. */
#include <arpa/inet.h>
#include <dirent.h>
#include <ftw.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "agent_consent.h"
#include "agent_events.h"
#include "agent_protect.h"
#include "agent_quota.h"
#include "agent_sink.h"
#include "agent_store.h"
#include "log.h"
#include "util.h"

/* Kernel stamps are CLOCK_BOOTTIME; the log speaks wall-clock UTC. */
void agent_update_clock(struct bf_event_state *ev, uint64_t real_ns, uint64_t boot_ns)
{
	ev->boot_to_real_ns = (int64_t)(real_ns - boot_ns);
}

static const struct bf_loaded *loaded_for_seq(const struct bf_agent *ag, uint32_t seq)
{
	if (ag->policy.cur && ag->policy.cur->seq == seq)
		return ag->policy.cur;
	if (ag->policy.prev && ag->policy.prev->seq == seq)
		return ag->policy.prev;
	return NULL;
}

static int lowest_bit(uint64_t m)
{
	return m ? __builtin_ctzll(m) : -1;
}

static const char *path_cache_get(const struct bf_path_cache *c, uint64_t k1, uint64_t k2)
{
	for (unsigned i = 0; i < BF_PATH_CACHE; i++)
		if (c->e[i].path && c->e[i].k1 == k1 && c->e[i].k2 == k2)
			return c->e[i].path;
	return NULL;
}

static void path_cache_put(struct bf_path_cache *c, uint64_t k1, uint64_t k2, const char *path)
{
	unsigned slot;

	if (path_cache_get(c, k1, k2))
		return;
	slot = c->next++ % BF_PATH_CACHE;
	free(c->e[slot].path);
	c->e[slot].k1 = k1;
	c->e[slot].k2 = k2;
	c->e[slot].path = strdup(path);
}

void agent_path_caches_free(struct bf_event_state *ev)
{
	for (unsigned i = 0; i < BF_PATH_CACHE; i++) {
		free(ev->exe_paths.e[i].path);
		free(ev->cgroup_paths.e[i].path);
		ev->exe_paths.e[i].path = ev->cgroup_paths.e[i].path = NULL;
	}
}

static const char *exe_known(const struct bf_agent *ag, uint64_t dev, uint64_t ino)
{
	const char *cached = path_cache_get(&ag->ev.exe_paths, dev, ino);

	if (cached)
		return cached;
	for (size_t i = 0; ag->policy.cur && i < ag->policy.cur->policy->n_apps; i++) {
		const struct bf_app_res *r = &ag->policy.cur->res.apps[i];

		if (r->exe_ok && r->exe_dev == dev && r->exe_ino == ino)
			return ag->policy.cur->policy->apps[i].exe;
	}
	return NULL;
}

/*
 * /proc is read after the fact: the process may be gone, or its pid reused.
 * Its answer counts only if it still shows the inode the kernel reported.
 */
static const char *exe_path(struct bf_agent *ag, const struct bf_event *e, char *buf, size_t len)
{
	char link[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (!e->exe_ino)
		return NULL;
	snprintf(link, sizeof(link), "%s/%u/exe", ag->scope.proc, e->tgid);
	n = readlink(link, buf, len - 1);
	if (n > 0 && stat(link, &st) == 0 && bf_kdev(st.st_dev) == e->exe_dev && st.st_ino == e->exe_ino) {
		buf[n] = '\0';
		path_cache_put(&ag->ev.exe_paths, e->exe_dev, e->exe_ino, buf);
		return buf;
	}
	return exe_known(ag, e->exe_dev, e->exe_ino);
}

/* nftw has no user pointer, so the search by cgroup id keeps its state here. */
static struct {
	uint64_t cgid;
	char found[PATH_MAX];
} cg_walk;

static int cg_visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (type != FTW_D || st->st_ino != cg_walk.cgid)
		return 0;
	snprintf(cg_walk.found, sizeof(cg_walk.found), "%s", path);
	return 1;
}

/*
 * The process is gone: find its cgroup by id in the subtree we guard. Ids
 * are never reused, so one walk per cgroup is enough, however many
 * short-lived processes it holds.
 */
static const char *cgroup_by_id(struct bf_agent *ag, uint64_t cgid, char *buf, size_t len)
{
	size_t root = strlen(ag->scope.cgroup_root);
	const char *cached = path_cache_get(&ag->ev.cgroup_paths, cgid, 0);

	if (cached)
		return bf_pathf(buf, len, "%s", cached) ? NULL : buf;
	cg_walk.cgid = cgid;
	if (nftw(ag->scope.cgroup, cg_visit, 16, FTW_PHYS) != 1)
		return NULL;
	if (bf_pathf(buf, len, "%s", cg_walk.found[root] ? cg_walk.found + root : "/"))
		return NULL;
	path_cache_put(&ag->ev.cgroup_paths, cgid, 0, buf);
	return buf;
}

/* The cgroup path, if /proc still agrees with the cgroup id the kernel saw. */
static const char *cgroup_path(struct bf_agent *ag, const struct bf_event *e, char *buf,
			       size_t len)
{
	char path[PATH_MAX], full[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%u/cgroup", ag->scope.proc, e->tgid);
	if (bf_read_field(path, "0::", buf, len) ||
	    bf_pathf(full, sizeof(full), "%s%s", ag->scope.cgroup_root, buf) ||
	    stat(full, &st) < 0 || st.st_ino != e->cgid)
		return cgroup_by_id(ag, e->cgid, buf, len);
	return buf;
}

static void add_process(struct bf_agent *ag, struct json_object *rec, const struct bf_event *e)
{
	char buf[PATH_MAX], id[64];

	bf_json_add_u64(rec, "pid", e->tgid);
	if (e->pid != e->tgid)
		bf_json_add_u64(rec, "tid", e->pid);
	bf_json_add_u64(rec, "ppid", e->ppid);
	bf_json_add_u64(rec, "uid", e->uid);
	snprintf(buf, sizeof(buf), "%.*s", (int)sizeof(e->comm), e->comm);
	bf_json_add_str(rec, "comm", buf);
	bf_json_add_str(rec, "exe", exe_path(ag, e, buf, sizeof(buf)));
	snprintf(id, sizeof(id), "%u:%u:%llu", (unsigned)(e->exe_dev >> 20),
		 (unsigned)(e->exe_dev & 0xfffff), (unsigned long long)e->exe_ino);
	bf_json_add_str(rec, "exe_inode", e->exe_ino ? id : NULL);
	bf_json_add_str(rec, "cgroup", cgroup_path(ag, e, buf, sizeof(buf)));
	bf_json_add_u64(rec, "cgroup_id", e->cgid);
}

/* KEY: "FILE:LINE" of rule IDX of a kind (AST maps it to the policy), or "default". */
/* The compiled rules of the event's kind, and their places in the policy. */
static const struct bf_rule *rules_of(const struct bf_loaded *ld, uint32_t kind, const int **ast)
{
	if (kind == BF_KIND_CAPTURE) {
		*ast = ld->tables.capture_ast;
		return ld->tables.capture;
	}
	if (kind == BF_KIND_IPC) {
		*ast = ld->tables.ipc_ast;
		return ld->tables.ipc;
	}
	*ast = ld->tables.export_ast;
	return ld->tables.export;
}

/* An "audit" trial rule matched first: say what it would have done. */
static void add_trial(struct json_object *rec, const struct bf_loaded *ld, const struct bf_event *e)
{
	const int *ast;
	const struct bf_rule *rules = rules_of(ld, e->kind, &ast);
	struct json_object *trial;
	int first;

	/* The first trial is what the policy author is testing; report that one. */
	if (e->trials[0])
		first = __builtin_ctzll(e->trials[0]);
	else if (e->trials[1])
		first = 64 + __builtin_ctzll(e->trials[1]);
	else
		return;
	trial = json_object_new_object();
	agent_add_rule_ref(trial, "rule", ld, ast, (uint32_t)first);
	bf_json_add_str(trial, "verdict", (rules[first].flags & BF_RF_ALLOW) ? "allow" : "deny");
	json_object_object_add(rec, "audit_rule", trial);
}

static void add_rule(struct json_object *rec, const struct bf_loaded *ld, const struct bf_event *e,
		     uint64_t *rule_apps, uint64_t *rule_objs)
{
	const int *ast;
	const struct bf_rule *rules = rules_of(ld, e->kind, &ast);

	*rule_apps = e->apps;
	*rule_objs = e->objs;
	agent_add_rule_ref(rec, "rule", ld, ast, e->rule);
	add_trial(rec, ld, e);
	if (e->rule >= BF_MAX_RULES)
		return;
	if (!(rules[e->rule].flags & BF_RF_ANY_APP))
		*rule_apps &= rules[e->rule].apps;
	if (!(rules[e->rule].flags & BF_RF_ANY_OBJ))
		*rule_objs &= rules[e->rule].objs;
}

/*
 * A use of an open camera descriptor an LSM hook judged (BF_EF_USE):
 * "event": "use", which use, and the hook. Refusals are reported, and
 * every receipt of a descriptor (a new holder), allowed or not.
 */
static void add_use(struct json_object *rec, uint32_t use)
{
	static const char *const ioctls[] = {
		[8] = "VIDIOC_REQBUFS", [15] = "VIDIOC_QBUF", [16] = "VIDIOC_EXPBUF", [17] = "VIDIOC_DQBUF",
		[18] = "VIDIOC_STREAMON", [92] = "VIDIOC_CREATE_BUFS", [93] = "VIDIOC_PREPARE_BUF",
	};
	uint32_t how = use >> 16, nr = use & 0xffff;
	char buf[32];

	bf_json_add_str(rec, "event", "use");
	if (how == BF_USE_IOCTL) {
		if (nr < sizeof(ioctls) / sizeof(ioctls[0]) && ioctls[nr])
			snprintf(buf, sizeof(buf), "%s", ioctls[nr]);
		else
			snprintf(buf, sizeof(buf), "ioctl V %u", nr);
		bf_json_add_str(rec, "use", buf);
		bf_json_add_str(rec, "hook", "lsm/file_ioctl");
	} else if (how == BF_USE_RECEIVE) {
		bf_json_add_str(rec, "use", "receive");
		bf_json_add_str(rec, "hook", "lsm/file_receive");
	} else if (how == BF_USE_OPEN) {
		bf_json_add_str(rec, "use", "open");
		bf_json_add_str(rec, "hook", "lsm/file_open");
	} else {
		bf_json_add_str(rec, "use", how == BF_USE_MMAP ? "mmap" : "read");
		bf_json_add_str(rec, "hook", how == BF_USE_MMAP ? "lsm/mmap_file" : "lsm/file_permission");
	}
}

static void format_addr(const uint8_t addr[16], char *buf, size_t len)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (memcmp(addr, mapped, 12) == 0)
		inet_ntop(AF_INET, addr + 12, buf, (socklen_t)len);
	else
		inet_ntop(AF_INET6, addr, buf, (socklen_t)len);
}

/* E's address, port and protocol: {"ip", "port", "proto"}, a dest's or a network camera's. */
static struct json_object *where_of(const struct bf_event *e)
{
	struct json_object *o = json_object_new_object();
	char ip[INET6_ADDRSTRLEN];

	format_addr(e->addr, ip, sizeof(ip));
	bf_json_add_str(o, "ip", ip);
	bf_json_add_u64(o, "port", e->port);
	bf_json_add_str(o, "proto", e->proto == IPPROTO_TCP ? "tcp" : e->proto == IPPROTO_UDP ? "udp" : "other");
	return o;
}

/* A network camera reached: where, how, and what it speaks, in place of a device. */
static void add_net_capture(struct json_object *rec, const struct bf_loaded *ld, const struct bf_event *e,
			    int cam)
{
	const struct bf_camera *c = ld && cam >= 0 && (size_t)cam < ld->policy->n_cameras ?
				    &ld->policy->cameras[cam] : NULL;

	json_object_object_add(rec, "net", where_of(e));
	bf_json_add_str(rec, "speaks", c ? bf_net_speaks_word(c->speaks) : NULL);
	/* A receive on a socket connected to it (lsm/socket_recvmsg): the stream going on. */
	/* A datagram it pushed, judged on arrival by the receiving socket's owner (cgroup_skb/ingress). */
	bf_json_add_str(rec, "call", (e->flags & BF_EF_INGRESS) ? "receive" :
				     (e->flags & BF_EF_RECVFROM) ? "recvfrom" :
				     (e->flags & BF_EF_USE) ? "recvmsg" :
				     (e->flags & BF_EF_CONNECT) ? "connect" : "sendmsg");
	if (e->flags & BF_EF_RECVFROM) {
		/* A datagram read by a process the rules do not allow (a socket handed to it). */
		bf_json_add_str(rec, "hook", (e->flags & BF_EF_IPV6) ? "cgroup/recvmsg6" : "cgroup/recvmsg4");
		bf_json_add_str(rec, "reason", "the datagram reached a reader the capture rules do not "
					       "allow, on a socket whose owner they do; a read cannot be "
					       "refused at this hook: the reader is tainted instead");
	} else if (e->flags & (BF_EF_USE | BF_EF_INGRESS))
		bf_json_add_str(rec, "hook", (e->flags & BF_EF_INGRESS) ? "cgroup_skb/ingress" :
									"lsm/socket_recvmsg");
	else if (e->flags & BF_EF_LSM)	/* a request on the camera's own connection */
		bf_json_add_str(rec, "hook", (e->flags & BF_EF_CONNECT) ? "lsm/socket_connect" :
									  "lsm/socket_sendmsg");
	bf_json_add_str(rec, "family", (e->flags & BF_EF_IPV6) ? "inet6" : "inet");
}

static void add_capture(struct json_object *rec, const struct bf_loaded *ld, const struct bf_event *e,
			uint64_t objs)
{
	char dev[32];
	int cam = lowest_bit(objs);

	bf_json_add_str(rec, "camera", ld && cam >= 0 && (size_t)cam < ld->policy->n_cameras ?
				       ld->policy->cameras[cam].name : NULL);
	if (e->flags & BF_EF_NETCAM) {
		add_net_capture(rec, ld, e, cam);
	} else {
		snprintf(dev, sizeof(dev), "%u:%u", e->major, e->minor);
		bf_json_add_str(rec, "device", dev);
		if (e->flags & BF_EF_USE)
			add_use(rec, e->access);
		else
			bf_json_add_str(rec, "access", (e->access & BF_DEVCG_ACC_WRITE) ?
						       ((e->access & BF_DEVCG_ACC_READ) ? "read,write" : "write") :
						       "read");
	}
	if (e->flags & BF_EF_TAINT_FULL)
		bf_json_add_str(rec, "reason", "taint table full: a capture that cannot be followed is refused");
	if (e->flags & BF_EF_LOG_FAILED)
		bf_json_add_str(rec, "reason", "the audit log could not be written: a capture that cannot be "
					       "recorded is refused (on-log-failure deny-capture)");
}

/* Why the process is judged at all: the camera open its taint started with. */
static void add_taint(struct json_object *rec, const struct bf_agent *ag, const struct bf_event *e)
{
	struct json_object *taint = json_object_new_object();
	char dev[32], when[BF_RFC3339_BUFSZ];

	bf_json_add_u64(taint, "origin_pid", e->taint.origin_tgid);
	if (e->taint.flags & BF_TAINT_NET) {
		/* The camera by its index in the policy in force (a reload may have renumbered it). */
		const struct bf_policy *p = ag->policy.cur ? ag->policy.cur->policy : NULL;

		bf_json_add_str(taint, "camera", p && e->taint.minor < p->n_cameras ?
						 p->cameras[e->taint.minor].name : NULL);
		bf_json_add_str(taint, "device", "net");
	} else {
		snprintf(dev, sizeof(dev), "%u:%u", e->taint.major, e->taint.minor);
		bf_json_add_str(taint, "device", dev);
	}
	bf_format_rfc3339(when, sizeof(when), e->taint.since_ns + (uint64_t)ag->ev.boot_to_real_ns);
	bf_json_add_str(taint, "since", when);
	/* The sender itself is not tainted: the socket it used is (a tainted process made or used it). */
	if (e->kind == BF_KIND_EXPORT && (e->flags & BF_EF_SOCK_TAINT))
		bf_json_add_str(taint, "via", "socket");
	json_object_object_add(rec, "taint", taint);
}

static void add_export(struct json_object *rec, const struct bf_agent *ag, const struct bf_loaded *ld,
		       const struct bf_event *e, uint64_t objs)
{
	int set = lowest_bit(objs);

	json_object_object_add(rec, "dest", where_of(e));
	bf_json_add_str(rec, "dest_set", ld && set >= 0 && (size_t)set < ld->policy->n_dests ?
					 ld->policy->dests[set].name : NULL);
	bf_json_add_str(rec, "call", (e->flags & BF_EF_CONNECT) ? "connect" : "sendmsg");
	/* A send on a connected socket (judged by its peer), or a socket that carries taint. */
	if (e->flags & BF_EF_LSM)
		bf_json_add_str(rec, "hook", (e->flags & BF_EF_CONNECT) ? "lsm/socket_connect" :
								   "lsm/socket_sendmsg");
	bf_json_add_str(rec, "family", (e->flags & BF_EF_IPV6) ? "inet6" : "inet");
	add_taint(rec, ag, e);
}

/* A unix address as ss(8) shows it: abstract names start with '@', and so does each NUL in them. */
static void format_unix(const struct bf_ipc_event *ev, char *buf, size_t len)
{
	uint32_t n = ev->addr_len < sizeof(ev->addr) ? ev->addr_len : sizeof(ev->addr);
	size_t o = 0;

	for (uint32_t i = 0; i < n && o + 1 < len; i++)
		buf[o++] = ev->addr[i] ? (char)ev->addr[i] : '@';
	buf[o] = '\0';
}

static void add_ipc(struct json_object *rec, const struct bf_agent *ag, const struct bf_loaded *ld,
		    const struct bf_ipc_event *ev, uint64_t objs)
{
	struct json_object *u = json_object_new_object();
	char addr[sizeof(ev->addr) + 1];
	int set = lowest_bit(objs);

	format_unix(ev, addr, sizeof(addr));
	bf_json_add_str(u, "address", ev->addr_len ? addr : NULL);
	bf_json_add_bool(u, "abstract", ev->addr_len && !ev->addr[0]);
	bf_json_add_str(u, "type", ev->e.proto == 1 ? "stream" : ev->e.proto == 2 ? "dgram" :
				   ev->e.proto == 5 ? "seqpacket" : "other");
	json_object_object_add(rec, "unix", u);
	bf_json_add_str(rec, "unix_rule_address", ld && set >= 0 && (size_t)set < ld->policy->n_unix_addrs ?
						  ld->policy->unix_addrs[set].text : NULL);
	bf_json_add_str(rec, "call", (ev->e.flags & BF_EF_CONNECT) ? "connect" : "sendmsg");
	/* Before 6.7 the LSM hooks judge, by the name the socket is bound to. */
	if (ev->e.flags & BF_EF_LSM)
		bf_json_add_str(rec, "hook", (ev->e.flags & BF_EF_CONNECT) ? "lsm/unix_stream_connect" :
									"lsm/unix_may_send");
	add_taint(rec, ag, &ev->e);
}

/* An address family by its kernel name (AF_*), as `ss` and /proc/net say it. */
static const char *family_name(uint32_t af, char *buf, size_t len)
{
	static const char *const names[] = {
		[1] = "unix", [2] = "inet", [10] = "inet6", [16] = "netlink", [17] = "packet",
		[21] = "rds", [29] = "can", [30] = "tipc", [31] = "bluetooth", [40] = "vsock", [44] = "xdp",
	};

	if (af < sizeof(names) / sizeof(names[0]) && names[af])
		return names[af];
	snprintf(buf, len, "family %u", af);
	return buf;
}

static const char *socket_type_name(bool inet, uint32_t type)
{
	static const char *const names[] = { NULL, "stream", "dgram", "raw", "rdm", "seqpacket" };

	if (inet && type == 2)
		return "ping";          /* the only inet datagram socket a hook refuses */
	return type < sizeof(names) / sizeof(names[0]) && names[type] ? names[type] : "other";
}

/*
 * A socket refused at creation: inet raw and ping sockets (cgroup/sock_create),
 * or any family no cgroup hook judges (lsm/socket_create). access holds the
 * family; 0 from programs that predate it means inet, inet6 by the flag.
 */
/* An io_uring SQPOLL ring refused (or reported) by lsm/uring_sqpoll: no taint needed to be judged. */
static void add_sqpoll(struct json_object *rec, const struct bf_agent *ag, const struct bf_event *e)
{
	struct json_object *so = json_object_new_object();

	bf_json_add_str(so, "family", "io_uring");
	bf_json_add_str(so, "type", "sqpoll");
	json_object_object_add(rec, "socket", so);
	bf_json_add_str(rec, "event", "create");
	bf_json_add_str(rec, "hook", "lsm/uring_sqpoll");
	bf_json_add_str(rec, "reason", "an SQPOLL ring's kernel thread sends what any process sharing "
				       "the ring queued, as the ring's owner: no hook can tell who");
	if (e->taint.origin_tgid)
		add_taint(rec, ag, e);
}

static void add_socket(struct json_object *rec, const struct bf_agent *ag, const struct bf_event *e)
{
	struct json_object *so;

	if (e->flags & BF_EF_URING) {
		add_sqpoll(rec, ag, e);
		return;
	}
	so = json_object_new_object();
	uint32_t af = e->access ? e->access : (e->flags & BF_EF_IPV6) ? 10 : 2;
	bool inet = af == 2 || af == 10;
	const char *type = socket_type_name(inet, e->port);
	char buf[32], reason[96];

	bf_json_add_str(so, "family", family_name(af, buf, sizeof(buf)));
	bf_json_add_str(so, "type", type);
	bf_json_add_u64(so, "protocol", e->proto);
	json_object_object_add(rec, "socket", so);
	bf_json_add_str(rec, "event", "create");
	bf_json_add_str(rec, "hook", (e->flags & BF_EF_LSM) ? "lsm/socket_create" : "cgroup/sock_create");
	if (!inet)
		snprintf(reason, sizeof(reason), "no export rule judges what a %s socket sends",
			 family_name(af, buf, sizeof(buf)));
	bf_json_add_str(rec, "reason", !inet ? reason : strcmp(type, "ping") == 0 ?
				       "a ping socket's sends are judged by no hook" :
				       "a raw socket reaches any address past the export rules");
	add_taint(rec, ag, e);
}

/* Capture details, then what the consent module has to say about a window it passed. */
static void add_capture_event(struct bf_agent *ag, struct json_object *rec, const struct bf_loaded *ld,
			      const void *data, uint64_t objs)
{
	const struct bf_event *e = data;

	add_capture(rec, ld, e, objs);
	if (e->flags & BF_EF_CONSENT)
		agent_consent_on_capture(ag, ld, e, rec);
}

static void add_export_event(struct bf_agent *ag, struct json_object *rec, const struct bf_loaded *ld,
			     const void *data, uint64_t objs)
{
	add_export(rec, ag, ld, data, objs);
}

static void add_ipc_event(struct bf_agent *ag, struct json_object *rec, const struct bf_loaded *ld,
			  const void *data, uint64_t objs)
{
	add_ipc(rec, ag, ld, data, objs);
}

static void add_socket_event(struct bf_agent *ag, struct json_object *rec, const struct bf_loaded *ld,
			     const void *data, uint64_t objs)
{
	(void)ld, (void)objs;
	add_socket(rec, ag, data);
}

/*
 * A process tainted by reading what a tainted one wrote (BF_KIND_TAINT):
 * the channel, the hook, and the taint it now carries, with its origin.
 */
static void add_taint_event(struct bf_agent *ag, struct json_object *rec, const struct bf_loaded *ld,
			    const void *data, uint64_t objs)
{
	const struct bf_event *e = data;

	(void)ld, (void)objs;
	static const char *const via[][2] = {
		[BF_VIA_PIPE] = { "pipe", "lsm/file_permission" },
		[BF_VIA_UNIX] = { "unix", "lsm/socket_recvmsg" },
		[BF_VIA_PTRACE] = { "ptrace", "lsm/ptrace_access_check" },
		[BF_VIA_SHM] = { "shm", "lsm/mmap_file" },
		[BF_VIA_SHM_IO] = { "shm", "lsm/file_permission" },
		[BF_VIA_SYSV] = { "shm", "lsm/shm_shmat" },
	};
	bool known = e->access < sizeof(via) / sizeof(via[0]) && via[e->access][0];

	bf_json_add_str(rec, "event", known ? via[e->access][0] : "other");
	bf_json_add_str(rec, "hook", known ? via[e->access][1] : NULL);
	if (e->flags & BF_EF_TAINT_FULL)
		bf_json_add_str(rec, "reason", "taint table full: a read that would taint a process that "
					       "cannot be followed is refused");
	add_taint(rec, ag, e);
}

struct event_kind;
typedef void (*event_detail_fn)(struct bf_agent *ag, struct json_object *rec, const struct bf_loaded *ld,
				const void *data, uint64_t objs);
typedef void (*event_handler_fn)(struct bf_agent *ag, const struct event_kind *k, const void *data);

/* One kind of ring-buffer event: how big it is, who handles it, and for decisions the record's details. */
struct event_kind {
	size_t size;                    /* shorter events are not ours: ignored */
	event_handler_fn handle;
	const char *record;             /* decisions: the audit record's kind */
	bool builtin;                   /* decisions no rule may allow: the record names no rule */
	event_detail_fn detail;         /* decisions: what is particular to the kind */
};

static void on_decision(struct bf_agent *ag, const struct event_kind *k, const void *data);
static void on_quota(struct bf_agent *ag, const struct event_kind *k, const void *data);

static const struct event_kind event_kinds[] = {
	[BF_KIND_CAPTURE] = { sizeof(struct bf_event), on_decision, "capture", false, add_capture_event },
	[BF_KIND_EXPORT] = { sizeof(struct bf_event), on_decision, "export", false, add_export_event },
	[BF_KIND_IPC] = { sizeof(struct bf_ipc_event), on_decision, "ipc", false, add_ipc_event },
	[BF_KIND_SOCKET] = { sizeof(struct bf_event), on_decision, "socket", true, add_socket_event },
	[BF_KIND_QUOTA] = { sizeof(struct bf_event), on_quota, NULL, false, NULL },
	[BF_KIND_TAINT] = { sizeof(struct bf_event), on_decision, "taint", true, add_taint_event },
	[BF_KIND_PROTECT] = { sizeof(struct bf_event), on_decision, "protect", true, agent_add_protect_event },
	/* Decided by a template-store line, which its detail names (agent_store.c). */
	[BF_KIND_STORE] = { sizeof(struct bf_store_event), on_decision, "store", false, agent_add_store_event },
};

static void on_quota(struct bf_agent *ag, const struct event_kind *k, const void *data)
{
	(void)k;
	agent_quota_event(ag, data);
}

/* The deciding rule, or why there is none: fills the app and object masks the record names. */
static void add_decider(struct json_object *rec, const struct event_kind *k, const struct bf_loaded *ld,
			const struct bf_event *e, uint64_t *apps, uint64_t *objs)
{
	*apps = e->apps;
	*objs = e->objs;
	if (k->builtin) {
		bf_json_add_str(rec, "rule", "builtin");	/* no rule may allow it */
		*objs = 0;
	} else if (e->kind == BF_KIND_STORE) {
		*objs = 0;	/* no rule table: the detail names the store's line */
	} else if (ld) {
		add_rule(rec, ld, e, apps, objs);
	} else {
		/* Queued by an agent before us, under tables we never compiled. */
		bf_json_add_str(rec, "rule", e->rule == BF_RULE_DEFAULT ? "default" : "previous-agent");
	}
}

static void on_decision(struct bf_agent *ag, const struct event_kind *k, const void *data)
{
	const struct bf_event *e = data;
	const struct bf_loaded *ld = loaded_for_seq(ag, e->policy_seq);
	struct json_object *rec;
	uint64_t apps, objs;
	int app;

	rec = bf_audit_begin(ag->log.audit, k->record, e->boot_ns + (uint64_t)ag->ev.boot_to_real_ns);
	bf_json_add_str(rec, "verdict", (e->flags & BF_EF_DENY_RULE) || !(e->flags & BF_EF_ALLOW) ?
					"deny" : "allow");
	bf_json_add_bool(rec, "enforced", e->flags & BF_EF_ENFORCED);
	add_decider(rec, k, ld, e, &apps, &objs);
	add_process(ag, rec, e);
	app = lowest_bit(apps);
	bf_json_add_str(rec, "app", ld && app >= 0 && (size_t)app < ld->policy->n_apps ?
				    ld->policy->apps[app].name : NULL);
	k->detail(ag, rec, ld, data, objs);
	bf_json_add_u64(rec, "policy_seq", e->policy_seq);
	if (bf_audit_emit(ag->log.audit, rec) == 0)
		ag->log.logged++;
	else
		ag->log.errors++;
}

/*
 * An event this agent cannot read: pinned programs of another version, or
 * a bug. A decision was taken that the log cannot describe, so it is
 * counted and said, at the 1st, 2nd, 4th, 8th... one so a flood of them
 * cannot flood the log too.
 */
static void on_unreadable(struct bf_agent *ag, const struct bf_event *e, size_t size)
{
	uint64_t n = ++ag->ev.unreadable;
	struct json_object *rec;

	if (n & (n - 1))
		return;
	log_warnx("ring buffer: %" PRIu64 " event(s) this agent cannot read (last: %zu bytes%s%u)",
		  n, size, size >= sizeof(*e) ? ", kind " : "", size >= sizeof(*e) ? e->kind : 0);
	rec = agent_log_begin(&ag->log, "event-unreadable");
	bf_json_add_u64(rec, "size", size);
	if (size >= sizeof(*e))
		bf_json_add_u64(rec, "event_kind", e->kind);
	bf_json_add_u64(rec, "total", n);
	agent_log_emit(&ag->log, rec);
}

/*
 * A reader tainted from the writer's side (BF_EF_PEER): the kernel knew
 * only its pid, so who it is comes from /proc, as far as /proc still
 * knows it (a process gone by now keeps just its pid).
 */
static void fill_peer(const struct bf_agent *ag, struct bf_event *e)
{
	char path[PATH_MAX], buf[PATH_MAX];
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u/comm", ag->scope.proc, e->tgid);
	if ((f = fopen(path, "re"))) {
		if (fgets(buf, sizeof(buf), f)) {
			size_t n = strcspn(buf, "\n");

			memset(e->comm, 0, sizeof(e->comm));	/* the kernel's comm: not NUL-terminated when full */
			memcpy(e->comm, buf, n < sizeof(e->comm) ? n : sizeof(e->comm));
		}
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/%u/exe", ag->scope.proc, e->tgid);
	if (stat(path, &st) == 0) {
		e->exe_dev = bf_kdev(st.st_dev);
		e->exe_ino = st.st_ino;
	}
	snprintf(path, sizeof(path), "%s/%u/status", ag->scope.proc, e->tgid);
	if (bf_read_field(path, "PPid:", buf, sizeof(buf)) == 0)
		e->ppid = (uint32_t)strtoul(buf, NULL, 10);
	if (bf_read_field(path, "Uid:", buf, sizeof(buf)) == 0)
		e->uid = (uint32_t)strtoul(buf, NULL, 10);
	snprintf(path, sizeof(path), "%s/%u/cgroup", ag->scope.proc, e->tgid);
	if (bf_read_field(path, "0::", buf, sizeof(buf)) == 0) {
		char full[PATH_MAX];

		if (bf_pathf(full, sizeof(full), "%s%s", ag->scope.cgroup_root, buf) == 0 &&
		    stat(full, &st) == 0)
			e->cgid = st.st_ino;
	}
}

int agent_on_event(void *ctx, void *data, size_t size)
{
	const struct bf_event *e = data;
	const struct event_kind *k = NULL;
	struct bf_event peer;

	if (size >= sizeof(*e) && e->kind < sizeof(event_kinds) / sizeof(event_kinds[0]))
		k = &event_kinds[e->kind];
	if (!k || !k->handle || size < k->size) {
		on_unreadable(ctx, e, size);
		return 0;
	}
	if (e->kind == BF_KIND_TAINT && (e->flags & BF_EF_PEER)) {
		peer = *e;
		fill_peer(ctx, &peer);
		data = &peer;
	}
	k->handle(ctx, k, data);
	return 0;
}

/* The kernel counts what the ring buffer could not take; say so in the log. */
void agent_check_lost(struct bf_agent *ag)
{
	uint64_t st[BF_STAT_N];
	struct json_object *rec;

	if (ag->kern->stats(&ag->ld, st) != 0 || st[BF_STAT_LOST] <= ag->ev.lost_reported)
		return;
	rec = bf_audit_begin(ag->log.audit, "lost", bf_audit_now_ns());
	bf_json_add_u64(rec, "count", st[BF_STAT_LOST] - ag->ev.lost_reported);
	bf_json_add_u64(rec, "total", st[BF_STAT_LOST]);
	bf_json_add_str(rec, "reason", "ring buffer full: the kernel decided, but could not report");
	log_warnx("%llu events lost (ring buffer full)",
		  (unsigned long long)(st[BF_STAT_LOST] - ag->ev.lost_reported));
	if (bf_audit_emit(ag->log.audit, rec) == 0) {
		ag->ev.lost_reported = st[BF_STAT_LOST];
		ag->kern->lost_logged(&ag->ld, NULL, &ag->ev.lost_reported);
	} else
		ag->log.errors++;
}
