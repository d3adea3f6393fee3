/* ctl.c - control socket: framing, request validation and replies (agent), one-shot calls (CLI). */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "ctl.h"
#include "util.h"

#define CTL_JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
#define CONNECT_RETRY_MS 10

static int64_t mono_ms(void)
{
	return bf_now_ns(CLOCK_MONOTONIC) / 1000000;
}

/* poll() timeout until deadline; a negative deadline means none. */
static int ms_left(int64_t deadline)
{
	int64_t left;

	if (deadline < 0)
		return -1;
	left = deadline - mono_ms();
	if (left <= 0)
		return 0;
	return left > INT32_MAX ? INT32_MAX : (int)left;
}

/* Waits for events on fd until deadline: 0, -ETIMEDOUT or -errno. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int r;

	do
		r = poll(&pfd, 1, ms_left(deadline));
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r == 0 ? -ETIMEDOUT : 0;
}

/* Sends all of buf on a non-blocking socket, waiting no later than deadline. */
static int send_all(int fd, const char *buf, size_t n, int64_t deadline)
{
	ssize_t w;
	int r;

	while (n > 0) {
		/* MSG_NOSIGNAL: a client that hung up must not kill the agent */
		w = send(fd, buf, n, MSG_NOSIGNAL);
		if (w >= 0) {
			buf += w;
			n -= (size_t)w;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		r = wait_fd(fd, POLLOUT, deadline);
		if (r < 0)
			return r;
	}
	return 0;
}

/* One JSON value as one line: serialized plain, newline appended. */
static char *json_line(struct json_object *o, size_t *len)
{
	const char *js;
	size_t n;
	char *line;

	js = json_object_to_json_string_length(o, CTL_JSON_FLAGS, &n);
	if (!js)
		return NULL;
	line = malloc(n + 1);
	if (!line)
		return NULL;
	memcpy(line, js, n);
	line[n] = '\n';
	*len = n + 1;
	return line;
}

/* Sends reply (ours, freed here); NULL stands for a handler that failed. */
static int send_reply(int fd, struct json_object *reply, int64_t deadline)
{
	size_t len;
	char *line;
	int r;

	if (!reply)
		reply = bf_ctl_error("internal", "the agent could not build a reply");
	if (!reply)
		return -ENOMEM;
	line = json_line(reply, &len);
	json_object_put(reply);
	if (!line)
		return -ENOMEM;
	r = send_all(fd, line, len, deadline);
	free(line);
	return r;
}

struct json_object *bf_ctl_ok(void)
{
	struct json_object *o = json_object_new_object();

	if (o)
		bf_json_add_bool(o, "ok", true);
	return o;
}

struct json_object *bf_ctl_error(const char *code, const char *fmt, ...)
{
	struct json_object *o;
	va_list ap;

	va_start(ap, fmt);
	o = bf_ctl_verror(code, fmt, ap);
	va_end(ap);
	return o;
}

struct json_object *bf_ctl_verror(const char *code, const char *fmt, va_list ap)
{
	struct json_object *o, *err;
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	o = json_object_new_object();
	err = json_object_new_object();
	if (!o || !err)
		goto fail;
	/* "ok" leads, so a reader sees the outcome first */
	bf_json_add_bool(o, "ok", false);
	/* messages may quote request text, so they take the UTF-8-safe path */
	bf_json_add_str(err, "code", code);
	bf_json_add_str(err, "message", msg);
	if (json_object_object_add(o, "error", err) < 0)
		goto fail;
	return o;
fail:
	json_object_put(o);
	json_object_put(err);
	return NULL;
}

/*
 * Parses exactly one JSON value from line[0..n) into *out (NULL for JSON
 * null or on a parse error, which *jerr tells apart). line[n] must be
 * writable: it becomes the NUL that tells json-c the input ends there, so
 * a bare number or a cut-off value is judged now instead of "continue".
 */
static int parse_line(char *line, size_t n, struct json_object **out,
		      enum json_tokener_error *jerr)
{
	struct json_tokener *tok;

	*out = NULL;
	if (memchr(line, '\0', n)) {
		/* json-c would stop at the NUL and ignore what follows */
		*jerr = json_tokener_error_parse_unexpected;
		return 0;
	}
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	line[n] = '\0';
	*out = json_tokener_parse_ex(tok, line, (int)n + 1);
	*jerr = json_tokener_get_error(tok);
	json_tokener_free(tok);
	return 0;
}

struct json_object *bf_ctl_parse_request(char *line, size_t n, struct json_object **err)
{
	enum json_tokener_error jerr;
	struct json_object *req, *cmd;

	*err = NULL;
	if (parse_line(line, n, &req, &jerr) < 0) {
		*err = bf_ctl_error("internal", "out of memory");
		return NULL;
	}
	if (jerr != json_tokener_success) {
		*err = bf_ctl_error("bad-json", "request is not valid JSON: %s",
				    json_tokener_error_desc(jerr));
		return NULL;
	}
	if (!json_object_is_type(req, json_type_object)) {
		*err = bf_ctl_error("bad-json", "request is not a JSON object");
		json_object_put(req);
		return NULL;
	}
	if (!json_object_object_get_ex(req, "cmd", &cmd) ||
	    !json_object_is_type(cmd, json_type_string)) {
		*err = bf_ctl_error("no-cmd", "request has no string member \"cmd\"");
		json_object_put(req);
		return NULL;
	}
	return req;
}

/* What a line is handed to: its parser, its handler, their context. */
struct line_ops {
	bf_ctl_parser parse;
	bf_ctl_handler handle;
	void *ctx;
};

static int handle_line(struct bf_ctl_client *c, char *line, size_t n,
		       const struct line_ops *ops, int64_t deadline)
{
	struct json_object *req, *reply;

	req = ops->parse ? ops->parse(ops->ctx, line, n, &reply) : bf_ctl_parse_request(line, n, &reply);
	if (req) {
		reply = ops->handle(ops->ctx, c, req);
		json_object_put(req);
	}
	return send_reply(c->fd, reply, deadline);
}

/*
 * Answers every complete line in buf and keeps the unfinished rest. A full
 * buffer without a newline is a too-large request: answered once here, then
 * its bytes are dropped up to the newline that ends it, however many reads
 * that takes, so the connection stays in step.
 */
static int drain_lines(struct bf_ctl_client *c, const struct line_ops *ops, int64_t deadline)
{
	size_t off = 0, n;
	char *nl;
	int r = 0;

	while (r == 0 && (nl = memchr(c->buf + off, '\n', c->len - off))) {
		n = (size_t)(nl - (c->buf + off));
		if (c->discarding)
			c->discarding = false;
		else
			r = handle_line(c, c->buf + off, n, ops, deadline);
		off += n + 1;
	}
	if (r == 0 && !c->discarding && c->len - off == sizeof(c->buf)) {
		r = send_reply(c->fd, bf_ctl_error("too-large",
			"request longer than %d bytes", BF_CTL_MAX_REQUEST), deadline);
		c->discarding = true;
	}
	if (r == 0 && c->discarding)
		off = c->len;
	memmove(c->buf, c->buf + off, c->len - off);
	c->len -= off;
	return r;
}

static int client_eof(struct bf_ctl_client *c, int64_t deadline)
{
	/*
	 * Best effort: the peer may have shut down only its writing side. A
	 * too-large line was answered already and left nothing in buf.
	 */
	if (c->len > 0)
		send_reply(c->fd, bf_ctl_error("truncated",
			"connection closed in the middle of a request"), deadline);
	c->len = 0;
	return 1;
}

int bf_ctl_client_input(struct bf_ctl_client *c, bf_ctl_parser p, bf_ctl_handler h, void *ctx)
{
	const struct line_ops ops = { p, h, ctx };
	int64_t deadline = mono_ms() + BF_CTL_IO_BUDGET_MS;
	size_t before;
	ssize_t n;
	int r;

	for (;;) {
		/* drain_lines always leaves room: a full buffer is answered and dropped */
		n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -errno;
		}
		if (n == 0)
			return client_eof(c, deadline);
		c->last_ms = mono_ms();
		c->len += (size_t)n;
		before = c->len;
		r = drain_lines(c, &ops, deadline);
		if (r < 0)
			return r;
		/* What is left in buf is an unfinished line: its clock runs from its first byte. */
		if (c->len < before && !c->discarding)	/* a line ended: what remains began now */
			c->started_ms = c->len ? c->last_ms : 0;
		else if (!c->started_ms)
			c->started_ms = c->last_ms;
		/* a client that keeps sending must not starve the others */
		if (ms_left(deadline) == 0)
			return 0;
	}
}

void bf_ctl_client_close(struct bf_ctl_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->len = 0;
	c->discarding = false;
}

int bf_ctl_accept(int lfd, struct bf_ctl_client *c)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd, r;

	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	c->fd = fd;
	c->uid = cred.uid;
	c->gid = cred.gid;
	c->pid = cred.pid;
	c->len = 0;
	c->discarding = false;
	c->since_ms = c->last_ms = mono_ms();
	c->started_ms = 0;
	return 0;
}

int64_t bf_ctl_now_ms(void)
{
	return mono_ms();
}

const char *bf_ctl_client_stale(const struct bf_ctl_client *c, int64_t now_ms)
{
	if (c->started_ms && now_ms - c->started_ms > BF_CTL_REQUEST_MS)
		return "a request unfinished for 2 s";
	if (now_ms - c->last_ms > BF_CTL_IDLE_MS)
		return "idle for 10 s";
	return NULL;
}

static int fill_sun(struct sockaddr_un *sun, const char *path)
{
	size_t n = strlen(path);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (n == 0)
		return -EINVAL;
	if (n >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	memcpy(sun->sun_path, path, n + 1);
	return 0;
}


/*
 * Unlinks path only if it is a socket nobody answers on: a crashed agent's
 * leftover. A live agent's socket or any other file is never removed.
 */
static int remove_stale(const char *path, const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	if (r == 0 || errno == EAGAIN)
		r = -EADDRINUSE;	/* accepted, or listening with a full backlog */
	else if (errno == ECONNREFUSED || errno == ENOENT)
		r = 0;
	else
		r = -errno;
	close(fd);
	if (r == 0 && unlink(path) < 0 && errno != ENOENT)
		r = -errno;
	return r;
}

int bf_ctl_listen(const char *path, int *fd_out)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd, r;

	*fd_out = -1;
	r = fill_sun(&sun, path);
	if (r == 0)
		r = bf_mkdir_parents(path, 0750, true);	/* /run is expected to exist */
	if (r == 0)
		r = remove_stale(path, &sun);
	if (r < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* the umask closes the window between bind and chmod */
	old = umask(0117);
	r = bind(fd, (const struct sockaddr *)&sun, sizeof(sun)) < 0 ? -errno : 0;
	umask(old);
	if (r < 0) {
		close(fd);
		return r;
	}
	/* chmod anyway: umask can only take bits away */
	if (chmod(path, 0660) < 0 || listen(fd, SOMAXCONN) < 0) {
		r = -errno;
		unlink(path);
		close(fd);
		return r;
	}
	*fd_out = fd;
	return 0;
}

/* Connects, retrying while the agent's backlog is full, until deadline. */
static int ctl_connect(const char *path, int64_t deadline, int *fd_out)
{
	struct sockaddr_un sun;
	int fd, r, left;

	r = fill_sun(&sun, path);
	if (r < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (connect(fd, (const struct sockaddr *)&sun, sizeof(sun)) == 0)
			break;
		if (errno != EAGAIN && errno != EINTR) {
			r = -errno;
			close(fd);
			return r;
		}
		left = ms_left(deadline);
		if (left == 0) {
			close(fd);
			return -ETIMEDOUT;
		}
		poll(NULL, 0, left < 0 || left > CONNECT_RETRY_MS ? CONNECT_RETRY_MS : left);
	}
	*fd_out = fd;
	return 0;
}

/* Reads up to the first newline and parses it as one JSON object. */
static int read_reply(int fd, int64_t deadline, struct json_object **reply)
{
	size_t len = 0, cap = 0;
	char *buf = NULL, *nb, *nl = NULL;
	enum json_tokener_error jerr;
	ssize_t n;
	int r = 0;

	while (!nl) {
		if (len == cap) {
			if (cap >= BF_CTL_MAX_REPLY) {
				r = -EPROTO;
				break;
			}
			cap = cap ? 2 * cap : 4096;
			nb = realloc(buf, cap);
			if (!nb) {
				r = -ENOMEM;
				break;
			}
			buf = nb;
		}
		r = wait_fd(fd, POLLIN, deadline);
		if (r < 0)
			break;
		n = read(fd, buf + len, cap - len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EPROTO;	/* closed before a whole reply */
			break;
		}
		nl = memchr(buf + len, '\n', (size_t)n);
		len += (size_t)n;
	}
	if (nl) {
		r = parse_line(buf, (size_t)(nl - buf), reply, &jerr);
		if (r == 0 && !json_object_is_type(*reply, json_type_object)) {
			json_object_put(*reply);
			*reply = NULL;
			r = -EPROTO;
		}
	}
	free(buf);
	return r;
}

int bf_ctl_call(const char *path, struct json_object *req, struct json_object **reply,
		int timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? -1 : mono_ms() + timeout_ms;
	size_t len;
	char *line;
	int fd = -1, r;

	*reply = NULL;
	line = json_line(req, &len);
	if (!line)
		return -ENOMEM;
	if (len > BF_CTL_MAX_REQUEST) {
		free(line);
		return -EMSGSIZE;
	}
	r = ctl_connect(path, deadline, &fd);
	if (r == 0) {
		r = send_all(fd, line, len, deadline);
		if (r == 0)
			r = read_reply(fd, deadline, reply);
		close(fd);
	}
	free(line);
	return r;
}
