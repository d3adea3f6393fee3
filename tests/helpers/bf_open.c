/* bf_open.c - test helper: open a device node N times and print how many opens ended how. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * usage: bf_open PATH [N] [HOLD_SECONDS]
 * Prints "ok=A EPERM=B ENXIO=C other=D". With HOLD_SECONDS, the last
 * successful descriptor stays open that long (a camera holder).
 */
int main(int argc, char **argv)
{
	unsigned long n = argc > 2 ? strtoul(argv[2], NULL, 10) : 1;
	unsigned hold = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 0;
	unsigned long ok = 0, eperm = 0, enxio = 0, other = 0;
	int last_errno = 0, held = -1;

	if (argc < 2) {
		fprintf(stderr, "usage: bf_open PATH [N] [HOLD_SECONDS]\n");
		return 2;
	}
	for (unsigned long i = 0; i < n; i++) {
		int fd = open(argv[1], O_RDONLY | O_CLOEXEC);

		if (fd >= 0) {
			ok++;
			if (held >= 0)
				close(held);
			held = fd;
			continue;
		}
		if (errno == EPERM)
			eperm++;
		else if (errno == ENXIO || errno == ENODEV)
			enxio++;
		else
			other++, last_errno = errno;
	}
	printf("ok=%lu EPERM=%lu ENXIO=%lu other=%lu\n", ok, eperm, enxio, other);
	if (other)
		fprintf(stderr, "bf_open: last other error: %s\n", strerror(last_errno));
	fflush(stdout);
	if (hold && held >= 0)
		sleep(hold);
	return 0;
}
