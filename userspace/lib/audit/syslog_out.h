/* syslog_out.h - a copy of every audit record as an RFC 5424 message, to a collector over UDP or to a local unix socket. */
#ifndef BF_SYSLOG_OUT_H
#define BF_SYSLOG_OUT_H

#include <stddef.h>
#include <stdint.h>

#define BF_SYSLOG_AUTHPRIV      10
#define BF_SYSLOG_WARNING       4
#define BF_SYSLOG_NOTICE        5
/* "2026-11-22T04:38:13.123456Z" plus the NUL: RFC 5424 allows at most 6 fraction digits. */
#define BF_SYSLOG_TIME_BUFSZ    28
/* HOSTNAME is at most 255 octets; everything else in the header is short. */
#define BF_SYSLOG_HEADER_MAX    (255 + 128)

struct bf_syslog;

/* PRI = facility * 8 + severity; -EINVAL outside facility 0-23, severity 0-7. */
int bf_syslog_pri(int facility, int severity);

/* warning for a record with top-level "verdict":"deny" or "kind":"lost", notice for any other. */
int bf_syslog_severity(const char *line, size_t len);

/* RFC 5424 TIMESTAMP in UTC with microseconds. 0, or -ERANGE / -EOVERFLOW. */
int bf_syslog_timestamp(char *buf, size_t len, uint64_t realtime_ns);

/* The fields of one message; msg is sent byte for byte (no BOM, see docs/fleet.md). */
struct bf_syslog_msg {
	int facility, severity;
	uint64_t realtime_ns;
	const char *host;       /* NULL or unusable: "-" */
	const char *app;
	long pid;
	const char *msgid;
	const char *msg;
	size_t msg_len;
};

/*
 * "<PRI>1 TIMESTAMP HOSTNAME APP PID MSGID - MSG" into buf, no trailer:
 * over UDP and unix datagrams one datagram is one message. Returns its
 * length, -ERANGE when buf is too small, -EINVAL for a bad PRI or a msg
 * with a NUL or line break (a record never has one).
 */
int bf_syslog_format(char *buf, size_t len, const struct bf_syslog_msg *m);

/*
 * TARGET: "IPV4:PORT", "[IPV6]:PORT", or an absolute path of a unix
 * datagram socket such as /dev/log. The socket is non-blocking; a unix
 * socket that is not there yet is connected on a later send. 0 or
 * -errno (-EINVAL for a target that is none of these).
 */
int bf_syslog_open(struct bf_syslog **out, const char *target);
void bf_syslog_close(struct bf_syslog *s);

/* Sends one record's line (no newline); a failure is counted, never waited out. 0 or -errno. */
int bf_syslog_send(struct bf_syslog *s, const char *line, size_t len, uint64_t realtime_ns);

/* For bf_audit_set_mirror: ctx is the struct bf_syslog. */
void bf_syslog_mirror(void *ctx, const char *line, size_t len);

/* Messages that could not be sent; 0 for NULL. */
uint64_t bf_syslog_errors(const struct bf_syslog *s);
uint64_t bf_syslog_sent(const struct bf_syslog *s);

#endif /* BF_SYSLOG_OUT_H */
