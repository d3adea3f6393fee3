/* second_node.c - attack: a non-app makes its own device node with the camera's numbers under /tmp and opens that. */
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "attack.h"

#define ROUTE "second_node"

/* usage: second_node CAMERA DIR - DIR is where the copy is made (the runner's /tmp dir) */
int main(int argc, char **argv)
{
	char path[4096];
	struct stat st;
	int fd, err;

	if (argc != 3) {
		fprintf(stderr, "usage: " ROUTE " CAMERA DIR\n");
		return 2;
	}
	if (stat(argv[1], &st) < 0 || !S_ISCHR(st.st_mode)) {
		at_result(ROUTE, "error", "%s is not a character device", argv[1]);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/second-node-%d", argv[2], (int)getpid());
	/* The policy named the camera by a path: a new path must not make it a new camera. */
	if (mknod(path, S_IFCHR | 0666, st.st_rdev) < 0) {
		at_result(ROUTE, "error", "mknod %s: %s", path, at_errname(errno));
		return 1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	err = fd < 0 ? errno : 0;
	unlink(path);
	if (err == EPERM)
		at_result(ROUTE, "blocked", "open of a new node %u:%u: EPERM", major(st.st_rdev),
			  minor(st.st_rdev));
	else if (err == 0 || err == ENXIO || err == ENODEV)
		at_result(ROUTE, "through", "open of a new node %u:%u: %s", major(st.st_rdev),
			  minor(st.st_rdev), at_errname(err));
	else
		at_result(ROUTE, "error", "open: %s", at_errname(err));
	return 0;
}
