/* camera_app.c - the allowed binary: open a camera and say whether biofence let it (run as itself, as a copy, as a hard link, or as a holder). */
#include "attack.h"

/*
 * usage: camera_app ROUTE CAMERA [HOLD_SECONDS]
 * The policy names this file's inode as the app. The runner runs the very
 * same bytes under other names (a copy, a hard link), so the route name
 * comes from the command line. With HOLD_SECONDS the descriptor is kept
 * that long: a holder another process may try to borrow from.
 */
int main(int argc, char **argv)
{
	unsigned hold = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 0;
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: camera_app ROUTE CAMERA [HOLD_SECONDS]\n");
		return 2;
	}
	fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == EPERM)
		at_result(argv[1], "blocked", "open: EPERM (not the app)");
	else if (fd < 0 && (errno == ENXIO || errno == ENODEV))
		at_result(argv[1], "through", "open: %s (past the cgroup check: no driver behind the node)",
			  at_errname(errno));
	else if (fd >= 0)
		at_result(argv[1], "through", "open: ok");
	else
		at_result(argv[1], "error", "open: %s", at_errname(errno));
	if (hold && fd >= 0)
		sleep(hold);
	return 0;
}
