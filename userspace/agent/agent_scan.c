/* agent_scan.c - at start, find processes in scope already holding a camera: taint and log them. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "agent.h"
#include "agent_scan.h"
#include "agent_sink.h"
#include "log.h"
#include "util.h"

struct holder {
	uint32_t pid;
	uint32_t uid;
	uint32_t major, minor;
	char cgroup[PATH_MAX];  /* path relative to the cgroup2 root */
	char exe[PATH_MAX];
	char comm[32];
};

/* Is the process's cgroup inside the subtree we guard? */
static bool in_scope(const struct bf_scope *sc, const char *rel)
{
	const char *scope = sc->cgroup + strlen(sc->cgroup_root);
	size_t n = strlen(scope);

	if (n == 0 || strcmp(scope, "/") == 0)
		return true;
	return strncmp(rel, scope, n) == 0 && (rel[n] == '\0' || rel[n] == '/');
}

/* Ancestor cgroup ids, root first, as bpf_get_current_ancestor_cgroup_id sees them. */
static size_t ancestors(const struct bf_scope *sc, const char *rel, uint64_t *ids, size_t max)
{
	char path[PATH_MAX];
	struct stat st;
	size_t n = 0;

	if (stat(sc->cgroup_root, &st) == 0 && n < max)
		ids[n++] = st.st_ino;
	for (const char *s = rel + 1; *s && n < max; s++) {
		if (s[1] != '/' && s[1] != '\0')
			continue;
		if (bf_pathf(path, sizeof(path), "%s%.*s", sc->cgroup_root, (int)(s + 1 - rel), rel) ||
		    stat(path, &st) < 0)
			break;
		ids[n++] = st.st_ino;
	}
	return n;
}

int agent_pid_apps(struct bf_agent *ag, uint32_t pid, uint32_t uid, uint64_t *apps, char *exe,
		   size_t exelen)
{
	char path[PATH_MAX], cg[PATH_MAX];
	uint64_t ids[BF_MAX_CG_LEVELS];
	struct stat st;
	ssize_t n;

	*apps = 0;
	snprintf(path, sizeof(path), "%s/%u/exe", ag->scope.proc, pid);
	n = readlink(path, exe, exelen - 1);
	exe[n > 0 ? n : 0] = '\0';
	if (stat(path, &st) < 0)
		return -errno;
	snprintf(path, sizeof(path), "%s/%u/cgroup", ag->scope.proc, pid);
	if (bf_read_field(path, "0::", cg, sizeof(cg)))
		return -ESRCH;
	*apps = bf_eval_apps(&ag->policy.cur->tables, bf_kdev(st.st_dev), st.st_ino, uid, ids,
			     ancestors(&ag->scope, cg, ids, BF_MAX_CG_LEVELS));
	return 0;
}

/* The first character device PID (in PROC) holds that WANT accepts; false if none (or PID is gone). */
static bool pid_char_fd(const char *proc, uint32_t pid, bool (*want)(dev_t rdev, const void *ctx),
			const void *ctx, dev_t *rdev)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	bool found = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%u/fd", proc, pid);
	if (!(d = opendir(dir)))
		return false;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.' || bf_pathf(path, sizeof(path), "%s/%s", dir, de->d_name) ||
		    stat(path, &st) < 0 || !S_ISCHR(st.st_mode))
			continue;
		found = want(st.st_rdev, ctx);
		*rdev = st.st_rdev;
	}
	closedir(d);
	return found;
}

int agent_kill(uint32_t pid, bool (*still)(uint32_t pid, const void *ctx), const void *ctx)
{
	int fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0), err = 0;

	if (fd < 0)
		return -errno;
	/* Checked after the pidfd is held: the signal reaches the process checked, never a pid's next owner. */
	if (!still(pid, ctx))
		err = -ESRCH;
	else if (syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) < 0)
		err = -errno;
	close(fd);
	return err;
}

static bool is_dev(dev_t rdev, const void *ctx)
{
	return rdev == *(const dev_t *)ctx;
}

bool agent_pid_holds(uint32_t pid, uint32_t major_nr, uint32_t minor_nr)
{
	dev_t want = makedev(major_nr, minor_nr), got;

	return pid_char_fd("/proc", pid, is_dev, &want, &got);
}

static void log_holder(struct bf_agent *ag, const struct holder *h, uint64_t cams)
{
	const struct bf_tables *t = &ag->policy.cur->tables;
	uint64_t ids[BF_MAX_CG_LEVELS], apps = 0;
	struct stat st;
	char path[PATH_MAX], dev[32];
	uint32_t flags = 0, rule;
	struct json_object *rec;
	size_t n = ancestors(&ag->scope, h->cgroup, ids, BF_MAX_CG_LEVELS);

	snprintf(path, sizeof(path), "%s/%u/exe", ag->scope.proc, h->pid);
	if (stat(path, &st) == 0)
		apps = bf_eval_apps(t, bf_kdev(st.st_dev), st.st_ino, h->uid, ids, n);
	rule = bf_eval_rules(t->capture, t->cfg.n_capture, apps, cams, &flags);
	rec = bf_audit_begin(ag->log.audit, "capture", bf_audit_now_ns());
	bf_json_add_str(rec, "event", "held_at_start");
	bf_json_add_str(rec, "verdict", (flags & BF_RF_ALLOW) ? "allow" : "deny");
	/* The open happened before we were here: nothing could be enforced. */
	bf_json_add_bool(rec, "enforced", false);
	agent_add_rule_ref(rec, "rule", ag->policy.cur, t->capture_ast, rule);
	bf_json_add_u64(rec, "pid", h->pid);
	bf_json_add_u64(rec, "uid", h->uid);
	bf_json_add_str(rec, "comm", h->comm);
	bf_json_add_str(rec, "exe", h->exe[0] ? h->exe : NULL);
	bf_json_add_str(rec, "cgroup", h->cgroup);
	bf_json_add_str(rec, "app", apps ? ag->policy.cur->policy->apps[__builtin_ctzll(apps)].name : NULL);
	bf_json_add_str(rec, "camera", ag->policy.cur->policy->cameras[__builtin_ctzll(cams)].name);
	snprintf(dev, sizeof(dev), "%u:%u", h->major, h->minor);
	bf_json_add_str(rec, "device", dev);
	bf_json_add_bool(rec, "tainted", true);
	if (!(flags & BF_RF_ALLOW))
		log_warnx("pid %u (%s) holds camera %s against the policy; it is tainted", h->pid,
			  h->comm, dev);
	agent_emit(ag, rec);
}

static bool is_camera(dev_t rdev, const void *ctx)
{
	return bf_eval_cameras(ctx, major(rdev), minor(rdev)) != 0;
}

/* First camera descriptor PID holds, if any. */
static bool find_camera_fd(const struct bf_agent *ag, struct holder *h, uint64_t *cams)
{
	dev_t rdev;

	if (!pid_char_fd(ag->scope.proc, h->pid, is_camera, &ag->policy.cur->tables, &rdev))
		return false;
	h->major = major(rdev);
	h->minor = minor(rdev);
	*cams = bf_eval_cameras(&ag->policy.cur->tables, h->major, h->minor);
	return true;
}

/* Who PID is: its uid, name and exe, as /proc tells. */
static void describe_holder(const char *proc, struct holder *h)
{
	char path[PATH_MAX], uid[64];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%u/status", proc, h->pid);
	if (bf_read_field(path, "Uid:\t", uid, sizeof(uid)) == 0)
		h->uid = (uint32_t)strtoul(uid, NULL, 10);
	bf_read_field(path, "Name:\t", h->comm, sizeof(h->comm));
	snprintf(path, sizeof(path), "%s/%u/exe", proc, h->pid);
	n = readlink(path, h->exe, sizeof(h->exe) - 1);
	h->exe[n > 0 ? n : 0] = '\0';
}

static void scan_pid(struct bf_agent *ag, uint32_t pid)
{
	struct holder h = { .pid = pid };
	struct bf_taint t;
	char path[PATH_MAX];
	uint64_t cams = 0;
	int err;

	snprintf(path, sizeof(path), "%s/%u/cgroup", ag->scope.proc, pid);
	if (bf_read_field(path, "0::", h.cgroup, sizeof(h.cgroup)) || !in_scope(&ag->scope, h.cgroup) ||
	    !find_camera_fd(ag, &h, &cams))
		return;
	describe_holder(ag->scope.proc, &h);
	t = (struct bf_taint){ .origin_tgid = pid, .major = h.major, .minor = h.minor };
	err = ag->kern->taint(&ag->ld, pid, &t);
	if (err)
		log_errno(err, "tainting pid %u", pid);
	log_holder(ag, &h, cams);
}

void agent_scan_holders(struct bf_agent *ag)
{
	struct dirent *de;
	DIR *d = opendir(ag->scope.proc);
	char *end;

	if (!d) {
		log_warn("opendir %s", ag->scope.proc);
		return;
	}
	while ((de = readdir(d))) {
		unsigned long pid = strtoul(de->d_name, &end, 10);

		if (*end || !pid || pid == (unsigned long)getpid())
			continue;
		scan_pid(ag, (uint32_t)pid);
	}
	closedir(d);
}
