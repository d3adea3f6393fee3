/* agent_fixture.c - the agent unit tests' shared fixture: temp tree, agent with audit log, fake kernel, policies from text, records read back. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "bf_test.h"
#include "agent_fixture.h"
#include "agent_consent.h"
#include "agent_dns.h"
#include "agent_events.h"
#include "agent_hotplug.h"
#include "agent_policy.h"

/* The fixture that holds loader L: every fake gets the agent's loader as its context. */
static struct bff *of_loader(struct bf_loader *l)
{
	return (struct bff *)((char *)l - offsetof(struct bff, ag.ld));
}

static int fake_stats(struct bf_loader *l, uint64_t out[BF_STAT_N])
{
	struct bff *f = of_loader(l);

	memcpy(out, f->kern.stats, sizeof(f->kern.stats));
	return f->kern.stats_err;
}

static int fake_active(struct bf_loader *l, struct bf_active *a)
{
	*a = of_loader(l)->kern.active;
	return 0;
}

static int fake_install(struct bf_loader *l, const struct bf_tables *t)
{
	struct bff *f = of_loader(l);

	if (f->kern.install_err)
		return f->kern.install_err;
	f->kern.installs++;
	f->kern.active = (struct bf_active){ .slot = t->slot, .policy_seq = t->cfg.policy_seq };
	return 0;
}

static int fake_taint(struct bf_loader *l, uint32_t tgid, const struct bf_taint *t)
{
	struct bff *f = of_loader(l);

	if (f->kern.n_taints == BFF_MAX_TAINTS)
		return -ENOSPC;
	f->kern.taints[f->kern.n_taints].tgid = tgid;
	f->kern.taints[f->kern.n_taints++].t = *t;
	return 0;
}

static int fake_tainted(struct bf_loader *l, uint32_t *tgids, size_t max, size_t *n)
{
	struct bff *f = of_loader(l);

	*n = f->kern.n_tainted < max ? f->kern.n_tainted : max;
	memcpy(tgids, f->kern.tainted, *n * sizeof(*tgids));
	return 0;
}

static int fake_quota_use(struct bf_loader *l, uint32_t id, struct bf_quota_use *get,
			  const struct bf_quota_use *set)
{
	struct bff *f = of_loader(l);

	if (id > BF_MAX_QUOTAS)
		return -ENOENT;
	if (get)
		*get = f->kern.quota[id];
	if (set)
		f->kern.quota[id] = *set;
	return 0;
}

static int fake_set_log_failed(struct bf_loader *l, bool failed)
{
	struct bff *f = of_loader(l);

	f->kern.log_failed = failed;
	f->kern.log_failed_calls++;
	return 0;
}

static int fake_lost_logged(struct bf_loader *l, uint64_t *get, const uint64_t *set)
{
	struct bff *f = of_loader(l);

	if (get)
		*get = f->kern.lost_logged;
	if (set)
		f->kern.lost_logged = *set;
	return 0;
}

static const struct bf_kern_ops fake_kern = {
	.stats = fake_stats, .active = fake_active, .install = fake_install, .taint = fake_taint,
	.tainted = fake_tainted, .quota_use = fake_quota_use, .set_log_failed = fake_set_log_failed,
	.lost_logged = fake_lost_logged,
};

/* Capture windows: none open, every write accepted (test_agent_consent brings its own). */
static int win_next_id(void *ctx, uint32_t *id) { (void)ctx; *id = 1; return 0; }
static int win_info_put(void *ctx, const struct bf_window_info *w) { (void)ctx, (void)w; return 0; }
static int win_info_del(void *ctx, uint32_t id) { (void)ctx, (void)id; return 0; }
static int win_info_all(void *ctx, struct bf_window_info **out, size_t *n)
{
	(void)ctx, (void)out;
	*n = 0;
	return 0;
}
static int win_set_put(void *ctx, uint32_t slot, uint32_t app, const struct bf_window_set *s)
{
	(void)ctx, (void)slot, (void)app, (void)s;
	return 0;
}
static int win_taint_from(void *ctx, uint32_t origin, uint32_t *tgids, size_t max, size_t *n)
{
	(void)ctx, (void)origin, (void)tgids, (void)max;
	*n = 0;
	return 0;
}
static bool win_pid_holds(void *ctx, uint32_t pid, uint32_t major, uint32_t minor)
{
	(void)ctx, (void)pid, (void)major, (void)minor;
	return false;
}
static int win_kill(void *ctx, uint32_t pid, const struct bf_window_holder *h)
{
	(void)ctx, (void)pid, (void)h;
	return -ESRCH;
}

static const struct agent_window_ops fake_windows = {
	.next_id = win_next_id, .info_put = win_info_put, .info_del = win_info_del,
	.info_all = win_info_all, .set_put = win_set_put, .taint_from = win_taint_from,
	.pid_holds = win_pid_holds, .kill = win_kill,
};

const char *bff_path(struct bff *f, const char *rel)
{
	static char buf[4][PATH_MAX];
	static unsigned next;
	char *b = buf[next++ % 4];

	snprintf(b, PATH_MAX, "%s/%s", f->dir, rel);
	return b;
}

/* mkdir -p of PATH's parent directories (and PATH itself if LAST). */
static void mkdirs(const char *path, bool last)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	if (last)
		mkdir(buf, 0755);
}

void bff_mkdir(struct bff *f, const char *rel)
{
	mkdirs(bff_path(f, rel), true);
}

void bff_write(struct bff *f, const char *rel, const char *text)
{
	const char *path = bff_path(f, rel);
	FILE *fp;

	mkdirs(path, false);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

void bff_symlink(struct bff *f, const char *target, const char *rel)
{
	const char *path = bff_path(f, rel);

	mkdirs(path, false);
	unlink(path);
	assert_int_equal(symlink(target, path), 0);
}

void bff_proc(struct bff *f, uint32_t pid, const char *exe, const char *cgroup, const char *name,
	      uint32_t uid, uint64_t capeff)
{
	char rel[64], text[512];

	snprintf(rel, sizeof(rel), "proc/%u/exe", pid);
	bff_symlink(f, exe, rel);
	snprintf(rel, sizeof(rel), "proc/%u/cgroup", pid);
	snprintf(text, sizeof(text), "0::%s\n", cgroup);
	bff_write(f, rel, text);
	snprintf(rel, sizeof(rel), "proc/%u/status", pid);
	snprintf(text, sizeof(text), "Name:\t%s\nUid:\t%u\t%u\t%u\t%u\nCapEff:\t%016llx\n", name,
		 uid, uid, uid, uid, (unsigned long long)capeff);
	bff_write(f, rel, text);
	snprintf(rel, sizeof(rel), "proc/%u/fd", pid);
	bff_mkdir(f, rel);
}

struct bff *bff_new(void)
{
	struct bff *f = calloc(1, sizeof(*f));
	struct bf_agent *ag;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/bf-agent-unit.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->log_path, sizeof(f->log_path), "%s/audit.log", f->dir);
	ag = &f->ag;
	ag->kern = &fake_kern;
	ag->consent.ops = &fake_windows;
	ag->consent.ops_ctx = f;
	ag->loop.epfd = ag->loop.sigfd = ag->loop.timerfd = -1;
	ag->ctl.fd = -1;
	ag->hotplug.uevent_fd = ag->hotplug.inotify_fd = -1;
	ag->opt.log = f->log_path;
	ag->opt.pin_dir = f->dir;
	bff_mkdir(f, "proc");
	bff_mkdir(f, "cgroup");
	ag->scope.proc = strdup(bff_path(f, "proc"));
	snprintf(ag->scope.cgroup_root, sizeof(ag->scope.cgroup_root), "%s", bff_path(f, "cgroup"));
	snprintf(ag->scope.cgroup, sizeof(ag->scope.cgroup), "%s", ag->scope.cgroup_root);
	assert_int_equal(bf_audit_open(&ag->log.audit, f->log_path, false), 0);
	return f;
}

void bff_free(struct bff *f)
{
	struct bf_agent *ag = &f->ag;

	bf_loaded_free(ag->policy.prev);
	bf_loaded_free(ag->policy.cur);
	agent_path_caches_free(&ag->ev);
	agent_hotplug_close(&ag->hotplug);
	bf_audit_close(ag->log.audit);
	free(ag->consent.win);
	free((char *)ag->scope.proc);
	bft_rm_tree(f->dir);
	free(f);
}

int bff_setup(void **state)
{
	*state = bff_new();
	return 0;
}

int bff_teardown(void **state)
{
	bff_free(*state);
	return 0;
}

struct bf_loaded *bff_compile(struct bff *f, const char *text, uint32_t seq)
{
	struct bf_loaded *ld = calloc(1, sizeof(*ld));
	struct bf_diags d = { 0 };
	char err[256] = "";
	int rc;

	assert_non_null(ld);
	rc = bf_policy_parse_string("t.policy", text, BF_PARSE_NO_FS_CHECKS, &ld->policy, &d);
	if (rc)
		fail_msg("policy: %d, %s", rc, d.n ? d.msgs[0] : "(no diagnostic)");
	bf_diags_free(&d);
	ld->owns_policy = true;
	snprintf(ld->source, sizeof(ld->source), "t.policy");
	assert_int_equal(bf_resolve(ld->policy, f->ag.scope.cgroup_root, &ld->res), 0);
	/* Host names as agent_load_policy leaves them, but never asked of DNS: unresolved. */
	agent_resolve_hosts_cached(NULL, ld);
	ld->seq = seq;
	rc = bf_compile(ld->policy, &ld->res, 0, seq, &ld->tables, err, sizeof(err));
	if (rc)
		fail_msg("bf_compile: %d (%s)", rc, err);
	return ld;
}

void bff_use_policy(struct bff *f, const char *text)
{
	struct bf_loaded *ld = bff_compile(f, text, 0);
	char err[256] = "";

	/* agent_install compiles again, into the slot not in force. */
	bf_tables_free(&ld->tables);
	if (agent_install(&f->ag, ld, err, sizeof(err)))
		fail_msg("agent_install: %s", err);
}

struct json_object *bff_records(struct bff *f)
{
	struct json_object *arr = json_object_new_array();
	size_t len;
	char *text = bft_slurp(f->log_path, &len), *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct json_object *rec = json_tokener_parse(line);

		if (!rec)
			fail_msg("not JSON: %s", line);
		json_object_array_add(arr, rec);
	}
	free(text);
	return arr;
}

size_t bff_count(struct bff *f)
{
	struct json_object *arr = bff_records(f);
	size_t n = json_object_array_length(arr);

	json_object_put(arr);
	return n;
}

/* The member at KEY, "a.b" reaching into objects. */
static struct json_object *member(struct json_object *rec, const char *key)
{
	char buf[256], *save = NULL;
	struct json_object *o = rec;

	snprintf(buf, sizeof(buf), "%s", key);
	for (char *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(o, k, &o))
			return NULL;
	return o;
}

const char *bff_str(struct json_object *rec, const char *key)
{
	struct json_object *o = member(rec, key);

	return o && json_object_is_type(o, json_type_string) ? json_object_get_string(o) : NULL;
}

int64_t bff_int(struct json_object *rec, const char *key)
{
	struct json_object *o = member(rec, key);

	if (!o)
		fail_msg("no %s in %s", key, json_object_to_json_string(rec));
	return json_object_get_int64(o);
}

bool bff_bool(struct json_object *rec, const char *key)
{
	struct json_object *o = member(rec, key);

	if (!o)
		fail_msg("no %s in %s", key, json_object_to_json_string(rec));
	return json_object_get_boolean(o);
}

static bool matches(struct json_object *rec, const char *key, const char *value)
{
	const char *s = bff_str(rec, key);

	return s && strcmp(s, value) == 0;
}

struct json_object *bff_find(struct bff *f, const char *key, const char *value)
{
	struct json_object *arr = bff_records(f), *found = NULL;

	for (size_t i = json_object_array_length(arr); i-- > 0 && !found;)
		if (matches(json_object_array_get_idx(arr, i), key, value))
			found = json_object_get(json_object_array_get_idx(arr, i));
	json_object_put(arr);
	return found;
}

size_t bff_count_where(struct bff *f, const char *key, const char *value)
{
	struct json_object *arr = bff_records(f);
	size_t n = 0;

	for (size_t i = 0; i < json_object_array_length(arr); i++)
		n += matches(json_object_array_get_idx(arr, i), key, value);
	json_object_put(arr);
	return n;
}
