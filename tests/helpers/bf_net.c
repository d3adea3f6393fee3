/* bf_net.c - test helper: become tainted (open a camera), then connect or send, maybe from a child. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * usage: bf_net [--camera PATH] [--sleep S [--until FILE]] [--fork|--exec] OP ADDR PORT
 *   OP: tcp4 | udp4 | tcp6 | udp6 (udp = unconnected sendto)
 *       | unix | unixdg (AF_UNIX stream connect / datagram sendto; PORT ignored)
 *       | unixexact | unixfull (stream connect with an address length that
 *         leaves out the path's NUL / covers all of sun_path, as programs do)
 *       | raw4 (a raw IPv4 socket, then sendto ADDR)
 *       | udpbulk (--count N datagrams of --size S bytes to ADDR PORT from one
 *         socket; prints "sent=K" before the result of the first failure)
 *       | packet | packetfirst (an AF_PACKET socket after / before the camera
 *         open, held for --hold S seconds; packetfirst prints "net=" first)
 *       | vsock (the same as packet with AF_VSOCK)
 *   ADDR for tcp6/udp6 may be IPv4-mapped (::ffff:127.0.0.2); for unix,
 *   "@name" is the abstract socket "\0name".
 * Prints the camera open result, then "net=ok" or "net=<errno name>".
 * For TCP, ECONNREFUSED means the kernel let the connect through to an
 * address with no listener, so it counts as allowed, not as a failure.
 */
static const char *errname(int e)
{
	switch (e) {
	case 0: return "ok";
	case EPERM: return "EPERM";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ENXIO: return "ENXIO";
	case ENETUNREACH: return "ENETUNREACH";
	case ENOENT: return "ENOENT";
	default: return strerror(e);
	}
}

/* ENOENT / ECONNREFUSED: the kernel let it through to a name nobody listens on. */
static int do_unix(const char *op, const char *addr)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t n = strlen(addr);
	socklen_t len;
	int fd, rc, dgram = strcmp(op, "unixdg") == 0;

	if (n >= sizeof(sun.sun_path))
		return ENAMETOOLONG;
	memcpy(sun.sun_path, addr, n);
	if (addr[0] == '@')
		sun.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (addr[0] == '@' ? 0 : 1));
	if (strcmp(op, "unixexact") == 0)
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	else if (strcmp(op, "unixfull") == 0)
		len = sizeof(sun);
	fd = socket(AF_UNIX, dgram ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (fd < 0)
		return errno;
	if (dgram)
		rc = (int)sendto(fd, "face", 4, 0, (struct sockaddr *)&sun, len);
	else
		rc = connect(fd, (struct sockaddr *)&sun, len);
	rc = rc < 0 ? errno : 0;
	close(fd);
	return rc;
}

static int do_raw4(const char *addr)
{
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_UDP), rc;

	if (fd < 0)
		return errno;
	inet_pton(AF_INET, addr, &s4.sin_addr);
	rc = (int)sendto(fd, "face", 4, 0, (struct sockaddr *)&s4, sizeof(s4));
	rc = rc < 0 ? errno : 0;
	close(fd);
	return rc;
}

static unsigned long bulk_count = 1, bulk_size = 4;

static int do_udpbulk(const char *addr, int port)
{
	struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	static char buf[65000];
	unsigned long sent = 0;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), rc = 0;

	if (fd < 0 || bulk_size > sizeof(buf))
		return fd < 0 ? errno : EINVAL;
	inet_pton(AF_INET, addr, &s4.sin_addr);
	memset(buf, 'f', bulk_size);
	for (; sent < bulk_count; sent++)
		if (sendto(fd, buf, bulk_size, 0, (struct sockaddr *)&s4, sizeof(s4)) < 0) {
			rc = errno;
			break;
		}
	printf("sent=%lu\n", sent);
	close(fd);
	return rc;
}

static int do_net(const char *op, const char *addr, int port)
{
	struct sockaddr_storage ss = {};
	socklen_t len;
	int v6 = op[3] == '6', tcp = op[0] == 't', fd, rc;

	if (strncmp(op, "unix", 4) == 0)
		return do_unix(op, addr);
	if (strcmp(op, "raw4") == 0)
		return do_raw4(addr);
	if (strcmp(op, "udpbulk") == 0)
		return do_udpbulk(addr, port);
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1)
			return EINVAL;
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		if (inet_pton(AF_INET, addr, &s4->sin_addr) != 1)
			return EINVAL;
		len = sizeof(*s4);
	}
	fd = socket(v6 ? AF_INET6 : AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (fd < 0)
		return errno;
	if (tcp)
		rc = connect(fd, (struct sockaddr *)&ss, len);
	else
		rc = (int)sendto(fd, "face", 4, 0, (struct sockaddr *)&ss, len);
	rc = rc < 0 ? errno : 0;
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	const char *camera = NULL, *mode = NULL, *until = NULL;
	unsigned sleep_s = 0, hold_s = 0;
	int packet_fd = -1;
	int i = 1, err;

	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--camera") == 0 && i + 1 < argc)
			camera = argv[++i];
		else if (strcmp(argv[i], "--sleep") == 0 && i + 1 < argc)
			sleep_s = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--until") == 0 && i + 1 < argc)
			until = argv[++i];
		else if (strcmp(argv[i], "--hold") == 0 && i + 1 < argc)
			hold_s = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc)
			bulk_count = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--size") == 0 && i + 1 < argc)
			bulk_size = strtoul(argv[++i], NULL, 10);
		else
			mode = argv[i] + 2;
	}
	if (argc - i != 3) {
		fprintf(stderr, "usage: bf_net [--camera PATH] [--sleep S] [--fork|--exec] OP ADDR PORT\n");
		return 2;
	}
	/* A packet socket made before the camera open: no hook saw it, only the agent's scan can. */
	if (strcmp(argv[i], "packetfirst") == 0) {
		/*
		 * Said before the open: once the camera is open the agent may kill
		 * this process at any instant, so nothing printed after it is sure.
		 */
		packet_fd = socket(AF_PACKET, SOCK_DGRAM, 0);
		printf("net=%s\n", errname(packet_fd < 0 ? errno : 0));
		fflush(stdout);
	}
	if (camera) {
		int fd = open(camera, O_RDONLY | O_CLOEXEC);

		/* Kept open on purpose: a holder must still hold it when the agent scans. */
		printf("camera=%s\n", errname(fd < 0 ? errno : 0));
	}
	fflush(stdout);
	/* --until FILE: the sleep ends early once FILE exists (the test's go-ahead). */
	for (unsigned ms = 0; until && ms < sleep_s * 1000u && access(until, F_OK) != 0; ms += 50)
		usleep(50000);
	if (sleep_s && !until)
		sleep(sleep_s);
	if (mode && strcmp(mode, "exec") == 0) {
		/* A new program image in the same process: taint must survive it. */
		execl("/proc/self/exe", "bf_net", argv[i], argv[i + 1], argv[i + 2], (char *)NULL);
		perror("execl");
		return 1;
	}
	if (mode && strcmp(mode, "fork") == 0) {
		pid_t pid = fork();
		int status;

		if (pid == 0) {
			printf("child net=%s\n", errname(do_net(argv[i], argv[i + 1], atoi(argv[i + 2]))));
			fflush(stdout);
			_exit(0);
		}
		waitpid(pid, &status, 0);
		return 0;
	}
	if (strncmp(argv[i], "packet", 6) == 0 || strcmp(argv[i], "vsock") == 0) {
		if (packet_fd < 0)
			packet_fd = strcmp(argv[i], "vsock") == 0 ? socket(AF_VSOCK, SOCK_STREAM, 0) :
								     socket(AF_PACKET, SOCK_DGRAM, 0);
		if (strcmp(argv[i], "packetfirst") != 0)
			printf("net=%s\n", errname(packet_fd < 0 ? errno : 0));
		fflush(stdout);
		sleep(hold_s);
		printf("survived\n");
		return 0;
	}
	err = do_net(argv[i], argv[i + 1], atoi(argv[i + 2]));
	printf("net=%s\n", errname(err));
	return 0;
}
