/* test_agent_confine.c - the agent's own confinement, applied for real to a forked copy of it: no exec, no write outside its paths, four capabilities, and what status says. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "bf_test.h"
#include "agent_fixture.h"
#include "agent_confine.h"

struct cfx {
	struct bff *f;
	char pin_dir[PATH_MAX];         /* on the host's bpffs: made by the confined child, removed here */
	char err_path[PATH_MAX];        /* the child's stderr */
};

static int setup(void **state)
{
	struct cfx *c = calloc(1, sizeof(*c));

	c->f = bff_new();
	snprintf(c->pin_dir, sizeof(c->pin_dir), "/sys/fs/bpf/bft-confine-%d", (int)getpid());
	snprintf(c->err_path, sizeof(c->err_path), "%s", bff_path(c->f, "child.err"));
	c->f->ag.opt.log = strdup(bff_path(c->f, "log/audit.jsonl"));
	c->f->ag.opt.control = strdup(bff_path(c->f, "run/control.sock"));
	c->f->ag.opt.consent = strdup(bff_path(c->f, "state/consent.jsonl"));
	c->f->ag.opt.pin_dir = c->pin_dir;
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct cfx *c = *state;

	rmdir(c->pin_dir);
	free((char *)c->f->ag.opt.log);
	free((char *)c->f->ag.opt.control);
	free((char *)c->f->ag.opt.consent);
	c->f->ag.opt.log = c->f->ag.opt.control = c->f->ag.opt.consent = NULL;
	c->f->ag.opt.pin_dir = NULL;
	bff_free(c->f);
	free(c);
	return 0;
}

/*
 * Runs FN in a child confined exactly as biofenced confines itself; the
 * child's exit status comes back (128 + N for a signal N), its stderr in
 * c->err_path.
 */
static int confined(struct cfx *c, int (*fn)(struct cfx *c))
{
	pid_t pid;
	int st;

	if (geteuid() != 0)
		skip();	/* confinement is root's to give up */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(c->err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(fd, STDERR_FILENO);
		agent_confine_mounts(&c->f->ag);
		agent_confine_process(&c->f->ag);
		_exit(fn(c));
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int try_exec(struct cfx *c)
{
	char *const argv[] = { "true", NULL }, *const envp[] = { NULL };

	execve("/bin/true", argv, envp);
	return 1;	/* refused with an error, not trapped */
}

static void test_no_exec(void **state)
{
	struct cfx *c = *state;
	size_t len;
	char *err;

	/* execve is not on the list: the call is never made, the process says which and exits. */
	assert_int_equal(confined(c, try_exec), 128 + SIGSYS);
	err = bft_slurp(c->err_path, &len);
	assert_non_null(strstr(err, "seccomp: system call 59 is not on the allowlist"));
	free(err);
}

static int try_fork(struct cfx *c)
{
	pid_t p = fork();

	if (p == 0)
		_exit(0);
	return 2;
}

static void test_no_fork(void **state)
{
	assert_int_equal(confined(*state, try_fork), 128 + SIGSYS);
}

static int try_packet_socket(struct cfx *c)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 40;	/* the families it speaks still work */
	close(fd);
	socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	return 41;
}

static void test_socket_families(void **state)
{
	assert_int_equal(confined(*state, try_packet_socket), 128 + SIGSYS);
}

static int try_wx(struct cfx *c)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 50;
	mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return 51;
}

static int try_mprotect_exec(struct cfx *c)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mprotect(p, 4096, PROT_READ) < 0)
		return 52;
	mprotect(p, 4096, PROT_READ | PROT_EXEC);
	return 53;
}

/* Never writable and executable at once, nothing made executable after the fact. */
static void test_no_wx_memory(void **state)
{
	assert_int_equal(confined(*state, try_wx), 128 + SIGSYS);
	assert_int_equal(confined(*state, try_mprotect_exec), 128 + SIGSYS);
}

static int write_at(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	close(fd);
	unlink(path);
	return 0;
}

static int try_writes(struct cfx *c)
{
	char etc[64];

	snprintf(etc, sizeof(etc), "/etc/bft-confine-%d", (int)getppid());
	if (write_at(etc) != -EROFS || write_at("/var/tmp/bft-confine") != -EROFS ||
	    write_at("/root/.bft-confine") != -EROFS)
		return 3;
	/* Its own paths stay writable: the log's, the ledger's and the socket's directories. */
	if (write_at(bff_path(c->f, "log/new.jsonl")) || write_at(bff_path(c->f, "state/x")) ||
	    write_at(bff_path(c->f, "run/x")))
		return 4;
	/* Outside those, even in the fixture's own tree. */
	if (write_at(bff_path(c->f, "elsewhere")) != -EROFS)
		return 5;
	return 0;
}

static void test_writes_only_its_paths(void **state)
{
	assert_int_equal(confined(*state, try_writes), 0);
}

/* "Name:\tVALUE" of /proc/self/status, read without prctl (not on the list). */
static unsigned long long status_hex(const char *name)
{
	char line[256];
	unsigned long long v = ~0ULL;
	FILE *fp = fopen("/proc/self/status", "re");

	while (fp && fgets(line, sizeof(line), fp))
		if (strncmp(line, name, strlen(name)) == 0 && line[strlen(name)] == ':')
			v = strtoull(line + strlen(name) + 1, NULL, 16);
	if (fp)
		fclose(fp);
	return v;
}

static int check_caps(struct cfx *c)
{
	const unsigned long long want = 1ULL << CAP_BPF | 1ULL << CAP_KILL | 1ULL << CAP_SYS_PTRACE |
					1ULL << CAP_DAC_READ_SEARCH;

	if (status_hex("CapEff") != want || status_hex("CapPrm") != want)
		return 10;
	/* Gone from the bounding set too: nothing can bring them back. */
	if (status_hex("CapBnd") != want)
		return 11;
	if (status_hex("CapInh") != 0 || status_hex("CapAmb") != 0)
		return 12;
	if (status_hex("NoNewPrivs") != 1)
		return 13;
	if (status_hex("Seccomp") != 2)	/* SECCOMP_MODE_FILTER */
		return 14;
	return 0;
}

static void test_four_capabilities(void **state)
{
	assert_int_equal(confined(*state, check_caps), 0);
}

static int check_json(struct cfx *c)
{
	struct json_object *o = agent_confine_json(&c->f->ag);
	const char *caps = json_object_get_string(json_object_object_get(o, "capabilities"));
	struct json_object *w = json_object_object_get(o, "writable");
	int rc = 0;

	if (!json_object_get_boolean(json_object_object_get(o, "active")))
		rc = 20;
	else if (!caps || strcmp(caps, "cap_dac_read_search,cap_kill,cap_sys_ptrace,cap_bpf=ep") != 0)
		rc = 21;
	else if (json_object_array_length(w) != 4)	/* log, ledger, socket, pin dir */
		rc = 22;
	else if (!strstr(json_object_get_string(json_object_object_get(o, "seccomp")), "allowlist of "))
		rc = 23;
	json_object_put(o);
	return rc;
}

static void test_status_says_so(void **state)
{
	assert_int_equal(confined(*state, check_json), 0);
}

static int try_nothing(struct cfx *c)
{
	struct json_object *o = agent_confine_json(&c->f->ag);
	int rc = json_object_get_boolean(json_object_object_get(o, "active")) ? 30 :
		 strcmp(json_object_get_string(json_object_object_get(o, "why_not")), "--no-confine") ? 31 :
		 write_at(bff_path(c->f, "elsewhere")) ? 32 : 0;

	json_object_put(o);
	return rc;
}

static void test_no_confine_is_said(void **state)
{
	struct cfx *c = *state;

	c->f->ag.opt.no_confine = true;
	assert_int_equal(confined(c, try_nothing), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_exec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_fork, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_families, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_wx_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writes_only_its_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_four_capabilities, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_says_so, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_confine_is_said, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
