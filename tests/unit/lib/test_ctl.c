/* test_ctl.c - unit tests for the control socket: framing, error replies, listen safety, client calls. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "bf_test.h"

#include "ctl.h"

#define REPLY_WAIT_MS 500

struct fixture {
	/* a connection over a socketpair: c is the agent's end, peer the client's */
	struct bf_ctl_client c;
	int peer;
	char rx[16384];
	size_t rxlen;
	/* what the handler saw */
	int calls;
	/* for the tests that use a real socket path */
	char dir[64];
	char sock[128];
	pid_t child;
};

static struct json_object *handler(void *ctx, const struct bf_ctl_client *c,
				   struct json_object *req)
{
	struct fixture *f = ctx;
	struct json_object *cmd, *arg, *reply;
	const char *name;

	f->calls++;
	json_object_object_get_ex(req, "cmd", &cmd);
	name = json_object_get_string(cmd);
	if (strcmp(name, "echo") == 0) {
		reply = bf_ctl_ok();
		if (json_object_object_get_ex(req, "arg", &arg))
			json_object_object_add(reply, "arg", json_object_get(arg));
		return reply;
	}
	if (strcmp(name, "status") == 0) {
		reply = bf_ctl_ok();
		json_object_object_add(reply, "status", json_object_new_object());
		return reply;
	}
	if (strcmp(name, "null") == 0)
		return NULL;
	return bf_ctl_error("unknown-cmd", "unknown command \"%s\"", name);
}

static int setup_pair(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	int sv[2];

	if (!f || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	f->c.fd = sv[0];
	f->peer = sv[1];
	f->child = -1;
	*state = f;
	return 0;
}

static int teardown_pair(void **state)
{
	struct fixture *f = *state;

	bf_ctl_client_close(&f->c);
	bf_ctl_client_close(&f->c);	/* twice must be harmless */
	if (f->peer >= 0)
		close(f->peer);
	free(f);
	return 0;
}

static int setup_dir(void **state)
{
	struct fixture *f;

	if (setup_pair(state) < 0)
		return -1;
	f = *state;
	umask(022);
	snprintf(f->dir, sizeof(f->dir), "/tmp/bfctl.%d.XXXXXX", (int)getpid());
	if (!mkdtemp(f->dir))
		return -1;
	/* run/ does not exist yet: listen has to create it */
	snprintf(f->sock, sizeof(f->sock), "%s/run/ctl.sock", f->dir);
	return 0;
}

static int teardown_dir(void **state)
{
	struct fixture *f = *state;
	int status;

	if (f->child > 0) {
		kill(f->child, SIGKILL);
		waitpid(f->child, &status, 0);
	}
	bft_rm_tree(f->dir);
	return teardown_pair(state);
}

static void send_str(struct fixture *f, const char *s, size_t n)
{
	assert_int_equal(write(f->peer, s, n), (ssize_t)n);
}

#define SEND(f, lit) send_str((f), (lit), sizeof(lit) - 1)

/* The next reply line (malloc'd, no newline), or NULL if none comes in time. */
static char *next_line(struct fixture *f, int wait_ms)
{
	struct pollfd pfd = { .fd = f->peer, .events = POLLIN };
	char *nl, *line;
	size_t n;
	ssize_t r;

	while (!(nl = memchr(f->rx, '\n', f->rxlen))) {
		if (poll(&pfd, 1, wait_ms) <= 0)
			return NULL;
		r = read(f->peer, f->rx + f->rxlen, sizeof(f->rx) - f->rxlen);
		if (r <= 0)
			return NULL;
		f->rxlen += (size_t)r;
	}
	n = (size_t)(nl - f->rx);
	line = strndup(f->rx, n);
	memmove(f->rx, nl + 1, f->rxlen - n - 1);
	f->rxlen -= n + 1;
	return line;
}

static void assert_no_reply(struct fixture *f)
{
	char *line = next_line(f, 0);

	if (line)
		fail_msg("unexpected reply %s", line);
	assert_int_equal(f->rxlen, 0);
}

static void input_ok(struct fixture *f)
{
	assert_int_equal(bf_ctl_client_input(&f->c, NULL, handler, f), 0);
}

/* Checks the next reply is an error with code; returns its message. */
static char *expect_error(struct fixture *f, const char *code)
{
	struct json_object *o, *ok, *err, *v;
	char *line = next_line(f, REPLY_WAIT_MS), *msg;

	assert_non_null(line);
	o = json_tokener_parse(line);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "ok", &ok));
	assert_false(json_object_get_boolean(ok));
	assert_true(json_object_object_get_ex(o, "error", &err));
	assert_true(json_object_object_get_ex(err, "code", &v));
	assert_string_equal(json_object_get_string(v), code);
	assert_true(json_object_object_get_ex(err, "message", &v));
	assert_true(json_object_is_type(v, json_type_string));
	msg = strdup(json_object_get_string(v));
	assert_true(strlen(msg) > 0);
	json_object_put(o);
	free(line);
	return msg;
}

static void expect_error_free(struct fixture *f, const char *code)
{
	free(expect_error(f, code));
}

static void expect_line(struct fixture *f, const char *want)
{
	char *line = next_line(f, REPLY_WAIT_MS);

	assert_non_null(line);
	assert_string_equal(line, want);
	free(line);
}

static void test_valid_request(void **state)
{
	struct fixture *f = *state;

	SEND(f, "{\"cmd\":\"echo\",\"arg\":\"a/b\"}\n");
	input_ok(f);
	assert_int_equal(f->calls, 1);
	expect_line(f, "{\"ok\":true,\"arg\":\"a/b\"}");
	assert_no_reply(f);
}

static void test_unknown_cmd_reply_shape(void **state)
{
	struct fixture *f = *state;

	SEND(f, "{\"cmd\":\"zap\"}\n");
	input_ok(f);
	expect_line(f, "{\"ok\":false,\"error\":{\"code\":\"unknown-cmd\","
		    "\"message\":\"unknown command \\\"zap\\\"\"}}");
}

static void test_bad_json(void **state)
{
	static const char *const bad[] = {
		"{nope\n", "{\"cmd\":\"echo\"} trailing\n", "{\"cmd\":\"echo\"}{\"cmd\":\"echo\"}\n",
		"{\"cmd\":\"\xff\"}\n", "\n", "   \n", "{\"cmd\":\n", "{\"cmd\":\"echo\",}\n",
	};
	struct fixture *f = *state;
	char *msg;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		send_str(f, bad[i], strlen(bad[i]));
		input_ok(f);
		msg = expect_error(f, "bad-json");
		/* json-c's own diagnosis is passed on */
		assert_non_null(strstr(msg, "not valid JSON: "));
		free(msg);
	}
	/* a NUL would make json-c ignore the rest of the line */
	send_str(f, "{\"cmd\":\"echo\"}\0junk\n", 20);
	input_ok(f);
	expect_error_free(f, "bad-json");
	assert_int_equal(f->calls, 0);
}

static void test_not_object(void **state)
{
	static const char *const bad[] = { "[1,2]\n", "\"cmd\"\n", "42\n", "null\n", "true\n" };
	struct fixture *f = *state;
	char *msg;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		send_str(f, bad[i], strlen(bad[i]));
		input_ok(f);
		msg = expect_error(f, "bad-json");
		assert_string_equal(msg, "request is not a JSON object");
		free(msg);
	}
	assert_int_equal(f->calls, 0);
}

static void test_no_cmd(void **state)
{
	static const char *const bad[] = {
		"{}\n", "{\"cmd\":1}\n", "{\"cmd\":null}\n", "{\"Cmd\":\"echo\"}\n", "{\"cmd\":[\"echo\"]}\n",
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		send_str(f, bad[i], strlen(bad[i]));
		input_ok(f);
		expect_error_free(f, "no-cmd");
	}
	assert_int_equal(f->calls, 0);
}

static void test_handler_without_reply(void **state)
{
	struct fixture *f = *state;

	SEND(f, "{\"cmd\":\"null\"}\n");
	input_ok(f);
	expect_error_free(f, "internal");
}

static void test_oversize_then_valid(void **state)
{
	struct fixture *f = *state;
	char big[5000];

	memset(big, 'a', sizeof(big));
	send_str(f, big, sizeof(big));
	SEND(f, "\n{\"cmd\":\"echo\",\"arg\":\"after\"}\n");
	input_ok(f);
	expect_error_free(f, "too-large");
	expect_line(f, "{\"ok\":true,\"arg\":\"after\"}");
	assert_no_reply(f);
	assert_int_equal(f->calls, 1);
}

/* The oversized line arrives over several reads: one reply, the rest dropped. */
static void test_oversize_across_reads(void **state)
{
	struct fixture *f = *state;
	char big[BF_CTL_MAX_REQUEST];

	memset(big, '{', sizeof(big));
	send_str(f, big, sizeof(big));
	input_ok(f);
	expect_error_free(f, "too-large");
	send_str(f, big, 3000);
	input_ok(f);
	assert_no_reply(f);
	SEND(f, "{\"cmd\":\"echo\"}\n{\"cmd\":\"echo\",\"arg\":1}\n");
	input_ok(f);
	expect_line(f, "{\"ok\":true,\"arg\":1}");
	assert_no_reply(f);
	assert_int_equal(f->calls, 1);
}

/* Builds {"cmd":"echo","arg":"xxx"} padded to exactly len bytes plus "\n". */
static void send_padded(struct fixture *f, size_t len)
{
	static const char head[] = "{\"cmd\":\"echo\",\"arg\":\"";
	char *line = malloc(len + 1);

	assert_non_null(line);
	memcpy(line, head, sizeof(head) - 1);
	memset(line + sizeof(head) - 1, 'x', len - (sizeof(head) - 1) - 2);
	memcpy(line + len - 2, "\"}\n", 3);
	send_str(f, line, len + 1);
	free(line);
}

static void test_size_boundary(void **state)
{
	struct fixture *f = *state;
	char *line;

	send_padded(f, BF_CTL_MAX_REQUEST - 1);	/* with its newline: exactly the limit */
	input_ok(f);
	line = next_line(f, REPLY_WAIT_MS);
	assert_non_null(line);
	assert_non_null(strstr(line, "\"ok\":true"));
	free(line);
	send_padded(f, BF_CTL_MAX_REQUEST);	/* one byte over */
	input_ok(f);
	expect_error_free(f, "too-large");
	assert_no_reply(f);
	assert_int_equal(f->calls, 1);
}

static void test_truncated_at_eof(void **state)
{
	struct fixture *f = *state;

	SEND(f, "{\"cmd\":\"echo\"}\n{\"cmd\":\"ec");
	shutdown(f->peer, SHUT_WR);
	assert_int_equal(bf_ctl_client_input(&f->c, NULL, handler, f), 1);
	expect_line(f, "{\"ok\":true}");
	expect_error_free(f, "truncated");
	assert_int_equal(f->calls, 1);
}

static void test_clean_eof(void **state)
{
	struct fixture *f = *state;

	shutdown(f->peer, SHUT_WR);
	assert_int_equal(bf_ctl_client_input(&f->c, NULL, handler, f), 1);
	assert_no_reply(f);
}

static void test_eof_while_discarding(void **state)
{
	struct fixture *f = *state;
	char big[BF_CTL_MAX_REQUEST + 10];

	memset(big, 'z', sizeof(big));
	send_str(f, big, sizeof(big));
	shutdown(f->peer, SHUT_WR);
	assert_int_equal(bf_ctl_client_input(&f->c, NULL, handler, f), 1);
	/* already answered as too large: no second reply for the same line */
	expect_error_free(f, "too-large");
	assert_no_reply(f);
}

static void test_two_requests_one_write(void **state)
{
	struct fixture *f = *state;

	SEND(f, "{\"cmd\":\"echo\",\"arg\":\"one\"}\n{\"cmd\":\"echo\",\"arg\":\"two\"}\r\n");
	input_ok(f);
	expect_line(f, "{\"ok\":true,\"arg\":\"one\"}");
	expect_line(f, "{\"ok\":true,\"arg\":\"two\"}");
	assert_int_equal(f->calls, 2);
}

static void test_split_request(void **state)
{
	static const char *const parts[] = { "{\"c", "md\":\"ec", "ho\",\"arg\"", ":\"split\"}" };
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		send_str(f, parts[i], strlen(parts[i]));
		input_ok(f);
		assert_no_reply(f);
	}
	assert_int_equal(f->calls, 0);
	SEND(f, "\n");
	input_ok(f);
	expect_line(f, "{\"ok\":true,\"arg\":\"split\"}");
}

static void test_peer_gone(void **state)
{
	struct fixture *f = *state;

	/* the reply cannot be delivered: an error, not a SIGPIPE */
	SEND(f, "{\"cmd\":\"echo\"}\n");
	close(f->peer);
	f->peer = -1;
	assert_int_equal(bf_ctl_client_input(&f->c, NULL, handler, f), -EPIPE);
}

static void test_listen_modes(void **state)
{
	struct fixture *f = *state;
	char run[160];
	struct stat st;
	int lfd;

	assert_int_equal(bf_ctl_listen(f->sock, &lfd), 0);
	assert_int_equal(stat(f->sock, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
	snprintf(run, sizeof(run), "%s/run", f->dir);
	assert_int_equal(stat(run, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0750);
	assert_true(fcntl(lfd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(lfd, F_GETFD) & FD_CLOEXEC);
	close(lfd);
}

static void make_run_dir(struct fixture *f)
{
	char run[160];

	snprintf(run, sizeof(run), "%s/run", f->dir);
	assert_int_equal(mkdir(run, 0750), 0);
}

static void test_listen_refuses_regular_file(void **state)
{
	struct fixture *f = *state;
	struct stat st;
	int fd, lfd;

	make_run_dir(f);
	fd = open(f->sock, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(bf_ctl_listen(f->sock, &lfd), -EEXIST);
	assert_int_equal(lfd, -1);
	assert_int_equal(lstat(f->sock, &st), 0);
	assert_true(S_ISREG(st.st_mode));
}

/* A socket file no process listens on, as a killed agent leaves behind. */
static void make_stale_socket(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
}

static void test_listen_replaces_stale_socket(void **state)
{
	struct fixture *f = *state;
	int lfd;

	make_run_dir(f);
	make_stale_socket(f->sock);
	assert_int_equal(bf_ctl_listen(f->sock, &lfd), 0);
	close(lfd);
}

static int connect_to(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

static void test_listen_keeps_live_socket(void **state)
{
	struct fixture *f = *state;
	int lfd, lfd2, fd;

	assert_int_equal(bf_ctl_listen(f->sock, &lfd), 0);
	assert_int_equal(bf_ctl_listen(f->sock, &lfd2), -EADDRINUSE);
	fd = connect_to(f->sock);	/* the first agent still reachable */
	close(fd);
	close(lfd);
}

static void test_listen_name_too_long(void **state)
{
	char path[200];
	int lfd;

	memset(path, 'p', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(bf_ctl_listen(path, &lfd), -ENAMETOOLONG);
}

/* Only the socket's own directory is made: a missing /run is a broken host, not ours to build. */
static void test_listen_makes_last_level_only(void **state)
{
	struct fixture *f = *state;
	char sock[200], top[160];
	struct stat st;
	int lfd;

	snprintf(top, sizeof(top), "%s/none", f->dir);
	snprintf(sock, sizeof(sock), "%s/run/ctl.sock", top);
	assert_int_equal(bf_ctl_listen(sock, &lfd), -ENOENT);
	assert_int_equal(stat(top, &st), -1);
}

static struct json_object *verror(const char *code, const char *fmt, ...)
{
	struct json_object *o;
	va_list ap;

	va_start(ap, fmt);
	o = bf_ctl_verror(code, fmt, ap);
	va_end(ap);
	return o;
}

/* The va_list form (what the CLI's own error replies wrap) builds the same reply, cut at 511 bytes. */
static void test_verror(void **state)
{
	struct json_object *o = verror("agent-io", "%d apples on %s", 3, "/run/x.sock"), *e;
	char big[700];

	assert_non_null(o);
	assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
			    "{\"ok\":false,\"error\":{\"code\":\"agent-io\","
			    "\"message\":\"3 apples on \\/run\\/x.sock\"}}");
	json_object_put(o);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	o = verror("big", "%s", big);
	e = json_object_object_get(o, "error");
	assert_int_equal(strlen(json_object_get_string(json_object_object_get(e, "message"))), 511);
	json_object_put(o);
}

static void test_accept_credentials(void **state)
{
	struct fixture *f = *state;
	struct bf_ctl_client c;
	int lfd, fd;

	assert_int_equal(bf_ctl_listen(f->sock, &lfd), 0);
	assert_int_equal(bf_ctl_accept(lfd, &c), -EAGAIN);
	fd = connect_to(f->sock);
	assert_int_equal(bf_ctl_accept(lfd, &c), 0);
	assert_int_equal(c.uid, getuid());
	assert_int_equal(c.gid, getgid());
	assert_int_equal(c.pid, getpid());
	assert_int_equal(c.len, 0);
	assert_false(c.discarding);
	assert_true(fcntl(c.fd, F_GETFL) & O_NONBLOCK);
	bf_ctl_client_close(&c);
	close(fd);
	close(lfd);
}

/* Agent side of the call tests, in a child: serves n connections, then exits. */
static void serve(int lfd, int n, struct fixture *f)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	struct bf_ctl_client c;
	int r;

	alarm(5);	/* never outlive a failed parent */
	while (n-- > 0) {
		if (poll(&pfd, 1, 2000) != 1 || bf_ctl_accept(lfd, &c) < 0)
			_exit(1);
		do {
			struct pollfd cp = { .fd = c.fd, .events = POLLIN };

			if (poll(&cp, 1, 2000) != 1)
				_exit(2);
			r = bf_ctl_client_input(&c, NULL, handler, f);
		} while (r == 0);
		bf_ctl_client_close(&c);
		if (r < 0)
			_exit(3);
	}
	_exit(0);
}

static void start_server(struct fixture *f, int n, void (*fn)(int, int, struct fixture *))
{
	int lfd;

	assert_int_equal(bf_ctl_listen(f->sock, &lfd), 0);
	f->child = fork();
	assert_true(f->child >= 0);
	if (f->child == 0)
		fn(lfd, n, f);
	close(lfd);
}

static void wait_server(struct fixture *f)
{
	int status;

	assert_int_equal(waitpid(f->child, &status, 0), f->child);
	f->child = -1;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static struct json_object *request(const char *cmd)
{
	struct json_object *req = json_object_new_object();

	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	return req;
}

static void test_call_round_trip(void **state)
{
	struct fixture *f = *state;
	struct json_object *req, *reply, *v;

	start_server(f, 2, serve);
	req = request("status");
	assert_int_equal(bf_ctl_call(f->sock, req, &reply, 2000), 0);
	assert_string_equal(json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN),
			    "{\"ok\":true,\"status\":{}}");
	json_object_put(reply);
	json_object_put(req);

	req = request("frobnicate");
	assert_int_equal(bf_ctl_call(f->sock, req, &reply, 2000), 0);
	assert_true(json_object_object_get_ex(reply, "ok", &v));
	assert_false(json_object_get_boolean(v));
	json_object_put(reply);
	json_object_put(req);
	wait_server(f);
}

static void test_call_no_agent(void **state)
{
	struct fixture *f = *state;
	struct json_object *req = request("status"), *reply;

	assert_int_equal(bf_ctl_call(f->sock, req, &reply, 500), -ENOENT);
	assert_null(reply);
	make_run_dir(f);
	make_stale_socket(f->sock);
	assert_int_equal(bf_ctl_call(f->sock, req, &reply, 500), -ECONNREFUSED);
	json_object_put(req);
}

static void test_call_timeout(void **state)
{
	struct fixture *f = *state;
	struct json_object *req = request("status"), *reply;
	struct timespec t0, t1;
	long ms;
	int lfd;

	/* listening, never accepting: connect succeeds, no reply ever comes */
	assert_int_equal(bf_ctl_listen(f->sock, &lfd), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(bf_ctl_call(f->sock, req, &reply, 100), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_in_range(ms, 90, 400);
	close(lfd);
	json_object_put(req);
}

/* A broken agent: reads the request, answers with what the test names. */
static const char *bad_replies[] = { "not json\n", "[1]\n", "{\"ok\":true}", "\xff\n" };

static void serve_bad(int lfd, int n, struct fixture *f)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	char buf[BF_CTL_MAX_REQUEST];
	int fd, i;

	alarm(5);
	for (i = 0; i < n; i++) {
		if (poll(&pfd, 1, 2000) != 1)
			_exit(1);
		fd = accept(lfd, NULL, NULL);
		if (fd < 0 || read(fd, buf, sizeof(buf)) <= 0)
			_exit(2);
		if (write(fd, bad_replies[i], strlen(bad_replies[i])) < 0)
			_exit(3);
		close(fd);
	}
	_exit(0);
}

static void test_call_bad_reply(void **state)
{
	struct fixture *f = *state;
	struct json_object *req = request("status"), *reply;
	size_t i, n = sizeof(bad_replies) / sizeof(bad_replies[0]);

	start_server(f, (int)n, serve_bad);
	for (i = 0; i < n; i++) {
		assert_int_equal(bf_ctl_call(f->sock, req, &reply, 2000), -EPROTO);
		assert_null(reply);
	}
	json_object_put(req);
	wait_server(f);
}

static void test_call_request_too_large(void **state)
{
	struct fixture *f = *state;
	struct json_object *req = request("status"), *reply;
	char big[BF_CTL_MAX_REQUEST];

	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	json_object_object_add(req, "arg", json_object_new_string(big));
	assert_int_equal(bf_ctl_call(f->sock, req, &reply, 500), -EMSGSIZE);
	json_object_put(req);
}

#define P(fn) cmocka_unit_test_setup_teardown(fn, setup_pair, teardown_pair)
#define D(fn) cmocka_unit_test_setup_teardown(fn, setup_dir, teardown_dir)

int main(void)
{
	const struct CMUnitTest tests[] = {
		P(test_valid_request),
		P(test_unknown_cmd_reply_shape),
		P(test_bad_json),
		P(test_not_object),
		P(test_no_cmd),
		P(test_handler_without_reply),
		P(test_oversize_then_valid),
		P(test_oversize_across_reads),
		P(test_size_boundary),
		P(test_truncated_at_eof),
		P(test_clean_eof),
		P(test_eof_while_discarding),
		P(test_two_requests_one_write),
		P(test_split_request),
		P(test_peer_gone),
		D(test_listen_modes),
		D(test_listen_refuses_regular_file),
		D(test_listen_replaces_stale_socket),
		D(test_listen_keeps_live_socket),
		cmocka_unit_test(test_listen_name_too_long),
		D(test_listen_makes_last_level_only),
		cmocka_unit_test(test_verror),
		D(test_accept_credentials),
		D(test_call_round_trip),
		D(test_call_no_agent),
		D(test_call_timeout),
		D(test_call_bad_reply),
		D(test_call_request_too_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
