/* bf_stream.c - test helper: a network camera that streams numbered frames, and a client that pulls them and may send them on. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

/*
 * usage: bf_stream serve tcp|udp ADDR PORT [FRAMES]
 *          the camera: each TCP client gets FRAMES frames (default 5) and
 *          the end of the stream; each UDP datagram is answered with FRAMES
 *          datagrams, one frame each (as a camera answers an RTP client).
 *        bf_stream push udp ADDR PORT
 *          a camera pushing RTP unasked: a frame to ADDR:PORT every 100 ms,
 *          until killed.
 *        bf_stream listen udp ADDR PORT [--then-send ADDR PORT] [--hand-to PROG]
 *          where a camera pushes to: binds ADDR:PORT and counts the frames
 *          that arrive in 1.5 s ("listen=ok frames=N"), then maybe sends on.
 *          With --hand-to (last) it binds, then runs PROG (a copy of this
 *          helper) in a child as "PROG listen-fd FD [--then-send ADDR PORT]":
 *          the socket handed to another process, which reads with recvfrom.
 *        bf_stream pull tcp|udp ADDR PORT [--fork] [--slow MS] [--then-send ADDR PORT]
 *          the client: connects (TCP) or sends a request (UDP, unconnected
 *          sendto), counts the frames that come back, then maybe sends what
 *          it got to another address over TCP; with --fork a child does all
 *          of it. Prints "pull=ok frames=N" (" recv=ERRNAME" when a receive was
 *          refused part way) or "pull=ERRNAME", then
 *          "send=ok bytes=N" or "send=ERRNAME".
 * A frame is FRAME_BYTES bytes starting "FRAME n\n". ADDR with a ':' is IPv6.
 */
#define FRAME_BYTES 1000

static const char *errname(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EAGAIN: return "ETIMEDOUT";	/* a receive timeout: nothing came */
	default: return strerror(e);
	}
}

static socklen_t sockaddr_of(const char *addr, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		return inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1 ? sizeof(*s6) : 0;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons((unsigned short)port);
	return inet_pton(AF_INET, addr, &s4->sin_addr) == 1 ? sizeof(*s4) : 0;
}

static void frame(char *buf, int n)
{
	memset(buf, 'x', FRAME_BYTES);
	snprintf(buf, FRAME_BYTES, "FRAME %d\n", n);
}

static int serve(int tcp, const char *addr, int port, int frames)
{
	struct sockaddr_storage ss, peer;
	socklen_t len = sockaddr_of(addr, port, &ss), plen;
	char buf[FRAME_BYTES];
	int one = 1, fd;

	fd = socket(ss.ss_family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (!len || fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0 || (tcp && listen(fd, 16) < 0)) {
		perror("bf_stream serve");
		return 1;
	}
	printf("serving\n");
	fflush(stdout);
	signal(SIGCHLD, SIG_IGN);
	/* A client that hangs up early must not end the camera (SIGPIPE). */
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		plen = sizeof(peer);
		if (!tcp) {
			if (recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &plen) < 0)
				continue;
			for (int i = 1; i <= frames; i++) {
				frame(buf, i);
				sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, plen);
			}
			continue;
		}
		int c = accept(fd, (struct sockaddr *)&peer, &plen);

		if (c < 0)
			continue;
		for (int i = 1; i <= frames; i++) {
			frame(buf, i);
			if (send(c, buf, sizeof(buf), MSG_NOSIGNAL) != (ssize_t)sizeof(buf))
				break;
		}
		close(c);
	}
}

static int push(const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(addr, port, &ss);
	char buf[FRAME_BYTES];
	int fd = socket(ss.ss_family, SOCK_DGRAM, 0);

	if (!len || fd < 0) {
		perror("bf_stream push");
		return 1;
	}
	for (int i = 1;; i++) {
		frame(buf, i);
		sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&ss, len);
		usleep(100000);
	}
}

/*
 * With --slow MS a TCP pull takes one frame every MS ms, as a player
 * does; a receive refused meanwhile ends it and is said in *RECV_ERR.
 */
static unsigned slow_ms;

/* Pulls the frames into OUT (at most CAP bytes); returns 0 or an errno, with *FRAMES, *GOT and *RECV_ERR. */
static int pull(int tcp, const char *addr, int port, char *out, size_t cap, int *frames, size_t *got,
		int *recv_err)
{
	struct timeval tv = { .tv_sec = 3 };
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(addr, port, &ss);
	int fd = socket(ss.ss_family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	ssize_t n = 0;

	*frames = 0;
	*got = 0;
	if (!len || fd < 0)
		return EINVAL;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (tcp ? connect(fd, (struct sockaddr *)&ss, len) < 0 :
		  sendto(fd, "PLAY\n", 5, 0, (struct sockaddr *)&ss, len) < 0) {
		int e = errno;

		close(fd);
		return e;
	}
	/* TCP: until the camera ends the stream; UDP: until it falls silent (the timeout). */
	*recv_err = 0;
	while (*got < cap && (n = recv(fd, out + *got, slow_ms ? FRAME_BYTES : cap - *got,
				       slow_ms ? MSG_WAITALL : 0)) > 0) {
		if (slow_ms)
			usleep(slow_ms * 1000);
		if (n >= 6 && memcmp(out + *got, "FRAME ", 6) == 0 && !tcp)
			(*frames)++;
		*got += (size_t)n;
		if (!tcp) {
			tv.tv_sec = 0;
			tv.tv_usec = 500000;
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		}
	}
	if (n < 0 && errno != EAGAIN)
		*recv_err = errno;
	close(fd);
	if (tcp)
		*frames = (int)(*got / FRAME_BYTES);
	return 0;
}

/* A UDP socket bound to ADDR:PORT in *FD; 0 or an errno. */
static int bind_udp(const char *addr, int port, int *fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(addr, port, &ss);
	int one = 1;

	*fd = len ? socket(ss.ss_family, SOCK_DGRAM, 0) : -1;
	if (*fd < 0)
		return EINVAL;
	if (setsockopt(*fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(*fd, (struct sockaddr *)&ss, len) < 0) {
		int e = errno;

		close(*fd);
		return e;
	}
	return 0;
}

/*
 * Frames arriving on FD within 1.5 s into OUT; 0. FROM: read each with its
 * source address (recvfrom), which runs the cgroup recvmsg hooks; else recv.
 */
static int count_frames(int fd, int from, char *out, size_t cap, int *frames, size_t *got)
{
	struct timeval tv = { .tv_usec = 100000 };
	struct sockaddr_storage src;
	socklen_t srclen;
	uint64_t end = 0;
	struct timespec now;
	ssize_t n;

	*frames = 0;
	*got = 0;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		uint64_t t = (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;

		if (!end)
			end = t + 1500;
		if (t >= end)
			break;
		srclen = sizeof(src);
		n = from ? recvfrom(fd, out + *got, cap - *got >= FRAME_BYTES ? FRAME_BYTES : 0, 0,
				    (struct sockaddr *)&src, &srclen) :
			   recv(fd, out + *got, cap - *got >= FRAME_BYTES ? FRAME_BYTES : 0, 0);
		if (n >= 6 && memcmp(out + *got, "FRAME ", 6) == 0) {
			(*frames)++;
			*got += (size_t)n;
		}
	}
	close(fd);
	return 0;
}

/* Frames pushed to ADDR:PORT within 1.5 s into OUT; 0 or an errno. */
static int listen_udp(const char *addr, int port, char *out, size_t cap, int *frames, size_t *got)
{
	int fd, e = bind_udp(addr, port, &fd);

	return e ? e : count_frames(fd, 0, out, cap, frames, got);
}

/*
 * Bind ADDR:PORT here (this process is the socket's owner), then hand the
 * socket to PROG in a child of its own (fork, exec, the descriptor kept
 * open), as a launcher hands a socket to a worker. Exits with the child.
 */
static int hand_to(const char *addr, int port, char *prog, char **rest, int nrest)
{
	char fdarg[16], *args[8] = { prog, "listen-fd", fdarg };
	int fd, e = bind_udp(addr, port, &fd), n = 3, st;
	pid_t pid;

	if (e)
		return e;
	snprintf(fdarg, sizeof(fdarg), "%d", fd);
	for (int i = 0; i < nrest && n < 7; i++)
		args[n++] = rest[i];
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0) {
		execv(prog, args);
		_exit(127);
	}
	close(fd);
	waitpid(pid, &st, 0);
	exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
}

static int send_on(const char *addr, int port, const char *buf, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(addr, port, &ss);
	int fd = socket(ss.ss_family, SOCK_STREAM, 0), e = 0;

	if (!len || fd < 0)
		return EINVAL;
	if (connect(fd, (struct sockaddr *)&ss, len) < 0 || send(fd, buf, n, MSG_NOSIGNAL) != (ssize_t)n)
		e = errno;
	close(fd);
	return e;
}

static int client(int argc, char **argv)
{
	static char buf[64 * FRAME_BYTES];
	const char *to = NULL;
	int tcp = strcmp(argv[2], "tcp") == 0, to_port = 0, frames, e, st, recv_err = 0;
	size_t got;
	pid_t pid = 0;

	for (int i = strcmp(argv[1], "listen-fd") == 0 ? 3 : 5; i < argc; i++) {
		if (strcmp(argv[i], "--hand-to") == 0 && i + 1 < argc) {
			/* Whatever else is on the line (--then-send) is the new program's. */
			e = hand_to(argv[3], atoi(argv[4]), argv[i + 1], argv + 5, i - 5);
			printf("listen=%s\n", errname(e));
			return 1;
		} else if (strcmp(argv[i], "--fork") == 0) {
			pid = 1;
		} else if (strcmp(argv[i], "--slow") == 0 && i + 1 < argc) {
			slow_ms = (unsigned)atoi(argv[++i]);
		} else if (strcmp(argv[i], "--then-send") == 0 && i + 2 < argc) {
			to = argv[i + 1];
			to_port = atoi(argv[i + 2]);
			i += 2;
		}
	}
	if (pid && (pid = fork()) > 0) {
		waitpid(pid, &st, 0);
		return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
	}
	if (strcmp(argv[1], "listen-fd") == 0) {
		e = count_frames(atoi(argv[2]), 1, buf, sizeof(buf), &frames, &got);
		printf("listen=ok frames=%d\n", frames);
	} else if (strcmp(argv[1], "listen") == 0) {
		e = listen_udp(argv[3], atoi(argv[4]), buf, sizeof(buf), &frames, &got);
		if (e)
			printf("listen=%s\n", errname(e));
		else
			printf("listen=ok frames=%d\n", frames);
	} else {
		e = pull(tcp, argv[3], atoi(argv[4]), buf, sizeof(buf), &frames, &got, &recv_err);
		if (e)
			printf("pull=%s\n", errname(e));
		else if (recv_err)
			printf("pull=ok frames=%d recv=%s\n", frames, errname(recv_err));
		else
			printf("pull=ok frames=%d\n", frames);
	}
	if (to) {
		e = send_on(to, to_port, got ? buf : "nothing", got ? got : 7);
		if (e)
			printf("send=%s\n", errname(e));
		else
			printf("send=ok bytes=%zu\n", got ? got : 7);
	}
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 5 && strcmp(argv[1], "serve") == 0)
		return serve(strcmp(argv[2], "tcp") == 0, argv[3], atoi(argv[4]), argc > 5 ? atoi(argv[5]) : 5);
	if (argc >= 5 && strcmp(argv[1], "push") == 0)
		return push(argv[3], atoi(argv[4]));
	if (argc >= 5 && (strcmp(argv[1], "pull") == 0 || strcmp(argv[1], "listen") == 0))
		return client(argc, argv);
	if (argc >= 3 && strcmp(argv[1], "listen-fd") == 0)
		return client(argc, argv);
	fprintf(stderr, "usage: bf_stream serve|push|pull tcp|udp ADDR PORT [...]\n");
	return 2;
}
