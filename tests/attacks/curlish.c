/* curlish.c - the "curl" an attack execs: connect to ADDR:PORT, send a token, report. Holds no camera and is no app. */
#include "attack.h"

/* usage: curlish ROUTE A.B.C.D:PORT (ROUTE names the attack that exec'd us, for the result line) */
int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (argc != 3) {
		fprintf(stderr, "usage: curlish ROUTE A.B.C.D:PORT\n");
		return 2;
	}
	at_need_inet(argv[1], argv[2], &ss, &len);
	return at_connect_report(argv[1], &ss, len, SOCK_STREAM);
}
