/* agent_protect.c - self-protection as the agent sees it: refusal records, status, the admin's stop and detach. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "agent_protect.h"
#include "agent_sink.h"
#include "log.h"

/* Per BF_PROT_*: the record's "event" and the hook that refused. */
static const struct { const char *event, *hook; } prot_what[BF_PROT_N] = {
	[BF_PROT_MAP_WRITE] = { "map-write", "lsm/bpf_map" },
	[BF_PROT_PROG_FD] = { "prog-fd", "lsm/bpf_prog" },
	[BF_PROT_LINK_FD] = { "link-fd", "lsm/bpf" },
	[BF_PROT_PIN_GET] = { "pin-get", "lsm/bpf" },
	[BF_PROT_LINK_DETACH] = { "link-detach", "lsm/bpf" },
	[BF_PROT_FMOD_RET] = { "fmod-ret-load", "lsm/bpf" },
	[BF_PROT_PIN_UNLINK] = { "pin-unlink", "lsm/inode_unlink" },
	[BF_PROT_UMOUNT] = { "umount", "lsm/sb_umount" },
	[BF_PROT_SIGNAL] = { "signal", "lsm/task_kill" },
	[BF_PROT_PTRACE] = { "ptrace", "lsm/ptrace_access_check" },
};

static void add_target(struct json_object *rec, const struct bf_event *e)
{
	static const char *const pin_calls[] = { "unlink", "rmdir", "rename" };

	switch (e->access) {
	case BF_PROT_SIGNAL:
		bf_json_add_u64(rec, "signal", e->major);
		bf_json_add_u64(rec, "target_pid", e->window);
		break;
	case BF_PROT_PTRACE:
		bf_json_add_u64(rec, "ptrace_mode", e->major);
		bf_json_add_u64(rec, "target_pid", e->window);
		break;
	case BF_PROT_PIN_UNLINK:
		bf_json_add_str(rec, "call", e->major < 3 ? pin_calls[e->major] : "other");
		if (e->major == 1)
			bf_json_add_str(rec, "hook", "lsm/inode_rmdir");
		else if (e->major == 2)
			bf_json_add_str(rec, "hook", "lsm/inode_rename");
		break;
	case BF_PROT_UMOUNT:
		break;
	default:
		bf_json_add_u64(rec, "bpf_cmd_or_mode", e->major);
		if (e->window)
			bf_json_add_u64(rec, "object_id", e->window);
	}
}

void agent_add_protect_event(struct bf_agent *ag, struct json_object *rec, const struct bf_loaded *ld,
			     const void *data, uint64_t objs)
{
	const struct bf_event *e = data;
	bool known = e->access < BF_PROT_N && prot_what[e->access].event;

	(void)ld, (void)objs;
	bf_json_add_str(rec, "event", known ? prot_what[e->access].event : "other");
	/* The rmdir and rename hooks say themselves in add_target. */
	if (!(e->access == BF_PROT_PIN_UNLINK && (e->major == 1 || e->major == 2)))
		bf_json_add_str(rec, "hook", known ? prot_what[e->access].hook : NULL);
	add_target(rec, e);
	bf_json_add_str(rec, "pin_dir", ag->opt.pin_dir);
	bf_json_add_str(rec, "reason", "self-protection: only biofenced may change biofence's maps, "
				       "programs, links and pins, and only init may stop it");
}

const char *agent_protection(const struct bf_agent *ag)
{
	return ag->ld.protect_why[0] ? ag->ld.protect_why : "NOT PROTECTED: not set up";
}

/* Who asked, for the record and the stop reason. */
static struct json_object *by_json(const struct agent_ctl_req *r)
{
	struct json_object *by = json_object_new_object();

	bf_json_add_u64(by, "pid", (uint64_t)r->c->pid);
	bf_json_add_u64(by, "uid", (uint64_t)r->c->uid);
	bf_json_add_str(by, "via", "control socket");
	return by;
}

struct json_object *agent_ctl_stop(struct agent_ctl_req *r)
{
	struct bf_agent *ag = r->ag;

	snprintf(ag->admin.by, sizeof(ag->admin.by), "biofence stop (pid %d, uid %u)", (int)r->c->pid,
		 (unsigned)r->c->uid);
	ag->admin.stop = true;
	log_info("control: %s", ag->admin.by);
	return bf_ctl_ok();
}

struct json_object *agent_ctl_detach(struct agent_ctl_req *r)
{
	struct bf_agent *ag = r->ag;
	const char *want = json_object_get_string(json_object_object_get(r->req, "pin_dir"));
	struct json_object *rec, *reply, *ids;
	struct bf_detached d;
	int n, err;

	if (want && strcmp(want, ag->opt.pin_dir) != 0)
		return bf_ctl_error("wrong-pin-dir", "this agent's pins are in %s", ag->opt.pin_dir);
	rec = agent_log_begin(&ag->log, "detach");
	json_object_object_add(rec, "by", by_json(r));
	bf_json_add_str(rec, "pin_dir", ag->opt.pin_dir);
	err = bf_detach_pinned(ag->opt.pin_dir, &d);
	n = d.n_links;
	bf_json_add_u64(rec, "links", (uint64_t)n);
	bf_json_add_str(rec, "result", err ? strerror(-err) : "ok: enforcement has stopped; the agent stops");
	agent_emit(ag, rec);
	if (err) {
		log_errno(err, "control: detach %s", ag->opt.pin_dir);
		return bf_ctl_error("detach-failed", "detach %s: %s", ag->opt.pin_dir, strerror(-err));
	}
	snprintf(ag->admin.by, sizeof(ag->admin.by), "biofence detach (pid %d, uid %u)", (int)r->c->pid,
		 (unsigned)r->c->uid);
	ag->admin.stop = ag->admin.detached = true;
	log_info("control: %s removed %d links from %s", ag->admin.by, n, ag->opt.pin_dir);
	reply = bf_ctl_ok();
	bf_json_add_u64(reply, "links", (uint64_t)n);
	bf_json_add_str(reply, "pin_dir", ag->opt.pin_dir);
	/* This agent holds them until it exits: the client waits for them to go (bf_detached_wait). */
	ids = json_object_new_array();
	for (int i = 0; i < d.n_progs; i++)
		json_object_array_add(ids, json_object_new_int64(d.prog_ids[i]));
	json_object_object_add(reply, "programs", ids);
	return reply;
}

struct json_object *agent_ctl_trust(struct agent_ctl_req *r)
{
	struct bf_agent *ag = r->ag;
	const char *path = json_object_get_string(json_object_object_get(r->req, "path"));
	struct json_object *rec;
	uint64_t dev = 0, ino = 0;
	char id[64];
	int err;

	if (!path || path[0] != '/')
		return bf_ctl_error("bad-request", "trust needs \"path\", an absolute path to a biofenced");
	err = bf_protect_trust(&ag->ld, path, &dev, &ino);
	rec = agent_log_begin(&ag->log, "trust");
	json_object_object_add(rec, "by", by_json(r));
	bf_json_add_str(rec, "path", path);
	snprintf(id, sizeof(id), "%u:%u:%llu", (unsigned)(dev >> 20), (unsigned)(dev & 0xfffff),
		 (unsigned long long)ino);
	bf_json_add_str(rec, "exe_inode", err ? NULL : id);
	bf_json_add_str(rec, "result", err == -EPERM ? "refused: not a root-owned file only root may write" :
				       err ? strerror(-err) : "ok: it may take over the pins");
	agent_emit(ag, rec);
	if (err)
		return bf_ctl_error("trust-failed", "%s: %s", path, err == -EPERM ?
				    "must be a root-owned regular file no one else may write" : strerror(-err));
	log_info("control: %s may take over the pins in %s", path, ag->opt.pin_dir);
	return bf_ctl_ok();
}

/* Only while no agent holds the pin dir: a running one is asked instead ('biofence detach'). */
static int lock_for_detach(const char *pin_dir, int *fd)
{
	int err = bf_pin_dir_lock(pin_dir, fd);

	if (err == -EBUSY)
		log_warnx("an agent is running on %s: ask it with 'biofence detach'", pin_dir);
	else if (err == -ENOENT)
		printf("nothing is pinned in %s\n", pin_dir);
	else if (err)
		log_errno(err, "%s", pin_dir);
	return err;
}

int agent_detach_offline(struct bf_agent *ag)
{
	struct json_object *rec, *by;
	struct bf_detached d;
	char why[128];
	int fd = -1, n, left = 0, err = lock_for_detach(ag->opt.pin_dir, &fd);

	if (err) {
		if (fd >= 0)
			close(fd);
		return err == -ENOENT ? 0 : 1;
	}
	/* A detach that cannot be logged is not done. */
	err = bf_audit_open(&ag->log.audit, ag->opt.log, ag->opt.echo);
	if (err) {
		log_errno(err, "audit log %s: not detaching what cannot be logged", ag->opt.log);
		close(fd);
		return 1;
	}
	rec = agent_log_begin(&ag->log, "detach");
	by = json_object_new_object();
	bf_json_add_u64(by, "pid", (uint64_t)getpid());
	bf_json_add_u64(by, "uid", (uint64_t)getuid());
	bf_json_add_str(by, "via", "biofenced --detach");
	json_object_object_add(rec, "by", by);
	bf_json_add_str(rec, "pin_dir", ag->opt.pin_dir);
	err = bf_detach_pinned(ag->opt.pin_dir, &d);
	n = d.n_links;
	/* "stopped" only once the kernel has unhooked every program (bf_detached_wait). */
	if (!err && bf_detached_wait(&d, BF_DETACH_WAIT_MS, &left) < 0) {
		snprintf(why, sizeof(why), "the pins are gone, but %d program%s still ran %d s later",
			 left, left == 1 ? "" : "s", BF_DETACH_WAIT_MS / 1000);
		err = -ETIMEDOUT;
	}
	bf_json_add_u64(rec, "links", (uint64_t)n);
	bf_json_add_str(rec, "result", err == -ETIMEDOUT ? why : err ? strerror(-err) : "ok: enforcement has stopped");
	agent_emit(ag, rec);
	bf_audit_close(ag->log.audit);
	close(fd);
	if (err == -ETIMEDOUT) {
		log_warnx("detach %s: %s: biofence may still be ENFORCING", ag->opt.pin_dir, why);
		return 1;
	}
	if (err) {
		log_errno(err, "detach %s", ag->opt.pin_dir);
		return 1;
	}
	printf("detached %d program%s from %s: biofence enforcement has stopped (logged in %s)\n", n,
	       n == 1 ? "" : "s", ag->opt.pin_dir, ag->opt.log);
	return 0;
}
