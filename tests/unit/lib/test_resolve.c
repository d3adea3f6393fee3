/* test_resolve.c - unit tests for resolve: policy names to kernel identities, against this machine's real files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <mntent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>

#include "bf_test.h"

#include "biofence.h"
#include "resolve.h"
#include "sha256.h"

#define NF BF_PARSE_NO_FS_CHECKS
/* sha256("test"), as sha256sum prints it: the content of the temp exe */
#define SHA_TEST "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

static char tmpdir[64];
static char cgroot[PATH_MAX];   /* "" when this host has no cgroup2 mount */

/* ---- helpers ---- */

static char *tpath(const char *rel)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", tmpdir, rel) > 0);
	return p;
}

static void write_file(const char *path, const char *content)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(content, f) >= 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0755), 0);
}

static int setup_tmp(void **state)
{
	char *app;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/bfresolve.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	app = tpath("app");
	write_file(app, "test");
	free(app);
	if (bf_cgroup2_mount(cgroot, sizeof(cgroot)) != 0)
		cgroot[0] = '\0';
	return 0;
}

static int teardown_tmp(void **state)
{
	return bft_rm_tree(tmpdir);
}

/* Resolution against the real cgroup2 mount, or a root that is surely absent when there is none. */
static struct bf_policy *resolve_text(const char *text, struct bf_resolved *r)
{
	struct bf_diags d = { 0 };
	struct bf_policy *p = NULL;
	int rc = bf_policy_parse_string("t.policy", text, NF, &p, &d);

	if (rc != 0)
		fail_msg("rc %d, first diagnostic: %s", rc, d.n ? d.msgs[0] : "(none)");
	bf_diags_free(&d);
	assert_int_equal(bf_resolve(p, cgroot[0] ? cgroot : "/nonexistent-bfresolve", r), 0);
	return p;
}

static const struct bf_app_res *app_res(const struct bf_policy *p, const struct bf_resolved *r,
					const char *name)
{
	for (size_t i = 0; i < p->n_apps; i++)
		if (strcmp(p->apps[i].name, name) == 0)
			return &r->apps[i];
	fail_msg("no app %s", name);
	return NULL;
}

static const struct bf_camera_res *cam_res(const struct bf_policy *p, const struct bf_resolved *r,
					   const char *name)
{
	for (size_t i = 0; i < p->n_cameras; i++)
		if (strcmp(p->cameras[i].name, name) == 0)
			return &r->cameras[i];
	fail_msg("no camera %s", name);
	return NULL;
}

static void expect_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("missing \"%s\" in \"%s\"", needle, hay);
}

static void expect_cam_key(const struct bf_camera_res *c, uint32_t major, uint32_t minor)
{
	for (size_t i = 0; i < c->n_keys; i++)
		if (c->keys[i].major == major && c->keys[i].minor == minor)
			return;
	fail_msg("no camera key %u:%u among %zu", major, minor, c->n_keys);
}

/* The id the kernel itself gives a cgroup: what bpf_get_current_ancestor_cgroup_id returns. */
static int kernel_cgroup_id(const char *path, uint64_t *id)
{
	union {
		struct file_handle fh;
		char buf[sizeof(struct file_handle) + 64];
	} h;
	int mount_id;

	h.fh.handle_bytes = 64;
	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0) < 0 || h.fh.handle_bytes != 8)
		return -1;
	memcpy(id, h.fh.f_handle, 8);
	return 0;
}

/* ---- device numbers ---- */

static void test_kdev(void **state)
{
	assert_int_equal(bf_kdev(makedev(8, 1)), (8ull << 20) | 1);
	/* minors above 255 sit in glibc's high bits of dev_t but the kernel's low 20 */
	assert_int_equal(bf_kdev(makedev(259, 300)), (259ull << 20) | 300);
	assert_int_equal(bf_kdev(makedev(1, 0xfffff)), (1ull << 20) | 0xfffff);
	assert_int_equal(bf_kdev(makedev(4095, 65536)), (4095ull << 20) | 65536);
	assert_int_equal(bf_kdev(makedev(0, 0)), 0);
}

static void test_char_major(void **state)
{
	char line[256], name[128], chars[4096] = " ", block_only[128] = "";
	uint32_t major = 0xdead;
	bool in_block = false;
	FILE *f;

	assert_int_equal(bf_char_major("mem", &major), 0);
	assert_int_equal(major, 1);
	major = 0xdead;
	assert_int_equal(bf_char_major("no-such-driver-bfresolve", &major), -ENOENT);
	assert_int_equal(bf_char_major("me", &major), -ENOENT);
	assert_int_equal(major, 0xdead);

	/* a block driver's name is not a char major, so it must not become a camera key */
	f = fopen("/proc/devices", "re");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned m;
		char word[132];

		if (strncmp(line, "Block devices:", 14) == 0)
			in_block = true;
		if (sscanf(line, "%u %127s", &m, name) != 2)
			continue;
		snprintf(word, sizeof(word), " %s ", name);
		if (!in_block && strlen(chars) + strlen(word) < sizeof(chars))
			strcat(chars, word + 1);
		else if (in_block && !block_only[0] && !strstr(chars, word))
			snprintf(block_only, sizeof(block_only), "%s", name);
	}
	fclose(f);
	if (!block_only[0])
		skip();
	assert_int_equal(bf_char_major(block_only, &major), -ENOENT);
}

/* ---- cgroups ---- */

static void test_cgroup2_mount(void **state)
{
	char want[PATH_MAX] = "", got[PATH_MAX], tiny[4];
	struct mntent *m;
	FILE *f = setmntent("/proc/mounts", "re");

	assert_non_null(f);
	while ((m = getmntent(f)))
		if (strcmp(m->mnt_type, "cgroup2") == 0) {
			snprintf(want, sizeof(want), "%s", m->mnt_dir);
			break;
		}
	endmntent(f);
	if (!want[0]) {
		assert_int_equal(bf_cgroup2_mount(got, sizeof(got)), -ENOENT);
		skip();
	}
	assert_int_equal(bf_cgroup2_mount(got, sizeof(got)), 0);
	assert_string_equal(got, want);
	assert_int_equal(bf_cgroup2_mount(tiny, sizeof(tiny)), -ENAMETOOLONG);
	assert_int_equal(bf_cgroup2_mount(got, strlen(want) + 1), 0);
	assert_string_equal(got, want);
}

static void test_cgroup_id(void **state)
{
	char path[PATH_MAX + 32];
	uint64_t cgid = 0, kid;
	unsigned level = 99;
	struct stat st;

	if (!cgroot[0])
		skip();
	assert_int_equal(stat(cgroot, &st), 0);
	assert_int_equal(bf_cgroup_id(cgroot, cgroot, &cgid, &level), 0);
	assert_int_equal(cgid, st.st_ino);
	assert_int_equal(level, 0);
	if (kernel_cgroup_id(cgroot, &kid) == 0)
		assert_int_equal(cgid, kid);
	snprintf(path, sizeof(path), "%s//", cgroot);
	assert_int_equal(bf_cgroup_id(cgroot, path, &cgid, &level), 0);
	assert_int_equal(cgid, st.st_ino);
	assert_int_equal(level, 0);

	/* outside the root, including a sibling whose name merely starts like it */
	assert_int_equal(bf_cgroup_id(cgroot, "/tmp", &cgid, &level), -EXDEV);
	assert_int_equal(bf_cgroup_id(cgroot, "/", &cgid, &level), -EXDEV);
	snprintf(path, sizeof(path), "%sx", cgroot);
	assert_int_equal(bf_cgroup_id(cgroot, path, &cgid, &level), -EXDEV);
	/* ".." escapes the root while the text still starts with it; "." would miscount depth */
	snprintf(path, sizeof(path), "%s/..", cgroot);
	assert_int_equal(bf_cgroup_id(cgroot, path, &cgid, &level), -EINVAL);
	snprintf(path, sizeof(path), "%s/../%s", cgroot, strrchr(cgroot, '/') + 1);
	assert_int_equal(bf_cgroup_id(cgroot, path, &cgid, &level), -EINVAL);
	snprintf(path, sizeof(path), "%s/./", cgroot);
	assert_int_equal(bf_cgroup_id(cgroot, path, &cgid, &level), -EINVAL);
	snprintf(path, sizeof(path), "%s/...", cgroot);
	assert_int_equal(bf_cgroup_id(cgroot, path, &cgid, &level), -ENOENT);
	snprintf(path, sizeof(path), "%s/.hidden-bfresolve", cgroot);
	assert_int_equal(bf_cgroup_id(cgroot, path, &cgid, &level), -ENOENT);
	snprintf(path, sizeof(path), "%s/no-such-bfresolve", cgroot);
	assert_int_equal(bf_cgroup_id(cgroot, path, &cgid, &level), -ENOENT);
	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroot);
	assert_int_equal(bf_cgroup_id(cgroot, path, &cgid, &level), -ENOTDIR);
}

/* Our own cgroup, whatever its depth: level and id must be what the kernel reports for us. */
static void test_cgroup_id_self(void **state)
{
	char line[PATH_MAX], path[2 * PATH_MAX];
	unsigned level = 99, depth = 0;
	uint64_t cgid = 0, kid;
	struct stat st;
	FILE *f;

	if (!cgroot[0])
		skip();
	f = fopen("/proc/self/cgroup", "re");
	assert_non_null(f);
	path[0] = '\0';
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(path, sizeof(path), "%s%s", cgroot, strcmp(line + 3, "/") ? line + 3 : "");
			for (const char *s = line + 3; *s; s++)
				depth += *s == '/' && s[1];
		}
	fclose(f);
	/* in a cgroup namespace the path is relative to a root we cannot see */
	if (!path[0] || stat(path, &st) != 0)
		skip();
	assert_int_equal(bf_cgroup_id(cgroot, path, &cgid, &level), 0);
	assert_int_equal(cgid, st.st_ino);
	assert_int_equal(level, depth);
	if (kernel_cgroup_id(path, &kid) == 0)
		assert_int_equal(cgid, kid);
}

/* ---- bf_resolve ---- */

static void test_resolve_exe(void **state)
{
	char *app = tpath("app"), *link = tpath("app-link"), *missing = tpath("missing"), *text;
	struct bf_resolved r = { 0 };
	struct bf_policy *p;
	const struct bf_app_res *a;
	uint8_t md[32];
	char hex[65], upper[65];
	struct stat st;

	/* the pin is sha256sum's digest of the file bytes */
	assert_int_equal(bf_sha256_file(app, md), 0);
	bf_sha256_hex(md, hex);
	assert_string_equal(hex, SHA_TEST);
	for (size_t i = 0; i < sizeof(upper); i++)
		upper[i] = (char)(hex[i] >= 'a' && hex[i] <= 'f' ? hex[i] - 'a' + 'A' : hex[i]);
	assert_int_equal(symlink(app, link), 0);
	assert_true(asprintf(&text,
			     "app plain   exe \"%s\"\n"
			     "app pinned  exe \"%s\" sha256 \"%s\"\n"
			     "app upper   exe \"%s\" sha256 \"%s\"\n"
			     "app wrong   exe \"%s\" sha256 \"%064d\"\n"
			     "app missing exe \"%s\"\n"
			     "app via     exe \"%s\"\n",
			     app, app, SHA_TEST, app, upper, app, 0, missing, link) > 0);
	p = resolve_text(text, &r);
	assert_int_equal(stat(app, &st), 0);

	a = app_res(p, &r, "plain");
	assert_true(a->exe_ok);
	assert_int_equal(a->exe_dev, ((uint64_t)major(st.st_dev) << 20) | minor(st.st_dev));
	assert_int_equal(a->exe_ino, st.st_ino);
	assert_string_equal(a->why, "");
	assert_false(a->cgroup_ok);
	assert_false(a->uid_ok);

	a = app_res(p, &r, "pinned");
	assert_true(a->exe_ok);
	assert_int_equal(a->exe_ino, st.st_ino);
	assert_string_equal(a->exe_digest, SHA_TEST);
	assert_string_equal(a->why, "");
	assert_true(app_res(p, &r, "upper")->exe_ok);

	a = app_res(p, &r, "wrong");
	assert_false(a->exe_ok);
	/* no identity leaks out of a failed pin: the compiler must not key on it */
	assert_int_equal(a->exe_ino, 0);
	expect_contains(a->why, app);
	expect_contains(a->why, "does not match");

	a = app_res(p, &r, "missing");
	assert_false(a->exe_ok);
	expect_contains(a->why, missing);
	expect_contains(a->why, strerror(ENOENT));

	/* the kernel sees the file a symlink names, so resolution must too */
	a = app_res(p, &r, "via");
	assert_true(a->exe_ok);
	assert_int_equal(a->exe_ino, st.st_ino);

	bf_resolved_free(&r);
	bf_policy_free(p);
	assert_int_equal(unlink(link), 0);
	free(text);
	free(app);
	free(link);
	free(missing);
}

static void test_resolve_users(void **state)
{
	struct bf_resolved r = { 0 };
	struct bf_policy *p = resolve_text("app root  user \"root\"\n"
					   "app num   user \"4242\"\n"
					   "app nobody-here user \"no-such-user-bfresolve\"\n",
					   &r);
	const struct bf_app_res *a;

	a = app_res(p, &r, "root");
	assert_true(a->uid_ok);
	assert_int_equal(a->uid, 0);
	assert_string_equal(a->why, "");
	a = app_res(p, &r, "num");
	assert_true(a->uid_ok);
	assert_int_equal(a->uid, 4242);
	assert_string_equal(a->why, "");
	a = app_res(p, &r, "nobody-here");
	assert_false(a->uid_ok);
	expect_contains(a->why, "no-such-user-bfresolve");
	expect_contains(a->why, "no such user");
	bf_resolved_free(&r);
	bf_policy_free(p);
}

/* Each key that fails is reported, not just the last one tried. */
static void test_every_reason_kept(void **state)
{
	struct bf_resolved r = { 0 };
	struct bf_policy *p = resolve_text("app two exe \"/nonexistent/bfresolve-exe\" "
					   "user \"no-such-user-bfresolve\"\n", &r);
	const struct bf_app_res *a = app_res(p, &r, "two");

	expect_contains(a->why, "no such user");
	expect_contains(a->why, "/nonexistent/bfresolve-exe");
	expect_contains(a->why, "; ");
	bf_resolved_free(&r);
	bf_policy_free(p);
}

/*
 * Re-resolving every second must not re-read every pinned binary, yet must
 * notice a write: a prev digest is reused only while the file is untouched.
 */
static void test_digest_reuse(void **state)
{
	struct bf_resolved r1 = { 0 }, r2 = { 0 }, r3 = { 0 };
	char *text, sum[65], *path = tpath("pinned");
	uint8_t d[32];
	struct bf_policy *p;
	struct bf_app_res fake;
	struct bf_resolved prev;

	write_file(path, "build one\n");
	assert_int_equal(bf_sha256_file(path, d), 0);
	bf_sha256_hex(d, sum);
	assert_true(asprintf(&text, "app a exe \"%s\" sha256 \"%s\"\n", path, sum) > 0);
	p = resolve_text(text, &r1);
	assert_true(r1.apps[0].exe_ok);

	/* An untouched file: the (planted) previous digest is trusted, not recomputed. */
	fake = r1.apps[0];
	memset(fake.exe_digest, '0', 64);
	prev = (struct bf_resolved){ .apps = &fake, .cameras = r1.cameras };
	assert_int_equal(bf_resolve_again(p, cgroot[0] ? cgroot : "/nonexistent", &prev, &r2), 0);
	assert_false(r2.apps[0].exe_ok);
	expect_contains(r2.apps[0].why, "does not match");

	/* Same size, new bytes, same inode: ctime moved, so it is hashed again. */
	usleep(10000);
	write_file(path, "build two\n");
	assert_int_equal(bf_resolve_again(p, cgroot[0] ? cgroot : "/nonexistent", &r1, &r3), 0);
	assert_false(r3.apps[0].exe_ok);
	assert_string_not_equal(r3.apps[0].exe_digest, sum);
	bf_resolved_free(&r1);
	bf_resolved_free(&r2);
	bf_resolved_free(&r3);
	bf_policy_free(p);
	free(text);
	free(path);
}

static void test_resolve_cgroups(void **state)
{
	struct bf_resolved r = { 0 };
	struct bf_policy *p = resolve_text("app svc  unit \"no-such-unit-bfresolve.service\"\n"
					   "app top  cgroup \"/\"\n"
					   "app lost cgroup \"/no-such-bfresolve.slice\"\n"
					   "app both exe \"/no-such-bfresolve\" user \"no-such-user-bfresolve\"\n"
					   "app up   cgroup \"/..\"\n",
					   &r);
	const struct bf_app_res *a;
	struct stat st;

	a = app_res(p, &r, "svc");
	assert_false(a->cgroup_ok);
	expect_contains(a->why, "no-such-unit-bfresolve.service");
	a = app_res(p, &r, "lost");
	assert_false(a->cgroup_ok);
	expect_contains(a->why, "/no-such-bfresolve.slice");
	/* above the mount is no cgroup, even though the directory there exists */
	a = app_res(p, &r, "up");
	assert_false(a->cgroup_ok);
	expect_contains(a->why, "/..");
	/* every key is tried, so one failure does not mask another's state */
	a = app_res(p, &r, "both");
	assert_false(a->exe_ok);
	assert_false(a->uid_ok);
	assert_string_not_equal(a->why, "");
	/* the rest holds without cgroup2 too; only the root's identity needs the mount */
	if (cgroot[0]) {
		assert_int_equal(stat(cgroot, &st), 0);
		a = app_res(p, &r, "top");
		assert_true(a->cgroup_ok);
		assert_int_equal(a->cgid, st.st_ino);
		assert_int_equal(a->cg_level, 0);
		assert_string_equal(a->why, "");
	}
	bf_resolved_free(&r);
	bf_policy_free(p);
}

static void test_resolve_cameras(void **state)
{
	char *app = tpath("app"), *gone = tpath("video9"), *text;
	struct bf_resolved r = { 0 };
	struct bf_policy *p;
	const struct bf_camera_res *c;
	uint32_t media;
	struct stat st;

	assert_int_equal(stat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_true(asprintf(&text,
			     "camera null   path \"/dev/null\"\n"
			     "camera gone   path \"%s\"\n"
			     "camera file   path \"%s\"\n"
			     "camera video  class video\n"
			     "camera usb    class usb\n"
			     "camera media  class media\n"
			     "camera mixed  class video path \"/dev/null\", \"%s\"\n",
			     gone, app, gone) > 0);
	p = resolve_text(text, &r);

	c = cam_res(p, &r, "null");
	assert_int_equal(c->n_keys, 1);
	assert_int_equal(c->keys[0].major, 1);
	assert_int_equal(c->keys[0].minor, 3);
	assert_string_equal(c->why, "");

	c = cam_res(p, &r, "gone");
	assert_int_equal(c->n_keys, 0);
	expect_contains(c->why, gone);
	c = cam_res(p, &r, "file");
	assert_int_equal(c->n_keys, 0);
	expect_contains(c->why, "not a character device");

	c = cam_res(p, &r, "video");
	assert_int_equal(c->n_keys, 1);
	expect_cam_key(c, 81, BF_ANY_MINOR);
	assert_string_equal(c->why, "");
	c = cam_res(p, &r, "usb");
	assert_int_equal(c->n_keys, 1);
	expect_cam_key(c, 189, BF_ANY_MINOR);

	/* media's major is whatever this kernel registered, if it has the driver at all */
	c = cam_res(p, &r, "media");
	if (bf_char_major("media", &media) == 0) {
		assert_int_equal(c->n_keys, 1);
		expect_cam_key(c, media, BF_ANY_MINOR);
		assert_string_equal(c->why, "");
	} else {
		assert_int_equal(c->n_keys, 0);
		expect_contains(c->why, "media");
	}

	/* what resolves is kept even when part of the camera does not */
	c = cam_res(p, &r, "mixed");
	assert_int_equal(c->n_keys, 2);
	expect_cam_key(c, 81, BF_ANY_MINOR);
	expect_cam_key(c, 1, 3);
	expect_contains(c->why, gone);

	bf_resolved_free(&r);
	bf_policy_free(p);
	free(text);
	free(app);
	free(gone);
}

static void test_resolved_differs(void **state)
{
	char *exe = tpath("swap"), *next = tpath("swap.new"), *text;
	struct bf_resolved r1 = { 0 }, r2 = { 0 }, r3 = { 0 };
	struct bf_policy *p;
	struct stat before, after;

	write_file(exe, "v1");
	assert_true(asprintf(&text,
			     "app a exe \"%s\" user \"root\"\n"
			     "app svc unit \"no-such-unit-bfresolve.service\"\n"
			     "camera null path \"/dev/null\"\n"
			     "camera video class video\n",
			     exe) > 0);
	p = resolve_text(text, &r1);
	assert_int_equal(bf_resolve(p, cgroot[0] ? cgroot : "/nonexistent-bfresolve", &r2), 0);
	assert_false(bf_resolved_differs(p, &r1, &r2));
	assert_false(bf_resolved_differs(p, &r1, &r1));

	/* an upgrade installs a new file over the old name: a new inode the kernel will see */
	assert_int_equal(stat(exe, &before), 0);
	write_file(next, "v2");
	assert_int_equal(rename(next, exe), 0);
	assert_int_equal(stat(exe, &after), 0);
	assert_int_not_equal(before.st_ino, after.st_ino);
	assert_int_equal(bf_resolve(p, cgroot[0] ? cgroot : "/nonexistent-bfresolve", &r3), 0);
	assert_true(r3.apps[0].exe_ok);
	assert_int_equal(r3.apps[0].exe_ino, after.st_ino);
	assert_true(bf_resolved_differs(p, &r1, &r3));
	assert_true(bf_resolved_differs(p, &r3, &r1));

	bf_resolved_free(&r1);
	bf_resolved_free(&r2);
	bf_resolved_free(&r3);
	bf_policy_free(p);
	free(text);
	free(exe);
	free(next);
}

/* A pinned exe replaced by different bytes stops matching, and that is a difference too. */
static void test_resolved_differs_pin(void **state)
{
	char *exe = tpath("pinned"), *next = tpath("pinned.new"), *text;
	struct bf_resolved r1 = { 0 }, r2 = { 0 };
	struct bf_policy *p;

	write_file(exe, "test");
	assert_true(asprintf(&text, "app a exe \"%s\" sha256 \"%s\"\n", exe, SHA_TEST) > 0);
	p = resolve_text(text, &r1);
	assert_true(r1.apps[0].exe_ok);
	write_file(next, "tampered");
	assert_int_equal(rename(next, exe), 0);
	assert_int_equal(bf_resolve(p, "/nonexistent-bfresolve", &r2), 0);
	assert_false(r2.apps[0].exe_ok);
	expect_contains(r2.apps[0].why, "does not match");
	assert_true(bf_resolved_differs(p, &r1, &r2));
	bf_resolved_free(&r1);
	bf_resolved_free(&r2);
	bf_policy_free(p);
	free(text);
	free(exe);
	free(next);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kdev),
		cmocka_unit_test(test_char_major),
		cmocka_unit_test(test_cgroup2_mount),
		cmocka_unit_test(test_cgroup_id),
		cmocka_unit_test(test_cgroup_id_self),
		cmocka_unit_test(test_resolve_exe),
		cmocka_unit_test(test_resolve_users),
		cmocka_unit_test(test_every_reason_kept),
		cmocka_unit_test(test_digest_reuse),
		cmocka_unit_test(test_resolve_cgroups),
		cmocka_unit_test(test_resolve_cameras),
		cmocka_unit_test(test_resolved_differs),
		cmocka_unit_test(test_resolved_differs_pin),
	};

	return cmocka_run_group_tests_name("resolve", tests, setup_tmp, teardown_tmp);
}
