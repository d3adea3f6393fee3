/* attack.h - shared by the attack programs: become tainted, address the third party, send a token, print one result line. */
#ifndef BF_ATTACK_H
#define BF_ATTACK_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/*
 * Every attack prints exactly one line the runner parses:
 *   route=<name> result=<blocked|through|skip|error> detail=<free text>
 * "blocked" means biofence said EPERM; "through" means the kernel took the
 * bytes (the runner then insists the listener really got them). Exit 0 when
 * the attack could run at all, 1 when it could not even be set up.
 */
static inline void at_result(const char *route, const char *result, const char *fmt, ...)
{
	va_list ap;

	printf("route=%s result=%s detail=", route, result);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* The errno names the runner and the matrix show, so a reader need not decode numbers. */
static inline const char *at_errname(int e)
{
	switch (e) {
	case 0: return "ok";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case ENXIO: return "ENXIO";
	case ENODEV: return "ENODEV";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ENETUNREACH: return "ENETUNREACH";
	case EINVAL: return "EINVAL";
	case ENOSYS: return "ENOSYS";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	default: return strerror(e);
	}
}

/* A send that failed: EPERM is biofence's answer, anything else means the attack itself broke. */
static inline int at_report_errno(const char *route, const char *what, int err)
{
	if (err == EPERM)
		at_result(route, "blocked", "%s: EPERM", what);
	else
		at_result(route, "error", "%s: %s", what, at_errname(err));
	return 0;
}

/*
 * Open the test camera so biofence taints us. A char 81:N node with no
 * driver fails ENXIO only after the cgroup device check let it through:
 * that still counts as an allowed open and taints. A node backed by a
 * real driver (the runner uses 1:7) opens, and the descriptor is kept:
 * some routes pass it on or are found holding it. Returns the fd, -1 for
 * an allowed open with no descriptor, or exits if biofence refused it (an
 * untainted attack proves nothing).
 */
static inline int at_taint(const char *route, const char *camera)
{
	int fd = open(camera, O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENXIO || errno == ENODEV)
		return -1;
	at_result(route, "error", "camera open %s: %s (not tainted, the attack proves nothing)",
		  camera, at_errname(errno));
	exit(1);
}

/* "A.B.C.D:PORT" or "[V6]:PORT" into a sockaddr; false if it is neither. */
static inline int at_inet_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(spec, ':');
	long port;

	memset(ss, 0, sizeof(*ss));
	if (!colon || (size_t)(colon - spec) >= sizeof(host))
		return 0;
	port = strtol(colon + 1, NULL, 10);
	if (port <= 0 || port > 65535)
		return 0;
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	if (host[0] == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		size_t n = strlen(host);

		if (n < 3 || host[n - 1] != ']')
			return 0;
		host[n - 1] = '\0';
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		*len = sizeof(*s6);
		return inet_pton(AF_INET6, host + 1, &s6->sin6_addr) == 1;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons((unsigned short)port);
	*len = sizeof(*s4);
	return inet_pton(AF_INET, host, &s4->sin_addr) == 1;
}

/* "/path" or "@name" (abstract namespace) into a sockaddr_un. */
static inline int at_unix_addr(const char *spec, struct sockaddr_un *sun, socklen_t *len)
{
	size_t n = strlen(spec);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (n == 0 || n >= sizeof(sun->sun_path))
		return 0;
	memcpy(sun->sun_path, spec, n);
	if (spec[0] == '@')
		sun->sun_path[0] = '\0';	/* abstract: no file, no permission check */
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	return 1;
}

/*
 * What every attack sends: a token naming the route, so the runner can
 * tell whose bytes a listener got. ';' ends the name so one route's name
 * is never a prefix match for another's.
 */
static inline size_t at_token(char *buf, size_t len, const char *route)
{
	int n = snprintf(buf, len, "bf-attack route=%s; face-bytes\n", route);

	return n < 0 ? 0 : (size_t)n >= len ? len - 1 : (size_t)n;
}

/* Parse the one target argument or give up loudly: a typo must not look like a block. */
static inline void at_need_inet(const char *route, const char *spec, struct sockaddr_storage *ss,
				socklen_t *len)
{
	if (!at_inet_addr(spec, ss, len)) {
		at_result(route, "error", "bad target \"%s\" (want A.B.C.D:PORT or [V6]:PORT)", spec);
		exit(1);
	}
}

/* connect() then send the token on a fresh socket; 0 or the errno of the step that failed. */
static inline int at_connect_send(const char *route, const struct sockaddr_storage *ss, socklen_t len,
				  int type, const char **step)
{
	char tok[128];
	size_t n = at_token(tok, sizeof(tok), route);
	int fd = socket(ss->ss_family, type | SOCK_CLOEXEC, 0), err = 0;

	*step = "socket";
	if (fd < 0)
		return errno;
	*step = "connect";
	if (connect(fd, (const struct sockaddr *)ss, len) < 0) {
		err = errno;
	} else {
		*step = "send";
		if (send(fd, tok, n, MSG_NOSIGNAL) != (ssize_t)n)
			err = errno ? errno : EIO;
	}
	close(fd);
	return err;
}

/* The usual tail: one line saying what connect-and-send did. */
static inline int at_connect_report(const char *route, const struct sockaddr_storage *ss, socklen_t len,
				    int type)
{
	const char *step;
	int err = at_connect_send(route, ss, len, type, &step);

	if (err)
		return at_report_errno(route, step, err);
	at_result(route, "through", "connect and send: ok");
	return 0;
}

#endif
