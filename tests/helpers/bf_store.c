/* bf_store.c - test helper: read a template file, hold it in memory, send it, or peek into a holder's memory. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/*
 * usage: bf_store read PATH                  "open=ok bytes=N" or "open=EPERM"
 *        bf_store send PATH IP PORT           read, then a TCP connect: "... connect=ok|EPERM|..."
 *        bf_store hold PATH SECONDS           read, print "pid=P addr=A len=L", keep the bytes that long
 *        bf_store peek PID ADDR LEN           process_vm_readv: "peek=ok bytes=N" or "peek=EPERM"
 * Every outcome is a word a test can compare; errno names, not messages.
 */
static char buf[4096];

static const char *err_name(int e)
{
	switch (e) {
	case 0: return "ok";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case ENOENT: return "ENOENT";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ESRCH: return "ESRCH";
	default: return strerror(e);
	}
}

/* Reads PATH into buf; prints the outcome. The byte count, or -1. */
static ssize_t read_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		printf("open=%s", err_name(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	printf("open=ok bytes=%zd", n);
	return n;
}

static int do_send(const char *path, const char *ip, const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
	int fd, rc;

	if (read_file(path) < 0 || inet_pton(AF_INET, ip, &sa.sin_addr) != 1) {
		printf("\n");
		return 0;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	rc = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	printf(" connect=%s\n", err_name(rc < 0 ? errno : 0));
	if (fd >= 0)
		close(fd);
	return 0;
}

static int do_hold(const char *path, unsigned secs)
{
	ssize_t n = read_file(path);

	printf(" pid=%d addr=%p len=%zd\n", (int)getpid(), (void *)buf, n);
	fflush(stdout);
	sleep(secs);
	return n < 0;
}

static int do_peek(const char *pid, const char *addr, const char *len)
{
	char out[4096];
	struct iovec local = { .iov_base = out, .iov_len = sizeof(out) };
	struct iovec remote = { .iov_base = (void *)strtoul(addr, NULL, 0),
				.iov_len = strtoul(len, NULL, 10) };
	ssize_t n;

	if (remote.iov_len > sizeof(out))
		remote.iov_len = sizeof(out);
	n = process_vm_readv(atoi(pid), &local, 1, &remote, 1, 0);
	if (n < 0)
		printf("peek=%s\n", err_name(errno));
	else
		printf("peek=ok bytes=%zd\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "read") == 0) {
		read_file(argv[2]);
		printf("\n");
		return 0;
	}
	if (argc == 5 && strcmp(argv[1], "send") == 0)
		return do_send(argv[2], argv[3], argv[4]);
	if (argc == 4 && strcmp(argv[1], "hold") == 0)
		return do_hold(argv[2], (unsigned)atoi(argv[3]));
	if (argc == 5 && strcmp(argv[1], "peek") == 0)
		return do_peek(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: bf_store read PATH | send PATH IP PORT | hold PATH SECONDS | "
		"peek PID ADDR LEN\n");
	return 2;
}
