/* install.c - write compiled tables into the inactive slot and flip; detach pinned programs. */
#include <dirent.h>
#include <stddef.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "biofence.skel.h"
#include "bpf/loader.h"
#include "log.h"
#include "util.h"

typedef bool (*slot_test_fn)(const void *key, uint32_t slot);

static bool slot_first_u32(const void *key, uint32_t slot)
{
	uint32_t s;

	memcpy(&s, key, sizeof(s));
	return s == slot;
}

/* The port hash and the trie hold a slot's dest sets and, under BF_NETCAM_SLOT, its network cameras. */
static bool slot_port(const void *key, uint32_t slot)
{
	return slot_first_u32(key, slot) || slot_first_u32(key, BF_NETCAM_SLOT(slot));
}

static bool slot_dest(const void *key, uint32_t slot)
{
	const struct bf_dest_key *k = key;

	return k->prefixlen >= 32 && k->slot[0] == 0 && k->slot[1] == 0 && k->slot[2] == 0 &&
	       (k->slot[3] == slot || k->slot[3] == BF_NETCAM_SLOT(slot));
}

/*
 * Collect first, delete after: deleting while walking with get_next_key
 * can restart the walk on hash maps.
 */
static int clear_slot(int fd, size_t key_size, uint32_t slot, slot_test_fn in_slot)
{
	size_t n = 0, cap = 0;
	char *keys = NULL, *next = calloc(1, key_size), *prev = NULL;
	int err = 0;

	if (!next)
		return -ENOMEM;
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		if (in_slot(next, slot)) {
			if (n == cap) {
				char *nk = realloc(keys, (cap = cap ? cap * 2 : 64) * key_size);

				if (!nk) {
					err = -ENOMEM;
					goto out;
				}
				keys = nk;
			}
			memcpy(keys + n++ * key_size, next, key_size);
		}
		if (!prev && !(prev = malloc(key_size))) {
			err = -ENOMEM;
			goto out;
		}
		memcpy(prev, next, key_size);
	}
	for (size_t i = 0; i < n; i++)
		if (bpf_map_delete_elem(fd, keys + i * key_size) < 0 && errno != ENOENT)
			err = -errno;
out:
	free(keys);
	free(next);
	free(prev);
	return err;
}

/* The value sits at VAL_OFF, after the key's tail padding, not right after the key. */
static int put_all(int fd, const void *kvs, size_t n, size_t kv_size, size_t val_off)
{
	const char *p = kvs;

	for (size_t i = 0; i < n; i++, p += kv_size)
		if (bpf_map_update_elem(fd, p, p + val_off, BPF_ANY) < 0)
			return -errno;
	return 0;
}

#define FILL(map, vec, keytype, test)                                                      \
	(clear_slot(bpf_map__fd(map), sizeof(keytype), t->slot, test) ?:                   \
	 put_all(bpf_map__fd(map), (vec).v, (vec).n, sizeof(*(vec).v),                    \
		 offsetof(__typeof__(*(vec).v), v)))

static int put_rules(struct bpf_map *map, uint32_t slot, const struct bf_rule *rules, uint32_t n)
{
	for (uint32_t i = 0; i < BF_MAX_RULES; i++) {
		uint32_t key = slot * BF_MAX_RULES + i;
		struct bf_rule zero = {};

		if (bpf_map_update_elem(bpf_map__fd(map), &key, i < n ? &rules[i] : &zero, BPF_ANY) < 0)
			return -errno;
	}
	return 0;
}

static int put_quotas(struct bpf_map *map, const struct bf_tables *t)
{
	for (uint32_t id = 0; id <= BF_MAX_QUOTAS; id++) {
		uint32_t key = t->slot * (BF_MAX_QUOTAS + 1) + id;

		if (bpf_map_update_elem(bpf_map__fd(map), &key, &t->quota_cfg[id], BPF_ANY) < 0)
			return -errno;
	}
	return 0;
}

static int put_windows(struct bpf_map *map, const struct bf_tables *t)
{
	int fd = bpf_map__fd(map), err = clear_slot(fd, sizeof(struct bf_window_key), t->slot,
						     slot_first_u32);

	for (uint32_t a = 0; a < BF_MAX_APPS && !err; a++) {
		struct bf_window_key k = { .slot = t->slot, .app = a };

		if (!(t->window_apps & (1ull << a)) || !t->windows)
			continue;
		if (bpf_map_update_elem(fd, &k, &t->windows[a], BPF_ANY) < 0)
			err = -errno;
	}
	return err;
}

/* The slot's template stores: the set the programs read, and the inodes their walk looks up. */
static int put_stores(struct bf_loader *l, const struct bf_tables *t)
{
	int fd = bpf_map__fd(l->skel->maps.bf_store_inodes);
	int err = clear_slot(fd, sizeof(struct bf_store_key), t->slot, slot_first_u32);

	for (__u32 i = 0; i < t->stores.n && !err; i++) {
		struct bf_store_key k = { .slot = t->slot, .dev = t->stores.s[i].dev,
					  .ino = t->stores.s[i].ino };

		if (bpf_map_update_elem(fd, &k, &i, BPF_ANY) < 0)
			err = -errno;
	}
	if (!err && bpf_map_update_elem(bpf_map__fd(l->skel->maps.bf_stores), &t->slot, &t->stores,
					BPF_ANY) < 0)
		err = -errno;
	return err;
}

int bf_loader_install(struct bf_loader *l, const struct bf_tables *t)
{
	struct bf_active a = { .slot = t->slot, .policy_seq = t->cfg.policy_seq };
	struct biofence_bpf *s = l->skel;
	__u32 zero = 0, slot = t->slot;
	int err;

	err = FILL(s->maps.bf_exe, t->exe, struct bf_exe_key, slot_first_u32);
	err = err ?: FILL(s->maps.bf_cgrp, t->cgrp, struct bf_cgrp_key, slot_first_u32);
	err = err ?: FILL(s->maps.bf_uid, t->uid, struct bf_uid_key, slot_first_u32);
	err = err ?: FILL(s->maps.bf_cam, t->cam, struct bf_cam_key, slot_first_u32);
	err = err ?: FILL(s->maps.bf_port, t->port, struct bf_port_key, slot_port);
	err = err ?: FILL(s->maps.bf_dest, t->dest, struct bf_dest_key, slot_dest);
	err = err ?: put_rules(s->maps.bf_capture_rules, slot, t->capture, t->cfg.n_capture);
	err = err ?: put_rules(s->maps.bf_export_rules, slot, t->export, t->cfg.n_export);
	err = err ?: FILL(s->maps.bf_unix, t->unix_addrs, struct bf_unix_key, slot_first_u32);
	err = err ?: put_rules(s->maps.bf_ipc_rules, slot, t->ipc, t->cfg.n_ipc);
	err = err ?: put_windows(s->maps.bf_windows, t);
	err = err ?: put_quotas(s->maps.bf_quota_cfg, t);
	err = err ?: put_stores(l, t);
	if (!err && bpf_map_update_elem(bpf_map__fd(s->maps.bf_slots), &slot, &t->cfg, BPF_ANY) < 0)
		err = -errno;
	if (err)
		return err;	/* the active slot was never touched: the old policy stays */
	if (bpf_map_update_elem(bpf_map__fd(s->maps.bf_active), &zero, &a, BPF_ANY) < 0)
		return -errno;
	return 0;
}

int bf_loader_window_put(struct bf_loader *l, uint32_t slot, uint32_t app,
			 const struct bf_window_set *w)
{
	struct bf_window_key k = { .slot = slot, .app = app };
	int fd = bpf_map__fd(l->skel->maps.bf_windows);

	if (!w)
		return bpf_map_delete_elem(fd, &k) < 0 && errno != ENOENT ? -errno : 0;
	/* A hash update swaps the whole value in: no program sees half of it. */
	return bpf_map_update_elem(fd, &k, w, BPF_ANY) < 0 ? -errno : 0;
}

int bf_loader_window_info_put(struct bf_loader *l, const struct bf_window_info *wi)
{
	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.bf_window_info), &wi->id, wi, BPF_ANY) < 0)
		return -errno;
	return 0;
}

int bf_loader_window_info_del(struct bf_loader *l, uint32_t id)
{
	if (bpf_map_delete_elem(bpf_map__fd(l->skel->maps.bf_window_info), &id) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int bf_loader_window_info_all(struct bf_loader *l, struct bf_window_info **out, size_t *n)
{
	int fd = bpf_map__fd(l->skel->maps.bf_window_info);
	struct bf_window_info *all = calloc(BF_MAX_WINDOWS, sizeof(*all));
	__u32 key, *prev = NULL;

	*out = NULL;
	*n = 0;
	if (!all)
		return -ENOMEM;
	/* Read-only walk: nothing is deleted under it. */
	while (*n < BF_MAX_WINDOWS && bpf_map_get_next_key(fd, prev, &key) == 0) {
		if (bpf_map_lookup_elem(fd, &key, &all[*n]) == 0)
			(*n)++;
		prev = &key;
	}
	*out = all;
	return 0;
}

int bf_loader_window_next(struct bf_loader *l, uint32_t *id)
{
	int fd = bpf_map__fd(l->skel->maps.bf_window_next);
	__u32 zero = 0;
	__u64 next = 0;

	if (bpf_map_lookup_elem(fd, &zero, &next) < 0)
		return -errno;
	next = next ? next : 1;	/* 0 means "no window" in events */
	if (next > UINT32_MAX)
		return -EOVERFLOW;
	*id = (uint32_t)next++;
	if (bpf_map_update_elem(fd, &zero, &next, BPF_ANY) < 0)
		return -errno;
	return 0;
}

static int for_each_pin(const char *dir, int (*fn)(const char *path, void *ctx), void *ctx)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);
	int err = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (bf_pathf(path, sizeof(path), "%s/%s", dir, de->d_name))
			continue;
		err = fn(path, ctx) ?: err;
	}
	closedir(d);
	return err;
}

/* Records the program behind the link at PATH, detaches it and removes the pin. */
static int detach_one(const char *path, void *ctx)
{
	struct bf_detached *d = ctx;
	int fd = bpf_obj_get(path), err = 0;

	if (fd >= 0) {
		struct bpf_link_info info = {};
		__u32 len = sizeof(info);

		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.prog_id &&
		    d->n_progs < BF_N_LINKS)
			d->prog_ids[d->n_progs++] = info.prog_id;
		/* Detach explicitly: an agent still holding the link fd would keep it alive. */
		/* Tracing links cannot be detached by fd; dropping the pin below ends them. */
		if (bpf_link_detach(fd) < 0 && errno != EINVAL && errno != EOPNOTSUPP)
			err = -errno;
		close(fd);
		d->n_links++;
	}
	if (unlink(path) < 0 && errno != ENOENT)
		err = -errno;
	return err;
}

static int unlink_one(const char *path, void *ctx)
{
	return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
}

int bf_detach_pinned(const char *pin_dir, struct bf_detached *d)
{
	char sub[PATH_MAX];
	int err;

	memset(d, 0, sizeof(*d));
	if (bf_pathf(sub, sizeof(sub), "%s/links", pin_dir))
		return -ENAMETOOLONG;
	err = for_each_pin(sub, detach_one, d);
	rmdir(sub);
	if (bf_pathf(sub, sizeof(sub), "%s/maps", pin_dir))
		return -ENAMETOOLONG;
	err = for_each_pin(sub, unlink_one, NULL) ?: err;
	rmdir(sub);
	/*
	 * A confined agent cannot remove the directory itself: its parent is
	 * read-only to it, and it is a mount point in the agent's namespace.
	 * It is empty, which is what stops enforcement; the CLI removes it.
	 */
	if (rmdir(pin_dir) < 0 && errno != ENOENT && errno != EROFS && errno != EBUSY && !err)
		err = -errno;
	return err;
}

/*
 * Removing a pin does not stop its program at once: since 6.9 the kernel
 * frees a bpffs inode after an RCU grace period and puts the link from a
 * work item, and the link's id is gone before its program is unhooked.
 * A program's id goes only after that, so enforcement has stopped when
 * none of D's programs can be found by id. 0 then, -ETIMEDOUT after
 * TIMEOUT_MS (*LEFT says how many still run).
 */
int bf_detached_wait(const struct bf_detached *d, int timeout_ms, int *left)
{
	for (int waited = 0;; waited += 50) {
		*left = 0;
		for (int i = 0; i < d->n_progs; i++) {
			int fd = bpf_prog_get_fd_by_id(d->prog_ids[i]);

			/* Anything but ENOENT (self-protection's EPERM too) means it is still there. */
			if (fd >= 0 || errno != ENOENT)
				(*left)++;
			if (fd >= 0)
				close(fd);
		}
		if (*left == 0)
			return 0;
		if (waited >= timeout_ms)
			return -ETIMEDOUT;
		usleep(50 * 1000);
	}
}

static int count_one(const char *path, void *ctx)
{
	(*(int *)ctx)++;
	return 0;
}

bool bf_pinned_links_present(const char *pin_dir)
{
	char sub[PATH_MAX];
	int n = 0;

	if (bf_pathf(sub, sizeof(sub), "%s/links", pin_dir))
		return false;
	for_each_pin(sub, count_one, &n);
	return n > 0;
}
