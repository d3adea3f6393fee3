/* test_agent_events.c - the ring-buffer dispatcher: kernel events in, the audit records a reviewer reads out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "bf_test.h"
#include "agent_fixture.h"
#include "agent_events.h"

/* Line numbers matter: records name rules as t.policy:LINE. */
static const char *policy_text =
	"mode enforce\n"                                        /* 1 */
	"app recognizer exe \"/bin/true\"\n"                    /* 2 */
	"camera lobby path \"/dev/video0\"\n"                   /* 3 */
	"dest controller 10.20.0.5 tcp 8443\n"                  /* 4 */
	"capture allow recognizer lobby\n"                      /* 5 */
	"capture deny any lobby\n"                              /* 6 */
	"export allow recognizer controller\n"                  /* 7 */
	"camera gate net 192.168.50.21 tcp 554 rtsp\n";         /* 8 */

static int setup(void **state)
{
	struct bff *f = bff_new();

	bff_use_policy(f, policy_text);
	*state = f;
	return 0;
}

/* An event from process PID of the policy in force (seq 1), running /bin/true. */
static struct bf_event event(uint32_t kind, uint32_t pid)
{
	struct bf_event e = { .kind = kind, .pid = pid, .tgid = pid, .ppid = 1, .uid = 1000,
			      .policy_seq = 1 };
	struct stat st;

	assert_int_equal(stat("/bin/true", &st), 0);
	e.exe_dev = bf_kdev(st.st_dev);
	e.exe_ino = st.st_ino;
	memcpy(e.comm, "cam-thief", 9);
	return e;
}

static void feed(struct bff *f, void *e, size_t size)
{
	assert_int_equal(agent_on_event(&f->ag, e, size), 0);
}

static void test_denied_capture_names_rule_file_line(void **state)
{
	struct bff *f = *state;
	struct bf_event e = event(BF_KIND_CAPTURE, 4242);
	struct json_object *rec;

	e.rule = 1;                     /* the second capture rule: "capture deny any lobby" */
	e.objs = 1;                     /* camera bit 0: lobby */
	e.major = 81, e.minor = 0;
	e.access = BF_DEVCG_ACC_READ;
	e.flags = BF_EF_DENY_RULE | BF_EF_ENFORCED;
	feed(f, &e, sizeof(e));
	rec = bff_find(f, "kind", "capture");
	assert_non_null(rec);
	assert_string_equal(bff_str(rec, "verdict"), "deny");
	assert_true(bff_bool(rec, "enforced"));
	assert_string_equal(bff_str(rec, "rule"), "t.policy:6");
	assert_string_equal(bff_str(rec, "camera"), "lobby");
	assert_string_equal(bff_str(rec, "device"), "81:0");
	assert_string_equal(bff_str(rec, "access"), "read");
	assert_string_equal(bff_str(rec, "comm"), "cam-thief");
	assert_int_equal(bff_int(rec, "pid"), 4242);
	assert_int_equal(bff_int(rec, "policy_seq"), 1);
	assert_int_equal(f->ag.log.logged, 1);
	json_object_put(rec);
}

static void test_allowed_capture_names_app(void **state)
{
	struct bff *f = *state;
	struct bf_event e = event(BF_KIND_CAPTURE, 77);
	struct json_object *rec;

	e.rule = 0;
	e.apps = 1, e.objs = 1;
	e.flags = BF_EF_ALLOW | BF_EF_ENFORCED;
	e.access = BF_DEVCG_ACC_READ | BF_DEVCG_ACC_WRITE;
	feed(f, &e, sizeof(e));
	rec = bff_find(f, "kind", "capture");
	assert_string_equal(bff_str(rec, "verdict"), "allow");
	assert_string_equal(bff_str(rec, "rule"), "t.policy:5");
	assert_string_equal(bff_str(rec, "app"), "recognizer");
	assert_string_equal(bff_str(rec, "access"), "read,write");
	json_object_put(rec);
}

/* A network camera reached: the record names it by address and protocol, not a device; its taint likewise. */
static void test_net_camera_capture(void **state)
{
	struct bff *f = *state;
	struct bf_event e = event(BF_KIND_CAPTURE, 4343);
	static const uint8_t ip[16] = { [10] = 0xff, [11] = 0xff, 192, 168, 50, 21 };
	struct json_object *rec;

	e.rule = BF_RULE_DEFAULT;
	e.objs = 2;                     /* camera bit 1: gate */
	e.minor = 1;
	e.flags = BF_EF_ENFORCED | BF_EF_DENY_RULE | BF_EF_NETCAM | BF_EF_CONNECT;
	memcpy(e.addr, ip, sizeof(ip));
	e.port = 554, e.proto = IPPROTO_TCP;
	feed(f, &e, sizeof(e));
	rec = bff_find(f, "kind", "capture");
	assert_non_null(rec);
	assert_string_equal(bff_str(rec, "verdict"), "deny");
	assert_string_equal(bff_str(rec, "camera"), "gate");
	assert_string_equal(bff_str(rec, "net.ip"), "192.168.50.21");
	assert_int_equal(bff_int(rec, "net.port"), 554);
	assert_string_equal(bff_str(rec, "net.proto"), "tcp");
	assert_string_equal(bff_str(rec, "speaks"), "rtsp");
	assert_string_equal(bff_str(rec, "call"), "connect");
	assert_null(bff_str(rec, "device"));
	assert_null(bff_str(rec, "access"));
	json_object_put(rec);

	/* A datagram it pushed, dropped on arrival: judged by the socket's owner. */
	e.flags = BF_EF_ENFORCED | BF_EF_DENY_RULE | BF_EF_NETCAM | BF_EF_INGRESS;
	e.proto = IPPROTO_UDP, e.port = 6970;
	feed(f, &e, sizeof(e));
	rec = bff_find(f, "kind", "capture");
	assert_string_equal(bff_str(rec, "call"), "receive");
	assert_string_equal(bff_str(rec, "hook"), "cgroup_skb/ingress");
	assert_string_equal(bff_str(rec, "net.proto"), "udp");
	json_object_put(rec);
	/* A receive on a socket connected to it, refused by the LSM hook. */
	e.flags = BF_EF_ENFORCED | BF_EF_DENY_RULE | BF_EF_NETCAM | BF_EF_USE | BF_EF_LSM;
	feed(f, &e, sizeof(e));
	rec = bff_find(f, "kind", "capture");
	assert_string_equal(bff_str(rec, "call"), "recvmsg");
	assert_string_equal(bff_str(rec, "hook"), "lsm/socket_recvmsg");
	json_object_put(rec);
	/* A datagram read from a handed-over socket by a non-app: recorded, not enforced, with why. */
	e.flags = BF_EF_DENY_RULE | BF_EF_NETCAM | BF_EF_RECVFROM;
	e.proto = IPPROTO_UDP, e.port = 6970;
	feed(f, &e, sizeof(e));
	rec = bff_find(f, "kind", "capture");
	assert_string_equal(bff_str(rec, "verdict"), "deny");
	assert_false(bff_bool(rec, "enforced"));
	assert_string_equal(bff_str(rec, "call"), "recvfrom");
	assert_string_equal(bff_str(rec, "hook"), "cgroup/recvmsg4");
	assert_non_null(strstr(bff_str(rec, "reason"), "the reader is tainted instead"));
	json_object_put(rec);
	/* A request sent on a socket connected to it (RTSP, HTTP), refused by the LSM hook. */
	e.flags = BF_EF_ENFORCED | BF_EF_DENY_RULE | BF_EF_NETCAM | BF_EF_LSM;
	e.proto = IPPROTO_TCP, e.port = 554;
	feed(f, &e, sizeof(e));
	rec = bff_find(f, "kind", "capture");
	assert_string_equal(bff_str(rec, "call"), "sendmsg");
	assert_string_equal(bff_str(rec, "hook"), "lsm/socket_sendmsg");
	json_object_put(rec);
	/* A socket carrying taint, connected to it by an untainted process. */
	e.flags = BF_EF_ENFORCED | BF_EF_DENY_RULE | BF_EF_NETCAM | BF_EF_LSM | BF_EF_CONNECT;
	feed(f, &e, sizeof(e));
	rec = bff_find(f, "kind", "capture");
	assert_string_equal(bff_str(rec, "call"), "connect");
	assert_string_equal(bff_str(rec, "hook"), "lsm/socket_connect");
	json_object_put(rec);

	/* What a process that pulled from it then sends carries the camera's name. */
	e = event(BF_KIND_EXPORT, 4344);
	e.rule = BF_RULE_DEFAULT;
	e.flags = BF_EF_ENFORCED | BF_EF_DENY_RULE | BF_EF_CONNECT;
	e.port = 443, e.proto = IPPROTO_TCP;
	e.taint.origin_tgid = 4343, e.taint.minor = 1, e.taint.flags = BF_TAINT_NET;
	feed(f, &e, sizeof(e));
	rec = bff_find(f, "kind", "export");
	assert_string_equal(bff_str(rec, "taint.device"), "net");
	assert_string_equal(bff_str(rec, "taint.camera"), "gate");
	json_object_put(rec);
}

/* The exe is read from /proc only while it still shows the inode the kernel saw; the cgroup likewise. */
static void test_process_from_proc(void **state)
{
	struct bff *f = *state;
	struct bf_event e = event(BF_KIND_CAPTURE, 500);
	struct json_object *rec;
	struct stat st;

	bff_mkdir(f, "cgroup/app.slice");
	assert_int_equal(stat(bff_path(f, "cgroup/app.slice"), &st), 0);
	bff_proc(f, 500, "/bin/true", "/app.slice", "x", 0, 0);
	e.cgid = st.st_ino;
	feed(f, &e, sizeof(e));
	rec = bff_find(f, "kind", "capture");
	assert_string_equal(bff_str(rec, "exe"), "/bin/true");
	assert_string_equal(bff_str(rec, "cgroup"), "/app.slice");
	json_object_put(rec);
}

/* Gone from /proc: the cgroup is found by its id in the guarded subtree, the exe by the policy's app. */
static void test_process_gone(void **state)
{
	struct bff *f = *state;
	struct bf_event e = event(BF_KIND_CAPTURE, 501);
	struct json_object *rec;
	struct stat st;

	bff_mkdir(f, "cgroup/gone.slice/unit");
	assert_int_equal(stat(bff_path(f, "cgroup/gone.slice/unit"), &st), 0);
	e.cgid = st.st_ino;
	feed(f, &e, sizeof(e));
	rec = bff_find(f, "kind", "capture");
	assert_string_equal(bff_str(rec, "cgroup"), "/gone.slice/unit");
	assert_string_equal(bff_str(rec, "exe"), "/bin/true");
	json_object_put(rec);
}

static void test_export_names_dest_and_taint(void **state)
{
	struct bff *f = *state;
	struct bf_event e = event(BF_KIND_EXPORT, 88);
	static const uint8_t ip[16] = { [10] = 0xff, [11] = 0xff, 10, 20, 0, 5 };
	struct json_object *rec;

	e.rule = 0, e.apps = 1, e.objs = 1;
	e.flags = BF_EF_ALLOW | BF_EF_CONNECT;
	memcpy(e.addr, ip, sizeof(ip));
	e.port = 8443, e.proto = IPPROTO_TCP;
	e.taint.origin_tgid = 87;
	e.taint.major = 81;
	feed(f, &e, sizeof(e));
	rec = bff_find(f, "kind", "export");
	assert_non_null(rec);
	assert_string_equal(bff_str(rec, "rule"), "t.policy:7");
	assert_string_equal(bff_str(rec, "dest.ip"), "10.20.0.5");
	assert_int_equal(bff_int(rec, "dest.port"), 8443);
	assert_string_equal(bff_str(rec, "dest.proto"), "tcp");
	assert_string_equal(bff_str(rec, "dest_set"), "controller");
	assert_string_equal(bff_str(rec, "call"), "connect");
	assert_null(bff_str(rec, "hook"));      /* a cgroup hook's: the record names none */
	assert_int_equal(bff_int(rec, "taint.origin_pid"), 87);
	assert_string_equal(bff_str(rec, "taint.device"), "81:0");
	json_object_put(rec);

	/* A send on a connected socket, refused by lsm/socket_sendmsg: judged by its peer, named so. */
	e.flags = BF_EF_ENFORCED | BF_EF_DENY_RULE | BF_EF_LSM;
	feed(f, &e, sizeof(e));
	rec = bff_find(f, "kind", "export");
	assert_string_equal(bff_str(rec, "verdict"), "deny");
	assert_string_equal(bff_str(rec, "call"), "sendmsg");
	assert_string_equal(bff_str(rec, "hook"), "lsm/socket_sendmsg");
	assert_string_equal(bff_str(rec, "dest.ip"), "10.20.0.5");
	assert_null(bff_str(rec, "taint.via"));    /* the sender itself was tainted */
	json_object_put(rec);

	/* An untainted sender on a socket that carries taint: the connect says so, and through what. */
	e.flags = BF_EF_ENFORCED | BF_EF_DENY_RULE | BF_EF_LSM | BF_EF_CONNECT | BF_EF_SOCK_TAINT;
	feed(f, &e, sizeof(e));
	rec = bff_find(f, "kind", "export");
	assert_string_equal(bff_str(rec, "call"), "connect");
	assert_string_equal(bff_str(rec, "hook"), "lsm/socket_connect");
	assert_string_equal(bff_str(rec, "taint.via"), "socket");
	assert_int_equal(bff_int(rec, "taint.origin_pid"), 87);
	json_object_put(rec);
}

/* A reader tainted through a channel: a "taint" record naming the channel, the hook and the origin. */
static void test_taint_through_channel(void **state)
{
	static const struct { uint32_t via; const char *event, *hook; } c[] = {
		{ BF_VIA_PIPE, "pipe", "lsm/file_permission" }, { BF_VIA_UNIX, "unix", "lsm/socket_recvmsg" },
		{ BF_VIA_PTRACE, "ptrace", "lsm/ptrace_access_check" }, { BF_VIA_SHM, "shm", "lsm/mmap_file" },
		{ BF_VIA_SHM_IO, "shm", "lsm/file_permission" }, { BF_VIA_SYSV, "shm", "lsm/shm_shmat" },
	};
	struct bff *f = *state;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct bf_event e = event(BF_KIND_TAINT, 96);
		struct json_object *rec;

		e.access = c[i].via;
		e.rule = BF_RULE_DEFAULT;
		e.flags = BF_EF_ALLOW | BF_EF_ENFORCED | BF_EF_LSM;
		e.taint.origin_tgid = 95;
		e.taint.major = 81, e.taint.minor = 3;
		feed(f, &e, sizeof(e));
		rec = bff_find(f, "kind", "taint");
		assert_non_null(rec);
		assert_string_equal(bff_str(rec, "event"), c[i].event);
		assert_string_equal(bff_str(rec, "hook"), c[i].hook);
		assert_string_equal(bff_str(rec, "verdict"), "allow");
		assert_string_equal(bff_str(rec, "rule"), "builtin");
		assert_int_equal(bff_int(rec, "pid"), 96);
		assert_int_equal(bff_int(rec, "taint.origin_pid"), 95);
		assert_string_equal(bff_str(rec, "taint.device"), "81:3");
		assert_null(bff_str(rec, "reason"));
		json_object_put(rec);
	}
}

/* A reader tainted from the writer's side: the kernel sent only its pid; who it is comes from /proc. */
static void test_taint_peer_filled_from_proc(void **state)
{
	struct bff *f = *state;
	struct bf_event e = { .kind = BF_KIND_TAINT, .policy_seq = 1, .rule = BF_RULE_DEFAULT };
	struct json_object *rec;

	bff_mkdir(f, "cgroup/app.slice");
	bff_proc(f, 600, "/bin/true", "/app.slice", "door-reader", 1000, 0);
	bff_write(f, "proc/600/comm", "door-reader\n");
	bff_write(f, "proc/600/status", "Name:\tdoor-reader\nPPid:\t42\nUid:\t1000\t1000\t1000\t1000\n");
	e.pid = e.tgid = 600;
	e.access = BF_VIA_UNIX;
	e.flags = BF_EF_ALLOW | BF_EF_ENFORCED | BF_EF_LSM | BF_EF_PEER;
	e.taint.origin_tgid = 95;
	feed(f, &e, sizeof(e));
	rec = bff_find(f, "kind", "taint");
	assert_non_null(rec);
	assert_string_equal(bff_str(rec, "comm"), "door-reader");
	assert_int_equal(bff_int(rec, "ppid"), 42);
	assert_int_equal(bff_int(rec, "uid"), 1000);
	assert_string_equal(bff_str(rec, "exe"), "/bin/true");
	assert_string_equal(bff_str(rec, "cgroup"), "/app.slice");
	assert_string_equal(bff_str(rec, "event"), "unix");
	assert_int_equal(bff_int(rec, "taint.origin_pid"), 95);
	json_object_put(rec);

	/* Gone before the agent read it: the pid alone, nothing made up. */
	e.pid = e.tgid = 601;
	feed(f, &e, sizeof(e));
	rec = bff_find(f, "kind", "taint");
	assert_int_equal(bff_int(rec, "pid"), 601);
	assert_string_equal(bff_str(rec, "comm"), "");
	assert_null(bff_str(rec, "exe"));
	json_object_put(rec);
}

/* lsm/uring_sqpoll: an SQPOLL ring refused to an untainted process; no taint to name. */
static void test_sqpoll_refused(void **state)
{
	struct bff *f = *state;
	struct bf_event e = event(BF_KIND_SOCKET, 97);
	struct json_object *rec;

	e.rule = BF_RULE_DEFAULT;
	e.flags = BF_EF_ENFORCED | BF_EF_LSM | BF_EF_URING;
	feed(f, &e, sizeof(e));
	rec = bff_find(f, "kind", "socket");
	assert_string_equal(bff_str(rec, "verdict"), "deny");
	assert_string_equal(bff_str(rec, "socket.family"), "io_uring");
	assert_string_equal(bff_str(rec, "socket.type"), "sqpoll");
	assert_string_equal(bff_str(rec, "hook"), "lsm/uring_sqpoll");
	assert_non_null(strstr(bff_str(rec, "reason"), "SQPOLL"));
	assert_null(bff_str(rec, "taint.origin_pid"));
	json_object_put(rec);
}

static void test_ipc_abstract_address(void **state)
{
	struct bff *f = *state;
	struct bf_ipc_event ev = { .e = event(BF_KIND_IPC, 90) };
	struct json_object *rec;

	ev.e.flags = BF_EF_DENY_RULE | BF_EF_ENFORCED | BF_EF_CONNECT;
	ev.e.rule = BF_RULE_DEFAULT;
	ev.e.proto = 1;
	memcpy(ev.addr, "\0bus", 4);
	ev.addr_len = 4;
	feed(f, &ev, sizeof(ev));
	rec = bff_find(f, "kind", "ipc");
	assert_non_null(rec);
	assert_string_equal(bff_str(rec, "unix.address"), "@bus");
	assert_true(bff_bool(rec, "unix.abstract"));
	assert_string_equal(bff_str(rec, "unix.type"), "stream");
	assert_string_equal(bff_str(rec, "rule"), "default");
	assert_null(bff_str(rec, "hook"));
	json_object_put(rec);

	/* Judged by lsm/unix_stream_connect (kernels before 6.7): the record names the hook. */
	ev.e.flags |= BF_EF_LSM;
	feed(f, &ev, sizeof(ev));
	rec = bff_find(f, "kind", "ipc");
	assert_string_equal(bff_str(rec, "hook"), "lsm/unix_stream_connect");
	json_object_put(rec);
}

static void test_raw_socket_is_builtin(void **state)
{
	struct bff *f = *state;
	struct bf_event e = event(BF_KIND_SOCKET, 91);
	struct json_object *rec;

	e.port = 3, e.proto = 255;
	e.flags = BF_EF_ENFORCED;
	feed(f, &e, sizeof(e));
	rec = bff_find(f, "kind", "socket");
	assert_string_equal(bff_str(rec, "rule"), "builtin");
	assert_string_equal(bff_str(rec, "verdict"), "deny");
	assert_string_equal(bff_str(rec, "socket.type"), "raw");
	assert_string_equal(bff_str(rec, "socket.family"), "inet");      /* programs before access held the family */
	assert_string_equal(bff_str(rec, "hook"), "cgroup/sock_create");
	assert_string_equal(bff_str(rec, "event"), "create");
	json_object_put(rec);
}

/* lsm/socket_create refuses families no cgroup hook judges; the record names the family and the hook. */
static void test_lsm_socket_names_family(void **state)
{
	static const struct { uint32_t af, type; const char *family, *stype; } c[] = {
		{ 17, 3, "packet", "raw" }, { 17, 2, "packet", "dgram" }, { 40, 1, "vsock", "stream" },
		{ 10, 2, "inet6", "ping" }, { 99, 5, "family 99", "seqpacket" },
	};
	struct bff *f = *state;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct bf_event e = event(BF_KIND_SOCKET, 95);
		struct json_object *rec;

		e.port = (uint16_t)c[i].type;
		e.access = c[i].af;
		e.flags = BF_EF_ENFORCED | BF_EF_LSM;
		feed(f, &e, sizeof(e));
		rec = bff_find(f, "kind", "socket");
		assert_string_equal(bff_str(rec, "socket.family"), c[i].family);
		assert_string_equal(bff_str(rec, "socket.type"), c[i].stype);
		assert_string_equal(bff_str(rec, "hook"), "lsm/socket_create");
		assert_string_equal(bff_str(rec, "verdict"), "deny");
		if (c[i].af != 10)
			assert_non_null(strstr(bff_str(rec, "reason"), c[i].family));
		json_object_put(rec);
	}
}

/* Queued under tables this agent never compiled: said so, not matched against the wrong policy. */
static void test_previous_agent_event(void **state)
{
	struct bff *f = *state;
	struct bf_event e = event(BF_KIND_CAPTURE, 92);
	struct json_object *rec;

	e.policy_seq = 41;
	e.rule = 0;
	e.objs = 1;
	feed(f, &e, sizeof(e));
	rec = bff_find(f, "kind", "capture");
	assert_string_equal(bff_str(rec, "rule"), "previous-agent");
	assert_null(bff_str(rec, "camera"));
	json_object_put(rec);
}

/*
 * Short events and kinds this agent does not know are no decision record,
 * but never silent: counted, and said at the 1st, 2nd and 4th.
 */
static void test_short_and_unknown_events_counted(void **state)
{
	struct bff *f = *state;
	struct bf_event e = event(BF_KIND_CAPTURE, 93);
	struct bf_ipc_event ev = { .e = event(BF_KIND_IPC, 94) };
	struct json_object *rec;

	feed(f, &e, sizeof(e) - 1);
	feed(f, &ev, sizeof(ev.e));     /* an ipc event without its address */
	e.kind = 99;
	feed(f, &e, sizeof(e));
	e.kind = 0;
	feed(f, &e, sizeof(e));
	assert_int_equal(f->ag.log.logged, 0);
	assert_int_equal(f->ag.ev.unreadable, 4);
	assert_int_equal(bff_count_where(f, "event", "event-unreadable"), 3);   /* 1, 2, 4 */
	assert_int_equal(bff_count_where(f, "kind", "capture"), 0);
	rec = bff_find(f, "event", "event-unreadable");    /* the last: the 4th, kind 0 */
	assert_non_null(rec);
	assert_int_equal(bff_int(rec, "size"), sizeof(e));
	assert_int_equal(bff_int(rec, "event_kind"), 0);
	assert_int_equal(bff_int(rec, "total"), 4);
	json_object_put(rec);
}

/* Quota events go to the quota module: a quota-hit record, not a decision. */
static void test_quota_event_dispatched(void **state)
{
	struct bff *f = *state;
	struct bf_event e = event(BF_KIND_QUOTA, 95);
	struct json_object *rec;

	snprintf(f->kern.quota[3].name, sizeof(f->kern.quota[3].name), "recognizer/controller");
	e.rule = 3;
	e.objs = 1000;
	feed(f, &e, sizeof(e));
	rec = bff_find(f, "event", "quota-hit");
	assert_non_null(rec);
	assert_string_equal(bff_str(rec, "quota.name"), "recognizer/controller");
	json_object_put(rec);
}

/* Kernel boot-time stamps are written as wall-clock time: the offset the clock was last given. */
static void test_boot_time_to_wall_clock(void **state)
{
	struct bff *f = *state;
	struct bf_event e = event(BF_KIND_CAPTURE, 96);
	struct json_object *rec;

	agent_update_clock(&f->ag.ev, 1700000000ull * 1000000000ull, 100ull * 1000000000ull);
	e.boot_ns = 160ull * 1000000000ull;     /* 60 s after the clock was read */
	feed(f, &e, sizeof(e));
	rec = bff_find(f, "kind", "capture");
	assert_string_equal(bff_str(rec, "time"), "2023-11-14T22:14:20.000000000Z");
	json_object_put(rec);
}

/* A rise of the kernel's lost counter is logged once, with the count since the last report. */
static void test_lost_events_logged_once(void **state)
{
	struct bff *f = *state;
	struct json_object *rec;

	f->ag.ev.lost_reported = 2;
	f->kern.stats[BF_STAT_LOST] = 7;
	agent_check_lost(&f->ag);
	rec = bff_find(f, "kind", "lost");
	assert_non_null(rec);
	assert_int_equal(bff_int(rec, "count"), 5);
	assert_int_equal(bff_int(rec, "total"), 7);
	json_object_put(rec);
	assert_int_equal(f->kern.lost_logged, 7);       /* a restarted agent does not say it again */
	agent_check_lost(&f->ag);
	assert_int_equal(bff_count_where(f, "kind", "lost"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_denied_capture_names_rule_file_line, setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_allowed_capture_names_app, setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_process_from_proc, setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_process_gone, setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_net_camera_capture, setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_export_names_dest_and_taint, setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_taint_through_channel, setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_sqpoll_refused, setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_taint_peer_filled_from_proc, setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_ipc_abstract_address, setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_raw_socket_is_builtin, setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_lsm_socket_names_family, setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_previous_agent_event, setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_short_and_unknown_events_counted, setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_quota_event_dispatched, setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_boot_time_to_wall_clock, setup, bff_teardown),
		cmocka_unit_test_setup_teardown(test_lost_events_logged_once, setup, bff_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
