/* test_agent_hotplug.c - camera hot-plug: uevent messages and inotify on camera path directories lead to a re-resolve. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "bf_test.h"
#include "agent_fixture.h"
#include "agent_hotplug.h"

struct hfx {
	struct bff *f;
	int kernel;     /* the uevent sender's end */
};

static int setup(void **state)
{
	struct hfx *h = calloc(1, sizeof(*h));
	char text[512];
	int sv[2];

	h->f = bff_new();
	bff_symlink(h->f, "/dev/null", "dev/v4l/by-id/cam0");
	snprintf(text, sizeof(text), "camera lobby path \"%s/dev/v4l/by-id/cam0\"\n"
		 "capture deny any lobby\n", h->f->dir);
	bff_use_policy(h->f, text);
	/* A datagram pair stands in for the netlink socket: one message per uevent, sender port 0. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
	h->f->ag.hotplug.uevent_fd = sv[0];
	h->kernel = sv[1];
	h->f->ag.hotplug.inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	assert_true(h->f->ag.hotplug.inotify_fd >= 0);
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	struct hfx *h = *state;

	close(h->kernel);
	bff_free(h->f);         /* closes the agent's ends */
	free(h);
	return 0;
}

#define REMOVE_VIDEO0 "remove@/devices/pci0/usb1/video4linux/video0\0ACTION=remove\0" \
		      "DEVPATH=/devices/pci0/usb1/video4linux/video0\0SUBSYSTEM=video4linux\0DEVNAME=video0\0"
#define ADD_SDA "add@/devices/block/sda\0ACTION=add\0DEVPATH=/devices/block/sda\0SUBSYSTEM=block\0DEVNAME=sda\0"
#define BATTERY "change@/devices/power/BAT0\0ACTION=change\0DEVPATH=/devices/power/BAT0\0SUBSYSTEM=power_supply\0"

static void send_uevent(struct hfx *h, const char *msg, size_t len)
{
	assert_int_equal(send(h->kernel, msg, len, 0), (ssize_t)len);
}

static void test_uevent_relevant(void **state)
{
	char why[160];
	bool v4l2;

	(void)state;
	assert_true(agent_uevent_relevant(REMOVE_VIDEO0, sizeof(REMOVE_VIDEO0), why, sizeof(why), &v4l2));
	assert_string_equal(why, "uevent remove video0");
	assert_true(v4l2);
	assert_true(agent_uevent_relevant(ADD_SDA, sizeof(ADD_SDA), why, sizeof(why), &v4l2));
	assert_false(v4l2);
	/* No device node and not video4linux: a camera path cannot name it. */
	assert_false(agent_uevent_relevant(BATTERY, sizeof(BATTERY), why, sizeof(why), &v4l2));
}

/* The camera was unplugged: its node is gone by the time the uevent arrives, and the tables follow. */
static void test_uevent_remove_reresolves(void **state)
{
	struct hfx *h = *state;
	struct json_object *rec;

	unlink(bff_path(h->f, "dev/v4l/by-id/cam0"));
	send_uevent(h, REMOVE_VIDEO0, sizeof(REMOVE_VIDEO0));
	agent_on_uevent(&h->f->ag);
	assert_int_equal(h->f->kern.installs, 2);
	rec = bff_find(h->f, "camera", "lobby");
	assert_non_null(rec);
	assert_string_equal(bff_str(rec, "trigger"), "uevent remove video0");
	assert_false(bff_bool(rec, "can_match"));
	json_object_put(rec);
}

/* A burst is resolved once, named by its V4L2 node; uevents of no device do nothing. */
static void test_uevent_burst(void **state)
{
	struct hfx *h = *state;
	struct json_object *rec;

	unlink(bff_path(h->f, "dev/v4l/by-id/cam0"));
	send_uevent(h, ADD_SDA, sizeof(ADD_SDA));
	send_uevent(h, BATTERY, sizeof(BATTERY));
	send_uevent(h, REMOVE_VIDEO0, sizeof(REMOVE_VIDEO0));
	agent_on_uevent(&h->f->ag);
	assert_int_equal(h->f->kern.installs, 2);
	rec = bff_find(h->f, "camera", "lobby");
	assert_string_equal(bff_str(rec, "trigger"), "uevent remove video0 (and 1 more)");
	json_object_put(rec);
}

static void test_irrelevant_uevent_no_resolve(void **state)
{
	struct hfx *h = *state;
	size_t before = bff_count(h->f);

	unlink(bff_path(h->f, "dev/v4l/by-id/cam0"));
	send_uevent(h, BATTERY, sizeof(BATTERY));
	agent_on_uevent(&h->f->ag);
	assert_int_equal(h->f->kern.installs, 1);
	assert_int_equal(bff_count(h->f), before);
}

/* udev removes the by-id link: the watched directory tells, and the camera is re-resolved. */
static void test_inotify_link_removed(void **state)
{
	struct hfx *h = *state;
	struct bf_hotplug *hp = &h->f->ag.hotplug;
	struct json_object *rec;
	char want[512];

	agent_hotplug_watch(hp, h->f->ag.policy.cur->policy);
	assert_int_equal(hp->n_watches, 1);
	assert_string_equal(hp->watches[0].dir, bff_path(h->f, "dev/v4l/by-id"));
	unlink(bff_path(h->f, "dev/v4l/by-id/cam0"));
	agent_on_inotify(&h->f->ag);
	rec = bff_find(h->f, "camera", "lobby");
	assert_non_null(rec);
	snprintf(want, sizeof(want), "inotify %s", bff_path(h->f, "dev/v4l/by-id/cam0"));
	assert_string_equal(bff_str(rec, "trigger"), want);
	json_object_put(rec);
}

/* A reload to cameras elsewhere: the new directory is watched, the old one let go. */
static void test_watch_follows_policy(void **state)
{
	struct hfx *h = *state;
	struct bf_hotplug *hp = &h->f->ag.hotplug;
	char text[512];

	agent_hotplug_watch(hp, h->f->ag.policy.cur->policy);
	bff_symlink(h->f, "/dev/null", "other/cam1");
	snprintf(text, sizeof(text), "camera door path \"%s/other/cam1\"\ncapture deny any door\n", h->f->dir);
	bff_use_policy(h->f, text);
	agent_hotplug_watch(hp, h->f->ag.policy.cur->policy);
	assert_int_equal(hp->n_watches, 1);
	assert_string_equal(hp->watches[0].dir, bff_path(h->f, "other"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uevent_relevant),
		cmocka_unit_test_setup_teardown(test_uevent_remove_reresolves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uevent_burst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_irrelevant_uevent_no_resolve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inotify_link_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_follows_policy, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
