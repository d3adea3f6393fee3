/* proc_fd_reopen.c - attack: a non-app reopens a camera another process holds through /proc/PID/fd/N. */
#include <dirent.h>
#include <sys/stat.h>

#include "attack.h"

#define ROUTE "proc_fd_reopen"

/* usage: proc_fd_reopen CAMERA HOLDER_PID - finds the holder's descriptor for CAMERA's device and opens it anew */
int main(int argc, char **argv)
{
	char dir[64], path[320];
	struct dirent *de;
	struct stat cam, st;
	int fd, found = 0;
	DIR *d;

	if (argc != 3) {
		fprintf(stderr, "usage: " ROUTE " CAMERA HOLDER_PID\n");
		return 2;
	}
	if (stat(argv[1], &cam) < 0) {
		at_result(ROUTE, "error", "stat %s: %s", argv[1], at_errname(errno));
		return 1;
	}
	snprintf(dir, sizeof(dir), "/proc/%s/fd", argv[2]);
	if (!(d = opendir(dir))) {
		at_result(ROUTE, "error", "%s: %s", dir, at_errname(errno));
		return 1;
	}
	while (!found && (de = readdir(d))) {
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		found = de->d_name[0] != '.' && stat(path, &st) == 0 && S_ISCHR(st.st_mode) &&
			st.st_rdev == cam.st_rdev;
	}
	closedir(d);
	if (!found) {
		at_result(ROUTE, "error", "pid %s holds no descriptor of %s", argv[2], argv[1]);
		return 1;
	}
	/* The magic link reaches the holder's open file, but opening it is a new open of the device. */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		at_result(ROUTE, "through", "open %s: ok", path);
	else if (errno == EPERM)
		at_result(ROUTE, "blocked", "open %s: EPERM", path);
	else
		at_result(ROUTE, "error", "open %s: %s", path, at_errname(errno));
	return 0;
}
