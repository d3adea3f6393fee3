/* v4l2.h - the least of V4L2 mmap streaming the camera-use routes need: start a stream, dequeue frames, count those with data. */
#ifndef BF_V4L2_H
#define BF_V4L2_H

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/videodev2.h>

#define AT_NBUF 4
#define AT_POLL_MS 5000	/* vivid under TCG makes a frame in well under this */

struct at_stream {
	int fd;
	unsigned n;			/* buffers mapped */
	void *p[AT_NBUF];
	size_t len[AT_NBUF];
	unsigned frames, data;		/* dequeued, and of those with data */
	int last;			/* the index of the last buffer dequeued and not queued again */
};

/* ioctl() without EINTR: 0, or the errno. */
static inline int at_ioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r < 0 ? errno : 0;
}

/* A frame "holds data" when the driver wrote bytes and they are not all zero: vivid's test pattern is not. */
static inline bool at_has_data(const void *p, size_t used, size_t len)
{
	const unsigned char *b = p;

	if (!used || used > len)
		return false;
	for (size_t i = 0; i < used; i++)
		if (b[i])
			return true;
	return false;
}

/*
 * S_FMT (small frames keep an emulated CPU fast), REQBUFS, QUERYBUF and
 * mmap each buffer, QBUF it, STREAMON. 0, or the errno of the step named
 * in *STEP.
 */
static inline int at_stream_start(struct at_stream *s, int fd, const char **step)
{
	struct v4l2_format f = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_requestbuffers rb = { .count = AT_NBUF, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
					  .memory = V4L2_MEMORY_MMAP };
	enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	int err;

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->last = -1;
	f.fmt.pix.width = 320;
	f.fmt.pix.height = 240;
	f.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	f.fmt.pix.field = V4L2_FIELD_ANY;
	*step = "S_FMT";
	if ((err = at_ioctl(fd, VIDIOC_S_FMT, &f)))
		return err;
	*step = "REQBUFS";
	if ((err = at_ioctl(fd, VIDIOC_REQBUFS, &rb)))
		return err;
	if (rb.count < 1)
		return ENOMEM;
	for (; s->n < rb.count && s->n < AT_NBUF; s->n++) {
		struct v4l2_buffer vb = { .type = rb.type, .memory = rb.memory, .index = s->n };
		void *p;

		*step = "QUERYBUF";
		if ((err = at_ioctl(fd, VIDIOC_QUERYBUF, &vb)))
			return err;
		*step = "mmap";
		p = mmap(NULL, vb.length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, vb.m.offset);
		if (p == MAP_FAILED)
			return errno;
		s->p[s->n] = p;
		s->len[s->n] = vb.length;
		*step = "QBUF";
		if ((err = at_ioctl(fd, VIDIOC_QBUF, &vb)))
			return err;
	}
	*step = "STREAMON";
	return at_ioctl(fd, VIDIOC_STREAMON, &type);
}

/*
 * Dequeue WANT frames, counting those with data; each buffer goes back
 * to the driver except the last one when KEEP (its frame stays in it, in
 * S->last). 0, or the errno of the step in *STEP.
 */
static inline int at_stream_frames(struct at_stream *s, unsigned want, bool keep, const char **step)
{
	for (unsigned got = 0; got < want;) {
		struct v4l2_buffer vb = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP };
		struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
		int r, err;

		*step = "poll";
		r = poll(&pfd, 1, AT_POLL_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? errno : ETIMEDOUT;
		*step = "DQBUF";
		err = at_ioctl(s->fd, VIDIOC_DQBUF, &vb);
		if (err == EAGAIN)
			continue;
		if (err)
			return err;
		if (vb.index >= s->n)
			return EINVAL;
		got++;
		s->frames++;
		s->data += at_has_data(s->p[vb.index], vb.bytesused, s->len[vb.index]);
		if (keep && got == want) {
			s->last = (int)vb.index;
			break;
		}
		*step = "QBUF";
		if ((err = at_ioctl(s->fd, VIDIOC_QBUF, &vb)))
			return err;
	}
	return 0;
}

#endif
