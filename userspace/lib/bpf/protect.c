/* protect.c - what the self-protection programs are told: who the agent is, where its pins are, which maps, programs and links are biofence's. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "biofence.skel.h"
#include "bpf/loader.h"
#include "log.h"
#include "resolve.h"
#include "util.h"

static int put_id(struct bf_loader *l, uint32_t kind, uint32_t id)
{
	struct bf_protect_key k = { .kind = kind, .id = id };
	__u8 one = 1;

	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.bf_protect_ids), &k, &one, BPF_ANY) < 0)
		return -errno;
	return 0;
}

/* The kernel's id of the map, program or link behind FD: each kind has its own info struct. */
static int obj_id(uint32_t kind, int fd, uint32_t *id)
{
	struct bpf_map_info mi = {};
	struct bpf_prog_info pi = {};
	struct bpf_link_info li = {};
	__u32 len;
	int err;

	if (kind == BF_PROT_OBJ_MAP) {
		len = sizeof(mi);
		err = bpf_obj_get_info_by_fd(fd, &mi, &len);
		*id = mi.id;
	} else if (kind == BF_PROT_OBJ_PROG) {
		len = sizeof(pi);
		err = bpf_obj_get_info_by_fd(fd, &pi, &len);
		*id = pi.id;
	} else {
		len = sizeof(li);
		err = bpf_obj_get_info_by_fd(fd, &li, &len);
		*id = li.id;
	}
	return err < 0 ? -errno : 0;
}

static int put_fd(struct bf_loader *l, uint32_t kind, int fd)
{
	uint32_t id;
	int err;

	if (fd < 0)
		return 0;	/* a program this kernel does not load */
	err = obj_id(kind, fd, &id);
	return err ?: put_id(l, kind, id);
}

/* Every map and every loaded program of this load, the protect maps themselves included. */
static int put_maps_and_progs(struct bf_loader *l)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	int err = 0;

	bpf_object__for_each_map(map, l->skel->obj)
		err = err ?: put_fd(l, BF_PROT_OBJ_MAP, bpf_map__fd(map));
	bpf_object__for_each_program(prog, l->skel->obj)
		if (bpf_program__autoload(prog))
			err = err ?: put_fd(l, BF_PROT_OBJ_PROG, bpf_program__fd(prog));
	return err;
}

/* (kernel dev, inode) of PATH. */
static int kernel_inode(const char *path, __u64 *dev, __u64 *ino)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	*dev = bf_kdev(st.st_dev);
	*ino = st.st_ino;
	return 0;
}

/* The pin dir and its two subdirectories, which must exist (links/ is made here). */
static int pin_inodes(struct bf_loader *l, struct bf_protect_cfg *c)
{
	static const char *const subs[] = { "", "/links", "/maps" };
	char path[PATH_MAX];
	__u64 dev = 0;
	int err;

	for (int i = 0; i < 3; i++) {
		err = bf_pathf(path, sizeof(path), "%s%s", l->pin_dir, subs[i]);
		err = err ?: bf_mkdir_all(path, 0700);
		err = err ?: kernel_inode(path, &dev, &c->dir_ino[i]);
		if (err)
			return err;
		c->pin_dev = dev;
	}
	/* Longer than the programs compare: the link fds are still guarded, the path is not. */
	if (strlen(l->pin_dir) + sizeof("/links/") <= sizeof(c->links_prefix))
		snprintf(c->links_prefix, sizeof(c->links_prefix), "%s/links/", l->pin_dir);
	return 0;
}

int bf_protect_prepare(struct bf_loader *l, bool on)
{
	struct bf_protect_cfg c = { .agent_tgid = (uint32_t)getpid(), .flags = on ? BF_PROT_ON : 0 };
	__u32 zero = 0;
	int err;

	l->protect = false;
	if (!l->lsm) {
		snprintf(l->protect_why, sizeof(l->protect_why), "NOT PROTECTED: BPF LSM is not in force "
			 "(%.96s): root can rewrite biofence's maps, unpin its programs and kill the agent",
			 l->lsm_why);
		return 0;
	}
	err = kernel_inode("/proc/self/exe", &c.agent_dev, &c.agent_ino);
	err = err ?: pin_inodes(l, &c);
	err = err ?: put_maps_and_progs(l);
	if (!err && bpf_map_update_elem(bpf_map__fd(l->skel->maps.bf_protect), &zero, &c, BPF_ANY) < 0)
		err = -errno;
	if (err) {
		snprintf(l->protect_why, sizeof(l->protect_why), "NOT PROTECTED: telling the programs "
			 "who the agent is failed: %s", strerror(-err));
		return err;
	}
	l->protect = on;
	snprintf(l->protect_why, sizeof(l->protect_why), on ?
		 "on (lsm/bpf, bpf_map, bpf_prog, inode_unlink, inode_rmdir, inode_rename, sb_umount, "
		 "task_kill, ptrace_access_check): only biofenced writes its maps, takes its programs "
		 "and links, removes its pins; only init stops it" :
		 "NOT PROTECTED: turned off with --no-protect");
	return 0;
}

int bf_protect_links(struct bf_loader *l)
{
	int err = 0;

	if (!l->lsm) {
		/* An LSM program failed to attach after prepare: the hooks may be partly missing. */
		if (l->protect)
			snprintf(l->protect_why, sizeof(l->protect_why),
				 "NOT PROTECTED: the LSM programs did not all attach (%.160s)", l->lsm_why);
		l->protect = false;
		return 0;
	}
	for (int i = 0; i < BF_N_LINKS; i++)
		err = err ?: put_fd(l, BF_PROT_OBJ_LINK, l->link_fds[i]);
	return err;
}

int bf_protect_trust(struct bf_loader *l, const char *path, uint64_t *dev, uint64_t *ino)
{
	struct bf_protect_cfg c;
	struct stat st;
	__u32 zero = 0;
	int fd;

	if (!l->skel)
		return -ENODEV;	/* nothing loaded, nothing to hand over */
	fd = bpf_map__fd(l->skel->maps.bf_protect);
	if (stat(path, &st) < 0)
		return -errno;
	/* Anyone who could rewrite it could become the agent. */
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022))
		return -EPERM;
	if (bpf_map_lookup_elem(fd, &zero, &c) < 0)
		return -errno;
	c.next_dev = bf_kdev(st.st_dev);
	c.next_ino = st.st_ino;
	if (bpf_map_update_elem(fd, &zero, &c, BPF_ANY) < 0)
		return -errno;
	*dev = c.next_dev;
	*ino = c.next_ino;
	return 0;
}
