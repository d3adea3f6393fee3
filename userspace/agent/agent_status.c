/* agent_status.c - what enforces each rule kind, what cannot be enforced here, and the control commands. */
#include <errno.h>
#include <stdio.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "agent.h"
#include "agent_confine.h"
#include "agent_unpriv.h"
#include "agent_ctl_req.h"
#include "agent_dns.h"
#include "agent_ledger.h"
#include "agent_logfail.h"
#include "agent_policy.h"
#include "agent_protect.h"
#include "agent_quota.h"
#include "agent_status.h"
#include "agent_store.h"
#include "log.h"

struct json_object *agent_backends(struct bf_agent *ag)
{
	struct json_object *b = json_object_new_object();
	char lsm[sizeof(ag->ld.lsm_why) + 16], stores[sizeof(ag->ld.lsm_why) + 256];

	bf_json_add_str(b, "capture", ag->ld.lsm ?
			"cgroup (cgroup/dev) for opens, and lsm (lsm/file_open) again by device; lsm "
			"(lsm/file_ioctl, mmap_file, file_permission, file_receive) for every use of an "
			"open camera descriptor that moves frames" :
			"cgroup (cgroup/dev)");
	bf_json_add_str(b, "export", ag->ld.lsm ?
			"cgroup (cgroup/connect4, connect6, sendmsg4, sendmsg6); lsm (lsm/socket_sendmsg, "
			"socket_connect, socket_post_create) for sends on connected sockets, judged by "
			"their peer, and for sockets that carry taint, judged whoever sends" :
			"cgroup (cgroup/connect4, connect6, sendmsg4, sendmsg6)");
	bf_json_add_str(b, "ipc", ag->ld.unix_hooks ? "cgroup (cgroup/connect_unix, sendmsg_unix)" :
				  ag->ld.lsm ? "lsm (lsm/unix_stream_connect, unix_may_send): this kernel "
					       "has no cgroup/connect_unix hook (needs 6.7); judged by the "
					       "name the socket is bound to" :
				  "NOT ENFORCED: this kernel has no cgroup/connect_unix hook (needs 6.7)");
	bf_json_add_str(b, "network cameras", ag->ld.lsm ?
			"cgroup (cgroup/connect4, connect6, sendmsg4, sendmsg6): a connect or a send to a "
			"network camera's address is a capture, judged by the capture rules whoever makes "
			"it; an allowed one taints; cgroup (cgroup_skb/ingress, bind4, bind6) judges a "
			"datagram a camera pushes by the receiving socket's owner, dropped when refused, "
			"and (recvmsg4, recvmsg6) taints whoever reads it; lsm (lsm/socket_recvmsg, "
			"socket_sendmsg) judges every receive and request on a socket connected to one the "
			"same way, so a stream stops when its window ends" :
			"cgroup (cgroup/connect4, connect6, sendmsg4, sendmsg6): a connect or a send to a "
			"network camera's address is a capture, judged by the capture rules whoever makes "
			"it; an allowed one taints; cgroup (cgroup_skb/ingress, bind4, bind6) judges a "
			"datagram a camera pushes by the receiving socket's owner, dropped when refused, "
			"and (recvmsg4, recvmsg6) taints whoever reads it");
	bf_json_add_str(b, "quota", "cgroup (cgroup_skb/egress, counted per socket tagged at connect/send)");
	bf_json_add_str(b, "raw sockets", ag->ld.lsm ?
			"lsm (lsm/socket_create) for packet, vsock and every family no cgroup hook judges; "
			"cgroup (cgroup/sock_create) for inet and inet6 raw and ping sockets; lsm "
			"(lsm/uring_sqpoll) refuses io_uring SQPOLL rings in scope" :
			"cgroup (cgroup/sock_create) for inet and inet6; "
			"a scan every second for packet sockets");
	bf_json_add_str(b, "taint", ag->ld.lsm ?
			"tracepoints (tp_btf/sched_process_fork, sched_process_exit); lsm "
			"(lsm/file_permission, socket_recvmsg, ptrace_access_check, mmap_file, shm_shmat): "
			"the reader of a pipe, FIFO, unnamed unix socket or shared memory (memfd, /dev/shm, "
			"SysV) a tainted process wrote to or mapped writable, or of its memory, is tainted" :
			"tracepoints (tp_btf/sched_process_fork, sched_process_exit)");
	bf_json_add_str(b, "template stores", agent_store_backend(ag, ag->policy.cur, stores,
								  sizeof(stores)));
	snprintf(lsm, sizeof(lsm), "%s: %s", ag->ld.lsm ? "enforcing" : "not used", ag->ld.lsm_why);
	bf_json_add_str(b, "lsm", lsm);
	bf_json_add_str(b, "protection", agent_protection(ag));
	return b;
}

/* With io_uring off for everyone, the SQPOLL route does not exist. */
static bool io_uring_off(void)
{
	char buf[16] = "";
	FILE *f = fopen("/proc/sys/kernel/io_uring_disabled", "re");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	return buf[0] == '2';
}

/* Where a policy has network cameras: what the connect and send hooks do not see. */
static void agent_netcam_gaps(struct bf_agent *ag, struct json_object *arr)
{
	const struct bf_policy *p = ag->policy.cur->policy;
	bool any = false;

	for (size_t i = 0; i < p->n_cameras; i++)
		any |= p->cameras[i].is_net;
	if (!any)
		return;
	json_object_array_add(arr, json_object_new_string(
		"capture: a datagram a network camera pushes is judged by the owner of the socket it "
		"reaches, recorded when the socket was bound or sent to the camera: a socket bound "
		"before the policy named network cameras is judged as no app's, and one handed to "
		"another process as its first owner's: what that process reads with its source "
		"address (cgroup/recvmsg4, recvmsg6) taints it and is recorded, but is not refused"));
	if (!ag->ld.lsm)
		json_object_array_add(arr, json_object_new_string(
			"capture: a network camera's TCP stream is judged when it is pulled (the "
			"connect): a stream connected inside a consent window goes on after the window "
			"closes (needs the lsm backend: socket_recvmsg)"));
}

/*
 * The network cameras of the policy in force: name -> their addresses,
 * ports, what they speak and the hooks that guard them.
 */
static struct json_object *net_cameras(const struct bf_policy *p, bool lsm)
{
	struct json_object *o = json_object_new_object();
	char buf[1024];

	for (size_t i = 0; i < p->n_cameras; i++) {
		const struct bf_camera *c = &p->cameras[i];
		struct json_object *cam;
		FILE *f;

		if (!c->is_net)
			continue;
		cam = json_object_new_object();
		f = fmemopen(buf, sizeof(buf), "w");
		if (f) {
			bf_policy_describe_camera(p, (int)i, f);
			fclose(f);
			bf_json_add_str(cam, "described", buf);
		}
		bf_json_add_str(cam, "speaks", bf_net_speaks_word(c->speaks));
		bf_json_add_str(cam, "guarded_by", lsm ? "cgroup/connect4, connect6, sendmsg4, sendmsg6, "
							 "ingress, recvmsg4, recvmsg6; lsm/socket_recvmsg, "
							 "socket_sendmsg" :
							 "cgroup/connect4, connect6, sendmsg4, sendmsg6, ingress, "
							 "recvmsg4, recvmsg6");
		json_object_object_add(o, c->name, cam);
	}
	return o;
}

/* Said loudly, in status and in the start record, never left for the reader to guess. */
struct json_object *agent_not_enforced(struct bf_agent *ag)
{
	static const char *const cgroup_gaps[] = {
		"ipc: a unix socket connected, paired (socketpair) or inherited before its process "
		"became tainted is not re-checked; a relative path is judged as written, so it "
		"matches no rule and is denied",
	};
	struct json_object *arr = json_object_new_array();
	const char *scope = ag->scope.cgroup + strlen(ag->scope.cgroup_root);

	json_object_array_add(arr, json_object_new_string(ag->ld.lsm ?
		"export: taint follows processes and channels, not bytes: frames written to a file "
		"(other than a memfd or /dev/shm) or a hugetlbfs memfd, or through a shared mapping "
		"made before the camera was opened, for a process that never opened a camera, leave "
		"untainted" :
		"export: taint follows processes and channels, not bytes: frames written to a file or "
		"shared memory for a process that never opened a camera leave untainted"));

	for (size_t i = 0; i < sizeof(cgroup_gaps) / sizeof(cgroup_gaps[0]); i++)
		json_object_array_add(arr, json_object_new_string(cgroup_gaps[i]));
	if (ag->ld.lsm)
		json_object_array_add(arr, json_object_new_string(
			"export: a pipe moved with splice or vmsplice is not seen (no LSM hook runs), so "
			"its reader is not tainted"));
	if (!ag->ld.lsm) {
		json_object_array_add(arr, json_object_new_string(
			"export: taint does not follow pipes, unix sockets or memory: a process that reads "
			"what a tainted one wrote, or its memory (ptrace, process_vm_readv), is not "
			"tainted, so a tainted process may listen on a unix socket and an untainted one "
			"connect to it, read and send (needs the lsm backend: file_permission, "
			"socket_recvmsg, ptrace_access_check)"));
		json_object_array_add(arr, json_object_new_string(
			"export: a socket connected before its process became tainted is not re-checked, "
			"and a socket a tainted process made carries no taint for another sender "
			"(needs the lsm backend: socket_sendmsg, socket storage)"));
		json_object_array_add(arr, json_object_new_string(
			"capture: a camera descriptor passed over a unix socket (SCM_RIGHTS), copied with "
			"pidfd_getfd, opened before the agent started or kept past its consent window is "
			"not re-checked on use, and a taker is not tainted (needs the lsm backend: "
			"file_ioctl, mmap_file, file_permission)"));
		json_object_array_add(arr, json_object_new_string(
			"export: packet sockets (AF_PACKET) and other non-inet families have no cgroup hook: "
			"a tainted process holding one is found by a scan within about a second and "
			"terminated (reported in audit mode), but what it sends before that is not stopped "
			"(needs the lsm backend: socket_create); a packet sent at once leaves before the scan"));
	}
	agent_netcam_gaps(ag, arr);
	agent_store_gaps(ag, ag->policy.cur, arr);
	if (!ag->ld.protect) {
		char buf[sizeof(ag->ld.protect_why) + 32];

		snprintf(buf, sizeof(buf), "self-protection: %s", agent_protection(ag));
		json_object_array_add(arr, bf_json_str(buf));
	}
	if (!io_uring_off() && !ag->ld.lsm)
		json_object_array_add(arr, json_object_new_string(
			"export: io_uring is enabled (kernel.io_uring_disabled is not 2): an SQPOLL "
			"ring made by an untainted process runs a tainted process's queued connects "
			"and sends as the ring's owner, untainted; no hook sees who queued them. Set "
			"kernel.io_uring_disabled=2 on gate hosts"));
	if (!ag->ld.unix_hooks && !ag->ld.lsm)
		json_object_array_add(arr, json_object_new_string(
			"ipc: no rule is enforced: this kernel has no cgroup/connect_unix or "
			"sendmsg_unix hook (Linux 6.7 and later) and no BPF LSM"));
	if (*scope && strcmp(scope, "/") != 0) {
		char buf[PATH_MAX + 64];

		snprintf(buf, sizeof(buf), "scope: only processes in cgroup %s are judged", scope);
		json_object_array_add(arr, bf_json_str(buf));
	}
	return arr;
}

static struct json_object *counters(struct bf_agent *ag, const uint64_t st[BF_STAT_N])
{
	struct json_object *c = json_object_new_object();
	bf_json_add_u64(c, "events", st[BF_STAT_EVENTS]);
	bf_json_add_u64(c, "capture_denials", st[BF_STAT_CAPTURE_DENY]);
	bf_json_add_u64(c, "export_denials", st[BF_STAT_EXPORT_DENY]);
	bf_json_add_u64(c, "ipc_denials", st[BF_STAT_IPC_DENY]);
	bf_json_add_u64(c, "socket_denials", st[BF_STAT_SOCKET_DENY]);
	bf_json_add_u64(c, "quota_drops", st[BF_STAT_QUOTA_DROP]);
	bf_json_add_u64(c, "log_failure_capture_denials", st[BF_STAT_LOGFAIL_DENY]);
	bf_json_add_u64(c, "protect_denials", st[BF_STAT_PROTECT_DENY]);
	bf_json_add_u64(c, "lost", st[BF_STAT_LOST]);
	bf_json_add_u64(c, "taint_full", st[BF_STAT_TAINT_FULL]);
	bf_json_add_u64(c, "logged", ag->log.logged);
	bf_json_add_u64(c, "log_errors", ag->log.errors);
	bf_json_add_u64(c, "syslog_errors", bf_syslog_errors(ag->log.syslog));
	return c;
}

/* What is in force and what is not: shared by status and the start record. */
void agent_add_enforcement(struct bf_agent *ag, struct json_object *o)
{
	struct json_object *pol = json_object_new_object();

	bf_json_add_str(o, "mode", ag->policy.cur->policy->audit_mode ? "audit" : "enforce");
	bf_json_add_str(pol, "source", ag->policy.cur->source);
	bf_json_add_str(pol, "sha256", ag->policy.cur->digest);
	bf_json_add_u64(pol, "seq", ag->policy.cur->seq);
	json_object_object_add(o, "policy", pol);
	json_object_object_add(o, "backends", agent_backends(ag));
	json_object_object_add(o, "not_enforced", agent_not_enforced(ag));
	json_object_object_add(o, "unresolved", agent_unresolved(ag->policy.cur));
	json_object_object_add(o, "network_cameras", net_cameras(ag->policy.cur->policy, ag->ld.lsm));
}

struct agent_kernel_view agent_kernel_view(struct bf_agent *ag)
{
	struct agent_kernel_view k = {};

	/* Unreadable counters read as 0: status still answers. */
	ag->kern->stats(&ag->ld, k.stats);
	k.attached = bf_pinned_links_present(ag->opt.pin_dir);
	return k;
}

struct json_object *agent_status(struct bf_agent *ag)
{
	struct agent_kernel_view k = agent_kernel_view(ag);

	return agent_status_json(ag, &k);
}

struct json_object *agent_status_json(struct bf_agent *ag, const struct agent_kernel_view *k)
{
	struct json_object *s = json_object_new_object();
	char when[BF_RFC3339_BUFSZ];

	/* Someone may have run 'biofence detach' under us: never claim what is gone. */
	bf_json_add_bool(s, "enforcing", k->attached && !ag->policy.cur->policy->audit_mode);
	bf_json_add_bool(s, "attached", k->attached);
	agent_add_enforcement(ag, s);
	json_object_object_add(s, "counters", counters(ag, k->stats));
	json_object_object_add(s, "consent", agent_consent_status(&ag->consent, agent_ledger_path(ag),
								 ag->policy.cur->policy->grace_ms));
	json_object_object_add(s, "quotas", agent_quota_status(ag));
	json_object_object_add(s, "dns", agent_dns_status(ag));
	bf_json_add_str(s, "cgroup", ag->scope.cgroup);
	bf_json_add_str(s, "pin_dir", ag->opt.pin_dir);
	bf_json_add_str(s, "log", ag->opt.log);
	{
		struct json_object *h = json_object_new_object();

		/* What 'biofence log verify --head' compares the end of the log with. */
		bf_json_add_u64(h, "seq", bf_audit_next_seq(ag->log.audit) - 1);
		bf_json_add_str(h, "hash", bf_audit_head(ag->log.audit));
		json_object_object_add(s, "log_head", h);
	}
	bf_json_add_str(s, "log_checkpoints", ag->log.key_status);
	json_object_object_add(s, "log_state", agent_log_state(ag));
	bf_json_add_u64(s, "pid", (uint64_t)getpid());
	bf_format_rfc3339(when, sizeof(when), ag->started_ns);
	bf_json_add_str(s, "started", when);
	bf_json_add_u64(s, "ringbuf_bytes", ag->ld.ringbuf_size);
	json_object_object_add(s, "confinement", agent_confine_json(ag));
	json_object_object_add(s, "helpers", agent_unpriv_json(ag));
	return s;
}

struct json_object *agent_ctl_status(struct agent_ctl_req *r)
{
	struct json_object *reply = bf_ctl_ok();

	json_object_object_add(reply, "status", agent_status(r->ag));
	return reply;
}

/* A refused policy: "policy-invalid", with what agent_reload said (its diagnostics) in "error". */
static struct json_object *reload_refused(struct json_object *said)
{
	struct json_object *e = bf_ctl_error("policy-invalid", "policy refused; the policy in force stays");
	struct json_object *eo = json_object_object_get(e, "error");

	json_object_object_foreach(said, k, v)
		json_object_object_add(eo, k, json_object_get(v));
	json_object_put(said);
	return e;
}

struct json_object *agent_ctl_reload(struct agent_ctl_req *r)
{
	struct json_object *reply = json_object_new_object();
	char trigger[64];

	snprintf(trigger, sizeof(trigger), "control (pid %d)", (int)r->c->pid);
	if (agent_reload(r->ag, trigger, reply) != 0)
		return reload_refused(reply);
	json_object_object_add(reply, "ok", json_object_new_boolean(1));
	return reply;
}
