/* kill_agent.c - attack: root, not init, ends the agent with SIGTERM and SIGKILL. */
#include <signal.h>

#include "attack.h"

#define ROUTE "kill_agent"

/*
 * usage: kill_agent PID
 * SIGTERM (the polite way, what `kill` sends), then SIGKILL (the one no
 * process can catch), each tried whatever the first did. The runner
 * checks afterwards whether the agent is still running and serving.
 */
int main(int argc, char **argv)
{
	pid_t pid;
	int term, kill9;

	if (argc != 2 || (pid = (pid_t)atoi(argv[1])) <= 1) {
		fprintf(stderr, "usage: " ROUTE " PID\n");
		return 2;
	}
	term = kill(pid, SIGTERM) < 0 ? errno : 0;
	kill9 = kill(pid, SIGKILL) < 0 ? errno : 0;
	if (term == 0 || kill9 == 0)
		at_result(ROUTE, "through", "kill(SIGTERM): %s, kill(SIGKILL): %s", at_errname(term), at_errname(kill9));
	else if (term == EPERM && kill9 == EPERM)
		at_result(ROUTE, "blocked", "kill(SIGTERM): EPERM, kill(SIGKILL): EPERM");
	else
		at_result(ROUTE, "error", "kill(SIGTERM): %s, kill(SIGKILL): %s", at_errname(term), at_errname(kill9));
	return 0;
}
