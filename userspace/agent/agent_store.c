/* agent_store.c - template stores as the agent sees them: "store" records, the backend line, what stays open, warnings at install. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "agent_sink.h"
#include "agent_store.h"
#include "log.h"

/* Per BF_STORE_*: the record's event and the hook that saw it. */
static const struct {
	const char *event, *hook;
} store_ops[BF_STORE_OP_N] = {
	[BF_STORE_OPEN] = { "open", "lsm/file_open" },
	[BF_STORE_CREATE] = { "create", "lsm/inode_create, inode_mkdir, inode_mknod or inode_symlink" },
	[BF_STORE_LINK] = { "link", "lsm/inode_link" },
	[BF_STORE_RENAME] = { "rename", "lsm/inode_rename" },
	[BF_STORE_REMOVE] = { "remove", "lsm/inode_unlink or inode_rmdir" },
	[BF_STORE_HOLD] = { "hold", "lsm/file_open" },
	[BF_STORE_PTRACE] = { "ptrace", "lsm/ptrace_access_check" },
};

/* The store's path and its template-store line, from the tables the event was decided under. */
static void add_store_ref(struct json_object *rec, const struct bf_loaded *ld, uint32_t idx)
{
	const struct bf_store_ast *st;
	char buf[PATH_MAX + 16];

	if (!ld || idx >= ld->tables.stores.n) {
		bf_json_add_str(rec, "rule", ld ? "builtin" : "previous-agent");
		return;
	}
	st = &ld->policy->stores[ld->tables.store_ast[idx]];
	snprintf(buf, sizeof(buf), "%s:%u", st->src.file, st->src.line);
	bf_json_add_str(rec, "rule", buf);
	bf_json_add_str(rec, "store", st->path);
}

/* The holders of store IDX, by name: "recognizer, enroller". */
static void add_holders(struct json_object *rec, const struct bf_loaded *ld, uint32_t idx)
{
	char buf[512] = "";
	size_t used = 0;

	if (!ld || idx >= ld->tables.stores.n)
		return;
	for (size_t a = 0; a < ld->policy->n_apps && a < 64; a++) {
		if (!(ld->tables.stores.s[idx].apps & (1ull << a)))
			continue;
		used += (size_t)snprintf(buf + used, used < sizeof(buf) ? sizeof(buf) - used : 0, "%s%s",
					 used ? ", " : "", ld->policy->apps[a].name);
	}
	bf_json_add_str(rec, "holders", buf[0] ? buf : NULL);
}

void agent_add_store_event(struct bf_agent *ag, struct json_object *rec, const struct bf_loaded *ld,
			   const void *data, uint64_t objs)
{
	const struct bf_store_event *se = data;
	const struct bf_event *e = &se->e;
	bool known = e->access < BF_STORE_OP_N && store_ops[e->access].event;
	char name[sizeof(se->name) + 1];
	size_t n = se->name_len && se->name_len <= sizeof(se->name) ? se->name_len : 0;

	(void)ag, (void)objs;
	memcpy(name, se->name, n);
	name[n] = '\0';
	bf_json_add_str(rec, "event", known ? store_ops[e->access].event : "other");
	bf_json_add_str(rec, "hook", known ? store_ops[e->access].hook : NULL);
	if (e->access == BF_STORE_PTRACE) {
		bf_json_add_str(rec, "rule", "builtin");
		bf_json_add_u64(rec, "target_pid", e->objs);
		bf_json_add_str(rec, "target_comm", name);
		bf_json_add_str(rec, "reason", "the target holds face templates: no one may read its "
					       "memory (ptrace, process_vm_readv, /proc/PID/mem, pidfd_getfd)");
		return;
	}
	add_store_ref(rec, ld, e->rule);
	add_holders(rec, ld, e->rule);
	bf_json_add_str(rec, "file", name);
	bf_json_add_u64(rec, "depth", se->depth);
	if (e->objs)
		bf_json_add_u64(rec, "inode", e->objs);
	if (e->flags & BF_EF_TAINT_FULL)
		bf_json_add_str(rec, "reason", "taint table full: a holder that cannot be followed may "
					       "not open the templates");
	else if (e->access == BF_STORE_HOLD)
		bf_json_add_str(rec, "reason", "a holder opened the store: it holds face templates now, "
					       "its sends are judged and no one may ptrace it");
	else
		bf_json_add_str(rec, "reason", "only the store's holders may open, create, link, rename "
					       "or remove anything under it");
}

static size_t n_guarded(const struct bf_loaded *ld)
{
	return ld ? ld->tables.stores.n : 0;
}

const char *agent_store_backend(const struct bf_agent *ag, const struct bf_loaded *ld, char *buf,
				size_t len)
{
	if (!ld || !ld->policy->n_stores)
		return "none in the policy";
	if (!ag->ld.lsm) {
		snprintf(buf, len, "NOT ENFORCED: %zu store(s) in the policy and no BPF LSM here (%s)",
			 ld->policy->n_stores, ag->ld.lsm_why);
		return buf;
	}
	snprintf(buf, len, "lsm (lsm/file_open, inode_create, inode_mkdir, inode_mknod, inode_symlink, "
		 "inode_link, inode_rename, inode_unlink, inode_rmdir; ptrace_access_check for "
		 "holders): %zu of %zu line(s) guarded", n_guarded(ld), ld->policy->n_stores);
	return buf;
}

void agent_store_gaps(const struct bf_agent *ag, const struct bf_loaded *ld, struct json_object *arr)
{
	char buf[PATH_MAX + 256];

	if (!ld || !ld->policy->n_stores)
		return;
	if (!ag->ld.lsm) {
		json_object_array_add(arr, json_object_new_string(
			"template stores: NOT ENFORCED: any process may open the templates, and a "
			"holder's memory may be read (needs the lsm backend: file_open, inode_*, "
			"ptrace_access_check)"));
		return;
	}
	json_object_array_add(arr, json_object_new_string(
		"template stores: what a holder copies elsewhere is not guarded (files carry no "
		"taint); the block device under a store, a file more than 32 levels below its "
		"filesystem's root, and truncate or chmod of a store's files are not judged"));
	for (size_t i = 0; i < ld->policy->n_stores; i++) {
		if (!ld->res.stores || ld->res.stores[i].ok)
			continue;
		snprintf(buf, sizeof(buf), "template store %s: NOT GUARDED until it exists: %s",
			 ld->policy->stores[i].path, ld->res.stores[i].why);
		json_object_array_add(arr, bf_json_str(buf));
	}
}

void agent_store_installed(const struct bf_agent *ag, const struct bf_loaded *ld)
{
	if (!ld->policy->n_stores)
		return;
	if (!ag->ld.lsm) {
		log_warnx("template stores are NOT ENFORCED: this kernel runs no BPF LSM (%s)",
			  ag->ld.lsm_why);
		return;
	}
	for (size_t i = 0; i < ld->policy->n_stores; i++)
		if (ld->res.stores && !ld->res.stores[i].ok)
			log_warnx("template store %s is NOT GUARDED until it exists: %s",
				  ld->policy->stores[i].path, ld->res.stores[i].why);
}
