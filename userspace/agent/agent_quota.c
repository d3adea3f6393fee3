/* agent_quota.c - export quotas: ids stable across reloads and restarts, quota-hit records, status. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "agent_quota.h"
#include "agent_sink.h"
#include "log.h"
#include "util.h"

/* A quota is known by its rule's app and destination set: "recognizer/controller". */
static void quota_name(const struct bf_policy *p, const struct bf_rule_ast *ra, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", ra->app >= 0 ? p->apps[ra->app].name : "any",
		 ra->obj >= 0 ? p->dests[ra->obj].name : "any");
}

static bool policy_names(const struct bf_loaded *ld, const char *name)
{
	char buf[sizeof(((struct bf_quota_use *)0)->name)];

	for (size_t i = 0; i < ld->policy->n_rules; i++) {
		const struct bf_rule_ast *ra = &ld->policy->rules[i];

		if (ra->kind != BF_RULE_EXPORT || !ra->quota_bytes)
			continue;
		quota_name(ld->policy, ra, buf, sizeof(buf));
		if (strcmp(buf, name) == 0)
			return true;
	}
	return false;
}

/*
 * The id bf_quota_use already names NAME under, so counts carry over a
 * reload or a restart; else the first id no rule of this policy names,
 * started afresh. 0 when all are taken.
 */
static uint32_t quota_id(struct bf_agent *ag, const struct bf_loaded *ld, const char *name)
{
	struct bf_quota_use use, fresh = {};
	uint32_t free_id = 0;

	for (uint32_t id = 1; id <= BF_MAX_QUOTAS; id++) {
		if (ag->kern->quota_use(&ag->ld, id, &use, NULL))
			return 0;
		use.name[sizeof(use.name) - 1] = '\0';
		if (strcmp(use.name, name) == 0)
			return id;
		if (!free_id && (!use.name[0] || !policy_names(ld, use.name)))
			free_id = id;
	}
	if (!free_id)
		return 0;
	snprintf(fresh.name, sizeof(fresh.name), "%s", name);
	return ag->kern->quota_use(&ag->ld, free_id, NULL, &fresh) ? 0 : free_id;
}

int agent_assign_quotas(struct bf_agent *ag, struct bf_loaded *ld)
{
	struct bf_tables *t = &ld->tables;
	char name[sizeof(((struct bf_quota_use *)0)->name)];

	memset(t->quota_cfg, 0, sizeof(t->quota_cfg));
	for (uint32_t i = 0; i < t->cfg.n_export; i++) {
		uint32_t id;

		if (!t->export_quota[i].bytes)
			continue;
		quota_name(ld->policy, &ld->policy->rules[t->export_ast[i]], name, sizeof(name));
		id = quota_id(ag, ld, name);
		if (!id)
			return -ENOSPC;
		t->export[i].quota = (uint16_t)id;
		t->export[i].flags |= BF_RF_QUOTA;
		t->cfg.keys |= BF_KEY_QUOTA;
		/* The first rule for a pair decides its sends, so its limit is the one. */
		if (!t->quota_cfg[id].bytes)
			t->quota_cfg[id] = t->export_quota[i];
	}
	return 0;
}

void agent_quota_event(struct bf_agent *ag, const struct bf_event *e)
{
	struct bf_quota_use use = {};
	struct json_object *rec, *q;
	char *slash;

	ag->kern->quota_use(&ag->ld, e->rule, &use, NULL);
	use.name[sizeof(use.name) - 1] = '\0';
	rec = bf_audit_begin(ag->log.audit, "export", e->boot_ns + (uint64_t)ag->ev.boot_to_real_ns);
	bf_json_add_str(rec, "event", "quota-hit");
	bf_json_add_str(rec, "verdict", "deny");
	bf_json_add_bool(rec, "enforced", e->flags & BF_EF_ENFORCED);
	q = json_object_new_object();
	bf_json_add_str(q, "name", use.name);
	bf_json_add_u64(q, "bytes_per_period", e->objs);
	bf_json_add_u64(q, "sent_this_period", e->apps);
	json_object_object_add(rec, "quota", q);
	if ((slash = strchr(use.name, '/'))) {
		*slash = '\0';
		bf_json_add_str(rec, "app", use.name);
		bf_json_add_str(rec, "dest_set", slash + 1);
		*slash = '/';	/* the log line names the whole pair */
	}
	/* Packets leave from softirq too: the pid is whoever the kernel was running. */
	bf_json_add_u64(rec, "pid", e->tgid);
	bf_json_add_str(rec, "reason", (e->flags & BF_EF_ENFORCED) ?
		"quota used up: what is sent past it is dropped until the period ends" :
		"quota used up (audit mode: nothing dropped)");
	bf_json_add_u64(rec, "policy_seq", e->policy_seq);
	agent_emit(ag, rec);
	log_warnx("export quota %s used up (%llu bytes per period)", use.name,
		  (unsigned long long)e->objs);
}

struct json_object *agent_quota_status(struct bf_agent *ag)
{
	const struct bf_tables *t = &ag->policy.cur->tables;
	struct json_object *arr = json_object_new_array();

	for (uint32_t id = 1; id <= BF_MAX_QUOTAS; id++) {
		struct bf_quota_use use;
		struct json_object *o;

		if (!t->quota_cfg[id].bytes || ag->kern->quota_use(&ag->ld, id, &use, NULL))
			continue;
		use.name[sizeof(use.name) - 1] = '\0';
		/* The kernel starts a new period at the next packet; until then the count is old. */
		if ((uint64_t)bf_now_ns(CLOCK_BOOTTIME) - use.period_start_ns >= t->quota_cfg[id].period_ns)
			use.bytes = 0;
		o = json_object_new_object();
		bf_json_add_str(o, "name", use.name);
		bf_json_add_u64(o, "bytes_per_period", t->quota_cfg[id].bytes);
		bf_json_add_u64(o, "period_s", t->quota_cfg[id].period_ns / 1000000000ull);
		bf_json_add_u64(o, "sent_this_period", use.bytes);
		bf_json_add_u64(o, "dropped", use.dropped);
		json_object_array_add(arr, o);
	}
	return arr;
}
