/* loader.c - skeleton lifecycle: load with pinned maps, attach or adopt pinned links, swap tables. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>

#include "biofence.skel.h"
#include "lsm_probe.skel.h"
#include "bpf/loader.h"
#include "log.h"
#include "util.h"

#define BF_BPFFS_DEFAULT "/sys/fs/bpf"

/* The deepest existing ancestor of PATH decides which filesystem the pins land on. */
static int existing_ancestor(const char *path, char *out, size_t len)
{
	struct stat st;
	char *slash;

	if (snprintf(out, len, "%s", path) >= (int)len)
		return -ENAMETOOLONG;
	while (stat(out, &st) < 0) {
		slash = strrchr(out, '/');
		if (!slash || slash == out) {
			snprintf(out, len, "/");
			break;
		}
		*slash = '\0';
	}
	return 0;
}

int bf_bpffs_prepare(const char *pin_dir)
{
	char anc[PATH_MAX];
	struct statfs sfs;
	int err;

	err = existing_ancestor(pin_dir, anc, sizeof(anc));
	if (err)
		return err;
	if (statfs(anc, &sfs) < 0)
		return -errno;
	if (sfs.f_type != BPF_FS_MAGIC) {
		/* Only the standard location is mounted for the user, as systemd does. */
		if (strcmp(anc, BF_BPFFS_DEFAULT) != 0) {
			log_warnx("%s is not on a bpf filesystem", pin_dir);
			return -ENOTSUP;
		}
		if (mount("bpf", BF_BPFFS_DEFAULT, "bpf", 0, "mode=0700") < 0) {
			log_warn("mount bpffs on %s", BF_BPFFS_DEFAULT);
			return -errno;
		}
		log_info("mounted bpffs on %s", BF_BPFFS_DEFAULT);
	}
	return bf_mkdir_all(pin_dir, 0700);
}

static int pin_path(char *buf, size_t len, const char *pin_dir, const char *sub, const char *name)
{
	return bf_pathf(buf, len, "%s/%s/%s", pin_dir, sub, name);
}

/* The kernel's encoding of a device number (MINORBITS 20), as struct super_block has it. */
static __u32 kernel_dev(dev_t dev)
{
	return (__u32)(major(dev) << 20 | minor(dev));
}

/*
 * Where shared memory lives, for the LSM programs: the kernel's own shm
 * mount (every memfd and SysV segment; a memfd made here shows which) and
 * /dev/shm when it is a tmpfs. 0 for one that is not found.
 */
static void shm_devs(__u32 devs[2])
{
	struct statfs sfs;
	struct stat st;
	int fd = memfd_create("biofence-shm-probe", MFD_CLOEXEC);

	devs[0] = devs[1] = 0;
	if (fd >= 0 && fstat(fd, &st) == 0)
		devs[0] = kernel_dev(st.st_dev);
	if (fd >= 0)
		close(fd);
	if (statfs("/dev/shm", &sfs) == 0 && sfs.f_type == TMPFS_MAGIC && stat("/dev/shm", &st) == 0)
		devs[1] = kernel_dev(st.st_dev);
}

/* A pinned map keeps its size; ask for the same so libbpf accepts it for reuse. */
static int match_pinned_sizes(struct bf_loader *l, bool *reused)
{
	struct bpf_map *map;
	char path[PATH_MAX];

	*reused = false;
	bpf_object__for_each_map(map, l->skel->obj) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		int fd;

		if (pin_path(path, sizeof(path), l->pin_dir, "maps", bpf_map__name(map)))
			return -ENAMETOOLONG;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		*reused = true;
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
		    info.type == bpf_map__type(map))
			bpf_map__set_max_entries(map, info.max_entries);
		close(fd);
	}
	return 0;
}

/*
 * Two agents on one pin dir would split the events between two logs and
 * fight over the tables; the second one is refused instead.
 */
int bf_pin_dir_lock(const char *pin_dir, int *fd)
{
	*fd = open(pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0)
		return -errno;
	if (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		int err = -errno;

		return err == -EWOULDBLOCK ? -EBUSY : err;
	}
	return 0;
}

static int lock_pin_dir(struct bf_loader *l)
{
	int err = bf_pin_dir_lock(l->pin_dir, &l->lock_fd);

	if (err == -EBUSY)
		log_warnx("another biofenced is already using %s", l->pin_dir);
	return err;
}

/* Not in Debian 12's UAPI headers: the kernel's values (6.7 and later). */
#define BF_CGROUP_UNIX_CONNECT 49
#define BF_CGROUP_UNIX_SENDMSG 50

/* Does this kernel have the unix-socket cgroup hooks? A two-instruction program tells. */
static bool probe_unix_hooks(void)
{
	struct bpf_insn ret1[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BF_CGROUP_UNIX_CONNECT);
	int fd = bpf_prog_load(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, NULL, "GPL", ret1, 2, &opts);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* ipc rules need the unix hooks; without them the programs stay out and status says so. */
static void setup_unix_hooks(struct bf_loader *l)
{
	struct biofence_bpf *s = l->skel;

	l->unix_hooks = probe_unix_hooks();
	if (l->unix_hooks) {
		bpf_program__set_expected_attach_type(s->progs.bf_connect_unix, BF_CGROUP_UNIX_CONNECT);
		bpf_program__set_expected_attach_type(s->progs.bf_sendmsg_unix, BF_CGROUP_UNIX_SENDMSG);
		return;
	}
	bpf_program__set_autoload(s->progs.bf_connect_unix, false);
	bpf_program__set_autoload(s->progs.bf_sendmsg_unix, false);
}

int bf_scope_id_of(const char *root, const char *cgroup, struct bf_scope_id *out)
{
	const char *rel = cgroup + strlen(root);
	struct stat st;

	if (strncmp(cgroup, root, strlen(root)) != 0 || (*rel && *rel != '/'))
		return -EINVAL;
	if (stat(cgroup, &st) < 0)
		return -errno;
	out->cgid = st.st_ino;		/* a cgroup2 directory's inode number is its cgroup id */
	out->level = 0;
	for (; *rel; rel++)
		if (*rel == '/' && rel[1] && rel[1] != '/')
			out->level++;
	return 0;
}

int bf_lsm_probe(char *why, size_t len)
{
	libbpf_print_fn_t old = libbpf_set_print(NULL);
	struct lsm_probe_bpf *skel = lsm_probe_bpf__open();
	int err = skel ? lsm_probe_bpf__load(skel) : -errno;

	if (err) {
		snprintf(why, len, "loading a BPF LSM program failed: %s", strerror(-err));
	} else if (lsm_probe_bpf__attach(skel) != 0) {
		err = -errno;
		snprintf(why, len, "attaching a BPF LSM program failed: %s (is \"bpf\" in lsm=?)",
			 strerror(-err));
	} else {
		snprintf(why, len, "BPF LSM programs load and attach here");
	}
	lsm_probe_bpf__destroy(skel);
	libbpf_set_print(old);
	return err;
}

/* The LSM family loads only where the probe said it can; the cgroup programs and the scan cover the rest. */
static void setup_lsm(struct bf_loader *l, bool want)
{
	struct bpf_program *prog;

	l->lsm = want;
	bpf_object__for_each_program(prog, l->skel->obj)
		if (bpf_program__type(prog) == BPF_PROG_TYPE_LSM)
			bpf_program__set_autoload(prog, want);
	/*
	 * Maps only the LSM programs use: inode storage does not even exist
	 * on a kernel built without BPF LSM, and would fail the whole load.
	 */
	bpf_map__set_autocreate(l->skel->maps.bf_pipe_taint, want);
	bpf_map__set_autocreate(l->skel->maps.bf_sk_taint, want);
	/* bf_use_reported also rate-limits cgroup_skb/ingress's reports: always made. */
}

/* Open the skeleton and set what the kernel decides before load: hooks, sizes, knobs. */
static int open_skel(struct bf_loader *l, const char *maps_dir, uint32_t ringbuf_size, bool lsm,
		     const struct bf_scope_id *scope)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = maps_dir);
	int err;

	l->skel = biofence_bpf__open_opts(&opts);
	if (!l->skel)
		return -errno;
	if (ringbuf_size)
		bpf_map__set_max_entries(l->skel->maps.bf_events, ringbuf_size);
	setup_unix_hooks(l);
	setup_lsm(l, lsm);
	/* Without the cgroup unix hooks (before 6.7), the LSM ones carry the ipc rules. */
	l->skel->rodata->bf_lsm_ipc = lsm && !l->unix_hooks;
	shm_devs(l->skel->rodata->bf_shm_devs);
	if (!l->unix_hooks)
		log_warnx(lsm ? "this kernel has no cgroup/connect_unix hook (needs 6.7): ipc rules are "
				"enforced by the LSM programs (unix_stream_connect, unix_may_send)" :
				"this kernel has no cgroup/connect_unix hook (needs 6.7) and no BPF LSM: "
				"ipc rules are NOT enforced");
	err = match_pinned_sizes(l, &l->maps_reused);
	if (err)
		return err;
	l->ringbuf_size = bpf_map__max_entries(l->skel->maps.bf_events);
	l->skel->rodata->bf_wake_bytes = l->ringbuf_size / 4;
	/*
	 * Guarding the root is guarding every process: 0 tells bf_in_scope so,
	 * and spares each LSM hook a helper call to find the caller's cgroup.
	 */
	l->skel->rodata->bf_scope_cgid = scope->level ? scope->cgid : 0;
	l->skel->rodata->bf_scope_level = scope->level;
	/* Only the quota record's sender pid depends on it: 0 where the kernel says no. */
	l->skel->rodata->bf_skb_has_pid =
		libbpf_probe_bpf_helper(BPF_PROG_TYPE_CGROUP_SKB, BPF_FUNC_get_current_pid_tgid, NULL) == 1;
	return 0;
}

int bf_loader_load(struct bf_loader *l, const char *pin_dir, uint32_t ringbuf_size,
		   const struct bf_scope_id *scope)
{
	char maps_dir[PATH_MAX];
	bool lsm;
	int err;

	memset(l, 0, sizeof(*l));
	l->cgroup_fd = -1;
	l->lock_fd = -1;
	for (int i = 0; i < BF_N_LINKS; i++)
		l->link_fds[i] = -1;
	err = bf_pathf(l->pin_dir, sizeof(l->pin_dir), "%s", pin_dir);
	err = err ?: bf_pathf(maps_dir, sizeof(maps_dir), "%s/maps", pin_dir);
	err = err ?: bf_bpffs_prepare(pin_dir);
	err = err ?: lock_pin_dir(l);
	err = err ?: bf_mkdir_all(maps_dir, 0700);
	if (err)
		return err;
	lsm = bf_lsm_probe(l->lsm_why, sizeof(l->lsm_why)) == 0;
	err = open_skel(l, maps_dir, ringbuf_size, lsm, scope);
	err = err ?: biofence_bpf__load(l->skel);
	if (err && lsm) {
		/* Never a rule left unenforced: without the LSM family, the cgroup programs and the scan. */
		log_errno(err, "the BPF LSM programs did not load on a kernel that has BPF LSM; "
			  "FALLING BACK to the cgroup programs and the socket scan");
		snprintf(l->lsm_why, sizeof(l->lsm_why), "biofence's LSM programs failed to load: %s",
			 strerror(-err));
		/* A map pinned by an older build may lack what these programs need (a channel's lock). */
		if (l->maps_reused)
			log_warnx("the maps pinned in %s may be another biofence build's; to start "
				  "afresh, 'biofence detach --pin-dir %s' and start again", maps_dir, pin_dir);
		biofence_bpf__destroy(l->skel);
		err = open_skel(l, maps_dir, ringbuf_size, false, scope);
		err = err ?: biofence_bpf__load(l->skel);
	}
	if (err) {
		if (l->maps_reused)
			log_warnx("cannot reuse the maps pinned in %s (from another biofence build?); "
				  "run 'biofence detach --pin-dir %s' first", maps_dir, pin_dir);
		return err;
	}
	return 0;
}

/* Swap PROG into the pinned cgroup link at PATH, checking it guards the same cgroup. */
static int adopt_cgroup_link(struct bf_loader *l, struct bpf_program *prog, const char *path,
			     int slot)
{
	struct bpf_link_info info = {};
	struct stat cst;
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0 || fstat(l->cgroup_fd, &cst) < 0) {
		close(fd);
		return -errno;
	}
	if (info.type == BPF_LINK_TYPE_CGROUP && info.cgroup.cgroup_id != cst.st_ino) {
		log_warnx("%s guards cgroup id %llu, not the one asked for; detach it first", path,
			  (unsigned long long)info.cgroup.cgroup_id);
		close(fd);
		return -EEXIST;
	}
	/* One atomic replacement: the old program judges until the new one does. */
	if (bpf_link_update(fd, bpf_program__fd(prog), NULL) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	l->link_fds[slot] = fd;
	return 0;
}

/* Tracing links cannot be updated: attach the new one first, then retire the old. */
static bool is_cgroup_prog(const struct bpf_program *prog)
{
	enum bpf_prog_type t = bpf_program__type(prog);

	return t != BPF_PROG_TYPE_TRACING && t != BPF_PROG_TYPE_LSM;
}

static int attach_prog(struct bf_loader *l, struct bpf_program *prog, const char *path, int slot)
{
	enum bpf_prog_type type = bpf_program__type(prog);
	struct bpf_link *link;
	int old, err;

	if (type == BPF_PROG_TYPE_LSM)
		link = bpf_program__attach_lsm(prog);
	else if (type == BPF_PROG_TYPE_TRACING)
		link = bpf_program__attach_trace(prog);
	else
		link = bpf_program__attach_cgroup(prog, l->cgroup_fd);
	if (!link)
		return -errno;
	old = bpf_obj_get(path);
	if (old >= 0)
		unlink(path);
	err = bpf_link__pin(link, path);
	if (old >= 0)
		close(old);	/* last reference: the old program detaches now */
	if (err) {
		bpf_link__destroy(link);
		return err;
	}
	l->link_fds[slot] = dup(bpf_link__fd(link));
	bpf_link__disconnect(link);	/* the pin, not this process, owns it */
	bpf_link__destroy(link);
	return 0;
}

int bf_loader_attach(struct bf_loader *l, const char *cgroup_path)
{
	char links_dir[PATH_MAX], path[PATH_MAX];
	struct bpf_program *prog;
	int slot = 0, err;

	err = bf_pathf(links_dir, sizeof(links_dir), "%s/links", l->pin_dir);
	err = err ?: bf_mkdir_all(links_dir, 0700);
	if (err)
		return err;
	l->cgroup_fd = open(cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l->cgroup_fd < 0) {
		log_warn("open cgroup %s", cgroup_path);
		return -errno;
	}
	bpf_object__for_each_program(prog, l->skel->obj) {
		bool cgroup = is_cgroup_prog(prog);

		if (!bpf_program__autoload(prog))
			continue;	/* a hook this kernel lacks; reported at load */
		if (slot >= BF_N_LINKS) {
			log_warnx("attach %s: more programs than BF_N_LINKS (%d) link slots",
				  bpf_program__name(prog), BF_N_LINKS);
			return -E2BIG;
		}
		err = pin_path(path, sizeof(path), l->pin_dir, "links", bpf_program__name(prog));
		if (err)
			return err;
		if (cgroup && access(path, F_OK) == 0) {
			err = adopt_cgroup_link(l, prog, path, slot);
			l->adopted = true;
		} else {
			err = attach_prog(l, prog, path, slot);
		}
		if (err && bpf_program__type(prog) == BPF_PROG_TYPE_LSM) {
			/* The cgroup programs and the scan still stand: said loudly, in status too. */
			log_errno(err, "attach %s: FALLING BACK to the cgroup programs and the socket scan",
				  bpf_program__name(prog));
			snprintf(l->lsm_why, sizeof(l->lsm_why), "attaching %s failed: %s",
				 bpf_program__name(prog), strerror(-err));
			l->lsm = false;
			continue;
		}
		if (err) {
			log_errno(err, "attach %s", bpf_program__name(prog));
			return err;
		}
		slot++;
	}
	return 0;
}

void bf_loader_close(struct bf_loader *l)
{
	for (int i = 0; i < BF_N_LINKS; i++)
		if (l->link_fds[i] >= 0)
			close(l->link_fds[i]);
	if (l->cgroup_fd >= 0)
		close(l->cgroup_fd);
	if (l->lock_fd >= 0)
		close(l->lock_fd);
	biofence_bpf__destroy(l->skel);
	l->skel = NULL;
}

int bf_loader_active(struct bf_loader *l, struct bf_active *a)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.bf_active), &zero, a) < 0)
		return -errno;
	return 0;
}

int bf_loader_ringbuf_fd(struct bf_loader *l)
{
	return bpf_map__fd(l->skel->maps.bf_events);
}

int bf_loader_taint(struct bf_loader *l, uint32_t tgid, const struct bf_taint *t)
{
	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.bf_taint), &tgid, t, BPF_NOEXIST) < 0 &&
	    errno != EEXIST)
		return -errno;
	return 0;
}

/* ORIGIN 0: every tainted process. */
static int taint_walk(struct bf_loader *l, uint32_t origin, uint32_t *tgids, size_t max, size_t *n)
{
	int fd = bpf_map__fd(l->skel->maps.bf_taint);
	__u32 key, *prev = NULL;
	struct bf_taint t;

	*n = 0;
	while (*n < max && bpf_map_get_next_key(fd, prev, &key) == 0) {
		if (bpf_map_lookup_elem(fd, &key, &t) == 0 && (!origin || t.origin_tgid == origin))
			tgids[(*n)++] = key;
		prev = &key;
	}
	return 0;
}

int bf_loader_taint_from(struct bf_loader *l, uint32_t origin, uint32_t *tgids, size_t max,
			 size_t *n)
{
	return taint_walk(l, origin ? origin : UINT32_MAX, tgids, max, n);
}

int bf_loader_tainted(struct bf_loader *l, uint32_t *tgids, size_t max, size_t *n)
{
	return taint_walk(l, 0, tgids, max, n);
}

int bf_loader_quota_use(struct bf_loader *l, uint32_t id, struct bf_quota_use *get,
			const struct bf_quota_use *set)
{
	int fd = bpf_map__fd(l->skel->maps.bf_quota_use);

	if (set && bpf_map_update_elem(fd, &id, set, BPF_ANY) < 0)
		return -errno;
	if (get && bpf_map_lookup_elem(fd, &id, get) < 0)
		return -errno;
	return 0;
}

int bf_loader_set_log_failed(struct bf_loader *l, bool failed)
{
	struct bf_runtime rt = { .log_failed = failed };
	__u32 zero = 0;

	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.bf_runtime), &zero, &rt, BPF_ANY) < 0)
		return -errno;
	return 0;
}

int bf_loader_stats(struct bf_loader *l, uint64_t out[BF_STAT_N])
{
	int ncpu = libbpf_num_possible_cpus();
	struct bf_stats *per;
	__u32 zero = 0;

	if (ncpu < 0)
		return ncpu;
	per = calloc((size_t)ncpu, sizeof(*per));
	if (!per)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.bf_stats), &zero, per) < 0) {
		free(per);
		return -errno;
	}
	memset(out, 0, sizeof(uint64_t) * BF_STAT_N);
	for (int c = 0; c < ncpu; c++)
		for (int i = 0; i < BF_STAT_N; i++)
			out[i] += per[c].n[i];
	free(per);
	return 0;
}

int bf_loader_lost_logged(struct bf_loader *l, uint64_t *get, const uint64_t *set)
{
	int fd = bpf_map__fd(l->skel->maps.bf_lost_logged);
	__u32 zero = 0;

	if (set && bpf_map_update_elem(fd, &zero, set, BPF_ANY) < 0)
		return -errno;
	if (get && bpf_map_lookup_elem(fd, &zero, get) < 0)
		return -errno;
	return 0;
}
