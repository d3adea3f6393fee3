/* test_v4l2id.c - unit tests for V4L2 identities read from a fake sysfs tree, and cameras resolved by them. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "bf_test.h"

#include "biofence.h"
#include "resolve.h"
#include "v4l2id.h"

#define NF BF_PARSE_NO_FS_CHECKS

static char root[64];

/* ---- a fake sysfs, laid out as the kernel does ---- */

static char *rpath(const char *fmt, va_list ap)
{
	char *rel, *p;

	assert_true(vasprintf(&rel, fmt, ap) > 0);
	assert_true(asprintf(&p, "%s/%s", root, rel) > 0);
	free(rel);
	return p;
}

/* mkdir -p ROOT/REL */
__attribute__((format(printf, 1, 2))) static void mk(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = rpath(fmt, ap);
	va_end(ap);
	for (char *s = p + strlen(root) + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		assert_true(mkdir(p, 0755) == 0 || errno == EEXIST);
		*s = '/';
	}
	assert_true(mkdir(p, 0755) == 0 || errno == EEXIST);
	free(p);
}

/* ROOT/REL gets CONTENT, with the newline sysfs ends an attribute with. */
__attribute__((format(printf, 2, 3))) static void put(const char *content, const char *fmt, ...)
{
	va_list ap;
	FILE *f;
	char *p;

	va_start(ap, fmt);
	p = rpath(fmt, ap);
	va_end(ap);
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", content);
	assert_int_equal(fclose(f), 0);
	free(p);
}

/* ROOT/REL -> TARGET; a TARGET starting with "/" is taken inside ROOT. */
__attribute__((format(printf, 2, 3))) static void ln(const char *target, const char *fmt, ...)
{
	char *p, *t = NULL;
	va_list ap;

	va_start(ap, fmt);
	p = rpath(fmt, ap);
	va_end(ap);
	if (target[0] == '/')
		assert_true(asprintf(&t, "%s%s", root, target) > 0);
	assert_int_equal(symlink(t ? t : target, p), 0);
	free(t);
	free(p);
}

/* A V4L2 node NAME (dev DEV, name CARD) under the device directory DEVDIR. */
static void node(const char *devdir, const char *name, const char *dev, const char *card)
{
	mk("%s/video4linux/%s", devdir, name);
	put(dev, "%s/video4linux/%s/dev", devdir, name);
	put(card, "%s/video4linux/%s/name", devdir, name);
	/* Relative, as the kernel makes them: node -> its parent device. */
	ln("../..", "%s/video4linux/%s/device", devdir, name);
	mk("class/video4linux");
	{
		char *t;

		assert_true(asprintf(&t, "../../%s/video4linux/%s", devdir, name) > 0);
		ln(t, "class/video4linux/%s", name);
		free(t);
	}
}

#define VIVID "devices/platform/vivid.0"
#define UVC_IF "devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2.4/1-2.4:1.0"
#define BTTV "devices/pci0000:00/0000:00:1f.0"
#define UNBOUND "devices/platform/unbound.0"

/*
 * vivid with two instances on one platform device (as the real driver
 * does), a UVC camera behind a hub with a capture and a metadata node, a
 * PCI card, a virtual node with no parent and a platform device no driver
 * is bound to.
 */
static int setup_tree(void **state)
{
	snprintf(root, sizeof(root), "/tmp/bfv4l2id.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	mk("bus/platform/drivers/vivid");
	mk("bus/usb/drivers/uvcvideo");
	mk("bus/pci/drivers/bttv");
	mk(VIVID);
	ln("../../../bus/platform/drivers/vivid", VIVID "/driver");
	ln("../../../bus/platform", VIVID "/subsystem");
	node(VIVID, "video0", "81:0", "vivid-000-vid-cap");
	node(VIVID, "video1", "81:3", "vivid-001-vid-cap");
	mk(UVC_IF);
	put("2", "devices/pci0000:00/0000:00:14.0/usb1/1-2/devpath");
	put("2.4", "devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2.4/devpath");
	ln("/bus/usb", "devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2.4/subsystem");
	ln("/bus/usb", UVC_IF "/subsystem");
	ln("/bus/usb/drivers/uvcvideo", UVC_IF "/driver");
	node(UVC_IF, "video2", "81:10", "Integrated Camera: Integrated C");
	node(UVC_IF, "video3", "81:11", "Integrated Camera: Integrated C");
	mk(BTTV);
	ln("/bus/pci", BTTV "/subsystem");
	ln("/bus/pci/drivers/bttv", BTTV "/driver");
	node(BTTV, "video4", "81:20", "BT878 video (Hauppauge)");
	mk("devices/virtual/video4linux/video5");
	put("81:21", "devices/virtual/video4linux/video5/dev");
	put("loopback", "devices/virtual/video4linux/video5/name");
	ln("../../devices/virtual/video4linux/video5", "class/video4linux/video5");
	mk(UNBOUND);
	ln("/bus/platform", UNBOUND "/subsystem");
	node(UNBOUND, "video6", "81:22", "orphan");
	return 0;
}

static int teardown_tree(void **state)
{
	return bft_rm_tree(root);
}

static const struct bf_v4l2_node *find(const struct bf_v4l2_node *n, size_t count, const char *name)
{
	for (size_t i = 0; i < count; i++)
		if (strcmp(n[i].name, name) == 0)
			return &n[i];
	fail_msg("no node %s", name);
	return NULL;
}

static void expect_node(const struct bf_v4l2_node *n, unsigned minor, const char *driver,
			const char *card, const char *bus)
{
	assert_int_equal(n->major, 81);
	assert_int_equal(n->minor, minor);
	assert_string_equal(n->driver, driver);
	assert_string_equal(n->card, card);
	assert_string_equal(n->bus, bus);
}

/* ---- reading identities ---- */

static void test_nodes(void **state)
{
	struct bf_v4l2_node *n;
	size_t count;

	assert_int_equal(bf_v4l2_nodes(root, &n, &count), 0);
	assert_int_equal(count, 7);
	for (size_t i = 1; i < count; i++)
		assert_true(strcmp(n[i - 1].name, n[i].name) < 0);
	expect_node(find(n, count, "video0"), 0, "vivid", "vivid-000-vid-cap", "platform:vivid.0");
	expect_node(find(n, count, "video1"), 3, "vivid", "vivid-001-vid-cap", "platform:vivid.0");
	/* usb_make_path(): the host controller, then the device's devpath through the hub. */
	expect_node(find(n, count, "video2"), 10, "uvcvideo", "Integrated Camera: Integrated C",
		    "usb-0000:00:14.0-2.4");
	expect_node(find(n, count, "video3"), 11, "uvcvideo", "Integrated Camera: Integrated C",
		    "usb-0000:00:14.0-2.4");
	expect_node(find(n, count, "video4"), 20, "bttv", "BT878 video (Hauppauge)", "PCI:0000:00:1f.0");
	expect_node(find(n, count, "video5"), 21, "", "loopback", "");
	expect_node(find(n, count, "video6"), 22, "", "orphan", "platform:unbound.0");
	free(n);
}

static void test_no_v4l2(void **state)
{
	struct bf_v4l2_node *n = (struct bf_v4l2_node *)1;
	size_t count = 9;
	char *empty;

	/* No driver loaded: no class directory, no nodes, no error. */
	assert_true(asprintf(&empty, "%s/bus", root) > 0);
	assert_int_equal(bf_v4l2_nodes(empty, &n, &count), 0);
	assert_int_equal(count, 0);
	assert_null(n);
	free(empty);
	assert_int_equal(bf_v4l2_read_node(root, "video99", &(struct bf_v4l2_node){ 0 }), -ENOENT);
}

static void test_match(void **state)
{
	struct bf_v4l2_node n = { .driver = "uvcvideo", .card = "C920", .bus = "usb-0000:00:14.0-1" };
	struct bf_v4l2_ident id = { 0 };

	assert_false(bf_v4l2_match(&id, &n));	/* an empty selector selects nothing */
	id.driver = "uvcvideo";
	assert_true(bf_v4l2_match(&id, &n));
	id.card = "C920";
	id.bus = "usb-0000:00:14.0-1";
	assert_true(bf_v4l2_match(&id, &n));
	id.bus = "usb-0000:00:14.0-2";
	assert_false(bf_v4l2_match(&id, &n));
	id.bus = NULL;
	id.card = "C92";	/* exact, never a prefix */
	assert_false(bf_v4l2_match(&id, &n));
	id.card = "c920";	/* nor case-folded */
	assert_false(bf_v4l2_match(&id, &n));
	/* A node with no driver bound has driver "", which no selector can name. */
	n.driver[0] = '\0';
	id.card = "C920";
	assert_false(bf_v4l2_match(&id, &n));
}

/* ---- resolving cameras ---- */

static struct bf_policy *parse(const char *text)
{
	struct bf_diags d = { 0 };
	struct bf_policy *p = NULL;
	int rc = bf_policy_parse_string("t.policy", text, NF, &p, &d);

	if (rc != 0)
		fail_msg("rc %d, first diagnostic: %s", rc, d.n ? d.msgs[0] : "(none)");
	bf_diags_free(&d);
	return p;
}

static void expect_keys(const struct bf_camera_res *r, size_t n, ...)
{
	va_list ap;

	assert_int_equal(r->n_keys, n);
	va_start(ap, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(r->keys[i].major, 81);
		assert_int_equal(r->keys[i].minor, va_arg(ap, unsigned));
	}
	va_end(ap);
}

static void test_resolve_by_identity(void **state)
{
	struct bf_policy *p = parse(
		"camera inst1 v4l2 driver \"vivid\" card \"vivid-001-vid-cap\"\n"
		"camera vivid v4l2 driver \"vivid\"\n"
		"camera laptop v4l2 bus \"usb-0000:00:14.0-2.4\"\n"
		"camera pci v4l2 bus \"PCI:0000:00:1f.0\" driver \"bttv\"\n"
		"camera gone v4l2 driver \"uvcvideo\" card \"C920\"\n"
		"camera mixed class video v4l2 card \"orphan\"\n");
	struct bf_camera_res r[6];

	assert_int_equal(bf_resolve_cameras(p, root, r), 0);
	expect_keys(&r[0], 1, 3);
	assert_string_equal(r[0].why, "");
	expect_keys(&r[1], 2, 0, 3);
	expect_keys(&r[2], 2, 10, 11);	/* every node of the camera: capture and metadata */
	expect_keys(&r[3], 1, 20);
	/* Absent: no key at all, so the rule has no device, and the reason says which. */
	expect_keys(&r[4], 0);
	assert_string_equal(r[4].why, "v4l2 driver \"uvcvideo\" card \"C920\": no V4L2 node has this identity");
	assert_int_equal(r[5].n_keys, 2);
	assert_int_equal(r[5].keys[0].minor, BF_ANY_MINOR);
	assert_int_equal(r[5].keys[1].minor, 22);
	bf_policy_free(p);
}

/* The camera is unplugged and comes back at another minor: it follows the device. */
static void test_resolve_follows_replug(void **state)
{
	struct bf_policy *p = parse("camera inst1 v4l2 card \"vivid-001-vid-cap\"\n");
	struct bf_camera_res r;
	char *node_dir, *link;

	assert_true(asprintf(&node_dir, "%s/" VIVID "/video4linux/video1", root) > 0);
	assert_true(asprintf(&link, "%s/class/video4linux/video1", root) > 0);
	assert_int_equal(bft_rm_tree(node_dir), 0);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(bf_resolve_cameras(p, root, &r), 0);
	expect_keys(&r, 0);
	node(VIVID, "video7", "81:7", "vivid-001-vid-cap");
	assert_int_equal(bf_resolve_cameras(p, root, &r), 0);
	expect_keys(&r, 1, 7);
	/* Put the tree back as setup made it, for the tests that follow. */
	free(node_dir);
	assert_true(asprintf(&node_dir, "%s/" VIVID "/video4linux/video7", root) > 0);
	assert_int_equal(bft_rm_tree(node_dir), 0);
	free(link);
	assert_true(asprintf(&link, "%s/class/video4linux/video7", root) > 0);
	assert_int_equal(unlink(link), 0);
	node(VIVID, "video1", "81:3", "vivid-001-vid-cap");
	free(node_dir);
	free(link);
	bf_policy_free(p);
}

/* More nodes than a camera has keys for: the ones left out are reported, never dropped silently. */
static void test_resolve_too_many_nodes(void **state)
{
	struct bf_policy *p = parse("camera many v4l2 driver \"manycam\"\n");
	struct bf_camera_res r;
	char dev[16], name[16];

	mk("bus/platform/drivers/manycam");
	mk("devices/platform/manycam.0");
	ln("/bus/platform/drivers/manycam", "devices/platform/manycam.0/driver");
	ln("/bus/platform", "devices/platform/manycam.0/subsystem");
	for (unsigned i = 0; i < BF_CAM_MAX_KEYS + 2; i++) {
		snprintf(dev, sizeof(dev), "81:%u", 100 + i);
		snprintf(name, sizeof(name), "video%u", 100 + i);
		node("devices/platform/manycam.0", name, dev, "many");
	}
	assert_int_equal(bf_resolve_cameras(p, root, &r), 0);
	assert_int_equal(r.n_keys, BF_CAM_MAX_KEYS);
	assert_string_equal(r.why, "more than 16 device nodes: 81:116 and later ones are not covered");
	bf_policy_free(p);
}

/* A policy without v4l2 keys never reads sysfs: a missing root changes nothing. */
static void test_resolve_without_identity(void **state)
{
	struct bf_policy *p = parse("camera all class video\n");
	struct bf_camera_res r;

	assert_int_equal(bf_resolve_cameras(p, "/nonexistent-bfv4l2id", &r), 0);
	assert_int_equal(r.n_keys, 1);
	assert_string_equal(r.why, "");
	bf_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nodes),
		cmocka_unit_test(test_no_v4l2),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_resolve_by_identity),
		cmocka_unit_test(test_resolve_follows_replug),
		cmocka_unit_test(test_resolve_too_many_nodes),
		cmocka_unit_test(test_resolve_without_identity),
	};

	return cmocka_run_group_tests(tests, setup_tree, teardown_tree);
}
