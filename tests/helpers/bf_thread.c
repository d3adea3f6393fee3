/* bf_thread.c - test helper: open a camera, let the main thread exit, send from the surviving thread. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * usage: bf_thread CAMERA ADDR PORT
 * Taint belongs to the process, not to the thread that opened the camera:
 * after the leader thread exits, the remaining thread must still be judged
 * as tainted. Prints "thread net=ok|EPERM|ECONNREFUSED|...".
 */
static const char *addr;
static int port;

static void *late_sender(void *arg)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	int fd, rc;

	usleep(300000);	/* well after the leader is gone */
	inet_pton(AF_INET, addr, &sin.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	rc = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ? errno : 0;
	printf("thread net=%s\n", rc == 0 ? "ok" : rc == EPERM ? "EPERM" :
				  rc == ECONNREFUSED ? "ECONNREFUSED" : strerror(rc));
	fflush(stdout);
	exit(0);
}

int main(int argc, char **argv)
{
	pthread_t t;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: bf_thread CAMERA ADDR PORT\n");
		return 2;
	}
	addr = argv[2];
	port = atoi(argv[3]);
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	printf("camera=%s\n", fd < 0 ? (errno == ENXIO ? "ENXIO" : strerror(errno)) : "ok");
	fflush(stdout);
	if (pthread_create(&t, NULL, late_sender, NULL) != 0)
		return 1;
	pthread_exit(NULL);
}
