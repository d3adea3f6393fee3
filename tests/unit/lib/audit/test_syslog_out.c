/* test_syslog_out.c - unit tests for the RFC 5424 copy: PRI, timestamp, framing, targets, and sends that never block. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "bf_test.h"

#include "audit/audit.h"
#include "audit/syslog_out.h"

#define T_2026 1795322293123456789ull	/* 2026-11-22T04:38:13.123456789Z */

static struct bf_syslog_msg sample(const char *msg)
{
	return (struct bf_syslog_msg){
		.facility = BF_SYSLOG_AUTHPRIV, .severity = BF_SYSLOG_NOTICE, .realtime_ns = T_2026,
		.host = "gate-1", .app = "biofenced", .pid = 4242, .msgid = "audit",
		.msg = msg, .msg_len = strlen(msg),
	};
}

static void test_pri(void **state)
{
	(void)state;
	assert_int_equal(bf_syslog_pri(BF_SYSLOG_AUTHPRIV, BF_SYSLOG_NOTICE), 85);
	assert_int_equal(bf_syslog_pri(BF_SYSLOG_AUTHPRIV, BF_SYSLOG_WARNING), 84);
	assert_int_equal(bf_syslog_pri(0, 0), 0);
	assert_int_equal(bf_syslog_pri(23, 7), 191);
	assert_int_equal(bf_syslog_pri(24, 0), -EINVAL);
	assert_int_equal(bf_syslog_pri(10, 8), -EINVAL);
	assert_int_equal(bf_syslog_pri(-1, 5), -EINVAL);
}

static int sev(const char *line)
{
	return bf_syslog_severity(line, strlen(line));
}

static void test_severity(void **state)
{
	(void)state;
	assert_int_equal(sev("{\"seq\":1,\"kind\":\"capture\",\"verdict\":\"deny\"}"), BF_SYSLOG_WARNING);
	assert_int_equal(sev("{\"seq\":2,\"kind\":\"lost\",\"count\":3}"), BF_SYSLOG_WARNING);
	assert_int_equal(sev("{\"seq\":3,\"kind\":\"capture\",\"verdict\":\"allow\"}"), BF_SYSLOG_NOTICE);
	assert_int_equal(sev("{\"seq\":4,\"kind\":\"agent\",\"event\":\"start\"}"), BF_SYSLOG_NOTICE);
	/* a trial rule's deny beside the deciding allow is not a denial */
	assert_int_equal(sev("{\"kind\":\"capture\",\"verdict\":\"allow\","
			     "\"audit_rule\":{\"verdict\":\"deny\"}}"), BF_SYSLOG_NOTICE);
	/* the words inside a string value are data, not structure */
	assert_int_equal(sev("{\"kind\":\"capture\",\"comm\":\"\\\"verdict\\\":\\\"deny\\\"\"}"),
			 BF_SYSLOG_NOTICE);
	assert_int_equal(sev("{\"kind\":\"lostx\",\"verdict\":\"denied\"}"), BF_SYSLOG_NOTICE);
	assert_int_equal(sev("not json"), BF_SYSLOG_NOTICE);
	assert_int_equal(sev(""), BF_SYSLOG_NOTICE);
	assert_int_equal(sev("[\"verdict\",\"deny\"]"), BF_SYSLOG_NOTICE);
}

static void test_timestamp(void **state)
{
	char ts[BF_SYSLOG_TIME_BUFSZ];

	(void)state;
	assert_int_equal(bf_syslog_timestamp(ts, sizeof(ts), T_2026), 0);
	/* RFC 5424 allows at most six fraction digits: cut, never rounded into the future */
	assert_string_equal(ts, "2026-11-22T04:38:13.123456Z");
	assert_int_equal(bf_syslog_timestamp(ts, sizeof(ts), 0), 0);
	assert_string_equal(ts, "1970-01-01T00:00:00.000000Z");
	assert_int_equal(bf_syslog_timestamp(ts, sizeof(ts), 951782400999999999ull), 0);
	assert_string_equal(ts, "2000-02-29T00:00:00.999999Z");
	assert_int_equal(bf_syslog_timestamp(ts, sizeof(ts) - 1, 0), -ERANGE);
}

static void test_format_exact(void **state)
{
	const char *json = "{\"seq\":7,\"kind\":\"capture\",\"verdict\":\"allow\",\"hash\":\"ab\"}";
	struct bf_syslog_msg m = sample(json);
	char buf[512];
	int n;

	(void)state;
	n = bf_syslog_format(buf, sizeof(buf), &m);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "<85>1 2026-11-22T04:38:13.123456Z gate-1 biofenced 4242 audit - "
				 "{\"seq\":7,\"kind\":\"capture\",\"verdict\":\"allow\",\"hash\":\"ab\"}");
	m.severity = BF_SYSLOG_WARNING;
	n = bf_syslog_format(buf, sizeof(buf), &m);
	buf[n] = '\0';
	assert_memory_equal(buf, "<84>1 ", 6);
	m.facility = 24;
	assert_int_equal(bf_syslog_format(buf, sizeof(buf), &m), -EINVAL);
}

/* MSG goes out byte for byte: UTF-8 kept, escapes kept, no BOM added, no trailer. */
static void test_format_msg_verbatim(void **state)
{
	const char *json = "{\"exe\":\"/opt/\xe6\x91\x84\xe5\x83\x8f/app\",\"comm\":\"a\\u2028b\\u0007\"}";
	struct bf_syslog_msg m = sample(json);
	char buf[512];
	int n;

	(void)state;
	n = bf_syslog_format(buf, sizeof(buf), &m);
	assert_true(n > (int)strlen(json));
	assert_memory_equal(buf + n - strlen(json), json, strlen(json));
	assert_null(memmem(buf, (size_t)n, "\xef\xbb\xbf", 3));
	assert_int_not_equal(buf[n - 1], '\n');
}

/* A record never holds these; if one did, it would split or cut the message. */
static void test_format_rejects_breaks(void **state)
{
	const char *bad[] = { "{\"a\":1}\n", "{\"a\":\r1}" };
	struct bf_syslog_msg m;
	char buf[256];

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		m = sample(bad[i]);
		assert_int_equal(bf_syslog_format(buf, sizeof(buf), &m), -EINVAL);
	}
	m = sample("{\"a\":1}");
	m.msg_len = 8;	/* takes in the NUL */
	assert_int_equal(bf_syslog_format(buf, sizeof(buf), &m), -EINVAL);
}

/* Header fields: printable US-ASCII, bounded, "-" when empty: a space would shift every field. */
static void test_format_header_fields(void **state)
{
	char host[400], buf[1024], want[400];
	struct bf_syslog_msg m = sample("{}");
	int n;

	(void)state;
	m.host = "gate 1\x01";
	n = bf_syslog_format(buf, sizeof(buf), &m);
	buf[n] = '\0';
	assert_non_null(strstr(buf, " gate_1_ biofenced "));
	m.host = "";
	m.app = NULL;
	n = bf_syslog_format(buf, sizeof(buf), &m);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "Z - - 4242 audit - {}"));
	memset(host, 'h', sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	m.host = host;
	m.app = "biofenced-with-a-very-long-application-name-over-48";
	n = bf_syslog_format(buf, sizeof(buf), &m);
	buf[n] = '\0';
	/* cut to 255 and 48 octets */
	memcpy(want, "Z ", 2);
	memset(want + 2, 'h', 255);
	strcpy(want + 257, " biofenced-with-a-very-long-application-name-over 4242 ");
	assert_non_null(strstr(buf, want));
}

/* Every size short of the message is refused whole, never cut (a cut JSON is no record). */
static void test_format_short_buffer(void **state)
{
	struct bf_syslog_msg m = sample("{\"seq\":1,\"kind\":\"agent\"}");
	char buf[256];
	int need, n;

	(void)state;
	need = bf_syslog_format(buf, sizeof(buf), &m);
	assert_true(need > 0);
	for (n = 0; n < need; n++)
		assert_int_equal(bf_syslog_format(buf, (size_t)n, &m), -ERANGE);
	assert_int_equal(bf_syslog_format(buf, (size_t)need, &m), need);
}

static void test_targets(void **state)
{
	const char *good[] = { "127.0.0.1:514", "[::1]:6514", "10.1.2.3:65535", "/dev/log",
			       "/nonexistent/dir/log.sock" };
	const char *bad[] = { "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:", "::1:514",
			      "[::1]514", "[::1]", "logs.example:514", "1.2.3.4:x", "[127.0.0.1]:5",
			      "1.2.3.4:-1", "1.2.3.4:+5", "dev/log", "", ":514" };
	struct bf_syslog *s;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(bf_syslog_open(&s, good[i]), 0);
		assert_int_equal(bf_syslog_errors(s), 0);
		bf_syslog_close(s);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(bf_syslog_open(&s, bad[i]), -EINVAL);
		assert_null(s);
	}
	assert_int_equal(bf_syslog_errors(NULL), 0);
}

/* A receiver on loopback; *target gets the --syslog string for it. 0 or -errno. */
static int udp_receiver(int family, char *target, size_t len)
{
	struct sockaddr_storage ss = { .ss_family = (sa_family_t)family };
	socklen_t sl = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	struct timeval tv = { .tv_sec = 2 };
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, sl) < 0 || getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (family == AF_INET)
		snprintf(target, len, "127.0.0.1:%u", ntohs(((struct sockaddr_in *)&ss)->sin_port));
	else
		snprintf(target, len, "[::1]:%u", ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
	return fd;
}

/* Sends LINE through a fresh sender to TARGET and checks what FD received. */
static void roundtrip(int fd, const char *target, const char *line, const char *pri)
{
	char buf[4096], want[64];
	struct bf_syslog *s;
	ssize_t n;

	assert_int_equal(bf_syslog_open(&s, target), 0);
	assert_int_equal(bf_syslog_send(s, line, strlen(line), T_2026), 0);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	snprintf(want, sizeof(want), "%s1 2026-11-22T04:38:13.123456Z ", pri);
	assert_memory_equal(buf, want, strlen(want));
	snprintf(want, sizeof(want), " biofenced %ld audit - ", (long)getpid());
	assert_non_null(strstr(buf, want));
	assert_string_equal(buf + n - strlen(line), line);
	assert_int_equal(bf_syslog_sent(s), 1);
	assert_int_equal(bf_syslog_errors(s), 0);
	bf_syslog_close(s);
}

static void test_send_udp(void **state)
{
	char target[64];
	int fd;

	(void)state;
	fd = udp_receiver(AF_INET, target, sizeof(target));
	assert_true(fd >= 0);
	roundtrip(fd, target, "{\"seq\":1,\"kind\":\"capture\",\"verdict\":\"deny\"}", "<84>");
	roundtrip(fd, target, "{\"seq\":2,\"kind\":\"capture\",\"verdict\":\"allow\"}", "<85>");
	close(fd);
	fd = udp_receiver(AF_INET6, target, sizeof(target));
	if (fd < 0)
		return;	/* no IPv6 loopback here */
	roundtrip(fd, target, "{\"seq\":3,\"kind\":\"lost\"}", "<84>");
	close(fd);
}

/* No collector on the port: counted, and the call returns at once. */
static void test_send_udp_refused(void **state)
{
	const char *line = "{\"seq\":1}";
	char target[64];
	struct bf_syslog *s;
	int fd, err = 0;

	(void)state;
	fd = udp_receiver(AF_INET, target, sizeof(target));
	assert_true(fd >= 0);
	close(fd);	/* the port is now free: loopback answers port unreachable */
	assert_int_equal(bf_syslog_open(&s, target), 0);
	for (int i = 0; i < 5 && !err; i++) {
		err = bf_syslog_send(s, line, strlen(line), T_2026);
		usleep(10000);
	}
	assert_int_equal(err, -ECONNREFUSED);
	assert_true(bf_syslog_errors(s) >= 1);
	bf_syslog_close(s);
}

static int unix_receiver(const char *path)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	snprintf(un.sun_path, sizeof(un.sun_path), "%s", path);
	unlink(path);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&un, sizeof(un)), 0);
	return fd;
}

static void expect_msg(int fd, const char *line)
{
	char buf[4096];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

	assert_true(n > (ssize_t)strlen(line));
	buf[n] = '\0';
	assert_memory_equal(buf, "<85>1 ", 6);
	assert_string_equal(buf + n - strlen(line), line);
}

/* Like /dev/log: a daemon that starts after us, and one that restarts (a new socket), both reached. */
static void test_send_unix_late_and_restarted(void **state)
{
	char dir[64], path[96];
	const char *line = "{\"seq\":1,\"kind\":\"agent\"}";
	struct bf_syslog *s;
	int fd;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/bfsyslog.%d.XXXXXX", (int)getpid());
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/log", dir);
	assert_int_equal(bf_syslog_open(&s, path), 0);
	assert_int_equal(bf_syslog_send(s, line, strlen(line), T_2026), -ENOENT);
	assert_int_equal(bf_syslog_errors(s), 1);
	fd = unix_receiver(path);
	assert_int_equal(bf_syslog_send(s, line, strlen(line), T_2026), 0);
	expect_msg(fd, line);
	close(fd);
	fd = unix_receiver(path);
	assert_int_equal(bf_syslog_send(s, line, strlen(line), T_2026), 0);
	expect_msg(fd, line);
	assert_int_equal(bf_syslog_sent(s), 2);
	assert_int_equal(bf_syslog_errors(s), 1);
	/* a receiver that never reads: its queue fills and we drop, never wait */
	for (int i = 0; i < 100000 && bf_syslog_errors(s) == 1; i++)
		bf_syslog_send(s, line, strlen(line), T_2026);
	assert_int_equal(bf_syslog_errors(s), 2);
	close(fd);
	bf_syslog_close(s);
	assert_int_equal(bft_rm_tree(dir), 0);
}

/* The audit hook: each record's line, exactly as in the file, goes out once written. */
static void test_audit_mirror(void **state)
{
	char dir[64], log[96], sock[96];
	struct bf_syslog *s;
	char *data, *nl;
	size_t len;
	int fd;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/bfsyslog.%d.XXXXXX", (int)getpid());
	assert_non_null(mkdtemp(dir));
	snprintf(log, sizeof(log), "%s/audit.jsonl", dir);
	snprintf(sock, sizeof(sock), "%s/log", dir);
	fd = unix_receiver(sock);
	assert_int_equal(bf_syslog_open(&s, sock), 0);
	{
		struct bf_audit *a;
		struct json_object *rec;

		assert_int_equal(bf_audit_open(&a, log, false), 0);
		bf_audit_set_mirror(a, bf_syslog_mirror, s);
		rec = bf_audit_begin(a, "agent", bf_audit_now_ns());
		bf_json_add_str(rec, "note", "caf\xc3\xa9 \xe2\x80\xa8");
		assert_int_equal(bf_audit_emit(a, rec), 0);
		assert_int_equal(bf_audit_emit(a, NULL), -ENOMEM);	/* not written: not sent */
		bf_audit_close(a);
	}
	data = bft_slurp(log, &len);
	nl = strchr(data, '\n');
	assert_non_null(nl);
	*nl = '\0';
	expect_msg(fd, data);
	assert_int_equal(recv(fd, data, 1, 0), -1);	/* exactly one message */
	assert_int_equal(bf_syslog_sent(s), 1);
	free(data);
	close(fd);
	bf_syslog_close(s);
	assert_int_equal(bft_rm_tree(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pri),
		cmocka_unit_test(test_severity),
		cmocka_unit_test(test_timestamp),
		cmocka_unit_test(test_format_exact),
		cmocka_unit_test(test_format_msg_verbatim),
		cmocka_unit_test(test_format_rejects_breaks),
		cmocka_unit_test(test_format_header_fields),
		cmocka_unit_test(test_format_short_buffer),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_send_udp),
		cmocka_unit_test(test_send_udp_refused),
		cmocka_unit_test(test_send_unix_late_and_restarted),
		cmocka_unit_test(test_audit_mirror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
