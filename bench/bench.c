/* bench.c - benchmark driver: ns per camera open() and per loopback connect(); attaches the empty baseline programs. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench_empty.skel.h"
#include "biofence.h"
#include "bpf/loader.h"
#include "log.h"
#include "resolve.h"
#include "util.h"

#define BENCH_MAX_BATCHES 10000

static void usage(FILE *out)
{
	fprintf(out,
		"usage: bench [OPTIONS] open PATH N BATCHES\n"
		"       bench [OPTIONS] connect ADDR PORT N BATCHES\n"
		"       bench attach-empty CGROUP PIN_DIR\n"
		"       bench detach-empty PIN_DIR\n"
		"options:\n"
		"  --camera PATH    open PATH once first (a biofence app becomes tainted)\n"
		"  --pause-us US    spin between batches, outside the timed region (default 0)\n"
		"  --stats PIN_DIR  report biofence's event and lost-event counters over the run\n"
		"  --prog-time CG   also report the kernel-timed ns per run of the programs on cgroup CG\n"
		"  --samples FILE   append each batch's ns per call to FILE, one a line (for pooling)\n"
		"open/connect print one line of key=value pairs: result (errno name or ok,\n"
		"the same for every call), median, p10, p90 (ns per call over the batches).\n");
}

static const char *errname(int e)
{
	switch (e) {
	case 0: return "ok";
	case EPERM: return "EPERM";
	case ENXIO: return "ENXIO";
	case ENODEV: return "ENODEV";
	case EACCES: return "EACCES";
	case ENOENT: return "ENOENT";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ENETUNREACH: return "ENETUNREACH";
	default: return "other";	/* never expected; the caller rejects it */
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* One measured operation: returns 0 or an errno value, never -1. */
struct bench_op {
	int (*call)(struct bench_op *op);
	const char *path;
	int fd;
	struct sockaddr_in sin;
	double prog_ns;	/* kernel-timed ns per program run, with --prog-time */
};

/*
 * O_RDWR as a capture program would; a node without a driver never yields
 * a descriptor, but a real one would and must not leak.
 */
static int op_open(struct bench_op *op)
{
	int fd = open(op->path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/*
 * Re-connecting one UDP socket runs the connect4 hook every call with no
 * handshake, no listener and no socket setup or teardown in the timing.
 */
static int op_connect(struct bench_op *op)
{
	if (connect(op->fd, (struct sockaddr *)&op->sin, sizeof(op->sin)) < 0)
		return errno;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile over sorted V. */
static double pct(const double *v, unsigned n, unsigned p)
{
	unsigned i = (unsigned)(((uint64_t)(n - 1) * p + 50) / 100);

	return v[i];
}

/* Sum of biofence's per-CPU counters pinned under PIN_DIR/maps/bf_stats. */
static int read_stats(const char *pin_dir, uint64_t out[BF_STAT_N])
{
	char path[PATH_MAX];
	int ncpu = libbpf_num_possible_cpus(), fd, err = 0;
	struct bf_stats *v;
	__u32 zero = 0;

	if (ncpu <= 0)
		return ncpu < 0 ? ncpu : -EINVAL;
	if (bf_pathf(path, sizeof(path), "%s/maps/bf_stats", pin_dir))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v) {
		close(fd);
		return -ENOMEM;
	}
	memset(out, 0, sizeof(uint64_t) * BF_STAT_N);
	if (bpf_map_lookup_elem(fd, &zero, v) < 0) {
		err = -errno;
	} else {
		for (int c = 0; c < ncpu; c++)
			for (int s = 0; s < BF_STAT_N; s++)
				out[s] += v[c].n[s];
	}
	free(v);
	close(fd);
	return err;
}

/* Raw per-batch values let several processes' runs be pooled into one median. */
static int write_samples(const char *path, const double *v, unsigned n)
{
	FILE *f = fopen(path, "ae");
	int err = 0;

	if (!f)
		return -errno;
	for (unsigned i = 0; i < n; i++)
		fprintf(f, "%.1f\n", v[i]);
	if (ferror(f))
		err = -EIO;
	if (fclose(f) != 0 && !err)
		err = -errno;
	return err;
}

/*
 * Spin, not sleep: an idle vCPU is handed back to the host and the next
 * batch starts cold, which here added more than the effect being measured.
 */
static void spin_until(uint64_t deadline)
{
	while (now_ns() < deadline)
		;
}

struct bench_opts {
	const char *camera;
	const char *prog_cg;	/* report the kernel-side run time of the programs on this cgroup */
	const char *stats_pin;
	const char *samples;
	unsigned pause_us;
};

/* Run time and run count so far of every program of TYPE attached to cgroup CG. */
static int prog_time(const char *cg, enum bpf_attach_type type, uint64_t *ns, uint64_t *cnt)
{
	__u32 ids[64], n = 64;
	int cfd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0;

	*ns = *cnt = 0;
	if (cfd < 0)
		return -errno;
	if (bpf_prog_query(cfd, type, 0, NULL, ids, &n) < 0)
		err = -errno;
	for (__u32 i = 0; !err && i < n; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(ids[i]);

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) < 0)
			err = -errno;
		else
			*ns += info.run_time_ns, *cnt += info.run_cnt;
		if (fd >= 0)
			close(fd);
	}
	close(cfd);
	return err;
}

/*
 * The program's own cost, timed by the kernel (BPF_ENABLE_STATS, on only
 * while we hold its fd), in a separate pass so the timing it adds to every
 * run stays out of the syscall figures. Syscall medians on a busy VM swing
 * by hundreds of ns; this number does not.
 */
static int measure_prog(struct bench_op *op, unsigned long n, unsigned batches,
			const struct bench_opts *o, enum bpf_attach_type type, double *out)
{
	uint64_t ns0, c0, ns1, c1;
	int sfd = bpf_enable_stats(BPF_STATS_RUN_TIME), err;

	if (sfd < 0)
		return -errno;
	err = prog_time(o->prog_cg, type, &ns0, &c0);
	for (unsigned b = 0; !err && b < batches; b++) {
		if (o->pause_us)
			spin_until(now_ns() + (uint64_t)o->pause_us * 1000);
		for (unsigned long i = 0; i < n; i++)
			op->call(op);
	}
	err = err ?: prog_time(o->prog_cg, type, &ns1, &c1);
	close(sfd);
	if (!err)
		*out = c1 > c0 ? (double)(ns1 - ns0) / (double)(c1 - c0) : 0.0;
	return err;
}

/*
 * A warm-up of at least 1000 calls, then BATCHES timed batches of N calls.
 * Every call must end the same way: a result that changes mid-run means
 * the scenario is not the one being reported.
 */
static int run(const char *what, struct bench_op *op, unsigned long n, unsigned batches,
	       const struct bench_opts *o)
{
	uint64_t st0[BF_STAT_N] = { 0 }, st1[BF_STAT_N] = { 0 };
	double *v;
	int first, err;

	v = calloc(batches, sizeof(*v));
	if (!v)
		return -ENOMEM;
	first = op->call(op);
	for (unsigned long i = 0; i < (n > 1000 ? n : 1000); i++) {
		if (op->call(op) != first) {
			fprintf(stderr, "bench: %s: results differ during warm-up\n", what);
			free(v);
			return -EPROTO;
		}
	}
	if (o->stats_pin && (err = read_stats(o->stats_pin, st0))) {
		fprintf(stderr, "bench: reading %s/maps/bf_stats: %s\n", o->stats_pin, strerror(-err));
		free(v);
		return err;
	}
	for (unsigned b = 0; b < batches; b++) {
		unsigned long odd = 0;
		uint64_t t0, t1;

		if (o->pause_us)
			spin_until(now_ns() + (uint64_t)o->pause_us * 1000);
		t0 = now_ns();
		for (unsigned long i = 0; i < n; i++)
			odd += op->call(op) != first;
		t1 = now_ns();
		if (odd) {
			fprintf(stderr, "bench: %s: %lu calls in batch %u did not end in %s\n", what,
				odd, b, errname(first));
			free(v);
			return -EPROTO;
		}
		v[b] = (double)(t1 - t0) / (double)n;
	}
	if (o->stats_pin && (err = read_stats(o->stats_pin, st1))) {
		free(v);
		return err;
	}
	if (o->samples && (err = write_samples(o->samples, v, batches))) {
		fprintf(stderr, "bench: %s: %s\n", o->samples, strerror(-err));
		free(v);
		return err;
	}
	if (o->prog_cg) {
		double prog_ns = 0;

		err = measure_prog(op, n, batches, o,
				   strcmp(what, "open") == 0 ? BPF_CGROUP_DEVICE : BPF_CGROUP_INET4_CONNECT,
				   &prog_ns);
		if (err) {
			fprintf(stderr, "bench: program run time: %s\n", strerror(-err));
			free(v);
			return err;
		}
		op->prog_ns = prog_ns;
	}
	qsort(v, batches, sizeof(*v), cmp_double);
	printf("%s result=%s calls=%lu batches=%u median=%.1f p10=%.1f p90=%.1f", what,
	       errname(first), n, batches, pct(v, batches, 50), pct(v, batches, 10),
	       pct(v, batches, 90));
	if (o->prog_cg)
		printf(" prog_ns=%.1f", op->prog_ns);
	if (o->stats_pin)
		printf(" events=%llu lost=%llu",
		       (unsigned long long)(st1[BF_STAT_EVENTS] - st0[BF_STAT_EVENTS]),
		       (unsigned long long)(st1[BF_STAT_LOST] - st0[BF_STAT_LOST]));
	printf("\n");
	free(v);
	return 0;
}

static int parse_count(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || *end || !*s || *out == 0 || *out > max)
		return -EINVAL;
	return 0;
}

static int cmd_measure(int argc, char **argv, const struct bench_opts *o)
{
	struct bench_op op = { .fd = -1 };
	unsigned long n, batches, port;
	const char *what = argv[0];
	int err, cam;

	if (strcmp(what, "open") == 0 && argc == 4) {
		op.call = op_open;
		op.path = argv[1];
	} else if (strcmp(what, "connect") == 0 && argc == 5) {
		op.call = op_connect;
		op.sin.sin_family = AF_INET;
		if (inet_pton(AF_INET, argv[1], &op.sin.sin_addr) != 1 ||
		    parse_count(argv[2], 65535, &port)) {
			fprintf(stderr, "bench: bad address or port\n");
			return -EINVAL;
		}
		op.sin.sin_port = htons((uint16_t)port);
	} else {
		usage(stderr);
		return -EINVAL;
	}
	if (parse_count(argv[argc - 2], 100000000, &n) ||
	    parse_count(argv[argc - 1], BENCH_MAX_BATCHES, &batches)) {
		fprintf(stderr, "bench: N must be 1..1e8 and BATCHES 1..%d\n", BENCH_MAX_BATCHES);
		return -EINVAL;
	}
	if (o->camera) {
		struct bench_op c = { .path = o->camera };

		cam = op_open(&c);
		printf("camera=%s\n", errname(cam));
	}
	/* The socket is made after the camera open, as a tainted sender's would be. */
	if (op.call == op_connect) {
		op.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (op.fd < 0) {
			err = -errno;
			fprintf(stderr, "bench: socket: %s\n", strerror(errno));
			return err;
		}
	}
	err = run(what, &op, n, (unsigned)batches, o);
	if (op.fd >= 0)
		close(op.fd);
	fflush(stdout);
	return err;
}

/* A mistaken argument must never put even an allow-all program on the whole host. */
static int refuse_root_cgroup(const char *cg)
{
	char root[PATH_MAX], real[PATH_MAX];
	int err = bf_cgroup2_mount(root, sizeof(root));

	if (err)
		return err;
	if (!realpath(cg, real))
		return -errno;
	if (strcmp(real, root) == 0 || strncmp(real, root, strlen(root)) != 0) {
		fprintf(stderr, "bench: %s is not a child of the cgroup2 mount %s\n", real, root);
		return -EINVAL;
	}
	return 0;
}

static int pin_link(struct bpf_link *link, const char *pin_dir, const char *name)
{
	char path[PATH_MAX];
	int err;

	if (bf_pathf(path, sizeof(path), "%s/links/%s", pin_dir, name))
		return -ENAMETOOLONG;
	err = bpf_link__pin(link, path);
	return err < 0 ? err : 0;
}

/*
 * Links are pinned under PIN_DIR/links, the layout `biofence detach`
 * understands, so the programs outlive this process while another one is
 * measured, and either tool can remove them.
 */
static int cmd_attach_empty(const char *cg, const char *pin_dir)
{
	struct bpf_link *dev = NULL, *con = NULL;
	struct bench_empty_bpf *skel = NULL;
	char links[PATH_MAX];
	struct bf_detached d;
	int cg_fd = -1, err;

	err = refuse_root_cgroup(cg);
	if (err)
		return err;
	err = bf_bpffs_prepare(pin_dir);
	if (err)
		return err;
	if (bf_pathf(links, sizeof(links), "%s/links", pin_dir))
		return -ENAMETOOLONG;
	if (mkdir(links, 0700) < 0 && errno != EEXIST)
		return -errno;
	cg_fd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg_fd < 0) {
		err = -errno;
		goto out;
	}
	skel = bench_empty_bpf__open_and_load();
	if (!skel) {
		err = -errno ?: -EINVAL;
		goto out;
	}
	dev = bpf_program__attach_cgroup(skel->progs.bench_empty_dev, cg_fd);
	if (!dev) {
		err = -errno;
		goto out;
	}
	err = pin_link(dev, pin_dir, "dev");
	if (err)
		goto out;
	con = bpf_program__attach_cgroup(skel->progs.bench_empty_connect4, cg_fd);
	if (!con) {
		err = -errno;
		goto out;
	}
	err = pin_link(con, pin_dir, "connect4");
out:
	bpf_link__destroy(con);
	bpf_link__destroy(dev);
	bench_empty_bpf__destroy(skel);
	if (cg_fd >= 0)
		close(cg_fd);
	if (err) {
		fprintf(stderr, "bench: attach-empty: %s\n", strerror(-err));
		bf_detach_pinned(pin_dir, &d);
	}
	return err;
}

int main(int argc, char **argv)
{
	struct bench_opts o = { 0 };
	unsigned long us;
	struct bf_detached d;
	int i = 1, err, left;

	log_init("bench", 0);
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (i + 1 >= argc) {
			usage(stderr);
			return 2;
		}
		if (strcmp(argv[i], "--camera") == 0) {
			o.camera = argv[i + 1];
		} else if (strcmp(argv[i], "--prog-time") == 0) {
			o.prog_cg = argv[i + 1];
		} else if (strcmp(argv[i], "--samples") == 0) {
			o.samples = argv[i + 1];
		} else if (strcmp(argv[i], "--stats") == 0) {
			o.stats_pin = argv[i + 1];
		} else if (strcmp(argv[i], "--pause-us") == 0 &&
			   parse_count(argv[i + 1], 10000000, &us) == 0) {
			o.pause_us = (unsigned)us;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[i], "attach-empty") == 0 && argc - i == 3) {
		err = cmd_attach_empty(argv[i + 1], argv[i + 2]);
	} else if (strcmp(argv[i], "detach-empty") == 0 && argc - i == 2) {
		err = bf_detach_pinned(argv[i + 1], &d) ?: bf_detached_wait(&d, BF_DETACH_WAIT_MS, &left);
		if (err)
			fprintf(stderr, "bench: detach-empty: %s\n", strerror(-err));
	} else if (strcmp(argv[i], "open") == 0 || strcmp(argv[i], "connect") == 0) {
		err = cmd_measure(argc - i, argv + i, &o);
	} else {
		usage(stderr);
		return 2;
	}
	return err ? 1 : 0;
}
