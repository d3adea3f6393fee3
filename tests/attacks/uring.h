/* uring.h - the least of io_uring the attacks need, on the raw syscalls (no liburing: it is not a build dependency). */
#ifndef BF_URING_H
#define BF_URING_H

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/io_uring.h>

struct at_ring {
	int fd, sqpoll;
	unsigned *sq_flags;
	unsigned *sq_tail, *sq_mask, *sq_array;
	unsigned *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

/*
 * 0, or the errno of io_uring_setup/mmap: ENOSYS or EPERM mean this host
 * has io_uring off. FLAGS is io_uring_setup's (IORING_SETUP_SQPOLL: a kernel
 * thread of the creating process polls the ring and submits for it).
 */
static inline int at_ring_init_flags(struct at_ring *r, unsigned flags)
{
	struct io_uring_params p;
	size_t sq_sz, cq_sz;
	uint8_t *sq, *cq;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	p.sq_thread_idle = 1000;	/* ms the SQ thread keeps polling before it sleeps */
	r->sqpoll = !!(flags & IORING_SETUP_SQPOLL);
	r->fd = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (r->fd < 0)
		return errno;
	sq_sz = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	cq_sz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP)
		sq_sz = cq_sz = sq_sz > cq_sz ? sq_sz : cq_sz;
	sq = mmap(NULL, sq_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		  IORING_OFF_SQ_RING);
	if (sq == MAP_FAILED)
		return errno;
	cq = sq;
	if (!(p.features & IORING_FEAT_SINGLE_MMAP)) {
		cq = mmap(NULL, cq_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
			  IORING_OFF_CQ_RING);
		if (cq == MAP_FAILED)
			return errno;
	}
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED)
		return errno;
	r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
	r->sq_flags = (unsigned *)(sq + p.sq_off.flags);
	r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned *)(sq + p.sq_off.array);
	r->cq_head = (unsigned *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

static inline int at_ring_init(struct at_ring *r)
{
	return at_ring_init_flags(r, 0);
}

/* Submit one request, wait for its completion: its res (>= 0, or -errno), or -errno of io_uring_enter. */
static inline int at_ring_run(struct at_ring *r, const struct io_uring_sqe *sqe)
{
	unsigned tail = *r->sq_tail, idx = tail & *r->sq_mask, head;
	int res;

	r->sqes[idx] = *sqe;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	/* Under SQPOLL the ring's own thread submits: we only wake it if it dozed off, and wait. */
	if (syscall(__NR_io_uring_enter, r->fd, r->sqpoll ? 0 : 1, 1,
		    IORING_ENTER_GETEVENTS |
			    (r->sqpoll && (__atomic_load_n(r->sq_flags, __ATOMIC_ACQUIRE) &
					   IORING_SQ_NEED_WAKEUP) ? IORING_ENTER_SQ_WAKEUP : 0),
		    NULL, 0) < 0)
		return -errno;
	head = __atomic_load_n(r->cq_head, __ATOMIC_ACQUIRE);
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return -EAGAIN;
	res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

#endif
