/* double_fork_setsid.c - attack: a tainted process daemonizes (fork, setsid, fork again) and the orphaned grandchild connects to a third party. */
#include <sys/wait.h>

#include "attack.h"

#define ROUTE "double_fork_setsid"

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	char line[512];
	socklen_t len;
	int p[2], status;
	ssize_t n;
	pid_t pid;

	if (argc != 3) {
		fprintf(stderr, "usage: " ROUTE " CAMERA A.B.C.D:PORT\n");
		return 2;
	}
	at_taint(ROUTE, argv[1]);
	at_need_inet(ROUTE, argv[2], &ss, &len);
	if (pipe(p) < 0)
		return at_report_errno(ROUTE, "pipe", errno);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return at_report_errno(ROUTE, "fork", errno);
	if (pid == 0) {
		/* The classic daemon dance: new session, parent gone, reparented to init. */
		close(p[0]);
		if (setsid() < 0 || fork() != 0)
			_exit(0);
		/* The grandchild writes its line to the pipe: the tainted original may exit first. */
		if (dup2(p[1], STDOUT_FILENO) < 0)
			_exit(1);
		at_connect_report(ROUTE, &ss, len, SOCK_STREAM);
		_exit(0);
	}
	close(p[1]);
	waitpid(pid, &status, 0);
	/* Read until the grandchild closes the pipe (it exits), so its line is whole. */
	size_t got = 0;

	while (got < sizeof(line) - 1 && (n = read(p[0], line + got, sizeof(line) - 1 - got)) > 0)
		got += (size_t)n;
	line[got] = '\0';
	if (got == 0)
		at_result(ROUTE, "error", "the grandchild said nothing");
	else
		fputs(line, stdout);
	return 0;
}
