/* maps.bpf.h - the maps every biofence program and the agent share, and their accessors. */
#ifndef BF_MAPS_BPF_H
#define BF_MAPS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "biofence.h"

/*
 * Each hook family is compiled on its own and the objects are linked into
 * one (bpftool gen object): what every family includes from here is
 * defined weak, so the linker keeps one of each and the agent sees one
 * object, one skeleton, one set of maps.
 */
char LICENSE[] SEC("license") __weak = "GPL";

/*
 * Every map is pinned by name under the agent's pin dir, so a restarted
 * agent reuses the tables, the taint set and any events still queued.
 */
#define BF_PINNED __uint(pinning, LIBBPF_PIN_BY_NAME)

/* A pinned map of N entries, KEY -> VALUE: the shape of nearly every table here. */
#define BF_MAP(TYPE, N, KEY, VALUE)		\
	struct {				\
		__uint(type, TYPE);		\
		__uint(max_entries, N);		\
		__type(key, KEY);		\
		__type(value, VALUE);		\
		BF_PINNED;			\
	}
#define BF_SHARED SEC(".maps") __weak

/* Which slot is in force; the two slots' configurations (see include/biofence.h). */
BF_MAP(BPF_MAP_TYPE_ARRAY, 1, __u32, struct bf_active) bf_active BF_SHARED;
BF_MAP(BPF_MAP_TYPE_ARRAY, BF_SLOTS, __u32, struct bf_slot_config) bf_slots BF_SHARED;

/* The compiled rules, BF_MAX_RULES per slot, one table per rule kind. */
typedef BF_MAP(BPF_MAP_TYPE_ARRAY, BF_SLOTS * BF_MAX_RULES, __u32, struct bf_rule) bf_rule_map;
bf_rule_map bf_capture_rules BF_SHARED;
bf_rule_map bf_export_rules BF_SHARED;
bf_rule_map bf_ipc_rules BF_SHARED;

/* Keys to the sets of apps and objects they stand for. */
BF_MAP(BPF_MAP_TYPE_HASH, BF_SLOTS * 64, struct bf_unix_key, struct bf_mask) bf_unix BF_SHARED;
BF_MAP(BPF_MAP_TYPE_HASH, BF_SLOTS * BF_MAX_EXES, struct bf_exe_key, struct bf_mask) bf_exe BF_SHARED;
BF_MAP(BPF_MAP_TYPE_HASH, BF_SLOTS * BF_MAX_CGROUPS, struct bf_cgrp_key, struct bf_mask) bf_cgrp BF_SHARED;
BF_MAP(BPF_MAP_TYPE_HASH, BF_SLOTS * BF_MAX_UIDS, struct bf_uid_key, struct bf_mask) bf_uid BF_SHARED;
BF_MAP(BPF_MAP_TYPE_HASH, BF_SLOTS * BF_MAX_CAM_KEYS, struct bf_cam_key, struct bf_mask) bf_cam BF_SHARED;
BF_MAP(BPF_MAP_TYPE_HASH, BF_SLOTS * BF_MAX_PORT_KEYS, struct bf_port_key, struct bf_mask) bf_port BF_SHARED;

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, BF_SLOTS * BF_MAX_DEST_KEYS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct bf_dest_key);
	__type(value, struct bf_mask);
	BF_PINNED;
} bf_dest BF_SHARED;

/*
 * Keyed by tgid. Not LRU: evicting an entry would silently untaint a
 * process. When the table is full the camera open is refused instead
 * (fail closed).
 */
BF_MAP(BPF_MAP_TYPE_HASH, BF_MAX_TAINTED, __u32, struct bf_taint) bf_taint BF_SHARED;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);	/* the agent may resize before load */
	BF_PINNED;
} bf_events BF_SHARED;

BF_MAP(BPF_MAP_TYPE_PERCPU_ARRAY, 1, __u32, struct bf_stats) bf_stats BF_SHARED;
BF_MAP(BPF_MAP_TYPE_ARRAY, 1, __u32, struct bf_runtime) bf_runtime BF_SHARED;

/* See struct bf_sk_quota. Pinned: a restarted agent's programs still know which sockets count. */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct bf_sk_quota);
	BF_PINNED;
} bf_sk_quota BF_SHARED;

BF_MAP(BPF_MAP_TYPE_ARRAY, BF_SLOTS * (BF_MAX_QUOTAS + 1), __u32, struct bf_quota_cfg) bf_quota_cfg BF_SHARED;
BF_MAP(BPF_MAP_TYPE_ARRAY, BF_MAX_QUOTAS + 1, __u32, struct bf_quota_use) bf_quota_use BF_SHARED;

/* Written by the agent only; see struct bf_window_set. */
BF_MAP(BPF_MAP_TYPE_HASH, BF_SLOTS * BF_MAX_APPS, struct bf_window_key, struct bf_window_set) bf_windows BF_SHARED;

/* Never read by the programs: the agent's windows (by id), kept across its restarts. */
BF_MAP(BPF_MAP_TYPE_HASH, BF_MAX_WINDOWS, __u32, struct bf_window_info) bf_window_info BF_SHARED;

/* Never read by the programs: the next window id, so ids stay unique across agent restarts. */
BF_MAP(BPF_MAP_TYPE_ARRAY, 1, __u32, __u64) bf_window_next BF_SHARED;

/*
 * Written by the agent only: how many lost events it has already logged,
 * so a restarted agent reports the rest and not the same ones twice.
 */
BF_MAP(BPF_MAP_TYPE_ARRAY, 1, __u32, __u64) bf_lost_logged BF_SHARED;

static __always_inline void bf_count(enum bf_stat which)
{
	__u32 zero = 0;
	struct bf_stats *s = bpf_map_lookup_elem(&bf_stats, &zero);

	if (s && which < BF_STAT_N)
		__sync_fetch_and_add(&s->n[which], 1);
}

/* Both lookups are of fixed-size arrays, so they cannot fail for index 0..1. */
static __always_inline const struct bf_slot_config *bf_config(__u32 *slot, __u32 *seq)
{
	__u32 zero = 0;
	struct bf_active *a = bpf_map_lookup_elem(&bf_active, &zero);

	if (!a)
		return 0;
	*slot = a->slot & 1;
	*seq = a->policy_seq;
	return bpf_map_lookup_elem(&bf_slots, slot);
}

static __always_inline __u64 bf_lookup_mask(void *map, const void *key)
{
	struct bf_mask *m = bpf_map_lookup_elem(map, key);

	return m ? m->mask : 0;
}

#endif /* BF_MAPS_BPF_H */
