/* agent_policy.c - load, install, reload and re-resolve the policy in force, logging each change. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "agent_consent.h"
#include "agent_dns.h"
#include "agent_policy.h"
#include "agent_store.h"
#include "agent_quota.h"
#include "agent_sink.h"
#include "agent_unpriv.h"
#include "default_policy.h"
#include "log.h"
#include "sha256.h"

void bf_loaded_free(struct bf_loaded *ld)
{
	if (!ld)
		return;
	if (ld->owns_policy)
		bf_policy_free(ld->policy);
	free(ld->seeds);
	bf_tables_free(&ld->tables);
	bf_resolved_free(&ld->res);
	free(ld);
}

int agent_load_policy(struct bf_agent *ag, struct bf_loaded **out, struct bf_diags *diags)
{
	const char *path = ag->opt.policy;
	struct bf_loaded *ld = calloc(1, sizeof(*ld));
	int err;

	if (!ld)
		return -ENOMEM;
	/* No policy installed at all: fail closed with the embedded deny-all. */
	if (!path && access(BF_DEFAULT_POLICY, F_OK) == 0)
		path = BF_DEFAULT_POLICY;
	if (path) {
		snprintf(ld->source, sizeof(ld->source), "%s", path);
	} else {
		snprintf(ld->source, sizeof(ld->source), "%s", BF_EMBEDDED_NAME);
	}
	/* The agent reads policy files by its parser process; --check and the unit tests, here. */
	if (ag->privsep.parser.pid)
		err = agent_unpriv_parse(&ag->privsep.parser, path, path ? BF_PARSE_STRICT_PERMS : 0, &ld->policy,
					 diags);
	else if (path)
		err = bf_policy_parse(path, BF_PARSE_STRICT_PERMS, &ld->policy, diags);
	else
		err = bf_policy_parse_string(BF_EMBEDDED_NAME, bf_default_policy_text, 0, &ld->policy,
					     diags);
	ld->owns_policy = true;
	err = err ?: bf_resolve(ld->policy, ag->scope.cgroup_root, &ld->res);
	err = err ?: agent_resolve_hosts_now(ag, ld);
	if (err) {
		bf_loaded_free(ld);
		return err;
	}
	bf_sha256_hex(ld->policy->digest, ld->digest);
	*out = ld;
	return 0;
}

/* Compile into the slot not in force, fill it, flip: the kernel sees old or new, never a mix. */
int agent_install(struct bf_agent *ag, struct bf_loaded *ld, char *errbuf, size_t errlen)
{
	struct bf_active active;
	int err;

	err = ag->kern->active(&ag->ld, &active);
	if (err) {
		snprintf(errbuf, errlen, "reading the active slot: %s", strerror(-err));
		return err;
	}
	ld->seq = active.policy_seq + 1;
	err = bf_compile(ld->policy, &ld->res, !active.slot, ld->seq, &ld->tables, errbuf, errlen);
	if (err)
		return err;
	err = agent_assign_quotas(ag, ld);
	if (err) {
		snprintf(errbuf, errlen, "more than %d export quotas in use", BF_MAX_QUOTAS);
		bf_tables_free(&ld->tables);
		return err;
	}
	agent_consent_fill(ag, ld);	/* open windows carry over into the new tables */
	err = ag->kern->install(&ag->ld, &ld->tables);
	if (err) {
		snprintf(errbuf, errlen, "writing the tables: %s", strerror(-err));
		return err;
	}
	bf_loaded_free(ag->policy.prev);
	ag->policy.prev = ag->policy.cur;
	ag->policy.cur = ld;
	agent_consent_after_install(ag);
	agent_dns_installed(ag->dns, ld);
	agent_store_installed(ag, ld);
	/*
	 * The new policy may name paths in other directories: the main loop
	 * re-watches at the end of this turn, so that the policy module never
	 * calls the hot-plug module, which calls it (agent_reresolve).
	 */
	ag->hotplug.rewatch = true;
	return 0;
}

struct json_object *agent_unresolved(const struct bf_loaded *ld)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < ld->policy->n_apps; i++) {
		char buf[BF_NAME_MAX + BF_REASON_MAX + 16];

		if (!ld->res.apps[i].why[0])
			continue;
		snprintf(buf, sizeof(buf), "app %s: %s", ld->policy->apps[i].name, ld->res.apps[i].why);
		json_object_array_add(arr, bf_json_str(buf));
	}
	for (size_t i = 0; ld->res.dests && i < bf_policy_n_nets(ld->policy); i++) {
		char buf[BF_NAME_MAX + BF_REASON_MAX + 16];
		const char *kind, *name;

		if (!ld->res.dests[i].why[0])
			continue;
		bf_policy_net(ld->policy, i, &kind, &name);
		snprintf(buf, sizeof(buf), "%s %s: %s", kind, name, ld->res.dests[i].why);
		json_object_array_add(arr, bf_json_str(buf));
	}
	for (size_t i = 0; i < ld->policy->n_cameras; i++) {
		char buf[BF_NAME_MAX + BF_REASON_MAX + 16];

		if (!ld->res.cameras[i].why[0])
			continue;
		snprintf(buf, sizeof(buf), "camera %s: %s", ld->policy->cameras[i].name,
			 ld->res.cameras[i].why);
		json_object_array_add(arr, bf_json_str(buf));
	}
	return arr;
}

/*
 * A refused policy's diagnostics as recorded: the first AGENT_DIAGS_SHOWN
 * (positions say where to look; check prints them all), and the total in
 * DETAIL. A policy of 100,000 bad lines once made a 7.4 MB record.
 */
#define AGENT_DIAGS_SHOWN 20

static void add_diags(struct json_object *detail, const struct bf_diags *d)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < d->n && i < AGENT_DIAGS_SHOWN; i++)
		json_object_array_add(arr, bf_json_str(d->msgs[i]));
	json_object_object_add(detail, "diagnostics", arr);
	if (d->n > AGENT_DIAGS_SHOWN)
		bf_json_add_u64(detail, "diagnostics_total", d->n);
}

static void log_reload(struct bf_agent *ag, const char *trigger, const char *result,
		       struct json_object *detail)
{
	struct json_object *rec = agent_log_begin(&ag->log, "reload");

	bf_json_add_str(rec, "trigger", trigger);
	bf_json_add_str(rec, "result", result);
	json_object_object_foreach(detail, k, v)
		json_object_object_add(rec, k, json_object_get(v));
	agent_emit(ag, rec);
}

/* Fills REPLY (a control reply under construction) and logs the outcome either way. */
int agent_reload(struct bf_agent *ag, const char *trigger, struct json_object *reply)
{
	struct bf_diags diags = {};
	struct bf_loaded *ld = NULL;
	struct json_object *detail = json_object_new_object();
	char errbuf[512] = "";
	int err;

	err = agent_load_policy(ag, &ld, &diags);
	if (!err) {
		err = agent_install(ag, ld, errbuf, sizeof(errbuf));
		if (err)
			bf_loaded_free(ld);
	} else if (!diags.n) {
		snprintf(errbuf, sizeof(errbuf), "%s", strerror(-err));
	}
	if (err) {
		add_diags(detail, &diags);
		if (errbuf[0])
			bf_json_add_str(detail, "error", errbuf);
		bf_json_add_str(detail, "kept_sha256", ag->policy.cur->digest);
		log_warnx("reload (%s) refused, the policy in force stays (%s)", trigger, ag->policy.cur->digest);
		for (size_t i = 0; i < diags.n && i < AGENT_DIAGS_SHOWN; i++)
			log_warnx("%s", diags.msgs[i]);
		if (diags.n > AGENT_DIAGS_SHOWN)
			log_warnx("... and %zu more (biofence check lists them all)", diags.n - AGENT_DIAGS_SHOWN);
		log_reload(ag, trigger, "refused", detail);
	} else {
		bf_json_add_str(detail, "policy", ag->policy.cur->source);
		bf_json_add_str(detail, "sha256", ag->policy.cur->digest);
		bf_json_add_u64(detail, "policy_seq", ag->policy.cur->seq);
		json_object_object_add(detail, "unresolved", agent_unresolved(ag->policy.cur));
		log_info("reload (%s): policy %s in force (%s)", trigger, ag->policy.cur->source, ag->policy.cur->digest);
		log_reload(ag, trigger, "applied", detail);
	}
	if (reply) {
		json_object_object_foreach(detail, k, v)
			json_object_object_add(reply, k, json_object_get(v));
	}
	json_object_put(detail);
	bf_diags_free(&diags);
	return err;
}

/* App I of P can now match (or no longer): B is its resolution, TRIGGER what prompted the look. */
static void log_app_change(struct bf_agent_log *log, const struct bf_policy *p, size_t i,
			   const struct bf_app_res *b, const char *trigger)
{
	struct json_object *rec = agent_log_begin(log, "resolve");

	bf_json_add_str(rec, "app", p->apps[i].name);
	bf_json_add_bool(rec, "can_match", !b->why[0]);
	bf_json_add_str(rec, "why", b->why[0] ? b->why : NULL);
	if (p->apps[i].exe && b->exe_ok) {
		char id[64];

		snprintf(id, sizeof(id), "%llu:%llu", (unsigned long long)b->exe_dev,
			 (unsigned long long)b->exe_ino);
		bf_json_add_str(rec, "exe_inode", id);
	}
	bf_json_add_str(rec, "trigger", trigger);
	if (b->why[0])
		log_warnx("app %s loses its rights: %s", p->apps[i].name, b->why);
	else
		log_info("app %s re-resolved", p->apps[i].name);
	agent_log_emit(log, rec);
}

/* A camera's device numbers as capture records write them: "81:0", or "81:*" for a class. */
static struct json_object *cam_devices(const struct bf_camera_res *r)
{
	struct json_object *arr = json_object_new_array();

	for (size_t k = 0; k < r->n_keys; k++) {
		char buf[32];

		if (r->keys[k].minor == BF_ANY_MINOR)
			snprintf(buf, sizeof(buf), "%u:*", r->keys[k].major);
		else
			snprintf(buf, sizeof(buf), "%u:%u", r->keys[k].major, r->keys[k].minor);
		json_object_array_add(arr, json_object_new_string(buf));
	}
	return arr;
}

/*
 * A camera unplugged, plugged back at another number, or a link udev
 * re-pointed: which devices the camera's rules now judge, and which they
 * judged before (docs/policy-cameras.md, "Hot-plug").
 */
static void log_camera_change(struct bf_agent_log *log, const struct bf_loaded *now, size_t i,
			      const struct bf_camera_res *a, const char *trigger)
{
	const struct bf_policy *p = now->policy;
	const struct bf_camera_res *b = &now->res.cameras[i];
	struct json_object *rec = agent_log_begin(log, "resolve");

	bf_json_add_str(rec, "camera", p->cameras[i].name);
	json_object_object_add(rec, "devices", cam_devices(b));
	json_object_object_add(rec, "previous", cam_devices(a));
	bf_json_add_bool(rec, "can_match", b->n_keys > 0);
	bf_json_add_str(rec, "why", b->why[0] ? b->why : NULL);
	bf_json_add_str(rec, "trigger", trigger);
	bf_json_add_u64(rec, "policy_seq", now->seq);
	if (!b->n_keys)
		log_warnx("camera %s has no device now (%s): its rules judge nothing until it is back",
			  p->cameras[i].name, b->why);
	else
		log_info("camera %s re-resolved to %zu device key%s (%s)", p->cameras[i].name,
			 b->n_keys, b->n_keys == 1 ? "" : "s", trigger);
	agent_log_emit(log, rec);
}

/* A record for each app, then each camera, that resolves differently in NOW than in OLD. */
static void log_resolve_changes(struct bf_agent_log *log, const struct bf_loaded *old,
				const struct bf_loaded *now, const char *trigger)
{
	const struct bf_policy *p = now->policy;

	for (size_t i = 0; i < p->n_apps; i++)
		if (memcmp(&old->res.apps[i], &now->res.apps[i], sizeof(old->res.apps[i])) != 0)
			log_app_change(log, p, i, &now->res.apps[i], trigger);
	for (size_t i = 0; i < p->n_cameras; i++)
		if (memcmp(&old->res.cameras[i], &now->res.cameras[i], sizeof(old->res.cameras[i])) != 0)
			log_camera_change(log, now, i, &old->res.cameras[i], trigger);
}

/*
 * Exe upgrades, units that start, cameras plugged in or out: re-resolve
 * the policy in force and, if anything moved, swap in tables built from
 * the same text, flipping slots as a reload does.
 */
void agent_reresolve(struct bf_agent *ag, const char *trigger)
{
	struct bf_loaded *cur = ag->policy.cur, *ld = calloc(1, sizeof(*ld));
	char errbuf[256];

	if (!ld)
		return;
	if (bf_resolve_again(cur->policy, ag->scope.cgroup_root, &cur->res, &ld->res) != 0)
		goto drop;
	ld->policy = cur->policy;	/* borrowed: needed to read its host names */
	agent_resolve_hosts_cached(ag->dns, ld);
	if (!bf_resolved_differs(cur->policy, &cur->res, &ld->res))
		goto drop;
	memcpy(ld->digest, cur->digest, sizeof(ld->digest));
	memcpy(ld->source, cur->source, sizeof(ld->source));
	if (agent_install(ag, ld, errbuf, sizeof(errbuf)) != 0) {
		log_warnx("re-resolve (%s): %s; the tables in force stay", trigger, errbuf);
		goto drop;
	}
	/* The policy outlives the older table set: hand ownership forward. */
	ag->policy.cur->owns_policy = true;
	ag->policy.prev->owns_policy = false;
	log_resolve_changes(&ag->log, ag->policy.prev, ag->policy.cur, trigger);
	agent_log_dns_change(&ag->log, ag->policy.prev, ag->policy.cur);
	return;
drop:
	bf_loaded_free(ld);	/* never owns the policy in force */
}
