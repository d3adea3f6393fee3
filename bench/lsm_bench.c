/* lsm_bench.c - the LSM benchmark's driver (bench/lsm.sh): attaches the empty LSM programs, runs one workload, reports each pinned LSM program's kernel-timed runs. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench_empty_lsm.skel.h"
#include "biofence.h"
#include "bpf/loader.h"
#include "log.h"
#include "util.h"

#define LB_MAX_PROGS 32
#define LB_WARMUP    1000
#define LB_MSG       64
#define LB_BATCH     250	/* calls per batch: a few ms under TCG, shorter than a host stall */
#define LB_MAX_BATCHES 4000

/*
 * The two sets of programs are paired by the name their link is pinned
 * under: the agent pins bf_lsm_HOOK (userspace/lib/bpf/loader.c), the
 * empty object bench_lsm_HOOK.
 */
static const char *const lb_prefixes[] = { "bf_lsm_", "bench_lsm_" };

static void usage(FILE *out)
{
	fprintf(out,
		"usage: lsm_bench attach-empty PIN_DIR\n"
		"       lsm_bench detach PIN_DIR\n"
		"       lsm_bench [OPTIONS] run PIN_DIR WORKLOAD N\n"
		"options:\n"
		"  --camera PATH     open PATH once first (the policy's app becomes tainted)\n"
		"  --taint-map PATH  the agent's pinned bf_taint: fail unless this process is in it\n"
		"  --dir DIR         where the file workloads make their file (default /tmp)\n"
		"  --addr A --port P the UDP destination of udp-send and udp-connect (127.0.0.2 9999)\n"
		"workloads: file-rw file-open pipe-rw pipe-ioctl file-mmap udp-send udp-connect unix-stream\n"
		"           unix-dgram scm-rights socket\n"
		"run makes N calls (rounded up to batches of %d) and prints 'workload=W calls=N\n"
		"batches=B', then 'hook=H runs=R ns=T batch_ns_per_run=X,...' for every LSM\n"
		"program pinned under PIN_DIR/links that ran while they did.\n", LB_BATCH);
}

struct lb_opts {
	const char *camera, *taint_map, *dir;
	struct sockaddr_in dest;
};

/* One workload: its descriptors, set up once; CALL does one unit of it and returns 0 or -errno. */
struct lb_work {
	const char *name;
	int (*setup)(struct lb_work *w, const struct lb_opts *o);
	int (*call)(struct lb_work *w);
	int fd[3];
	struct sockaddr_in dest;
	char path[PATH_MAX];	/* file-open: the file it opens */
};

/* A short I/O is as good as a failure here: every call must move the same bytes. */
static int lb_io(ssize_t got, size_t want)
{
	if (got < 0)
		return -errno;
	return (size_t)got == want ? 0 : -EIO;
}

/* The common case of file_permission: a regular file, not a camera, not a pipe. */
static int setup_file(struct lb_work *w, const struct lb_opts *o)
{
	char path[PATH_MAX];

	if (bf_pathf(path, sizeof(path), "%s/lsm_bench.%d", o->dir, (int)getpid()))
		return -ENAMETOOLONG;
	w->fd[0] = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (w->fd[0] < 0)
		return -errno;
	unlink(path);	/* the open descriptor is all the workload needs; nothing to clean up */
	return ftruncate(w->fd[0], 4096) < 0 ? -errno : 0;
}

/* Every open on the host runs file_open: a file kept in DIR (the script's temp dir removes it). */
static int setup_file_open(struct lb_work *w, const struct lb_opts *o)
{
	int fd;

	if (bf_pathf(w->path, sizeof(w->path), "%s/lsm_bench_open.%d", o->dir, (int)getpid()))
		return -ENAMETOOLONG;
	fd = open(w->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int call_file_open(struct lb_work *w)
{
	int fd = open(w->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return close(fd) < 0 ? -errno : 0;
}

static int call_file_rw(struct lb_work *w)
{
	char buf[LB_MSG] = { 0 };

	return lb_io(pwrite(w->fd[0], buf, sizeof(buf), 0), sizeof(buf)) ?:
	       lb_io(pread(w->fd[0], buf, sizeof(buf), 0), sizeof(buf));
}

static int call_file_mmap(struct lb_work *w)
{
	void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, w->fd[0], 0);

	if (p == MAP_FAILED)
		return -errno;
	return munmap(p, 4096) < 0 ? -errno : 0;
}

static int setup_pipe(struct lb_work *w, const struct lb_opts *o)
{
	return pipe2(w->fd, O_CLOEXEC) < 0 ? -errno : 0;
}

/* One process writes and reads back: a pipe_handoff helper's reads and a holder's writes in one. */
static int call_pipe_rw(struct lb_work *w)
{
	char buf[LB_MSG] = { 0 };

	return lb_io(write(w->fd[1], buf, sizeof(buf)), sizeof(buf)) ?:
	       lb_io(read(w->fd[0], buf, sizeof(buf)), sizeof(buf));
}

/* An ioctl no V4L2 rule is about: file_ioctl's first test turns it away. */
static int call_pipe_ioctl(struct lb_work *w)
{
	int n;

	return ioctl(w->fd[0], FIONREAD, &n) < 0 ? -errno : 0;
}

/*
 * A receiver bound to the destination, made before any camera open (so
 * never a tainted socket), lets every send succeed: once its queue is
 * full the kernel drops what arrives, after the send has returned.
 */
static int setup_udp_send(struct lb_work *w, const struct lb_opts *o)
{
	w->dest = o->dest;
	w->fd[0] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (w->fd[0] < 0)
		return -errno;
	if (bind(w->fd[0], (struct sockaddr *)&w->dest, sizeof(w->dest)) < 0)
		return -errno;
	return 0;
}

/* The sender is made after the camera open, as a tainted app's would be. */
static int setup_udp_sender(struct lb_work *w)
{
	w->fd[1] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (w->fd[1] < 0)
		return -errno;
	if (connect(w->fd[1], (struct sockaddr *)&w->dest, sizeof(w->dest)) < 0)
		return -errno;
	return 0;
}

/* send() on a connected socket names no address: socket_sendmsg is the only hook that judges it. */
static int call_udp_send(struct lb_work *w)
{
	char buf[LB_MSG] = { 0 };

	return lb_io(send(w->fd[1], buf, sizeof(buf), 0), sizeof(buf));
}

static int setup_udp_connect(struct lb_work *w, const struct lb_opts *o)
{
	w->dest = o->dest;
	w->fd[0] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return w->fd[0] < 0 ? -errno : 0;
}

/* Re-connecting one UDP socket: the hook every call, no handshake, no listener. */
static int call_udp_connect(struct lb_work *w)
{
	return connect(w->fd[0], (struct sockaddr *)&w->dest, sizeof(w->dest)) < 0 ? -errno : 0;
}

static int setup_unix(struct lb_work *w, int type)
{
	return socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, w->fd) < 0 ? -errno : 0;
}

static int setup_unix_stream(struct lb_work *w, const struct lb_opts *o)
{
	return setup_unix(w, SOCK_STREAM);
}

static int setup_unix_dgram(struct lb_work *w, const struct lb_opts *o)
{
	return setup_unix(w, SOCK_DGRAM);
}

/* send()/recv(), not write()/read(): those would run file_permission too. */
static int call_unix(struct lb_work *w)
{
	char buf[LB_MSG] = { 0 };

	return lb_io(send(w->fd[0], buf, sizeof(buf), 0), sizeof(buf)) ?:
	       lb_io(recv(w->fd[1], buf, sizeof(buf), 0), sizeof(buf));
}

static int setup_scm(struct lb_work *w, const struct lb_opts *o)
{
	int err = setup_unix(w, SOCK_STREAM);

	if (err)
		return err;
	/* The descriptor passed: a regular file's, the case file_receive lets through first. */
	w->fd[2] = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	return w->fd[2] < 0 ? -errno : 0;
}

/* A descriptor over SCM_RIGHTS and back out: socket_sendmsg, socket_recvmsg and file_receive. */
static int call_scm(struct lb_work *w)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	int got, err;

	memset(&u, 0, sizeof(u));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &w->fd[2], sizeof(int));
	err = lb_io(sendmsg(w->fd[0], &m, 0), 1);
	if (err)
		return err;
	memset(&u, 0, sizeof(u));
	m.msg_controllen = sizeof(u.buf);
	err = lb_io(recvmsg(w->fd[1], &m, MSG_CMSG_CLOEXEC), 1);
	if (err)
		return err;
	c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_type != SCM_RIGHTS || (m.msg_flags & MSG_CTRUNC))
		return -EPROTO;	/* refused on receipt: not the case measured */
	memcpy(&got, CMSG_DATA(c), sizeof(int));
	return close(got) < 0 ? -errno : 0;
}

/* socket() and close(): socket_create and socket_post_create. */
static int call_socket(struct lb_work *w)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	return close(fd) < 0 ? -errno : 0;
}

#define LB_WORK(NAME, SETUP, CALL) \
	{ .name = NAME, .setup = SETUP, .call = CALL, .fd = { -1, -1, -1 } }

static struct lb_work lb_works[] = {
	LB_WORK("file-rw", setup_file, call_file_rw),
	LB_WORK("file-open", setup_file_open, call_file_open),
	LB_WORK("file-mmap", setup_file, call_file_mmap),
	LB_WORK("pipe-rw", setup_pipe, call_pipe_rw),
	LB_WORK("pipe-ioctl", setup_pipe, call_pipe_ioctl),
	LB_WORK("udp-send", setup_udp_send, call_udp_send),
	LB_WORK("udp-connect", setup_udp_connect, call_udp_connect),
	LB_WORK("unix-stream", setup_unix_stream, call_unix),
	LB_WORK("unix-dgram", setup_unix_dgram, call_unix),
	LB_WORK("scm-rights", setup_scm, call_scm),
	LB_WORK("socket", NULL, call_socket),
};

/* One LSM program pinned under PIN_DIR/links, and its counters when last read. */
struct lb_prog {
	char hook[64];
	int fd;
	uint64_t ns, cnt;
};

/* The hook a pinned link's name stands for, or NULL if it is not an LSM program's. */
static const char *lb_hook_of(const char *name)
{
	for (size_t i = 0; i < sizeof(lb_prefixes) / sizeof(lb_prefixes[0]); i++)
		if (strncmp(name, lb_prefixes[i], strlen(lb_prefixes[i])) == 0)
			return name + strlen(lb_prefixes[i]);
	return NULL;
}

/* Every LSM program whose link is pinned under PIN_DIR/links, by program fd (held: it cannot go away mid-run). */
static int lb_progs_open(const char *pin_dir, struct lb_prog *p, int *n)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int err = 0;

	*n = 0;
	if (bf_pathf(dir, sizeof(dir), "%s/links", pin_dir))
		return -ENAMETOOLONG;
	d = opendir(dir);
	if (!d)
		return -errno;
	while (!err && (de = readdir(d))) {
		struct bpf_link_info info = {};
		__u32 len = sizeof(info);
		const char *hook = lb_hook_of(de->d_name);
		int lfd;

		if (!hook)
			continue;	/* the agent's cgroup and tracing programs */
		if (*n >= LB_MAX_PROGS || bf_pathf(path, sizeof(path), "%s/%s", dir, de->d_name)) {
			err = -E2BIG;
			break;
		}
		lfd = bpf_obj_get(path);
		if (lfd < 0) {
			err = -errno;
			break;
		}
		if (bpf_obj_get_info_by_fd(lfd, &info, &len) < 0) {
			err = -errno;
		} else {
			p[*n].fd = bpf_prog_get_fd_by_id(info.prog_id);
			if (p[*n].fd < 0)
				err = -errno;
			else
				snprintf(p[(*n)++].hook, sizeof(p[0].hook), "%s", hook);
		}
		close(lfd);
	}
	closedir(d);
	return err ?: (*n ? 0 : -ENOENT);
}

static int lb_progs_read(struct lb_prog *p, int n)
{
	for (int i = 0; i < n; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (bpf_obj_get_info_by_fd(p[i].fd, &info, &len) < 0)
			return -errno;
		p[i].ns = info.run_time_ns;
		p[i].cnt = info.run_cnt;
	}
	return 0;
}

/* True if this process is in the agent's taint table: the tainted rows must be tainted. */
static int lb_tainted(const char *map_path)
{
	struct bf_taint t;
	__u32 tgid = (__u32)getpid();
	int fd = bpf_obj_get(map_path), err = 0;

	if (fd < 0)
		return -errno;
	if (bpf_map_lookup_elem(fd, &tgid, &t) < 0)
		err = errno == ENOENT ? -ESRCH : -errno;
	close(fd);
	return err;
}

static int lb_run(const char *pin_dir, const char *name, unsigned long n, const struct lb_opts *o)
{
	struct lb_prog before[LB_MAX_PROGS], after[LB_MAX_PROGS], first[LB_MAX_PROGS];
	static double per[LB_MAX_PROGS][LB_MAX_BATCHES];
	unsigned nb = (unsigned)((n + LB_BATCH - 1) / LB_BATCH);
	struct lb_work *w = NULL;
	int np = 0, sfd = -1, err;

	if (nb > LB_MAX_BATCHES) {
		fprintf(stderr, "lsm_bench: at most %d calls\n", LB_MAX_BATCHES * LB_BATCH);
		return -EINVAL;
	}

	for (size_t i = 0; i < sizeof(lb_works) / sizeof(lb_works[0]); i++)
		if (strcmp(lb_works[i].name, name) == 0)
			w = &lb_works[i];
	if (!w) {
		usage(stderr);
		return -EINVAL;
	}
	/* Before the camera open: made by an untainted process, whatever comes next. */
	err = w->setup ? w->setup(w, o) : 0;
	if (err) {
		fprintf(stderr, "lsm_bench: %s: setup: %s\n", name, strerror(-err));
		return err;
	}
	if (o->camera) {
		int fd = open(o->camera, O_RDWR | O_CLOEXEC);

		/* No driver behind the node: ENXIO once the device check let it through. */
		printf("camera=%s\n", fd >= 0 ? "ok" : errno == ENXIO ? "ENXIO" : strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	if (o->taint_map && (err = lb_tainted(o->taint_map))) {
		fprintf(stderr, "lsm_bench: %s: this process is not tainted: %s\n", name, strerror(-err));
		return err;
	}
	if (w->call == call_udp_send && (err = setup_udp_sender(w))) {
		fprintf(stderr, "lsm_bench: %s: sender: %s\n", name, strerror(-err));
		return err;
	}
	err = lb_progs_open(pin_dir, before, &np);
	if (err) {
		fprintf(stderr, "lsm_bench: LSM programs pinned under %s/links: %s\n", pin_dir,
			strerror(-err));
		goto out;
	}
	memcpy(after, before, sizeof(before));
	/* The run-time accounting is on only while this fd is open, on both sides alike. */
	sfd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (sfd < 0) {
		err = -errno;
		fprintf(stderr, "lsm_bench: bpf_enable_stats: %s\n", strerror(errno));
		goto out;
	}
	/* Warm caches and make the per-socket and per-inode storage the first call creates. */
	for (unsigned long i = 0; !err && i < LB_WARMUP; i++)
		err = w->call(w);
	err = err ?: lb_progs_read(before, np);
	memcpy(first, before, sizeof(before));
	/*
	 * In batches, each program read after each: a vCPU the host takes
	 * away mid-run stays in run_time_ns (the guest's clock runs on), and
	 * one such stall moves a mean over the whole run. The median of the
	 * batches' ns/run does not move.
	 */
	for (unsigned b = 0; !err && b < nb; b++) {
		for (unsigned long i = 0; !err && i < LB_BATCH; i++)
			err = w->call(w);
		err = err ?: lb_progs_read(after, np);
		for (int i = 0; !err && i < np; i++) {
			uint64_t runs = after[i].cnt - before[i].cnt;

			per[i][b] = runs ? (double)(after[i].ns - before[i].ns) / (double)runs : 0.0;
			before[i].ns = after[i].ns;
			before[i].cnt = after[i].cnt;
		}
	}
	if (err) {
		fprintf(stderr, "lsm_bench: %s: %s\n", name, strerror(-err));
		goto out;
	}
	printf("workload=%s calls=%lu batches=%u\n", name, (unsigned long)nb * LB_BATCH, nb);
	for (int i = 0; i < np; i++) {
		if (after[i].cnt == first[i].cnt)
			continue;
		printf("hook=%s runs=%llu ns=%llu batch_ns_per_run=", first[i].hook,
		       (unsigned long long)(after[i].cnt - first[i].cnt),
		       (unsigned long long)(after[i].ns - first[i].ns));
		for (unsigned b = 0; b < nb; b++)
			printf("%s%.1f", b ? "," : "", per[i][b]);
		printf("\n");
	}
out:
	if (sfd >= 0)
		close(sfd);
	for (int i = 0; i < np; i++)
		close(before[i].fd);
	fflush(stdout);
	return err;
}

/*
 * Links pinned under PIN_DIR/links, the layout `biofence detach` and
 * `lsm_bench detach` understand, so the programs outlive this process
 * while the workloads run in others. LSM programs run for the whole
 * machine: bench/lsm.sh runs this only in the VM lane's guest.
 */
static int cmd_attach_empty(const char *pin_dir)
{
	struct bench_empty_lsm_bpf *skel;
	struct bpf_program *prog;
	char links[PATH_MAX], path[PATH_MAX];
	struct bf_detached d;
	int err;

	err = bf_bpffs_prepare(pin_dir);
	if (err)
		return err;
	if (bf_pathf(links, sizeof(links), "%s/links", pin_dir))
		return -ENAMETOOLONG;
	if (mkdir(links, 0700) < 0 && errno != EEXIST)
		return -errno;
	skel = bench_empty_lsm_bpf__open_and_load();
	if (!skel) {
		err = -errno ?: -EINVAL;
		goto out;
	}
	bpf_object__for_each_program(prog, skel->obj) {
		struct bpf_link *link = bpf_program__attach_lsm(prog);

		if (!link) {
			err = -errno;
			fprintf(stderr, "lsm_bench: attach %s: %s\n", bpf_program__name(prog),
				strerror(errno));
			break;
		}
		err = bf_pathf(path, sizeof(path), "%s/%s", links, bpf_program__name(prog)) ?:
		      bpf_link__pin(link, path);
		bpf_link__destroy(link);	/* the pin holds it now */
		if (err)
			break;
	}
out:
	bench_empty_lsm_bpf__destroy(skel);
	if (err) {
		fprintf(stderr, "lsm_bench: attach-empty: %s\n", strerror(-err));
		bf_detach_pinned(pin_dir, &d);
	}
	return err;
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || *end || !*s || *out == 0 || *out > max ? -EINVAL : 0;
}

int main(int argc, char **argv)
{
	struct lb_opts o = { .dir = "/tmp" };
	unsigned long v;
	struct bf_detached d;
	int i = 1, err, left;

	log_init("lsm_bench", 0);
	o.dest.sin_family = AF_INET;
	o.dest.sin_port = htons(9999);
	inet_pton(AF_INET, "127.0.0.2", &o.dest.sin_addr);
	for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (strcmp(argv[i], "--camera") == 0) {
			o.camera = argv[i + 1];
		} else if (strcmp(argv[i], "--taint-map") == 0) {
			o.taint_map = argv[i + 1];
		} else if (strcmp(argv[i], "--dir") == 0) {
			o.dir = argv[i + 1];
		} else if (strcmp(argv[i], "--addr") == 0 &&
			   inet_pton(AF_INET, argv[i + 1], &o.dest.sin_addr) == 1) {
			/* parsed into o.dest */
		} else if (strcmp(argv[i], "--port") == 0 && parse_ulong(argv[i + 1], 65535, &v) == 0) {
			o.dest.sin_port = htons((uint16_t)v);
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (argc - i == 2 && strcmp(argv[i], "attach-empty") == 0) {
		err = cmd_attach_empty(argv[i + 1]);
	} else if (argc - i == 2 && strcmp(argv[i], "detach") == 0) {
		err = bf_detach_pinned(argv[i + 1], &d) ?: bf_detached_wait(&d, BF_DETACH_WAIT_MS, &left);
		if (err)
			fprintf(stderr, "lsm_bench: detach %s: %s\n", argv[i + 1], strerror(-err));
	} else if (argc - i == 4 && strcmp(argv[i], "run") == 0) {
		if (parse_ulong(argv[i + 3], (unsigned long)LB_MAX_BATCHES * LB_BATCH, &v)) {
			fprintf(stderr, "lsm_bench: N must be 1..%d\n", LB_MAX_BATCHES * LB_BATCH);
			return 2;
		}
		err = lb_run(argv[i + 1], argv[i + 2], v, &o);
	} else {
		usage(stderr);
		return 2;
	}
	return err ? 1 : 0;
}
