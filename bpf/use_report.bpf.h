/* use_report.bpf.h - a refused use of a camera (a descriptor's, or a network camera's stream) is reported at most once a second per process and camera. */
#ifndef BF_USE_REPORT_BPF_H
#define BF_USE_REPORT_BPF_H

/*
 * A refused use is reported once a second per (process, camera): a loop
 * of refused DQBUFs or receives must not flood the ring buffer. One map for
 * every object that includes this (weak: linked into one). Not pinned: a
 * restarted agent may report one more.
 */
struct bf_use_key {
	__u32 tgid;
	__u32 dev;      /* the device; a network camera: major 0 (no device's), minor its index */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct bf_use_key);
	__type(value, __u64);
} bf_use_reported SEC(".maps") __weak;

static __always_inline int bf_use_report_due(const struct bf_event *e)
{
	struct bf_use_key k = { .tgid = e->tgid, .dev = e->major << 20 | e->minor };	/* the kernel's encoding */
	__u64 *last = bpf_map_lookup_elem(&bf_use_reported, &k);

	if (last && e->boot_ns - *last < 1000000000ull)
		return 0;
	bpf_map_update_elem(&bf_use_reported, &k, &e->boot_ns, BPF_ANY);
	return 1;
}

#endif /* BF_USE_REPORT_BPF_H */
