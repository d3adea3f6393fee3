/* syslog_out.c - frames audit records as RFC 5424 messages and sends them without ever holding up the audit log. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "audit/syslog_out.h"
#include "util.h"

struct bf_syslog {
	int fd;                 /* -1 until a unix socket could be connected */
	bool is_unix;
	struct sockaddr_storage addr;
	socklen_t alen;
	char host[HOST_NAME_MAX + 1];
	long pid;
	char *buf;              /* reused: one record at a time */
	size_t cap;
	uint64_t sent, errors;
};

int bf_syslog_pri(int facility, int severity)
{
	if (facility < 0 || facility > 23 || severity < 0 || severity > 7)
		return -EINVAL;
	return facility * 8 + severity;
}

/* The top-level member KEY as a string, or NULL: nested ones (a trial rule's verdict) do not count. */
static const char *top_str(struct json_object *rec, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(rec, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int bf_syslog_severity(const char *line, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *rec = NULL;
	const char *verdict, *kind;
	int sev = BF_SYSLOG_NOTICE;

	if (tok && len <= INT_MAX)
		rec = json_tokener_parse_ex(tok, line, (int)len);
	if (rec && json_object_is_type(rec, json_type_object)) {
		verdict = top_str(rec, "verdict");
		kind = top_str(rec, "kind");
		if ((verdict && strcmp(verdict, "deny") == 0) || (kind && strcmp(kind, "lost") == 0))
			sev = BF_SYSLOG_WARNING;
	}
	json_object_put(rec);
	if (tok)
		json_tokener_free(tok);
	return sev;
}

int bf_syslog_timestamp(char *buf, size_t len, uint64_t realtime_ns)
{
	time_t secs = (time_t)(realtime_ns / 1000000000u);
	unsigned long usec = (unsigned long)(realtime_ns % 1000000000u / 1000u);
	struct tm tm;
	int n;

	if (!gmtime_r(&secs, &tm))
		return -EOVERFLOW;
	n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06luZ", tm.tm_year + 1900,
		     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, usec);
	if (n < 0 || (size_t)n >= len)
		return -ERANGE;
	return 0;
}

/*
 * A header field: 1 to MAX printable US-ASCII characters, else "-". A
 * space or a stray byte would shift every field after it for the parser.
 */
static void header_field(char *out, const char *in, size_t max)
{
	size_t i;

	for (i = 0; in && in[i] && i < max; i++)
		out[i] = (in[i] > 32 && in[i] < 127) ? in[i] : '_';
	if (i == 0)
		out[i++] = '-';
	out[i] = '\0';
}

int bf_syslog_format(char *buf, size_t len, const struct bf_syslog_msg *m)
{
	char ts[BF_SYSLOG_TIME_BUFSZ], host[256], app[49], msgid[33];
	int pri = bf_syslog_pri(m->facility, m->severity), n, err;

	if (pri < 0)
		return pri;
	if (memchr(m->msg, '\0', m->msg_len) || memchr(m->msg, '\n', m->msg_len) ||
	    memchr(m->msg, '\r', m->msg_len))
		return -EINVAL;
	err = bf_syslog_timestamp(ts, sizeof(ts), m->realtime_ns);
	if (err)
		return err;
	header_field(host, m->host, 255);
	header_field(app, m->app, 48);
	header_field(msgid, m->msgid, 32);
	/* STRUCTURED-DATA is "-": all the structure is in the JSON. */
	n = snprintf(buf, len, "<%d>1 %s %s %s %ld %s - ", pri, ts, host, app, m->pid, msgid);
	if (n < 0 || (size_t)n >= len || len - (size_t)n < m->msg_len)
		return -ERANGE;
	memcpy(buf + n, m->msg, m->msg_len);
	n += (int)m->msg_len;
	return n;
}

static int parse_port(const char *s, in_port_t *port)
{
	unsigned long p;
	char *end;

	errno = 0;
	p = strtoul(s, &end, 10);
	if (!*s || *end || errno || p == 0 || p > 65535 || *s == '-' || *s == '+')
		return -EINVAL;
	*port = htons((in_port_t)p);
	return 0;
}

/* "/path", "a.b.c.d:port" or "[v6]:port" into s->addr. */
static int parse_target(struct bf_syslog *s, const char *t)
{
	struct sockaddr_un *un = (struct sockaddr_un *)&s->addr;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&s->addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&s->addr;
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *h = t;
	size_t hl;

	if (t[0] == '/') {
		if (strlen(t) >= sizeof(un->sun_path))
			return -ENAMETOOLONG;
		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, t);
		s->alen = sizeof(*un);
		s->is_unix = true;
		return 0;
	}
	colon = strrchr(t, ':');
	if (!colon)
		return -EINVAL;
	hl = (size_t)(colon - t);
	if (t[0] == '[') {
		if (hl < 2 || t[hl - 1] != ']')
			return -EINVAL;
		h = t + 1;
		hl -= 2;
	}
	if (hl == 0 || hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (h == t && inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		s->alen = sizeof(*in4);
		return parse_port(colon + 1, &in4->sin_port);
	}
	if (h != t && inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		s->alen = sizeof(*in6);
		return parse_port(colon + 1, &in6->sin6_port);
	}
	return -EINVAL;
}

/* Connected, so a UDP collector's ICMP "port unreachable" comes back as an error we count. */
static int sock_connect(struct bf_syslog *s)
{
	if (s->fd < 0) {
		s->fd = socket(s->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (s->fd < 0)
			return -errno;
	}
	if (connect(s->fd, (struct sockaddr *)&s->addr, s->alen) < 0) {
		int err = -errno;

		close(s->fd);
		s->fd = -1;
		return err;
	}
	return 0;
}

int bf_syslog_open(struct bf_syslog **out, const char *target)
{
	struct bf_syslog *s = calloc(1, sizeof(*s));
	int err;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->fd = -1;
	err = parse_target(s, target);
	if (err) {
		free(s);
		return err;
	}
	if (gethostname(s->host, sizeof(s->host) - 1) < 0)
		s->host[0] = '\0';
	s->pid = (long)getpid();
	err = sock_connect(s);
	/* A local syslog daemon may come up after us: its socket is tried again at each send. */
	if (err && !(s->is_unix && (err == -ENOENT || err == -ECONNREFUSED))) {
		bf_syslog_close(s);
		return err;
	}
	*out = s;
	return 0;
}

void bf_syslog_close(struct bf_syslog *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s->buf);
	free(s);
}

/* One non-blocking attempt; a full receive queue (EAGAIN) drops the message rather than wait. */
static int send_once(struct bf_syslog *s, size_t n)
{
	int err = s->fd < 0 ? sock_connect(s) : 0;

	if (err)
		return err;
	if (send(s->fd, s->buf, n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

int bf_syslog_send(struct bf_syslog *s, const char *line, size_t len, uint64_t realtime_ns)
{
	struct bf_syslog_msg m = {
		.facility = BF_SYSLOG_AUTHPRIV, .severity = bf_syslog_severity(line, len),
		.realtime_ns = realtime_ns, .host = s->host, .app = "biofenced", .pid = s->pid,
		.msgid = "audit", .msg = line, .msg_len = len,
	};
	int n, err;

	if (s->cap < len + BF_SYSLOG_HEADER_MAX) {
		char *nb = realloc(s->buf, len + BF_SYSLOG_HEADER_MAX);

		if (!nb) {
			s->errors++;
			return -ENOMEM;
		}
		s->buf = nb;
		s->cap = len + BF_SYSLOG_HEADER_MAX;
	}
	n = bf_syslog_format(s->buf, s->cap, &m);
	err = n < 0 ? n : send_once(s, (size_t)n);
	/* A restarted local daemon made a new socket: reconnect once to it. */
	if (s->is_unix && s->fd >= 0 && (err == -ECONNREFUSED || err == -ENOTCONN)) {
		close(s->fd);
		s->fd = -1;
		err = send_once(s, (size_t)n);
	}
	if (err) {
		s->errors++;
		return err;
	}
	s->sent++;
	return 0;
}

void bf_syslog_mirror(void *ctx, const char *line, size_t len)
{
	bf_syslog_send(ctx, line, len, (uint64_t)bf_now_ns(CLOCK_REALTIME));
}

uint64_t bf_syslog_errors(const struct bf_syslog *s)
{
	return s ? s->errors : 0;
}

uint64_t bf_syslog_sent(const struct bf_syslog *s)
{
	return s ? s->sent : 0;
}
