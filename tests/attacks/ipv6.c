/* ipv6.c - attack: a tainted process connects over TCP/IPv6 to a third party ([::1]) and sends. */
#include "attack.h"

#define ROUTE "ipv6"

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (argc != 3) {
		fprintf(stderr, "usage: " ROUTE " CAMERA [V6]:PORT\n");
		return 2;
	}
	at_taint(ROUTE, argv[1]);
	at_need_inet(ROUTE, argv[2], &ss, &len);
	return at_connect_report(ROUTE, &ss, len, SOCK_STREAM);
}
