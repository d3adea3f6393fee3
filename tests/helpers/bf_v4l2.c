/* bf_v4l2.c - test helper: capture frames from a V4L2 node through mmap streaming and print one line saying how it went. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/videodev2.h>

/*
 * usage: bf_v4l2 [--hold SECONDS] DEVICE [FRAMES]
 *        bf_v4l2 --info DEVICE
 *
 * Capture prints one line, e.g. "open=ok frames=5 data=5" (data: frames
 * with bytesused > 0 whose bytes are not all zero), "open=EPERM", or the
 * first step that failed with its errno name: "open=ok streamon=EPERM",
 * "open=ok frames=2 data=2 poll=ETIMEDOUT". --info prints the
 * VIDIOC_QUERYCAP identity: driver="..." card="..." bus_info="...".
 * Exit 0 whenever a result line was printed, 2 on a usage error.
 */

#define NBUF 4
#define POLL_MS 5000	/* vivid under TCG makes a frame in well under this */

struct buf {
	void *p;
	size_t len;
};

struct cap {
	int fd;
	struct buf b[NBUF];
	unsigned n;
	unsigned frames, data;
};

static const char *ename(int err)
{
	const char *s = strerrorname_np(err);

	return s ? s : "EUNKNOWN";
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

/* A frame "holds data" when the driver says it wrote bytes and they are not all zero. */
static bool has_data(const struct buf *b, size_t used)
{
	const unsigned char *p = b->p;

	if (!used || used > b->len)
		return false;
	for (size_t i = 0; i < used; i++)
		if (p[i])
			return true;
	return false;
}

static int set_format(int fd)
{
	struct v4l2_format f = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };

	/* Small frames keep an emulated CPU fast; the driver may adjust them. */
	f.fmt.pix.width = 320;
	f.fmt.pix.height = 240;
	f.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	f.fmt.pix.field = V4L2_FIELD_ANY;
	return xioctl(fd, VIDIOC_S_FMT, &f);
}

/* REQBUFS, QUERYBUF and mmap each buffer, QBUF it; *step names the one that failed. */
static int setup_buffers(struct cap *c, const char **step)
{
	struct v4l2_requestbuffers rb = { .count = NBUF, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
					  .memory = V4L2_MEMORY_MMAP };
	int err;

	*step = "reqbufs";
	err = xioctl(c->fd, VIDIOC_REQBUFS, &rb);
	if (err)
		return err;
	if (rb.count < 1)
		return -ENOMEM;
	for (c->n = 0; c->n < rb.count && c->n < NBUF; c->n++) {
		struct v4l2_buffer vb = { .type = rb.type, .memory = rb.memory, .index = c->n };
		void *p;

		*step = "querybuf";
		err = xioctl(c->fd, VIDIOC_QUERYBUF, &vb);
		if (err)
			return err;
		*step = "mmap";
		p = mmap(NULL, vb.length, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, vb.m.offset);
		if (p == MAP_FAILED)
			return -errno;
		c->b[c->n] = (struct buf){ p, vb.length };
		*step = "qbuf";
		err = xioctl(c->fd, VIDIOC_QBUF, &vb);
		if (err) {
			c->n++;
			return err;
		}
	}
	return 0;
}

/* Dequeue WANT frames, counting those with data, and give each buffer back. */
static int stream(struct cap *c, unsigned want, const char **step)
{
	while (c->frames < want) {
		struct v4l2_buffer vb = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
					  .memory = V4L2_MEMORY_MMAP };
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		int r, err;

		*step = "poll";
		r = poll(&pfd, 1, POLL_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -ETIMEDOUT;
		*step = "dqbuf";
		err = xioctl(c->fd, VIDIOC_DQBUF, &vb);
		if (err == -EAGAIN)
			continue;
		if (err)
			return err;
		if (vb.index >= c->n)
			return -EINVAL;
		c->frames++;
		c->data += has_data(&c->b[vb.index], vb.bytesused);
		*step = "qbuf";
		err = xioctl(c->fd, VIDIOC_QBUF, &vb);
		if (err)
			return err;
	}
	return 0;
}

/* QUERYCAP: a capture node that can stream, or -ENOTTY. */
static int check_caps(int fd)
{
	struct v4l2_capability cap;
	unsigned caps;
	int err = xioctl(fd, VIDIOC_QUERYCAP, &cap);

	if (err)
		return err;
	caps = cap.capabilities & V4L2_CAP_DEVICE_CAPS ? cap.device_caps : cap.capabilities;
	if (!(caps & V4L2_CAP_VIDEO_CAPTURE) || !(caps & V4L2_CAP_STREAMING))
		return -ENOTTY;
	return 0;
}

static void release(struct cap *c)
{
	for (unsigned i = 0; i < c->n; i++)
		munmap(c->b[i].p, c->b[i].len);
	close(c->fd);
}

static int capture(const char *dev, unsigned want, unsigned hold)
{
	enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	struct cap c = { .fd = open(dev, O_RDWR | O_NONBLOCK | O_CLOEXEC) };
	const char *step = "querycap";
	bool streaming = false;
	int err;

	if (c.fd < 0) {
		printf("open=%s\n", ename(errno));
		return 0;
	}
	err = check_caps(c.fd);
	if (!err) {
		step = "s_fmt";
		err = set_format(c.fd);
	}
	err = err ?: setup_buffers(&c, &step);
	if (!err) {
		step = "streamon";
		err = xioctl(c.fd, VIDIOC_STREAMON, &type);
		streaming = !err;
	}
	err = err ?: stream(&c, want, &step);
	if (streaming && !err) {
		step = "streamoff";
		err = xioctl(c.fd, VIDIOC_STREAMOFF, &type);
	}
	printf("open=ok");
	if (streaming)
		printf(" frames=%u data=%u", c.frames, c.data);
	if (err)
		printf(" %s=%s", step, ename(-err));
	printf("\n");
	fflush(stdout);
	if (hold)
		sleep(hold);	/* a holder: the fd stays open */
	release(&c);
	return 0;
}

static int info(const char *dev)
{
	struct v4l2_capability cap;
	int fd = open(dev, O_RDWR | O_NONBLOCK | O_CLOEXEC), err;

	if (fd < 0) {
		printf("open=%s\n", ename(errno));
		return 0;
	}
	err = xioctl(fd, VIDIOC_QUERYCAP, &cap);
	close(fd);
	if (err) {
		printf("open=ok querycap=%s\n", ename(-err));
		return 0;
	}
	printf("driver=\"%.*s\" card=\"%.*s\" bus_info=\"%.*s\"\n", (int)sizeof(cap.driver),
	       (const char *)cap.driver, (int)sizeof(cap.card), (const char *)cap.card,
	       (int)sizeof(cap.bus_info), (const char *)cap.bus_info);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: bf_v4l2 [--hold SECONDS] DEVICE [FRAMES]\n"
			"       bf_v4l2 --info DEVICE\n");
	return 2;
}

int main(int argc, char **argv)
{
	unsigned hold = 0;
	unsigned long frames = 5;
	char *end;
	int i = 1;

	if (argc == 3 && strcmp(argv[1], "--info") == 0)
		return info(argv[2]);
	if (argc > 2 && strcmp(argv[1], "--hold") == 0) {
		hold = (unsigned)strtoul(argv[2], &end, 10);
		if (*end || !*argv[2])
			return usage();
		i = 3;
	}
	if (argc - i < 1 || argc - i > 2)
		return usage();
	if (argc - i == 2) {
		frames = strtoul(argv[i + 1], &end, 10);
		if (*end || !*argv[i + 1] || frames < 1 || frames > 10000)
			return usage();
	}
	return capture(argv[i], (unsigned)frames, hold);
}
