/* expbuf.c - attack: a process that may not capture exports a camera buffer holding a frame as a dma-buf (VIDIOC_EXPBUF) on a descriptor it inherited, and maps it. */
#include "attack.h"
#include "v4l2.h"

#define ROUTE "expbuf"

/*
 * The second half, in a non-app (another executable: the runner's copy
 * of this file under another name): export buffer INDEX of camera fd FD,
 * then read the frame out of the dma-buf, which no camera hook sees.
 */
static int export_buffer(int fd, unsigned index)
{
	struct v4l2_exportbuffer eb = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .index = index,
					.flags = O_RDONLY | O_CLOEXEC };
	off_t size;
	void *p;
	int err = at_ioctl(fd, VIDIOC_EXPBUF, &eb);

	if (err == EPERM) {
		at_result(ROUTE, "blocked", "a non-app holding the app's camera fd (inherited across exec): VIDIOC_EXPBUF of a buffer holding a frame: EPERM");
		return 0;
	}
	if (err) {
		at_result(ROUTE, "error", "VIDIOC_EXPBUF: %s", at_errname(err));
		return 1;
	}
	size = lseek(eb.fd, 0, SEEK_END);
	p = size > 0 ? mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, eb.fd, 0) : MAP_FAILED;
	if (p == MAP_FAILED) {
		at_result(ROUTE, "through", "a non-app holding the app's camera fd (inherited across exec): VIDIOC_EXPBUF: ok, a dma-buf of %lld bytes, not mappable (%s)",
			  (long long)size, at_errname(errno));
		return 0;
	}
	at_result(ROUTE, "through", "a non-app holding the app's camera fd (inherited across exec): VIDIOC_EXPBUF: ok, a dma-buf of %lld bytes; mapped, it holds the frame (%s)",
		  (long long)size, at_has_data(p, (size_t)size, (size_t)size) ? "non-zero bytes" : "all zero");
	munmap(p, (size_t)size);
	return 0;
}

/*
 * usage: expbuf DEVICE NONAPP     (the app: the policy names this file)
 *        expbuf --fd FD INDEX     (the non-app half, run by the app's exec)
 * The app opens DEVICE, streams until a buffer holds a frame and keeps
 * that buffer, then execs NONAPP with the descriptor still open: from
 * then on a process the policy does not let capture holds the camera.
 */
int main(int argc, char **argv)
{
	struct at_stream s;
	const char *step;
	char num[16], idx[16];
	int fd, err;

	if (argc == 4 && strcmp(argv[1], "--fd") == 0)
		return export_buffer(atoi(argv[2]), (unsigned)strtoul(argv[3], NULL, 10));
	if (argc != 3) {
		fprintf(stderr, "usage: " ROUTE " DEVICE NONAPP\n       " ROUTE " --fd FD INDEX\n");
		return 2;
	}
	/* No O_CLOEXEC: the descriptor is meant to outlive the exec. */
	fd = open(argv[1], O_RDWR | O_NONBLOCK);
	if (fd < 0) {
		at_result(ROUTE, "error", "the app's camera open: %s (the attack proves nothing)", at_errname(errno));
		return 1;
	}
	err = at_stream_start(&s, fd, &step);
	err = err ? err : at_stream_frames(&s, 1, true, &step);
	if (err || s.last < 0) {
		at_result(ROUTE, "error", "the app's capture: %s: %s (the attack proves nothing)", step, at_errname(err));
		return 1;
	}
	snprintf(num, sizeof(num), "%d", fd);
	snprintf(idx, sizeof(idx), "%d", s.last);
	fflush(stdout);
	execl(argv[2], argv[2], "--fd", num, idx, (char *)NULL);
	at_result(ROUTE, "error", "exec %s: %s", argv[2], at_errname(errno));
	return 1;
}
