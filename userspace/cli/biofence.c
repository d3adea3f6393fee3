/* biofence.c - the command line: check policies, ask the agent for status or a reload, detach, manage consent windows and grants, review the audit log (the commands: cli_commands.c). */
#include "cli_common.h"
#include "log.h"

int main(int argc, char **argv)
{
	log_init("biofence", 0);
	return cli_main(argc, argv);
}
