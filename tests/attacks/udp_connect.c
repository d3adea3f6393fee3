/* udp_connect.c - attack: a tainted process connects a UDP socket to a third party, then sends on it. */
#include "attack.h"

#define ROUTE "udp_connect"

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
	/* A connected UDP socket sends with no address: only connect() can be judged. */
	return at_connect_report(ROUTE, &ss, len, SOCK_DGRAM);
}
