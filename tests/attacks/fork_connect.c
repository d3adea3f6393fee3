/* fork_connect.c - attack: a tainted process forks and the child connects to a third party. */
#include <sys/wait.h>

#include "attack.h"

#define ROUTE "fork_connect"

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	pid_t pid;
	int status;

	if (argc != 3) {
		fprintf(stderr, "usage: " ROUTE " CAMERA A.B.C.D:PORT\n");
		return 2;
	}
	at_taint(ROUTE, argv[1]);
	at_need_inet(ROUTE, argv[2], &ss, &len);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return at_report_errno(ROUTE, "fork", errno);
	if (pid == 0) {
		/* The child never opened a camera itself: only inheritance can taint it. */
		at_connect_report(ROUTE, &ss, len, SOCK_STREAM);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		at_result(ROUTE, "error", "child did not exit normally (status %d)", status);
	return 0;
}
