/* ctl.h - the control socket: line-framed JSON requests and replies, agent and client side. */
#ifndef BF_CTL_H
#define BF_CTL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

/* The framing is described in docs/control-protocol.md. */
#define BF_CTL_MAX_REQUEST 4096		/* bytes of one request line, newline included */
#define BF_CTL_MAX_REPLY (1024 * 1024)	/* what bf_ctl_call accepts before -EPROTO */
#define BF_CTL_IO_BUDGET_MS 1000	/* most one bf_ctl_client_input call may block */
#define BF_CTL_TIMEOUT_MS 5000		/* how long the CLI waits for the agent's reply */
/*
 * A client is closed when it sends nothing for BF_CTL_IDLE_MS, or holds a
 * started request unfinished for BF_CTL_REQUEST_MS (a slowloris): a slot
 * is never held by one who does not use it (docs/control-protocol.md).
 */
#define BF_CTL_IDLE_MS 10000
#define BF_CTL_REQUEST_MS 2000

/*
 * Creates the parent directory if missing (0750; only the last level,
 * /run is expected to exist), replaces a stale socket, binds (0660) and
 * listens, non-blocking and close-on-exec. Returns 0 or -errno: -EEXIST
 * when path is not a socket (never removed), -EADDRINUSE when an agent
 * still answers on it, -ENAMETOOLONG when it does not fit sun_path.
 * Sets the process umask for the bind: call it before starting threads.
 */
int bf_ctl_listen(const char *path, int *fd_out);

struct bf_ctl_client {
	int fd;
	uid_t uid;		/* peer credentials at connect time (SO_PEERCRED) */
	gid_t gid;
	pid_t pid;
	int64_t since_ms;	/* accepted at (CLOCK_MONOTONIC ms) */
	int64_t last_ms;	/* its last byte in, or since_ms */
	int64_t started_ms;	/* an unfinished line's first byte in; 0: none */
	size_t len;		/* bytes of an unfinished line in buf */
	bool discarding;	/* dropping the rest of a too-large line */
	char buf[BF_CTL_MAX_REQUEST];
};

/* Accepts one connection (non-blocking, close-on-exec). 0, or -errno (-EAGAIN: none pending). */
int bf_ctl_accept(int lfd, struct bf_ctl_client *c);
/* CLOCK_MONOTONIC in ms, the clock of since_ms and last_ms. */
int64_t bf_ctl_now_ms(void);
/* Why C should be closed at NOW_MS (idle, or a request too slow), or NULL if it may stay. */
const char *bf_ctl_client_stale(const struct bf_ctl_client *c, int64_t now_ms);

/*
 * Answers one request. req is borrowed; the reply is the caller's (ours)
 * and is freed after writing. Unknown commands should get
 * bf_ctl_error("unknown-cmd", ...). A NULL reply is answered "internal".
 */
typedef struct json_object *(*bf_ctl_handler)(void *ctx, const struct bf_ctl_client *c,
					      struct json_object *req);

/*
 * Turns one request line (LINE[0..N), no newline; LINE[N] is writable)
 * into the request object, or NULL with *ERR the reply saying what is
 * wrong ("bad-json", "no-cmd"). bf_ctl_parse_request does it here; the
 * agent has its parser process do it (agent_unpriv.c).
 */
typedef struct json_object *(*bf_ctl_parser)(void *ctx, char *line, size_t n, struct json_object **err);

struct json_object *bf_ctl_parse_request(char *line, size_t n, struct json_object **err);

/*
 * Reads what the client sent and answers every complete line in order,
 * each parsed by P (NULL: bf_ctl_parse_request) and answered by H.
 * Returns 0 to keep the client, 1 at EOF (close it), -errno on error or
 * when the client did not take its replies within BF_CTL_IO_BUDGET_MS
 * (close it too). Call it when the fd polls readable, level-triggered:
 * it stops reading when the budget runs out, with data left.
 */
int bf_ctl_client_input(struct bf_ctl_client *c, bf_ctl_parser p, bf_ctl_handler h, void *ctx);

/* Closes the connection; safe to call twice. */
void bf_ctl_client_close(struct bf_ctl_client *c);

/* {"ok":true} */
struct json_object *bf_ctl_ok(void);

/*
 * {"ok":false,"error":{"code":code,"message":...}}. Handlers may add more
 * members to the "error" object (e.g. "diagnostics"). NULL when out of memory.
 */
struct json_object *bf_ctl_error(const char *code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
struct json_object *bf_ctl_verror(const char *code, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/*
 * Client side: one request, one reply. timeout_ms covers the whole call
 * (negative: no limit). Returns 0 with *reply (the caller's, a JSON
 * object, possibly {"ok":false,...}), or -errno: -ENOENT / -ECONNREFUSED
 * when no agent listens, -ETIMEDOUT, -EPROTO on a reply that is not one
 * JSON object on one line, -EMSGSIZE when req is too large to send.
 */
int bf_ctl_call(const char *path, struct json_object *req, struct json_object **reply,
		int timeout_ms);

#endif /* BF_CTL_H */
