/* resolve.h - turn policy names (exe paths, units, cgroups, users, device paths) into kernel identities. */
#ifndef BF_RESOLVE_H
#define BF_RESOLVE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "dns.h"
#include "policy/policy.h"

#define BF_REASON_MAX 160

struct bf_app_res {
	bool exe_ok;
	uint64_t exe_dev;       /* kernel encoding: major << 20 | minor */
	uint64_t exe_ino;
	char exe_digest[BF_SHA256_HEX]; /* of the file resolved, when pinned */
	uint64_t exe_size;      /* what the digest was taken of: reused while these hold */
	int64_t exe_mtime_ns;
	int64_t exe_ctime_ns;   /* any write moves ctime, even one that restores mtime */
	bool cgroup_ok;         /* unit or cgroup key resolved */
	uint64_t cgid;
	unsigned cg_level;      /* depth below the cgroup2 root (root is 0) */
	bool uid_ok;
	uint32_t uid;
	char why[BF_REASON_MAX]; /* why the app cannot match right now, "" if it can */
};

#define BF_CAM_MAX_KEYS 16

struct bf_cam_dev {
	uint32_t major;
	uint32_t minor;         /* BF_ANY_MINOR for a whole class */
};

struct bf_camera_res {
	struct bf_cam_dev keys[BF_CAM_MAX_KEYS];
	size_t n_keys;
	char why[BF_REASON_MAX]; /* what could not be resolved, "" if all */
};

/* What a dest's host names resolved to (its CIDRs are in the policy). */
struct bf_dest_res {
	struct bf_cidr *addrs;  /* one /128 per address (IPv4 as mapped /128) */
	size_t n_addrs;
	char why[BF_REASON_MAX]; /* "" or the names that failed, and why (old addresses kept) */
};

/* A template store's path, as it is now: found by stat (links followed). */
struct bf_store_res {
	bool ok;
	bool dir;
	uint64_t dev;           /* kernel encoding: major << 20 | minor */
	uint64_t ino;
	char why[BF_REASON_MAX]; /* why it is not guarded right now, "" if it is */
};

struct bf_resolved {
	struct bf_app_res *apps;        /* policy->n_apps */
	struct bf_store_res *stores;    /* policy->n_stores */
	struct bf_camera_res *cameras;  /* policy->n_cameras */
	struct bf_dest_res *dests;      /* bf_policy_n_nets: dests then cameras, or NULL before bf_resolve_hosts */
	size_t n_dests;
};

/* The answer for a host name: the agent's resolver (or a test's fake). False: none yet. */
typedef bool (*bf_host_lookup_fn)(void *ctx, const char *name, struct bf_dns_answer *a);

/*
 * Fill r->dests from the answers LOOKUP gives for each dest's and network camera's host names.
 * A name with no answer contributes no address and says so in why.
 */
int bf_resolve_hosts(const struct bf_policy *p, struct bf_resolved *r, bf_host_lookup_fn lookup,
		     void *ctx);

/* The cgroup2 mount point from /proc/mounts (e.g. /sys/fs/cgroup/unified). */
int bf_cgroup2_mount(char *buf, size_t len);
/* Cgroup id (directory inode) and depth of ABS, an absolute path inside the cgroup2 mount ROOT. */
int bf_cgroup_id(const char *root, const char *abs, uint64_t *cgid, unsigned *level);
/* Kernel dev_t encoding of a userspace st_dev, as the BPF side reads s_dev. */
uint64_t bf_kdev(dev_t dev);
/* Major number of a char driver named NAME in /proc/devices; -ENOENT if absent. */
int bf_char_major(const char *name, uint32_t *major);

/*
 * Resolve every app and camera of P against this host now. Unresolvable
 * keys are not errors (a unit may start later): they are explained in
 * why[] and the app or camera simply cannot match until a later pass.
 */
int bf_resolve(const struct bf_policy *p, const char *cgroup_root, struct bf_resolved *out);
/*
 * The same, reusing PREV's exe digests for files whose device, inode, size,
 * mtime and ctime have not changed, so resolving every second does not
 * re-read every pinned binary. PREV may be NULL.
 */
int bf_resolve_again(const struct bf_policy *p, const char *cgroup_root,
		     const struct bf_resolved *prev, struct bf_resolved *out);
/*
 * Resolve every camera of P into OUT (P->n_cameras of them): classes,
 * paths (stat, following links) and v4l2 identities, matched against the
 * nodes under SYSFS/class/video4linux (BF_SYSFS_ROOT on a host; a fake
 * tree in tests). A camera that is absent gets no key and a why.
 */
int bf_resolve_cameras(const struct bf_policy *p, const char *sysfs, struct bf_camera_res *out);
void bf_resolved_free(struct bf_resolved *r);
/* True if anything differs between two resolutions of the same policy. */
bool bf_resolved_differs(const struct bf_policy *p, const struct bf_resolved *a,
			 const struct bf_resolved *b);

#endif /* BF_RESOLVE_H */
