/* devices.bpf.c - camera opens judged in the cgroup device hook; an allowed capture taints its process. */
#include "capture.bpf.h"

SEC("cgroup/dev")
int bf_dev(struct bpf_cgroup_dev_ctx *ctx)
{
	__u32 type = ctx->access_type & 0xffff, access = ctx->access_type >> 16;
	const struct bf_slot_config *cfg;
	struct bf_event e;	/* zeroed only for a camera: every other open pays two lookups */
	__u32 slot, seq;
	__u64 objs;
	int allowed;

	/* mknod alone captures nothing; opening the node is what is judged. */
	if (type != BF_DEVCG_DEV_CHAR || !(access & (BF_DEVCG_ACC_READ | BF_DEVCG_ACC_WRITE)))
		return 1;
	cfg = bf_config(&slot, &seq);
	if (!cfg)
		return 1;
	objs = bf_camera_objs(slot, ctx->major, ctx->minor);
	if (!objs)
		return 1;	/* not a camera: no event, no cost beyond two lookups */

	__builtin_memset(&e, 0, sizeof(e));
	e.objs = objs;
	e.kind = BF_KIND_CAPTURE;
	e.boot_ns = bpf_ktime_get_boot_ns();
	e.policy_seq = seq;
	e.major = ctx->major;
	e.minor = ctx->minor;
	e.access = access;
	allowed = bf_capture_judge(&e, cfg, slot);
	bf_submit(&e);
	return allowed;
}
