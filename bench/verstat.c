/* verstat.c - what the verifier spends on biofence at each agent start: instructions verified per program, and the load's wall time. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "biofence.skel.h"
#include "bpf/loader.h"
#include "log.h"
#include "util.h"

/*
 * Every agent start (and every restart after an upgrade) verifies the whole
 * object again; under the VM lane's emulator that is most of a start. The
 * kernel counts what it verified (bpf_prog_info.verified_insns, 5.16+), so
 * the count is this kernel's own, not an estimate from the object file.
 */
static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int print_progs(struct bf_loader *l)
{
	struct bpf_program *prog;
	unsigned long long total = 0;
	int n = 0;

	bpf_object__for_each_program(prog, l->skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd < 0)
			continue;	/* not loaded on this kernel (autoload off) */
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			return -errno;
		printf("prog=%s section=%s insns=%u verified=%u\n", bpf_program__name(prog),
		       bpf_program__section_name(prog), info.xlated_prog_len / 8, info.verified_insns);
		total += info.verified_insns;
		n++;
	}
	printf("total programs=%d verified=%llu\n", n, total);
	return 0;
}

int main(int argc, char **argv)
{
	struct bf_scope_id scope = {};
	struct bf_loader l;
	double t0, t1;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: verstat PIN_DIR (a fresh directory under a bpffs; removed after)\n");
		return 2;
	}
	log_init("verstat", 0);
	t0 = now_ms();
	err = bf_loader_load(&l, argv[1], 0, &scope);
	t1 = now_ms();
	if (!err) {
		printf("load ms=%.0f lsm=%s\n", t1 - t0, l.lsm ? "yes" : "no");
		err = print_progs(&l);
	}
	if (l.skel)
		bf_loader_close(&l);
	if (err)
		fprintf(stderr, "verstat: %s\n", strerror(-err));
	return err ? 1 : 0;
}
