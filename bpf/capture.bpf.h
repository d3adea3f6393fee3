/* capture.bpf.h - the capture decision every camera hook shares: may this process capture from this camera now. */
#ifndef BF_CAPTURE_BPF_H
#define BF_CAPTURE_BPF_H

#include "decide.bpf.h"

/* Index of M's lowest set bit (M not 0): clang 14 has no count-trailing-zeros for BPF. */
static __always_inline __u32 bf_lowest_bit(__u64 m)
{
	__u32 i = 0;

	if (!(m & 0xffffffffull)) {
		i += 32;
		m >>= 32;
	}
	if (!(m & 0xffff)) {
		i += 16;
		m >>= 16;
	}
	if (!(m & 0xff)) {
		i += 8;
		m >>= 8;
	}
	if (!(m & 0xf)) {
		i += 4;
		m >>= 4;
	}
	if (!(m & 0x3)) {
		i += 2;
		m >>= 2;
	}
	return i + !(m & 1);
}

/* A process allowed to capture is tainted; returns 0 if the taint table is full. */
static __always_inline int bf_taint_self(struct bf_event *e)
{
	struct bf_taint t = {
		.since_ns = e->boot_ns,
		.origin_tgid = e->tgid,
		.major = e->major,
		.minor = e->minor,
		.flags = (e->flags & BF_EF_NETCAM) ? BF_TAINT_NET : 0,
	};
	struct bf_taint *old = bpf_map_lookup_elem(&bf_taint, &e->tgid);

	if (old) {
		e->taint = *old;
		return 1;
	}
	if (bpf_map_update_elem(&bf_taint, &e->tgid, &t, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&bf_taint, &e->tgid))
		return 0;
	e->taint = t;
	return 1;
}

static __always_inline int bf_log_failed(void)
{
	__u32 zero = 0;
	struct bf_runtime *rt = bpf_map_lookup_elem(&bf_runtime, &zero);

	return rt && rt->log_failed;
}

/* One consent-window scan, on the caller's stack: the cameras to look at and what was found. */
struct bf_window_scan {
	struct bf_window_set *w;
	__u64 objs, now;
	__u32 purpose, window;
	__u32 open, expired;
};

/* One camera of the scan: 1 stops at a window still open. */
static int bf_window_step(__u32 c, void *ctx)
{
	struct bf_window_scan *s = ctx;
	struct bf_window_cam *wc;

	if (c >= BF_MAX_CAMERAS)
		return 1;
	wc = &s->w->cam[c];
	if (!(s->objs & (1ull << c)) || !wc->end_ns || wc->purpose != s->purpose)
		return 0;
	s->window = wc->window_id;
	if (s->now < wc->end_ns) {
		s->open = 1;
		return 1;
	}
	s->expired = 1;
	return 0;
}

/*
 * A consent rule allows only inside a window opened for its app on one of
 * the cameras this device is. The window's end is checked here, in kernel
 * time, so it closes on time even when the agent is slow or dead. The scan
 * is a bpf_loop, its step verified once: as a bounded loop, 64 unrolled
 * steps cost every camera hook ~50k verified instructions on 6.1.
 */
static __always_inline int bf_window_allows(struct bf_event *e, __u32 slot, __u32 rule)
{
	__u32 key = slot * BF_MAX_RULES + rule;
	struct bf_window_key wk = { .slot = slot };
	struct bf_window_scan s = { .objs = e->objs, .now = e->boot_ns };
	struct bf_rule *r;

	if (rule >= BF_MAX_RULES)
		return 0;
	r = bpf_map_lookup_elem(&bf_capture_rules, &key);
	if (!r)
		return 0;
	wk.app = r->app;
	s.purpose = r->purpose;
	s.w = bpf_map_lookup_elem(&bf_windows, &wk);
	if (!s.w)
		return 0;
	bpf_loop(BF_MAX_CAMERAS, bf_window_step, &s, 0);
	if (s.window)
		e->window = s.window;
	if (s.open)
		e->flags &= ~BF_EF_WIN_EXPIRED;
	else if (s.expired)
		e->flags |= BF_EF_WIN_EXPIRED;
	return s.open;
}

/*
 * E's camera mask for device MAJOR:MINOR in SLOT (a policy may name a
 * device or all minors of a major); 0 for a device that is no camera.
 */
static __always_inline __u64 bf_camera_objs(__u32 slot, __u32 major, __u32 minor)
{
	struct bf_cam_key ck = { .slot = slot, .major = major, .minor = minor };
	__u64 objs = bf_lookup_mask(&bf_cam, &ck);

	ck.minor = BF_ANY_MINOR;
	return objs | bf_lookup_mask(&bf_cam, &ck);
}

/*
 * The capture judgement, once E names the camera and who is asking (its
 * apps): the first capture rule that matches, its consent window, the log's health,
 * and the taint an allowed capture starts. Returns 1 to let it through;
 * E's flags say why not.
 */
static __always_inline int bf_capture_decide(struct bf_event *e, const struct bf_slot_config *cfg,
					     __u32 slot)
{
	__u32 rule_flags;
	int allowed;

	e->rule = bf_first_match(BF_TABLE_CAPTURE, slot, cfg->n_capture, e->apps, e->objs,
				 &rule_flags, e);
	if (rule_flags & BF_RF_CONSENT) {
		e->flags |= BF_EF_CONSENT;
		if (!bf_window_allows(e, slot, e->rule)) {
			rule_flags &= ~BF_RF_ALLOW;
			e->flags |= BF_EF_NO_WINDOW;
		}
	}
	allowed = bf_verdict(e, cfg, rule_flags);
	if (allowed && (cfg->flags & BF_CFG_DENY_ON_LOG_FAIL) && cfg->mode != BF_MODE_AUDIT &&
	    !(e->flags & BF_EF_RECVFROM) && bf_log_failed()) {
		/* A capture that cannot be recorded cannot be justified. */
		e->flags |= BF_EF_LOG_FAILED;
		e->flags &= ~BF_EF_ALLOW;
		allowed = 0;
		bf_count(BF_STAT_LOGFAIL_DENY);
	}
	if (allowed && !bf_taint_self(e)) {
		/* Untracked capture would make export rules meaningless. */
		e->flags |= BF_EF_TAINT_FULL;
		e->flags &= ~BF_EF_ALLOW;
		allowed = 0;
		bf_count(BF_STAT_TAINT_FULL);
	}
	/* A read at cgroup/recvmsg is recorded, never refused: not a denial. */
	if (!allowed && !(e->flags & BF_EF_RECVFROM))
		bf_count(BF_STAT_CAPTURE_DENY);
	return allowed;
}

/* The caller, then the judgement: every hook that runs in the capturing process. */
static __always_inline int bf_capture_judge(struct bf_event *e, const struct bf_slot_config *cfg,
					    __u32 slot)
{
	bf_identify(e, cfg, slot);
	return bf_capture_decide(e, cfg, slot);
}

#endif /* BF_CAPTURE_BPF_H */
