/* loader.h - load, pin, attach and adopt the biofence BPF programs; write tables; read counters. */
#ifndef BF_LOADER_H
#define BF_LOADER_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "biofence.h"
#include "compile.h"

struct biofence_bpf;

/* Every program of the object fits, with room: a program past it fails the attach, loudly. */
#define BF_N_LINKS 64

struct bf_loader {
	struct biofence_bpf *skel;
	char pin_dir[PATH_MAX];
	int cgroup_fd;
	int lock_fd;            /* flock on the pin dir: one agent per pin dir */
	int link_fds[BF_N_LINKS];
	bool adopted;           /* links were already pinned: we replaced their programs */
	bool maps_reused;       /* tables, taint and queued events survived from before */
	bool unix_hooks;        /* cgroup/connect_unix and sendmsg_unix exist (kernel 6.7+) */
	bool lsm;               /* the LSM families (bpf/lsm_*.bpf.c) are loaded and attached */
	char lsm_why[160];      /* why it is or is not, for status and the log */
	bool protect;           /* self-protection (bpf/protect.bpf.c) is in force */
	char protect_why[256];  /* what it covers, or why it is not in force */
	uint32_t ringbuf_size;
};

/* 0 if BPF LSM programs load and attach on this kernel, else -errno; WHY says which, in words. */
int bf_lsm_probe(char *why, size_t len);
/* Make sure DIR's bpffs exists (mounting /sys/fs/bpf if nothing is there yet). */
int bf_bpffs_prepare(const char *pin_dir);
/* The cgroup the agent guards, as the LSM programs test for it: its id and depth below the root. */
struct bf_scope_id {
	uint64_t cgid;
	uint32_t level;
};
/* CGROUP's id and depth below ROOT, the cgroup2 mount it is under. 0 or -errno. */
int bf_scope_id_of(const char *root, const char *cgroup, struct bf_scope_id *out);
/*
 * Open and load, reusing maps pinned under PIN_DIR/maps. RINGBUF_SIZE 0
 * keeps the default (or the pinned size). SCOPE: what the LSM programs,
 * which run for every process, judge (the cgroup programs are attached there).
 */
int bf_loader_load(struct bf_loader *l, const char *pin_dir, uint32_t ringbuf_size,
		   const struct bf_scope_id *scope);
/* Attach to CGROUP_PATH, or atomically swap our programs into pinned links. */
int bf_loader_attach(struct bf_loader *l, const char *cgroup_path);
/* Close our handles; pinned links and maps stay and keep enforcing. */
void bf_loader_close(struct bf_loader *l);

/* The tables currently in force (from bf_active). */
int bf_loader_active(struct bf_loader *l, struct bf_active *a);
/* Fill T's slot (clearing what was there), then make it the active slot. */
int bf_loader_install(struct bf_loader *l, const struct bf_tables *t);
/* Sum of the per-CPU counters. */
int bf_loader_stats(struct bf_loader *l, uint64_t out[BF_STAT_N]);
/* Mark TGID tainted (a process that held a camera before we started). */
int bf_loader_taint(struct bf_loader *l, uint32_t tgid, const struct bf_taint *t);
/* Tainted processes whose taint started with ORIGIN's camera open (ORIGIN itself included). */
int bf_loader_taint_from(struct bf_loader *l, uint32_t origin, uint32_t *tgids, size_t max,
			 size_t *n);
/* A quota's counters and name (bf_quota_use[id]); SET writes the whole entry. */
int bf_loader_quota_use(struct bf_loader *l, uint32_t id, struct bf_quota_use *get,
			const struct bf_quota_use *set);
/* Tell the programs whether the audit log can be written (policies may refuse captures). */
int bf_loader_set_log_failed(struct bf_loader *l, bool failed);
/* Every tainted process (up to MAX). */
int bf_loader_tainted(struct bf_loader *l, uint32_t *tgids, size_t max, size_t *n);
int bf_loader_ringbuf_fd(struct bf_loader *l);
/* Lost events already logged (survives agent restarts); GET and/or SET may be NULL. */
int bf_loader_lost_logged(struct bf_loader *l, uint64_t *get, const uint64_t *set);

/* Capture windows of SLOT for app bit APP (bf_windows); W NULL deletes the entry. */
int bf_loader_window_put(struct bf_loader *l, uint32_t slot, uint32_t app,
			 const struct bf_window_set *w);
/* The agent's window records, kept in a pinned map across its restarts. */
int bf_loader_window_info_put(struct bf_loader *l, const struct bf_window_info *wi);
int bf_loader_window_info_del(struct bf_loader *l, uint32_t id);
/* Every record (*OUT is the caller's, BF_MAX_WINDOWS long). */
int bf_loader_window_info_all(struct bf_loader *l, struct bf_window_info **out, size_t *n);
/* A window id never handed out before, also by an earlier agent on these pins. */
int bf_loader_window_next(struct bf_loader *l, uint32_t *id);

/*
 * Self-protection (userspace/lib/bpf/protect.c). Before attach: tell the
 * protect programs who the agent is (this process, its executable), where
 * its pins are and which maps and programs are its; ON false leaves every
 * hook open (--no-protect). After attach: add the links. 0 or -errno.
 */
int bf_protect_prepare(struct bf_loader *l, bool on);
int bf_protect_links(struct bf_loader *l);
/*
 * Let the executable at PATH take over the pins too (a new package
 * version about to be started): it must be a root-owned regular file no
 * one else may write. *DEV and *INO say which. 0, -EPERM or -errno.
 */
int bf_protect_trust(struct bf_loader *l, const char *path, uint64_t *dev, uint64_t *ino);
/* flock PIN_DIR as an agent does, so no agent runs on it while *FD is open. 0, -EBUSY or -errno. */
int bf_pin_dir_lock(const char *pin_dir, int *fd);

/* What bf_detach_pinned took down: its links, and the programs they ran. */
struct bf_detached {
	int n_links;
	int n_progs;
	__u32 prog_ids[BF_N_LINKS];
};

/* Detach every pinned link under PIN_DIR and remove the pins; bf_detached_wait then says when enforcement stopped. */
int bf_detach_pinned(const char *pin_dir, struct bf_detached *d);
/* Wait up to TIMEOUT_MS until none of D's programs runs: 0, or -ETIMEDOUT with *LEFT still there. */
int bf_detached_wait(const struct bf_detached *d, int timeout_ms, int *left);
#define BF_DETACH_WAIT_MS 15000
/* True if PIN_DIR holds pinned links (something is enforcing). */
bool bf_pinned_links_present(const char *pin_dir);

#endif /* BF_LOADER_H */
