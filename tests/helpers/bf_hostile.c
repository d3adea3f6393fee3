/* bf_hostile.c - test helper: many hostile control-socket clients at once (idle, slowloris, half-open, oversized), as other users. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * usage: bf_hostile SOCKET N UID0 NUIDS HOLD_S
 *   N connections in all, spread over the NUIDS users UID0, UID0+1, ...
 *   (one child process per user, which drops to it), each connection one
 *   of four kinds in turn: idle (says nothing), slowloris (a byte of a
 *   request every 300 ms, never the newline), half-open (half a request,
 *   then shutdown of its writing side), oversized (8 KiB with no newline,
 *   then silence). Every connection is kept HOLD_S seconds, or until the
 *   agent closes it. Prints "connected=C closed_by_agent=K" summed over
 *   the users: what the agent accepted, and what it closed itself.
 */
enum kind { IDLE, SLOWLORIS, HALF, OVERSIZED, N_KINDS };

static int dial(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (fd < 0 || strlen(path) >= sizeof(sun.sun_path))
		return -1;
	strcpy(sun.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The agent closed it: a read says EOF (or the connection was reset). */
static int closed_by_peer(int fd)
{
	char b[256];
	ssize_t n;

	while ((n = read(fd, b, sizeof(b))) > 0)
		;
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

static void one_user(const char *path, int n, uid_t uid, int hold_s, int wfd)
{
	static const char big[8192];
	int *fds = calloc((size_t)n, sizeof(int)), connected = 0, closed = 0;
	struct timespec tick = { 0, 300 * 1000 * 1000 };

	if (!fds || setgid(uid) < 0 || setuid(uid) < 0)
		_exit(2);
	for (int i = 0; i < n; i++) {
		fds[i] = dial(path);
		if (fds[i] < 0)
			continue;
		connected++;
		if (i % N_KINDS == HALF) {
			(void)!write(fds[i], "{\"cmd\":\"sta", 11);
			shutdown(fds[i], SHUT_WR);
		} else if (i % N_KINDS == OVERSIZED) {
			(void)!send(fds[i], big, sizeof(big), MSG_NOSIGNAL | MSG_DONTWAIT);
		}
	}
	for (int t = 0; t * 300 < hold_s * 1000; t++) {
		for (int i = SLOWLORIS; i < n; i += N_KINDS)
			if (fds[i] >= 0)
				(void)!send(fds[i], "{", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		nanosleep(&tick, NULL);
	}
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0) {
			closed += closed_by_peer(fds[i]);
			close(fds[i]);
		}
	dprintf(wfd, "%d %d\n", connected, closed);
	_exit(0);
}

int main(int argc, char **argv)
{
	int n, nuids, hold, p[2], connected = 0, closed = 0, c, k;
	uid_t uid0;
	FILE *in;

	if (argc != 6) {
		fprintf(stderr, "usage: bf_hostile SOCKET N UID0 NUIDS HOLD_S\n");
		return 2;
	}
	n = atoi(argv[2]);
	uid0 = (uid_t)atoi(argv[3]);
	nuids = atoi(argv[4]);
	hold = atoi(argv[5]);
	if (n <= 0 || nuids <= 0 || hold <= 0 || pipe(p) < 0)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	for (int u = 0; u < nuids; u++) {
		pid_t pid = fork();

		if (pid == 0) {
			close(p[0]);
			one_user(argv[1], n / nuids + (u < n % nuids), uid0 + (uid_t)u, hold, p[1]);
		}
		if (pid < 0)
			return 1;
	}
	close(p[1]);
	in = fdopen(p[0], "r");
	while (in && fscanf(in, "%d %d", &c, &k) == 2) {
		connected += c;
		closed += k;
	}
	while (wait(NULL) > 0)
		;
	printf("connected=%d closed_by_agent=%d\n", connected, closed);
	return 0;
}
