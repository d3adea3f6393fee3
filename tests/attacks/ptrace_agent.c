/* ptrace_agent.c - attack: root, not the agent, reads the agent's memory: ptrace attach, process_vm_readv and /proc/PID/mem. */
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "attack.h"

#define ROUTE "ptrace_agent"

/* The start of PID's first readable mapping (its executable's ELF header, in practice), or 0. */
static unsigned long first_readable(const char *pid)
{
	char path[64], line[512], perms[8], file[512];
	unsigned long start = 0, lo, hi, off;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	if (!(f = fopen(path, "re")))
		return 0;
	/* The first file mapped from its start: the executable's ELF header (a sanitizer's shadow comes before it). */
	while (!start && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %511s", &lo, &hi, perms, &off, file) == 5 &&
		    perms[0] == 'r' && off == 0 && file[0] == '/')
			start = lo;
	fclose(f);
	return start;
}

/* What a read of N bytes got, for the line: "4 bytes (\x7fELF)" proves it is the agent's image. */
static const char *what(ssize_t n, const unsigned char *b, int err, char *out, size_t len)
{
	if (n < 0)
		return at_errname(err);
	snprintf(out, len, "%zd bytes%s", n, n >= 4 && memcmp(b, "\177ELF", 4) == 0 ? " (its ELF header)" : "");
	return out;
}

/*
 * usage: ptrace_agent PID
 * Three ways into another process's memory, each tried: PTRACE_ATTACH
 * and PEEKDATA (then detach: the agent runs on), process_vm_readv, and a
 * read of /proc/PID/mem. The maps file needs only read access, which
 * biofence leaves open, so the address is known either way.
 */
int main(int argc, char **argv)
{
	unsigned char pk[8] = { 0 }, vm[8] = { 0 }, mem[8] = { 0 };
	struct iovec local = { .iov_base = vm, .iov_len = sizeof(vm) }, remote;
	char s1[64], s2[64], s3[64];
	const char *att, *rv, *rm;
	unsigned long addr;
	pid_t pid;
	ssize_t n1 = -1, n2, n3 = -1;
	int e1 = 0, e2 = 0, e3 = 0, fd, st;
	long word;

	if (argc != 2 || (pid = (pid_t)atoi(argv[1])) <= 1) {
		fprintf(stderr, "usage: " ROUTE " PID\n");
		return 2;
	}
	if (!(addr = first_readable(argv[1]))) {
		at_result(ROUTE, "error", "no readable mapping in /proc/%s/maps", argv[1]);
		return 1;
	}
	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) < 0) {
		e1 = errno;
	} else {
		waitpid(pid, &st, __WALL);
		errno = 0;
		word = ptrace(PTRACE_PEEKDATA, pid, (void *)addr, NULL);
		if (errno)
			e1 = errno;
		else
			n1 = sizeof(word);
		/* Signal 0: the SIGSTOP of the attach is dropped, the agent is not left stopped. */
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
		if (n1 > 0)
			memcpy(pk, &word, sizeof(word));
	}
	remote = (struct iovec){ .iov_base = (void *)addr, .iov_len = sizeof(vm) };
	n2 = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	e2 = n2 < 0 ? errno : 0;
	snprintf(s3, sizeof(s3), "/proc/%d/mem", (int)pid);
	fd = open(s3, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e3 = errno;
	} else {
		n3 = pread(fd, mem, sizeof(mem), (off_t)addr);
		e3 = n3 < 0 ? errno : 0;
		close(fd);
	}
	att = n1 < 0 ? at_errname(e1) : what(n1, pk, 0, s1, sizeof(s1));
	rv = what(n2, vm, e2, s2, sizeof(s2));
	rm = what(n3, mem, e3, s3, sizeof(s3));
	if (n1 > 0 || n2 > 0 || n3 > 0)
		at_result(ROUTE, "through", "PTRACE_ATTACH and PEEKDATA: %s, process_vm_readv: %s, /proc/PID/mem: %s",
			  att, rv, rm);
	else if (e1 == EPERM && e2 == EPERM && (e3 == EACCES || e3 == EPERM))
		at_result(ROUTE, "blocked", "PTRACE_ATTACH: EPERM, process_vm_readv: EPERM, open /proc/PID/mem: %s",
			  at_errname(e3));
	else
		at_result(ROUTE, "error", "PTRACE_ATTACH: %s, process_vm_readv: %s, /proc/PID/mem: %s", att, rv, rm);
	return 0;
}
