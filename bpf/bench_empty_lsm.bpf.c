/* bench_empty_lsm.bpf.c - the LSM benchmark's floor: an empty program on each BPF LSM hook biofence uses, passing on the verdict it was given. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/*
 * What any BPF LSM program on the hook costs (the trampoline, the context,
 * the run-time accounting itself), so bench/lsm.sh can say what biofence's
 * decision adds to it. Each returns RET, the verdict of the LSMs before it,
 * as biofence's programs do first: an empty program that returned 0 would
 * also be one 6.12's verifier accepts, but it would change the outcome.
 * The names are bench_lsm_HOOK, the agent's bf_lsm_HOOK: bench/lsm_bench.c
 * pairs them by the pinned link's name.
 */
SEC("lsm/file_permission")
int BPF_PROG(bench_lsm_file_permission, struct file *file, int mask, int ret)
{
	return ret;
}

SEC("lsm/file_open")
int BPF_PROG(bench_lsm_file_open, struct file *file, int ret)
{
	return ret;
}

SEC("lsm/file_ioctl")
int BPF_PROG(bench_lsm_file_ioctl, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	return ret;
}

SEC("lsm/mmap_file")
int BPF_PROG(bench_lsm_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot,
	     unsigned long flags, int ret)
{
	return ret;
}

SEC("lsm/file_receive")
int BPF_PROG(bench_lsm_file_receive, struct file *file, int ret)
{
	return ret;
}

SEC("lsm/socket_create")
int BPF_PROG(bench_lsm_socket_create, int family, int type, int protocol, int kern, int ret)
{
	return ret;
}

SEC("lsm/socket_post_create")
int BPF_PROG(bench_lsm_socket_post_create, struct socket *sock, int family, int type, int protocol,
	     int kern, int ret)
{
	return ret;
}

SEC("lsm/socket_connect")
int BPF_PROG(bench_lsm_socket_connect, struct socket *sock, struct sockaddr *address, int addrlen,
	     int ret)
{
	return ret;
}

SEC("lsm/socket_sendmsg")
int BPF_PROG(bench_lsm_socket_sendmsg, struct socket *sock, struct msghdr *msg, int size, int ret)
{
	return ret;
}

SEC("lsm/socket_recvmsg")
int BPF_PROG(bench_lsm_socket_recvmsg, struct socket *sock, struct msghdr *msg, int size, int flags,
	     int ret)
{
	return ret;
}

SEC("lsm/unix_may_send")
int BPF_PROG(bench_lsm_unix_may_send, struct socket *sock, struct socket *other, int ret)
{
	return ret;
}
