/* test_agent_sockets.c - tainted processes holding sockets no hook judges (a fake /proc): reported once, or stopped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bf_test.h"
#include "agent_fixture.h"
#include "agent_sockets.h"

/* Above pid_max: no real process, so pidfd_open fails and the scan reads /proc/PID/net as its fallback. */
#define SNIFFER 100011
#define RAWCAP  100012
#define CLEAN   100013

#define PACKET_TABLE "sk       RefCnt Type Proto  Iface R Rmem   User   Inode\n" \
		     "ffff0001 3      3    0003   2     1 0      0      424242\n"

static struct bff *fixture(const char *mode)
{
	struct bff *f = bff_new();
	char text[256];

	snprintf(text, sizeof(text), "mode %s\ncamera c class video\ncapture deny any c\n", mode);
	bff_use_policy(f, text);
	bff_proc(f, SNIFFER, "/bin/true", "/", "sniffer", 0, 0);
	bff_symlink(f, "socket:[424242]", "proc/100011/fd/7");
	bff_write(f, "proc/100011/net/packet", PACKET_TABLE);
	bff_proc(f, RAWCAP, "/bin/true", "/", "rawcap", 0, 1ull << 13);
	bff_proc(f, CLEAN, "/bin/true", "/", "clean", 0, 0);
	bff_symlink(f, "socket:[5555]", "proc/100013/fd/3");
	bff_write(f, "proc/100013/net/packet", PACKET_TABLE);   /* another process's packet socket */
	f->kern.tainted[0] = SNIFFER;
	f->kern.tainted[1] = RAWCAP;
	f->kern.tainted[2] = CLEAN;
	f->kern.n_tainted = 3;
	return f;
}

static int setup_audit(void **state)
{
	*state = fixture("audit");
	return 0;
}

static int setup_enforce(void **state)
{
	*state = fixture("enforce");
	return 0;
}

/* Audit mode: reported, not stopped; and only once however many scans see it. */
static void test_packet_socket_reported_once(void **state)
{
	struct bff *f = *state;
	struct json_object *rec;

	agent_scan_sockets(&f->ag);
	agent_scan_sockets(&f->ag);
	assert_int_equal(bff_count_where(f, "event", "report"), 1);
	rec = bff_find(f, "event", "report");
	assert_string_equal(bff_str(rec, "kind"), "socket");
	assert_string_equal(bff_str(rec, "verdict"), "deny");
	assert_false(bff_bool(rec, "enforced"));
	assert_string_equal(bff_str(rec, "rule"), "builtin");
	assert_int_equal(bff_int(rec, "pid"), SNIFFER);
	assert_string_equal(bff_str(rec, "comm"), "sniffer");
	assert_string_equal(bff_str(rec, "socket.family"), "packet");
	assert_int_equal(bff_int(rec, "socket.inode"), 424242);
	json_object_put(rec);
}

/* CAP_NET_RAW: a warning, once per process. */
static void test_cap_net_raw_warned_once(void **state)
{
	struct bff *f = *state;
	struct json_object *rec;

	agent_scan_sockets(&f->ag);
	agent_scan_sockets(&f->ag);
	assert_int_equal(bff_count_where(f, "event", "cap-net-raw"), 1);
	rec = bff_find(f, "event", "cap-net-raw");
	assert_int_equal(bff_int(rec, "pid"), RAWCAP);
	assert_string_equal(bff_str(rec, "comm"), "rawcap");
	json_object_put(rec);
}

/* A socket of the table that is not the process's own is no finding. */
static void test_clean_process_not_reported(void **state)
{
	struct bff *f = *state;
	struct json_object *arr;

	agent_scan_sockets(&f->ag);
	arr = bff_records(f);
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *r = json_object_array_get_idx(arr, i);

		if (json_object_object_get_ex(r, "pid", NULL))
			assert_int_not_equal(bff_int(r, "pid"), CLEAN);
	}
	json_object_put(arr);
}

/* Enforcing: a process gone before the kill (as these are) leaves no "terminate" record. */
static void test_enforce_gone_process_no_record(void **state)
{
	struct bff *f = *state;

	agent_scan_sockets(&f->ag);
	assert_int_equal(bff_count_where(f, "event", "terminate"), 0);
	assert_int_equal(bff_count_where(f, "event", "report"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_packet_socket_reported_once, setup_audit, bff_teardown),
		cmocka_unit_test_setup_teardown(test_cap_net_raw_warned_once, setup_audit, bff_teardown),
		cmocka_unit_test_setup_teardown(test_clean_process_not_reported, setup_audit, bff_teardown),
		cmocka_unit_test_setup_teardown(test_enforce_gone_process_no_record, setup_enforce, bff_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
