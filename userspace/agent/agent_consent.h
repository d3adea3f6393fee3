/* agent_consent.h - capture windows and the consent checks on capture (agent_consent.c). */
#ifndef BF_AGENT_CONSENT_H
#define BF_AGENT_CONSENT_H

#include "agent.h"

/* Why a window ended (bf_window_info.end_reason). */
enum bf_window_end {
	BF_WEND_EXPIRED = 1,    /* its time ran out */
	BF_WEND_CLOSED,         /* window-close */
	BF_WEND_REVOKED,        /* its grant was revoked */
	BF_WEND_GRANT_ENDED,    /* its grant expired or left the ledger */
	BF_WEND_POLICY,         /* the policy in force no longer has its consent rule */
	BF_WEND_LEDGER,         /* the ledger became unreadable or invalid */
};

/*
 * One instant on both clocks windows use: a window's end is written to the
 * kernel in boot time (the kernel's clock) and shown in wall time. Taken
 * once by the caller and passed in, so tests can drive a fake clock.
 */
struct agent_now {
	int64_t real_ns;        /* CLOCK_REALTIME */
	int64_t boot_ns;        /* CLOCK_BOOTTIME */
};

struct agent_now agent_now(void);

/*
 * What windows need from the kernel and from /proc. The agent uses the
 * loader's pinned maps (agent_window_loader_ops, ctx: struct bf_loader *);
 * unit tests put fakes here, so no test loads or touches a BPF map.
 */
struct agent_window_ops {
	int (*next_id)(void *ctx, uint32_t *id);
	int (*info_put)(void *ctx, const struct bf_window_info *w);
	int (*info_del)(void *ctx, uint32_t id);
	int (*info_all)(void *ctx, struct bf_window_info **out, size_t *n);
	/* The kernel entry of app bit APP in SLOT; S NULL deletes it. */
	int (*set_put)(void *ctx, uint32_t slot, uint32_t app, const struct bf_window_set *s);
	int (*taint_from)(void *ctx, uint32_t origin, uint32_t *tgids, size_t max, size_t *n);
	bool (*pid_holds)(void *ctx, uint32_t pid, uint32_t major, uint32_t minor);
	/* Ends PID if it still holds H's camera; -ESRCH if it let go first. */
	int (*kill)(void *ctx, uint32_t pid, const struct bf_window_holder *h);
};

extern const struct agent_window_ops agent_window_loader_ops;

/* CS's kernel side, the loader's maps LD unless a test put its own there. */
const struct agent_window_ops *agent_window_kernel(struct bf_consent_state *cs, struct bf_loader *ld);

void agent_consent_fill(struct bf_agent *ag, struct bf_loaded *ld);
void agent_consent_after_install(struct bf_agent *ag);
void agent_consent_tick(struct bf_agent *ag, struct agent_now now);
void agent_consent_on_capture(struct bf_agent *ag, const struct bf_loaded *ld,
			      const struct bf_event *e, struct json_object *rec);
struct bf_window_info *agent_window_find(struct bf_consent_state *cs, uint32_t id, bool open_only);
int agent_window_open(struct bf_agent *ag, const struct bf_window_info *proto, uint32_t for_ms,
		      struct agent_now now, struct bf_window_info **out);
void agent_window_end(struct bf_agent *ag, struct bf_window_info *w, enum bf_window_end why,
		      struct json_object *by, int64_t now_real_ns);
struct json_object *agent_window_json(const struct bf_consent_state *cs,
				      const struct bf_window_info *w);
/* A "consent" record begun at NOW_REAL_NS: the event and, if W, its window and grant. */
struct json_object *agent_consent_record(struct bf_agent *ag, const char *event,
					 const struct bf_window_info *w, int64_t now_real_ns);

#endif /* BF_AGENT_CONSENT_H */
