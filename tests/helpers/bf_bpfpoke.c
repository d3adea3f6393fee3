/* bf_bpfpoke.c - test helper: what a root process that is not the agent may do to biofence's maps, programs, links and process, one line per try. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>

/*
 * usage: bf_bpfpoke map-write PIN        open the map pin read-write, update its key 0
 *        bf_bpfpoke map-read PIN         open it read-only, look key 0 up
 *        bf_bpfpoke map-id-write PIN     its id (from a read-only fd), then a read-write fd by id
 *        bf_bpfpoke map-count PIN        how many keys the map holds, read through a read-only fd
 *        bf_bpfpoke map-get PIN KEY      the value at the 32-bit KEY, read through a read-only fd, as
 *                                        its 32-bit words in decimal ("1 1"), or "none"
 *        bf_bpfpoke progs | links        an fd to every program (link) by id: how many refused
 *        bf_bpfpoke link-pin PATH        BPF_OBJ_GET of a link pin (PATH as given: try a relative one)
 *        bf_bpfpoke fmod-ret             load an fmod_ret program (refused before any check)
 *        bf_bpfpoke ptrace PID           PTRACE_ATTACH, then open /proc/PID/mem
 * Prints NAME=ok or NAME=ERRNO-NAME for each step, e.g. "open=EPERM".
 */

static const char *err_name(int e)
{
	switch (e) {
	case 0: return "ok";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case ENOENT: return "ENOENT";
	case EINVAL: return "EINVAL";
	case EBADF: return "EBADF";
	default: return strerror(e);
	}
}

static void say(const char *what, int rc)
{
	printf("%s=%s\n", what, err_name(rc < 0 ? errno : 0));
}

/* A zeroed value of the map's size at key 0: what an attacker would write to erase a table. */
static int map_write(const char *pin)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), key = 0;
	int fd = bpf_obj_get(pin);
	char *zero;

	say("open", fd);
	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0)
		return 1;
	zero = calloc(1, info.value_size ? info.value_size : 1);
	say("update", zero ? bpf_map_update_elem(fd, &key, zero, BPF_ANY) : -1);
	free(zero);
	return 0;
}

static int ro_fd(const char *pin)
{
	LIBBPF_OPTS(bpf_obj_get_opts, o, .file_flags = BPF_F_RDONLY);

	return bpf_obj_get_opts(pin, &o);
}

static int map_read(const char *pin)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), key = 0;
	int fd = ro_fd(pin);
	char *val;

	say("open_ro", fd);
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) < 0)
		return 0;
	val = calloc(1, info.value_size ? info.value_size : 1);
	say("lookup", val ? bpf_map_lookup_elem(fd, &key, val) : -1);
	say("update_ro", val ? bpf_map_update_elem(fd, &key, val, BPF_ANY) : -1);
	free(val);
	return 0;
}

static int map_id_write(const char *pin)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd = ro_fd(pin);

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) < 0) {
		say("open_ro", -1);
		return 1;
	}
	say("by_id", bpf_map_get_fd_by_id(info.id));
	return 0;
}

/*
 * Read-only, so it works under self-protection too (bpftool opens a pin
 * read-write). Keys up to 64 bytes; prints the count alone.
 */
static int map_count(const char *pin)
{
	unsigned char key[64], next[64];
	int fd = ro_fd(pin), n = 0;
	void *prev = NULL;

	if (fd < 0) {
		say("open_ro", fd);
		return 1;
	}
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		n++;
		memcpy(key, next, sizeof(key));
		prev = key;
	}
	printf("%d\n", n);
	return 0;
}

/*
 * Read-only too: what a map holds at a 32-bit key, for a runner checking
 * that an attack changed nothing. Words, not bytes: the values compared
 * (bf_active, bf_taint) are 32-bit fields.
 */
static int map_get(const char *pin, const char *key_s)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), key = (__u32)strtoul(key_s, NULL, 10), *val;
	int fd = ro_fd(pin);

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) < 0 || info.key_size != sizeof(key)) {
		say("open_ro", fd < 0 ? fd : -1);
		return 1;
	}
	val = calloc(1, info.value_size + sizeof(*val));
	if (!val)
		return 1;
	if (bpf_map_lookup_elem(fd, &key, val) < 0) {
		int err = errno;

		if (err == ENOENT)
			printf("none\n");
		else
			printf("lookup=%s\n", err_name(err));
		free(val);
		return err != ENOENT;
	}
	for (__u32 i = 0; i < info.value_size / sizeof(*val); i++)
		printf("%s%u", i ? " " : "", val[i]);
	printf("\n");
	free(val);
	return 0;
}

/* Every id the kernel has of a kind: how many fds were refused (EPERM) and how many given. */
static int all_ids(int links)
{
	__u32 id = 0;
	int refused = 0, given = 0, fd;

	while ((links ? bpf_link_get_next_id(id, &id) : bpf_prog_get_next_id(id, &id)) == 0) {
		fd = links ? bpf_link_get_fd_by_id(id) : bpf_prog_get_fd_by_id(id);
		if (fd >= 0) {
			given++;
			close(fd);
		} else if (errno == EPERM) {
			refused++;
		}
	}
	printf("refused=%d given=%d\n", refused, given);
	return 0;
}

/* A link's fd by a path the programs may not recognise, then what it would be used for. */
static int link_pin(const char *path)
{
	int fd = bpf_obj_get(path);

	say("open", fd);
	if (fd < 0)
		return 0;
	say("detach", bpf_link_detach(fd));
	say("update", bpf_link_update(fd, fd, NULL));
	return 0;
}

static int fmod_ret(void)
{
	struct bpf_insn ret0[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = BPF_MODIFY_RETURN);

	say("load", bpf_prog_load(BPF_PROG_TYPE_TRACING, "x", "GPL", ret0, 2, &o));
	return 0;
}

static int trace(pid_t pid)
{
	char path[64];
	long rc = ptrace(PTRACE_ATTACH, pid, NULL, NULL);

	say("attach", (int)rc);
	if (rc == 0) {
		waitpid(pid, NULL, __WALL);
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
	}
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	say("mem", open(path, O_RDONLY | O_CLOEXEC));
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	const char *arg = argc > 2 ? argv[2] : "";

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(cmd, "map-write"))
		return map_write(arg);
	if (!strcmp(cmd, "map-read"))
		return map_read(arg);
	if (!strcmp(cmd, "map-id-write"))
		return map_id_write(arg);
	if (!strcmp(cmd, "map-count"))
		return map_count(arg);
	if (!strcmp(cmd, "map-get") && argc > 3)
		return map_get(arg, argv[3]);
	if (!strcmp(cmd, "progs") || !strcmp(cmd, "links"))
		return all_ids(!strcmp(cmd, "links"));
	if (!strcmp(cmd, "link-pin"))
		return link_pin(arg);
	if (!strcmp(cmd, "fmod-ret"))
		return fmod_ret();
	if (!strcmp(cmd, "ptrace"))
		return trace((pid_t)atoi(arg));
	fprintf(stderr, "usage: bf_bpfpoke map-write|map-read|map-id-write|map-count PIN | map-get PIN KEY | progs | links | "
			"link-pin PATH | fmod-ret | ptrace PID\n");
	return 2;
}
