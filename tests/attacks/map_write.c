/* map_write.c - attack: root, not the agent, writes biofence's maps with bpf(2): overwrites the switch that says which policy is in force and deletes a tainted process's taint. */
#include <stdint.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

#include "attack.h"

#define ROUTE "map_write"

/* bpf(2) itself, as any root process could call it: no libbpf in between. */
static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int obj_get(const char *path, unsigned flags)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.pathname = (uint64_t)(uintptr_t)path;
	a.file_flags = flags;
	return sys_bpf(BPF_OBJ_GET, &a);
}

/*
 * A writable fd to the map pinned at PATH: from the pin, else by its id
 * (read from a read-only fd, which stays open to all). -1 when both are
 * refused; HOW says what each try got, *REFUSED whether both were EPERM.
 */
static int writable_fd(const char *path, unsigned *value_size, char *how, size_t len, int *refused)
{
	struct bpf_map_info info;
	union bpf_attr a;
	int fd = obj_get(path, 0), ro, by_id, id_err;
	int pin_err = fd < 0 ? errno : 0;

	memset(&info, 0, sizeof(info));
	ro = obj_get(path, BPF_F_RDONLY);
	if (ro >= 0) {
		memset(&a, 0, sizeof(a));
		a.info.bpf_fd = (uint32_t)ro;
		a.info.info_len = sizeof(info);
		a.info.info = (uint64_t)(uintptr_t)&info;
		if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a) < 0)
			info.id = 0;
		close(ro);
	}
	*value_size = info.value_size;
	if (fd >= 0) {
		snprintf(how, len, "opened for writing from its pin");
		return fd;
	}
	memset(&a, 0, sizeof(a));
	a.map_id = info.id;
	by_id = info.id ? sys_bpf(BPF_MAP_GET_FD_BY_ID, &a) : -1;
	id_err = by_id < 0 ? errno : 0;
	*refused = pin_err == EPERM && info.id && id_err == EPERM;
	snprintf(how, len, "open for writing: %s by its pin, %s by its id", at_errname(pin_err),
		 info.id ? at_errname(id_err) : "no id (no read-only fd either)");
	return by_id;
}

/*
 * usage: map_write PIN_DIR TGID
 * PIN_DIR/maps/bf_active[0] says which of the two policy slots is in
 * force: overwrite it with zeros. PIN_DIR/maps/bf_taint holds every
 * tainted process by tgid: delete TGID's entry (a tainted holder the
 * runner keeps alive), which would let it send anywhere. The runner reads
 * both back afterwards through read-only fds.
 */
int main(int argc, char **argv)
{
	char active[512], taint[512], how_a[160], how_t[160], zero[64] = { 0 };
	uint32_t key = 0, tgid;
	unsigned vsize = 0, tsize = 0;
	union bpf_attr a;
	int fa, ft, upd = -1, del = -1, ra = 0, rt = 0;

	if (argc != 3 || !(tgid = (uint32_t)strtoul(argv[2], NULL, 10))) {
		fprintf(stderr, "usage: " ROUTE " PIN_DIR TGID\n");
		return 2;
	}
	snprintf(active, sizeof(active), "%s/maps/bf_active", argv[1]);
	snprintf(taint, sizeof(taint), "%s/maps/bf_taint", argv[1]);
	fa = writable_fd(active, &vsize, how_a, sizeof(how_a), &ra);
	ft = writable_fd(taint, &tsize, how_t, sizeof(how_t), &rt);
	if (fa >= 0 && vsize <= sizeof(zero)) {
		memset(&a, 0, sizeof(a));
		a.map_fd = (uint32_t)fa;
		a.key = (uint64_t)(uintptr_t)&key;
		a.value = (uint64_t)(uintptr_t)zero;
		a.flags = BPF_ANY;
		upd = sys_bpf(BPF_MAP_UPDATE_ELEM, &a) < 0 ? errno : 0;
	}
	if (ft >= 0) {
		memset(&a, 0, sizeof(a));
		a.map_fd = (uint32_t)ft;
		a.key = (uint64_t)(uintptr_t)&tgid;
		del = sys_bpf(BPF_MAP_DELETE_ELEM, &a) < 0 ? errno : 0;
	}
	if (upd == 0 || del == 0)
		at_result(ROUTE, "through", "bf_active: %s, update of key 0 to zeros: %s; bf_taint: %s, delete of the tainted holder's entry: %s",
			  how_a, upd < 0 ? "not tried" : at_errname(upd), how_t, del < 0 ? "not tried" : at_errname(del));
	else if (ra && rt)
		at_result(ROUTE, "blocked", "bf_active: %s; bf_taint: %s", how_a, how_t);
	else
		at_result(ROUTE, "error", "bf_active: %s, update: %s; bf_taint: %s, delete: %s", how_a,
			  upd < 0 ? "not tried" : at_errname(upd), how_t, del < 0 ? "not tried" : at_errname(del));
	return 0;
}
