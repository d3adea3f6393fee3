/* agent_fixture.h - what every agent unit test stands on: a temp tree, a struct bf_agent with an audit log and a fake kernel, policies from text, records read back. */
#ifndef BF_AGENT_FIXTURE_H
#define BF_AGENT_FIXTURE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "agent.h"

#define BFF_MAX_TAINTS 32

/*
 * The kernel as the agent's modules see it through ag->kern and
 * ag->consent.ops: plain memory a test sets and reads. No BPF is loaded,
 * no map or pin is touched.
 */
struct bff_kern {
	uint64_t stats[BF_STAT_N];
	int stats_err;
	struct bf_active active;        /* what install last made active */
	int install_err;                /* install fails with this, if set */
	unsigned installs;
	struct { uint32_t tgid; struct bf_taint t; } taints[BFF_MAX_TAINTS];
	size_t n_taints;                /* taint() calls */
	uint32_t tainted[BFF_MAX_TAINTS];
	size_t n_tainted;               /* what tainted() reports */
	struct bf_quota_use quota[BF_MAX_QUOTAS + 1];
	bool log_failed;                /* the last set_log_failed */
	unsigned log_failed_calls;
	uint64_t lost_logged;
};

struct bff {
	char dir[64];                   /* /tmp/bf-agent-unit.XXXXXX, removed by bff_free */
	char log_path[PATH_MAX];        /* DIR/audit.log */
	struct bf_agent ag;             /* ag.scope.proc: DIR/proc; cgroup root and scope: DIR/cgroup */
	struct bff_kern kern;
};

/* A fresh fixture (fails the test if it cannot be made): the log is open, no policy yet. */
struct bff *bff_new(void);
/* Releases the agent's state and removes the temp tree. */
void bff_free(struct bff *f);
/* cmocka setup/teardown: *STATE is a struct bff from bff_new, freed by bff_teardown. */
int bff_setup(void **state);
int bff_teardown(void **state);

/* DIR/REL, in a static buffer of 4 rotating slots. */
const char *bff_path(struct bff *f, const char *rel);
/* Writes TEXT to DIR/REL, making parent directories. */
void bff_write(struct bff *f, const char *rel, const char *text);
/* DIR/REL made a symlink to TARGET (as is, relative or absolute), parents made. */
void bff_symlink(struct bff *f, const char *target, const char *rel);
void bff_mkdir(struct bff *f, const char *rel);

/*
 * A policy parsed from TEXT (BF_PARSE_NO_FS_CHECKS), resolved against the
 * fixture's cgroup root (host names: no answer, no DNS asked) and compiled
 * into slot 0, seq SEQ; not installed.
 * Fails the test on a parse or compile error.
 */
struct bf_loaded *bff_compile(struct bff *f, const char *text, uint32_t seq);
/* TEXT in force, installed through agent_install on the fake kernel. */
void bff_use_policy(struct bff *f, const char *text);

/* Every record in the audit log so far, as a JSON array (caller puts it). */
struct json_object *bff_records(struct bff *f);
size_t bff_count(struct bff *f);
/*
 * The last record whose top-level KEY is the string VALUE (caller puts),
 * or NULL. KEY may name a member of an object, "quota.name".
 */
struct json_object *bff_find(struct bff *f, const char *key, const char *value);
/* How many records have KEY == VALUE. */
size_t bff_count_where(struct bff *f, const char *key, const char *value);
/* The string at KEY ("a.b" for nested) of REC, or NULL (also for JSON null). */
const char *bff_str(struct json_object *rec, const char *key);
/* The integer at KEY of REC; fails the test if absent. */
int64_t bff_int(struct json_object *rec, const char *key);
bool bff_bool(struct json_object *rec, const char *key);

/* A fake process PID in DIR/proc: exe link, cgroup "0::CGROUP", status with NAME, UID, CAPEFF. */
void bff_proc(struct bff *f, uint32_t pid, const char *exe, const char *cgroup, const char *name,
	      uint32_t uid, uint64_t capeff);

#endif /* BF_AGENT_FIXTURE_H */
