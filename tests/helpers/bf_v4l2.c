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
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/videodev2.h>

/*
 * usage: bf_v4l2 [--hold SECONDS | --again SECONDS] DEVICE [FRAMES]
 *        bf_v4l2 --exec PROG DEVICE [FRAMES]
 *        bf_v4l2 --fd N [FRAMES]
 *        bf_v4l2 --pass PROG DEVICE [FRAMES]   (PROG gets the fd over SCM_RIGHTS:
 *                                               PROG --recv SOCKET_FD FRAMES)
 *        bf_v4l2 --info DEVICE
 *
 * Capture prints one line, e.g. "open=ok frames=5 data=5" (data: frames
 * with bytesused > 0 whose bytes are not all zero), "open=EPERM", or the
 * first step that failed with its errno name: "open=ok streamon=EPERM",
 * "open=ok frames=2 data=2 poll=ETIMEDOUT". --info prints the
 * VIDIOC_QUERYCAP identity: driver="..." card="..." bus_info="...".
 * --again: after the frames, wait SECONDS with the stream on and dequeue
 * again on the same descriptor: " then frames=N data=N" or " then
 * dqbuf=EPERM mapped=K" (a descriptor kept past its consent window; K:
 * the buffers mapped before that still hold a frame).
 * --exec: open DEVICE, then exec PROG (another executable) with the
 * descriptor inherited: PROG --fd N FRAMES captures from it without an open.
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

/* What to do around the frames: hold the descriptor after, or dequeue again after a pause. */
struct plan {
	unsigned want;
	unsigned hold;
	unsigned again;
};

/* A second round on the same stream after PLAN->again seconds; printed after the first. */
static void again(struct cap *c, const struct plan *plan)
{
	const char *step = "dqbuf";
	int err;

	fflush(stdout);		/* what happened so far, even if the agent ends us in the pause */
	sleep(plan->again);
	c->frames = c->data = 0;
	err = stream(c, plan->want, &step);
	printf(" then frames=%u data=%u", c->frames, c->data);
	if (err) {
		unsigned kept = 0;

		/* What no hook can take back: buffers mapped before still hold their frames. */
		for (unsigned i = 0; i < c->n; i++)
			kept += has_data(&c->b[i], c->b[i].len);
		printf(" %s=%s mapped=%u", step, ename(-err), kept);
	}
}

/* Capture from an open descriptor: the setup, the frames, the line. */
static int capture_fd(int fd, const struct plan *plan)
{
	enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	struct cap c = { .fd = fd };
	const char *step = "querycap";
	bool streaming = false;
	int err;

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
	err = err ?: stream(&c, plan->want, &step);
	printf("open=ok");
	if (streaming)
		printf(" frames=%u data=%u", c.frames, c.data);
	if (err)
		printf(" %s=%s", step, ename(-err));
	else if (plan->again)
		again(&c, plan);
	if (streaming)
		xioctl(c.fd, VIDIOC_STREAMOFF, &type);
	printf("\n");
	fflush(stdout);
	if (plan->hold)
		sleep(plan->hold);	/* a holder: the fd stays open */
	release(&c);
	return 0;
}

static int capture(const char *dev, const struct plan *plan)
{
	int fd = open(dev, O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		printf("open=%s\n", ename(errno));
		return 0;
	}
	return capture_fd(fd, plan);
}

/* Open DEV as this executable, then become PROG with the descriptor: a camera fd in other hands. */
static int exec_with_fd(const char *prog, const char *dev, const char *frames)
{
	int fd = open(dev, O_RDWR | O_NONBLOCK);
	char num[16];

	if (fd < 0) {
		printf("open=%s\n", ename(errno));
		return 0;
	}
	snprintf(num, sizeof(num), "%d", fd);
	execl(prog, prog, "--fd", num, frames, (char *)NULL);
	printf("exec=%s\n", ename(errno));
	return 0;
}

/*
 * Open DEV as this executable, then send the descriptor over a unix socket
 * (SCM_RIGHTS) to PROG, started with --recv: a camera fd handed to another
 * process, which never opens the node itself.
 */
static int pass_fd(const char *prog, const char *dev, const char *frames)
{
	char ctl[CMSG_SPACE(sizeof(int))] = "", byte = 'F', num[16];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			      .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;
	int fd = open(dev, O_RDWR | O_NONBLOCK | O_CLOEXEC), sv[2];
	pid_t pid;

	if (fd < 0) {
		printf("open=%s\n", ename(errno));
		return 0;
	}
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0 || (pid = fork()) < 0) {
		printf("socketpair/fork=%s\n", ename(errno));
		return 0;
	}
	if (pid == 0) {
		close(sv[0]);
		snprintf(num, sizeof(num), "%d", sv[1]);
		execl(prog, prog, "--recv", num, frames, (char *)NULL);
		printf("exec=%s\n", ename(errno));
		_exit(0);
	}
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	if (sendmsg(sv[0], &msg, 0) < 0)
		printf("sendmsg=%s\n", ename(errno));
	fflush(stdout);
	waitpid(pid, NULL, 0);
	return 0;
}

/* Receive a descriptor on socket SOCK and capture from it; "recv=refused" if the kernel withheld it. */
static int recv_fd(int sock, const struct plan *plan)
{
	char ctl[CMSG_SPACE(sizeof(int))], byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			      .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, 0) < 0) {
		printf("recvmsg=%s\n", ename(errno));
		return 0;
	}
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS) {
		/* The kernel drops a descriptor security_file_receive refused and says MSG_CTRUNC. */
		printf("recv=%s\n", (msg.msg_flags & MSG_CTRUNC) ? "refused" : "none");
		return 0;
	}
	memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	printf("recv=ok ");
	return capture_fd(fd, plan);
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
	fprintf(stderr, "usage: bf_v4l2 [--hold SECONDS | --again SECONDS] DEVICE [FRAMES]\n"
			"       bf_v4l2 --exec PROG DEVICE [FRAMES]\n"
			"       bf_v4l2 --fd N [FRAMES]\n"
			"       bf_v4l2 --pass PROG DEVICE [FRAMES]\n"
			"       bf_v4l2 --recv SOCKET_FD [FRAMES]\n"
			"       bf_v4l2 --info DEVICE\n");
	return 2;
}

/* A whole number from 0 to MAX, or -1. */
static long number(const char *s, unsigned long max)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	return *end || !*s || v > max ? -1 : (long)v;
}

int main(int argc, char **argv)
{
	struct plan plan = { .want = 5 };
	long v;
	int i = 1;

	if (argc == 3 && strcmp(argv[1], "--info") == 0)
		return info(argv[2]);
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "--exec") == 0)
		return exec_with_fd(argv[2], argv[3], argc == 5 ? argv[4] : "5");
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "--pass") == 0)
		return pass_fd(argv[2], argv[3], argc == 5 ? argv[4] : "5");
	if (argc > 2 && (strcmp(argv[1], "--hold") == 0 || strcmp(argv[1], "--again") == 0 ||
			 strcmp(argv[1], "--fd") == 0 || strcmp(argv[1], "--recv") == 0)) {
		if ((v = number(argv[2], 100000)) < 0)
			return usage();
		if (argv[1][2] == 'h')
			plan.hold = (unsigned)v;
		else if (argv[1][2] == 'a')
			plan.again = (unsigned)v;
		i = 3;
	}
	if (argv[1] && (strcmp(argv[1], "--fd") == 0 || strcmp(argv[1], "--recv") == 0)) {
		if (argc - i > 1 || (argc - i == 1 && (v = number(argv[i], 10000)) < 1))
			return usage();
		if (argc - i == 1)
			plan.want = (unsigned)v;
		if (argv[1][2] == 'r')
			return recv_fd((int)number(argv[2], 100000), &plan);
		return capture_fd((int)number(argv[2], 100000), &plan);
	}
	if (argc - i < 1 || argc - i > 2)
		return usage();
	if (argc - i == 2) {
		if ((v = number(argv[i + 1], 10000)) < 1)
			return usage();
		plan.want = (unsigned)v;
	}
	return capture(argv[i], &plan);
}
