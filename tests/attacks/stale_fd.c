/* stale_fd.c - attack: the app opens a camera inside its consent window and keeps dequeuing frames on the same descriptor after the window has ended. */
#include <sys/stat.h>

#include "attack.h"
#include "v4l2.h"

#define ROUTE "stale_fd"

/*
 * usage: stale_fd DEVICE FRAMES READY_FILE GO_FILE
 * The runner opens a consent window for this app, then starts it: it
 * opens DEVICE (a real V4L2 capture node: vivid), streams FRAMES frames,
 * creates READY_FILE and waits for GO_FILE, which the runner makes once
 * the agent has logged the window's end. Then it dequeues again on the
 * descriptor it never closed. "through" is frames after the end; "blocked"
 * is the dequeue refused with EPERM.
 */
int main(int argc, char **argv)
{
	struct at_stream s;
	const char *step;
	struct stat st;
	unsigned want, before, with_data;
	int fd, err, i;

	if (argc != 5 || !(want = (unsigned)strtoul(argv[2], NULL, 10))) {
		fprintf(stderr, "usage: " ROUTE " DEVICE FRAMES READY_FILE GO_FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		at_result(ROUTE, "error", "camera open in the window: %s (the attack proves nothing)",
			  at_errname(errno));
		return 1;
	}
	err = at_stream_start(&s, fd, &step);
	err = err ? err : at_stream_frames(&s, want, false, &step);
	if (err) {
		at_result(ROUTE, "error", "in the window: %u frames, then %s: %s (the attack proves nothing)",
			  s.frames, step, at_errname(err));
		return 1;
	}
	before = s.frames;
	with_data = s.data;
	if ((i = open(argv[3], O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) >= 0)
		close(i);
	/* The runner says when the window is over; a minute is far beyond any window it opens. */
	for (i = 0; i < 600 && stat(argv[4], &st) < 0; i++)
		usleep(100000);
	if (i == 600) {
		at_result(ROUTE, "error", "the runner never said the window had ended");
		return 1;
	}
	s.frames = s.data = 0;
	err = at_stream_frames(&s, want, false, &step);
	if (err == EPERM)
		at_result(ROUTE, "blocked", "%u frames in the window (%u with data); after it ended: %s: EPERM",
			  before, with_data, step);
	else if (s.frames)
		at_result(ROUTE, "through", "%u frames in the window; after it ended, on the same fd: %u more (%u with data)",
			  before, s.frames, s.data);
	else
		at_result(ROUTE, "error", "%u frames in the window; after it ended: %s: %s", before, step,
			  at_errname(err));
	return 0;
}
