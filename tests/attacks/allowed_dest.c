/* allowed_dest.c - control: a tainted process reaches the one destination the policy names (proves the listener and the taint work). */
#include "attack.h"

#define ROUTE "allowed_dest"

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
