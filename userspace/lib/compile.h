/* compile.h - flatten a resolved policy into the slot tables the BPF programs evaluate. */
#ifndef BF_COMPILE_H
#define BF_COMPILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "biofence.h"
#include "policy/policy.h"
#include "resolve.h"

struct bf_kv_exe { struct bf_exe_key k; struct bf_mask v; };
struct bf_kv_cgrp { struct bf_cgrp_key k; struct bf_mask v; };
struct bf_kv_uid { struct bf_uid_key k; struct bf_mask v; };
struct bf_kv_cam { struct bf_cam_key k; struct bf_mask v; };
struct bf_kv_port { struct bf_port_key k; struct bf_mask v; };
struct bf_kv_dest { struct bf_dest_key k; struct bf_mask v; };
struct bf_kv_unix { struct bf_unix_key k; struct bf_mask v; };

/* Growable arrays of map entries, keys already carrying the target slot. */
#define BF_VEC(T) struct { T *v; size_t n, cap; }

struct bf_tables {
	uint32_t slot;
	struct bf_slot_config cfg;
	struct bf_rule capture[BF_MAX_RULES];
	struct bf_rule export[BF_MAX_RULES];
	struct bf_rule ipc[BF_MAX_RULES];
	int capture_ast[BF_MAX_RULES];  /* index of each rule in policy->rules */
	int export_ast[BF_MAX_RULES];
	int ipc_ast[BF_MAX_RULES];
	/* Export quotas: the agent gives ids (export[i].quota) and fills quota_cfg[id]. */
	struct bf_quota_cfg export_quota[BF_MAX_RULES];
	struct bf_quota_cfg quota_cfg[BF_MAX_QUOTAS + 1];
	BF_VEC(struct bf_kv_exe) exe;
	BF_VEC(struct bf_kv_cgrp) cgrp;
	BF_VEC(struct bf_kv_uid) uid;
	BF_VEC(struct bf_kv_cam) cam;
	BF_VEC(struct bf_kv_port) port;
	BF_VEC(struct bf_kv_dest) dest;
	BF_VEC(struct bf_kv_unix) unix_addrs;
	/* Template stores (bf_stores[slot]); store_ast[i]: the first template-store line of s[i]. */
	struct bf_store_set stores;
	int store_ast[BF_MAX_STORES];
	/* Capture windows for this slot: windows[a] for each app bit a in window_apps. */
	struct bf_window_set *windows;  /* BF_MAX_APPS of them, or NULL: none */
	uint64_t window_apps;
};

/*
 * Build the tables for SLOT. Fails with -E2BIG (and a message in ERR) when
 * the policy exceeds a kernel table limit; resolution gaps are not errors.
 */
int bf_compile(const struct bf_policy *p, const struct bf_resolved *r, uint32_t slot,
	       uint32_t policy_seq, struct bf_tables *t, char *err, size_t errlen);
void bf_tables_free(struct bf_tables *t);

/* The id a consent rule's PURPOSE compiles to (1..), 0 if no consent rule has it. */
uint16_t bf_purpose_id(const struct bf_policy *p, const char *purpose);

/*
 * The same decisions the BPF programs make, over the compiled tables, for
 * tests and for explaining a decision. cgids[i] is the ancestor cgroup id
 * at depth i (0 = root), n_cgids of them.
 */
uint64_t bf_eval_apps(const struct bf_tables *t, uint64_t exe_dev, uint64_t exe_ino, uint32_t uid,
		      const uint64_t *cgids, size_t n_cgids);
uint64_t bf_eval_cameras(const struct bf_tables *t, uint32_t major, uint32_t minor);
/* The unix address mask of ADDR (LEN bytes as in sun_path, abstract ones with their NUL). */
uint64_t bf_eval_unix(const struct bf_tables *t, const uint8_t *addr, uint32_t len);
uint64_t bf_eval_dest_sets(const struct bf_tables *t, const uint8_t addr[16], uint16_t port,
			   uint8_t ipproto);
/* The network cameras ADDR:PORT/IPPROTO is (a connect or send there is a capture). */
uint64_t bf_eval_net_cameras(const struct bf_tables *t, const uint8_t addr[16], uint16_t port,
			     uint8_t ipproto);
bool bf_rule_matches(const struct bf_rule *r, uint64_t apps, uint64_t objs);
/*
 * The deciding rule: the first match that is not an "audit" trial, or
 * BF_RULE_DEFAULT; *flags gets its BF_RF_* (0, deny, for the default).
 */
uint32_t bf_eval_rules(const struct bf_rule *rules, uint32_t n, uint64_t apps, uint64_t objs,
		       uint32_t *flags);
/* The first matching audit trial before the deciding rule, or BF_RULE_DEFAULT. */
uint32_t bf_eval_audit_rule(const struct bf_rule *rules, uint32_t n, uint64_t apps, uint64_t objs,
			    uint32_t *flags);

#endif /* BF_COMPILE_H */
