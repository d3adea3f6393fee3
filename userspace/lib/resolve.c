/* resolve.c - look up exe inodes, cgroup ids, uids and camera device numbers for a policy. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "biofence.h"
#include "resolve.h"
#include "sha256.h"
#include "util.h"
#include "v4l2id.h"

#define BF_VIDEO_MAJOR 81
#define BF_USB_MAJOR 189

/* Every failed key is worth telling, so reasons are joined, not overwritten. */
__attribute__((format(printf, 3, 4))) static void why_add(char *why, size_t len, const char *fmt, ...)
{
	size_t used = strlen(why);
	va_list ap;

	if (used && used + 2 < len) {
		memcpy(why + used, "; ", 3);
		used += 2;
	}
	if (used >= len - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(why + used, len - used, fmt, ap);
	va_end(ap);
}

uint64_t bf_kdev(dev_t dev)
{
	return ((uint64_t)major(dev) << 20) | minor(dev);
}

int bf_cgroup2_mount(char *buf, size_t len)
{
	FILE *f = fopen("/proc/mounts", "re");
	char dev[256], dir[PATH_MAX], type[64];
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fscanf(f, "%255s %4095s %63s %*[^\n]", dev, dir, type) == 3) {
		if (strcmp(type, "cgroup2") == 0) {
			if (strlen(dir) >= len) {
				err = -ENAMETOOLONG;
				break;
			}
			strcpy(buf, dir);
			err = 0;
			break;
		}
	}
	fclose(f);
	return err;
}

int bf_cgroup_id(const char *root, const char *abs, uint64_t *cgid, unsigned *level)
{
	size_t rlen = strlen(root);
	struct stat st;
	unsigned depth = 0;

	if (strncmp(abs, root, rlen) != 0 || (abs[rlen] != '/' && abs[rlen] != '\0'))
		return -EXDEV;
	/*
	 * Depth counts path components below the root, ignoring repeated slashes.
	 * A "." or ".." component would falsify both the depth and the prefix
	 * check above ("ROOT/../x" is outside ROOT), so those paths are refused.
	 */
	for (const char *s = abs + rlen; *s; s++) {
		if (*s != '/' || !s[1] || s[1] == '/')
			continue;
		if (s[1] == '.' && (!s[2] || s[2] == '/' || (s[2] == '.' && (!s[3] || s[3] == '/'))))
			return -EINVAL;
		depth++;
	}
	if (stat(abs, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	*cgid = st.st_ino;
	*level = depth;
	return 0;
}

int bf_char_major(const char *name, uint32_t *major_out)
{
	FILE *f = fopen("/proc/devices", "re");
	char line[256], dname[128];
	bool in_char = false;
	unsigned m;
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Character devices:", 18) == 0) {
			in_char = true;
			continue;
		}
		if (strncmp(line, "Block devices:", 14) == 0)
			in_char = false;
		if (in_char && sscanf(line, "%u %127s", &m, dname) == 2 && strcmp(dname, name) == 0) {
			*major_out = m;
			err = 0;
			break;
		}
	}
	fclose(f);
	return err;
}

/* Open once, then stat and hash the same file, so a swap in between cannot fool the pin. */
/* PREV hashed this very file as it is now: its digest still stands. */
static bool digest_still_valid(const struct bf_app_res *prev, const struct stat *st)
{
	return prev && prev->exe_digest[0] && prev->exe_dev == bf_kdev(st->st_dev) &&
	       prev->exe_ino == st->st_ino && prev->exe_size == (uint64_t)st->st_size &&
	       prev->exe_mtime_ns == bf_ts_ns(st->st_mtim) && prev->exe_ctime_ns == bf_ts_ns(st->st_ctim);
}

static void resolve_exe(const struct bf_app *a, const struct bf_app_res *prev,
			struct bf_app_res *r)
{
	uint8_t digest[32];
	struct stat st;
	int fd, err;

	fd = open(a->exe, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		why_add(r->why, sizeof(r->why), "exe %s: %s", a->exe, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	r->exe_size = (uint64_t)st.st_size;
	r->exe_mtime_ns = bf_ts_ns(st.st_mtim);
	r->exe_ctime_ns = bf_ts_ns(st.st_ctim);
	if (a->sha256[0] && digest_still_valid(prev, &st)) {
		memcpy(r->exe_digest, prev->exe_digest, sizeof(r->exe_digest));
	} else if (a->sha256[0]) {
		err = bf_sha256_fd(fd, digest);
		if (err) {
			why_add(r->why, sizeof(r->why), "exe %s: %s", a->exe, strerror(-err));
			close(fd);
			return;
		}
		bf_sha256_hex(digest, r->exe_digest);
	}
	if (a->sha256[0]) {
		if (strcmp(r->exe_digest, a->sha256) != 0) {
			why_add(r->why, sizeof(r->why), "exe %s: sha256 %.16s... does not match the pin %.16s...",
				 a->exe, r->exe_digest, a->sha256);
			close(fd);
			return;
		}
	}
	close(fd);
	r->exe_dev = bf_kdev(st.st_dev);
	r->exe_ino = st.st_ino;
	r->exe_ok = true;
}

/* nftw has no user pointer, so the unit search keeps its state here. */
static struct {
	const char *unit;
	char found[PATH_MAX];
} unit_walk;

static int unit_visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (type != FTW_D || ftw->level == 0)
		return 0;
	if (strcmp(path + ftw->base, unit_walk.unit) == 0) {
		snprintf(unit_walk.found, sizeof(unit_walk.found), "%s", path);
		return 1;
	}
	return 0;
}

static void resolve_cgroup(const struct bf_app *a, const char *root, struct bf_app_res *r)
{
	char path[PATH_MAX];
	int err;

	if (a->cgroup) {
		snprintf(path, sizeof(path), "%s%s", root, a->cgroup);
	} else {
		unit_walk.unit = a->unit;
		unit_walk.found[0] = '\0';
		if (nftw(root, unit_visit, 32, FTW_PHYS) != 1) {
			why_add(r->why, sizeof(r->why), "unit %s: no such cgroup under %s (not started yet?)",
				 a->unit, root);
			return;
		}
		snprintf(path, sizeof(path), "%s", unit_walk.found);
	}
	err = bf_cgroup_id(root, path, &r->cgid, &r->cg_level);
	if (err) {
		why_add(r->why, sizeof(r->why), "cgroup %.100s: %s", path, strerror(-err));
		return;
	}
	if (r->cg_level >= BF_MAX_CG_LEVELS) {
		why_add(r->why, sizeof(r->why), "cgroup %.100s: deeper than %d levels", path,
			 BF_MAX_CG_LEVELS - 1);
		return;
	}
	r->cgroup_ok = true;
}

static void resolve_user(const struct bf_app *a, struct bf_app_res *r)
{
	struct passwd *pw;
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(a->user, &end, 10);
	if (*a->user && !*end && errno == 0 && v < UINT32_MAX) {
		r->uid = (uint32_t)v;
		r->uid_ok = true;
		return;
	}
	pw = getpwnam(a->user);
	if (!pw) {
		why_add(r->why, sizeof(r->why), "user %s: no such user", a->user);
		return;
	}
	r->uid = pw->pw_uid;
	r->uid_ok = true;
}

static void resolve_app(const struct bf_app *a, const char *root, const struct bf_app_res *prev,
			struct bf_app_res *r)
{
	memset(r, 0, sizeof(*r));
	/* Resolve every key even after one fails, so each failure can be reported. */
	if (a->user)
		resolve_user(a, r);
	if (a->unit || a->cgroup)
		resolve_cgroup(a, root, r);
	if (a->exe)
		resolve_exe(a, prev, r);
}

/* A camera with more nodes than keys would leave some unjudged: said, not silently dropped. */
static void cam_add(struct bf_camera_res *r, uint32_t maj, uint32_t min)
{
	for (size_t i = 0; i < r->n_keys; i++)
		if (r->keys[i].major == maj && r->keys[i].minor == min)
			return;
	if (r->n_keys < BF_CAM_MAX_KEYS)
		r->keys[r->n_keys++] = (struct bf_cam_dev){ .major = maj, .minor = min };
	else if (!strstr(r->why, "more than"))
		why_add(r->why, sizeof(r->why), "more than %d device nodes: %u:%u and later ones are "
			"not covered", BF_CAM_MAX_KEYS, maj, min);
}

static void v4l2_add(const struct bf_camera *c, const struct bf_v4l2_node *nodes, size_t n,
		     int scan_err, struct bf_camera_res *r)
{
	bool matched = false;

	if (scan_err) {
		why_add(r->why, sizeof(r->why), "v4l2: reading class/video4linux in sysfs: %s",
			strerror(-scan_err));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!bf_v4l2_match(&c->v4l2, &nodes[i]))
			continue;
		cam_add(r, nodes[i].major, nodes[i].minor);
		matched = true;
	}
	/* Absent (unplugged, driver not loaded): the rule has no device until it comes back. */
	if (!matched)
		why_add(r->why, sizeof(r->why), "v4l2%s%s%s%s%s%s%s%s%s: no V4L2 node has this identity",
			c->v4l2.driver ? " driver \"" : "", c->v4l2.driver ?: "", c->v4l2.driver ? "\"" : "",
			c->v4l2.card ? " card \"" : "", c->v4l2.card ?: "", c->v4l2.card ? "\"" : "",
			c->v4l2.bus ? " bus \"" : "", c->v4l2.bus ?: "", c->v4l2.bus ? "\"" : "");
}

static void resolve_camera(const struct bf_camera *c, const struct bf_v4l2_node *nodes, size_t n,
			   int scan_err, struct bf_camera_res *r)
{
	uint32_t media;
	struct stat st;

	memset(r, 0, sizeof(*r));
	if (c->classes & BF_CLASS_VIDEO)
		cam_add(r, BF_VIDEO_MAJOR, BF_ANY_MINOR);
	if (c->classes & BF_CLASS_USB)
		cam_add(r, BF_USB_MAJOR, BF_ANY_MINOR);
	if (c->classes & BF_CLASS_MEDIA) {
		if (bf_char_major("media", &media) == 0)
			cam_add(r, media, BF_ANY_MINOR);
		else
			snprintf(r->why, sizeof(r->why),
				 "class media: no media driver loaded (no \"media\" in /proc/devices)");
	}
	for (size_t i = 0; i < c->n_paths; i++) {
		if (stat(c->paths[i], &st) < 0)
			why_add(r->why, sizeof(r->why), "path %s: %s", c->paths[i], strerror(errno));
		else if (!S_ISCHR(st.st_mode))
			why_add(r->why, sizeof(r->why), "path %s: not a character device", c->paths[i]);
		else
			cam_add(r, major(st.st_rdev), minor(st.st_rdev));
	}
	if (c->v4l2.src.line)
		v4l2_add(c, nodes, n, scan_err, r);
}

int bf_resolve_cameras(const struct bf_policy *p, const char *sysfs, struct bf_camera_res *out)
{
	struct bf_v4l2_node *nodes = NULL;
	size_t n = 0;
	bool any = false;
	int scan_err = 0;

	/* One sysfs scan serves every camera, and none is made for a policy without v4l2 keys. */
	for (size_t i = 0; i < p->n_cameras && !any; i++)
		any = p->cameras[i].v4l2.src.line != 0;
	if (any)
		scan_err = bf_v4l2_nodes(sysfs, &nodes, &n);
	if (scan_err == -ENOMEM)
		return scan_err;
	for (size_t i = 0; i < p->n_cameras; i++)
		resolve_camera(&p->cameras[i], nodes, n, scan_err, &out[i]);
	free(nodes);
	return 0;
}

static void free_dests(struct bf_resolved *r)
{
	for (size_t i = 0; r->dests && i < r->n_dests; i++)
		free(r->dests[i].addrs);
	free(r->dests);
	r->dests = NULL;
	r->n_dests = 0;
}

/*
 * A store that does not exist yet is not an error (the app may make it on
 * its first run): it is unguarded, says why, and the next resolution
 * (every second) finds it. Neither is one that is neither a directory nor
 * a regular file, but it is never guarded.
 */
static void resolve_store(const struct bf_store_ast *st, struct bf_store_res *r)
{
	struct stat sb;

	if (stat(st->path, &sb) != 0) {
		snprintf(r->why, sizeof(r->why), "%s: %s", st->path, strerror(errno));
		return;
	}
	if (!S_ISDIR(sb.st_mode) && !S_ISREG(sb.st_mode)) {
		snprintf(r->why, sizeof(r->why), "%s is neither a directory nor a regular file",
			 st->path);
		return;
	}
	r->ok = true;
	r->dir = S_ISDIR(sb.st_mode);
	r->dev = bf_kdev(sb.st_dev);
	r->ino = sb.st_ino;
}

int bf_resolve(const struct bf_policy *p, const char *cgroup_root, struct bf_resolved *out)
{
	return bf_resolve_again(p, cgroup_root, NULL, out);
}

int bf_resolve_again(const struct bf_policy *p, const char *cgroup_root,
		     const struct bf_resolved *prev, struct bf_resolved *out)
{
	out->apps = calloc(p->n_apps ? p->n_apps : 1, sizeof(*out->apps));
	out->cameras = calloc(p->n_cameras ? p->n_cameras : 1, sizeof(*out->cameras));
	out->stores = calloc(p->n_stores ? p->n_stores : 1, sizeof(*out->stores));
	if (!out->apps || !out->cameras || !out->stores) {
		bf_resolved_free(out);
		return -ENOMEM;
	}
	for (size_t i = 0; i < p->n_apps; i++)
		resolve_app(&p->apps[i], cgroup_root, prev ? &prev->apps[i] : NULL, &out->apps[i]);
	for (size_t i = 0; i < p->n_stores; i++)
		resolve_store(&p->stores[i], &out->stores[i]);
	if (bf_resolve_cameras(p, BF_SYSFS_ROOT, out->cameras) != 0) {
		bf_resolved_free(out);
		return -ENOMEM;
	}
	return 0;
}

void bf_resolved_free(struct bf_resolved *r)
{
	free(r->apps);
	free(r->cameras);
	free(r->stores);
	r->apps = NULL;
	r->cameras = NULL;
	r->stores = NULL;
	free_dests(r);
}

/* One name's answer into DR; a failure is noted but its last good addresses still count. */
static int add_host(struct bf_dest_res *dr, const char *name, const struct bf_dns_answer *a,
		    bool have)
{
	size_t used = strlen(dr->why);

	/* A long list of failures is cut short: the first ones say enough. */
	if ((!have || a->err) &&
	    snprintf(dr->why + used, sizeof(dr->why) - used, "%shost %s: %s%s", used ? "; " : "",
		     name, have && a->why[0] ? a->why : "not resolved yet",
		     have && a->have ? " (its last addresses are kept)" : "") < 0)
		dr->why[used] = '\0';
	if (!have || !a->have)
		return 0;
	for (size_t k = 0; k < a->n; k++) {
		struct bf_cidr c = { .prefix = 128 };
		void *nv = realloc(dr->addrs, (dr->n_addrs + 1) * sizeof(*dr->addrs));

		if (!nv)
			return -ENOMEM;
		dr->addrs = nv;
		memcpy(c.addr, a->addrs[k], 16);
		c.v4 = memcmp(c.addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0;
		dr->addrs[dr->n_addrs++] = c;
	}
	return 0;
}

int bf_resolve_hosts(const struct bf_policy *p, struct bf_resolved *r, bf_host_lookup_fn lookup,
		     void *ctx)
{
	size_t n = bf_policy_n_nets(p);

	free_dests(r);
	r->dests = calloc(n ? n : 1, sizeof(*r->dests));
	if (!r->dests)
		return -ENOMEM;
	r->n_dests = n;
	for (size_t i = 0; i < n; i++) {
		const struct bf_dest *d = bf_policy_net(p, i, NULL, NULL);

		for (size_t h = 0; h < d->n_hosts; h++) {
			struct bf_dns_answer a;
			bool have = lookup(ctx, d->hosts[h], &a);
			int err = add_host(&r->dests[i], d->hosts[h], &a, have);

			if (err)
				return err;
		}
	}
	return 0;
}

static bool dests_differ(const struct bf_policy *p, const struct bf_resolved *a,
			 const struct bf_resolved *b)
{
	if (!a->dests || !b->dests)
		return a->dests != b->dests;
	for (size_t i = 0; i < bf_policy_n_nets(p); i++) {
		const struct bf_dest_res *x = &a->dests[i], *y = &b->dests[i];

		if (x->n_addrs != y->n_addrs || strcmp(x->why, y->why) != 0 ||
		    (x->n_addrs && memcmp(x->addrs, y->addrs, x->n_addrs * sizeof(*x->addrs)) != 0))
			return true;
	}
	return false;
}

bool bf_resolved_differs(const struct bf_policy *p, const struct bf_resolved *a,
			 const struct bf_resolved *b)
{
	if (dests_differ(p, a, b))
		return true;
	for (size_t i = 0; i < p->n_apps; i++)
		if (memcmp(&a->apps[i], &b->apps[i], sizeof(a->apps[i])) != 0)
			return true;
	for (size_t i = 0; i < p->n_cameras; i++)
		if (memcmp(&a->cameras[i], &b->cameras[i], sizeof(a->cameras[i])) != 0)
			return true;
	for (size_t i = 0; i < p->n_stores; i++)
		if (memcmp(&a->stores[i], &b->stores[i], sizeof(a->stores[i])) != 0)
			return true;
	return false;
}
