/* agent_consent.c - capture windows: kernel entries, expiry, grant re-checks, holders past their window. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "agent_consent.h"
#include "agent_scan.h"
#include "agent_sink.h"
#include "log.h"
#include "consent/window.h"
#include "util.h"

#define NS_PER_MS 1000000ull

static const char *end_reason(uint32_t why)
{
	switch (why) {
	case BF_WEND_EXPIRED: return "window expired";
	case BF_WEND_CLOSED: return "window closed";
	case BF_WEND_REVOKED: return "grant revoked";
	case BF_WEND_GRANT_ENDED: return "grant expired or no longer in the ledger";
	case BF_WEND_POLICY: return "the policy in force has no consent rule for it any more";
	case BF_WEND_LEDGER: return "the consent ledger is unusable";
	default: return "unknown";
	}
}

struct agent_now agent_now(void)
{
	return (struct agent_now){ .real_ns = bf_now_ns(CLOCK_REALTIME),
				   .boot_ns = bf_now_ns(CLOCK_BOOTTIME) };
}

/* ---- the kernel side: the loader's pinned maps and /proc ---- */

static int k_next_id(void *ctx, uint32_t *id)
{
	return bf_loader_window_next(ctx, id);
}

static int k_info_put(void *ctx, const struct bf_window_info *w)
{
	return bf_loader_window_info_put(ctx, w);
}

static int k_info_del(void *ctx, uint32_t id)
{
	return bf_loader_window_info_del(ctx, id);
}

static int k_info_all(void *ctx, struct bf_window_info **out, size_t *n)
{
	return bf_loader_window_info_all(ctx, out, n);
}

static int k_set_put(void *ctx, uint32_t slot, uint32_t app, const struct bf_window_set *s)
{
	return bf_loader_window_put(ctx, slot, app, s);
}

static int k_taint_from(void *ctx, uint32_t origin, uint32_t *tgids, size_t max, size_t *n)
{
	return bf_loader_taint_from(ctx, origin, tgids, max, n);
}

static bool k_pid_holds(void *ctx, uint32_t pid, uint32_t major, uint32_t minor)
{
	return agent_pid_holds(pid, major, minor);
}

static bool still_holds(uint32_t pid, const void *ctx)
{
	const struct bf_window_holder *h = ctx;

	return agent_pid_holds(pid, h->major, h->minor);
}

static int k_kill(void *ctx, uint32_t pid, const struct bf_window_holder *h)
{
	return agent_kill(pid, still_holds, h);
}

const struct agent_window_ops agent_window_loader_ops = {
	.next_id = k_next_id, .info_put = k_info_put, .info_del = k_info_del,
	.info_all = k_info_all, .set_put = k_set_put, .taint_from = k_taint_from,
	.pid_holds = k_pid_holds, .kill = k_kill,
};

const struct agent_window_ops *agent_window_kernel(struct bf_consent_state *cs, struct bf_loader *ld)
{
	if (!cs->ops) {
		cs->ops = &agent_window_loader_ops;
		cs->ops_ctx = ld;
	}
	return cs->ops;
}

/* The kernel side of AG's windows. */
static const struct agent_window_ops *kern(struct bf_agent *ag)
{
	return agent_window_kernel(&ag->consent, &ag->ld);
}

/* The bit of an app or camera of LD's policy; -1 if it has none by that name. */
static int policy_index(const struct bf_loaded *ld, bool app, const char *name)
{
	int i = app ? bf_policy_app(ld->policy, name) : bf_policy_camera(ld->policy, name);

	return i < BF_MAX_APPS ? i : -1;	/* compile refuses more; a shift must never overflow */
}

/*
 * Where W sits in LD's tables: app and camera bits and the purpose id.
 * False when LD has no consent rule for it with the same purpose (a
 * reload removed or changed it): then it has no kernel entry there.
 */
static bool window_place(const struct bf_loaded *ld, const struct bf_window_info *w, int *app,
			 int *cam, uint16_t *purpose)
{
	uint32_t flags, rule;

	if (!ld)
		return false;
	*app = policy_index(ld, true, w->app);
	*cam = policy_index(ld, false, w->camera);
	if (*app < 0 || *cam < 0)
		return false;
	rule = bf_window_rule(&ld->res, &ld->tables, *app, *cam, &flags);
	if (rule == BF_RULE_DEFAULT || !(flags & BF_RF_CONSENT) ||
	    strcmp(ld->policy->rules[ld->tables.capture_ast[rule]].purpose, w->purpose) != 0)
		return false;
	*purpose = ld->tables.capture[rule].purpose;
	return true;
}

/* Adds W to the kernel entries SETS (indexed by app bit) if it is open and placed in LD. */
static void set_add(const struct bf_loaded *ld, const struct bf_window_info *w,
		    struct bf_window_set *sets, uint64_t *apps)
{
	struct bf_window_cam *wc;
	uint16_t purpose;
	int app, cam;

	if (w->state != BF_WINDOW_OPEN || !window_place(ld, w, &app, &cam, &purpose))
		return;
	wc = &sets[app].cam[cam];
	/* Two windows on one (app, camera): the later end keeps the camera open. */
	if (wc->end_ns < w->end_boot_ns)
		*wc = (struct bf_window_cam){ .end_ns = w->end_boot_ns, .purpose = purpose,
					      .window_id = w->id };
	*apps |= 1ull << app;
}

void agent_consent_fill(struct bf_agent *ag, struct bf_loaded *ld)
{
	struct bf_consent_state *cs = &ag->consent;

	free(ld->tables.windows);
	ld->tables.window_apps = 0;
	ld->tables.windows = cs->n_win ? calloc(BF_MAX_APPS, sizeof(struct bf_window_set)) : NULL;
	if (!ld->tables.windows)
		return;	/* out of memory fails closed: no window carries over */
	for (size_t i = 0; i < cs->n_win; i++)
		set_add(ld, &cs->win[i], ld->tables.windows, &ld->tables.window_apps);
}

/* Rewrites the kernel entry of app bit APP in the slot in force from the open windows. */
static int sync_app(struct bf_agent *ag, int app)
{
	struct bf_window_set *sets = calloc(BF_MAX_APPS, sizeof(*sets));
	uint64_t apps = 0;
	int err;

	if (!sets)
		return -ENOMEM;
	for (size_t i = 0; i < ag->consent.n_win; i++)
		set_add(ag->policy.cur, &ag->consent.win[i], sets, &apps);
	err = kern(ag)->set_put(ag->consent.ops_ctx, ag->policy.cur->tables.slot, (uint32_t)app,
				(apps & (1ull << app)) ? &sets[app] : NULL);
	free(sets);
	return err;
}

static void sync_window(struct bf_agent *ag, const struct bf_window_info *w)
{
	uint16_t purpose;
	int app, cam, err;

	if (!window_place(ag->policy.cur, w, &app, &cam, &purpose))
		return;
	err = sync_app(ag, app);
	if (err)
		log_errno(err, "updating the kernel entry of window %u", w->id);
}

struct bf_window_info *agent_window_find(struct bf_consent_state *cs, uint32_t id, bool open_only)
{
	for (size_t i = 0; i < cs->n_win; i++) {
		struct bf_window_info *w = &cs->win[i];

		if (w->id == id && (!open_only || w->state == BF_WINDOW_OPEN))
			return w;
	}
	return NULL;
}

/* A window this agent knows: live, or retired not long ago. */
static const struct bf_window_info *window_any(struct bf_consent_state *cs, uint32_t id)
{
	const struct bf_window_info *w = agent_window_find(cs, id, false);

	for (unsigned i = 0; !w && id && i < BF_WINDOW_HISTORY; i++)
		if (cs->hist[i].id == id)
			w = &cs->hist[i];
	return w;
}

static void add_time(struct json_object *o, const char *key, uint64_t ns)
{
	char buf[BF_RFC3339_BUFSZ];

	if (bf_format_rfc3339(buf, sizeof(buf), ns) == 0)
		bf_json_add_str(o, key, buf);
}

/* Whose consent and for what: CONSENT_KEY names the grant id's member. */
static void add_grant(const struct bf_consent_state *cs, struct json_object *o,
		      const char *consent_key, const struct bf_window_info *w)
{
	const struct bf_consent_grant *g = bf_ledger_find(&cs->ledger, w->consent);

	bf_json_add_str(o, consent_key, w->consent);
	bf_json_add_str(o, "subject", g ? g->subject : NULL);
	bf_json_add_str(o, "purpose", w->purpose);
	bf_json_add_str(o, "notice", g ? g->notice : NULL);
}

struct json_object *agent_window_json(const struct bf_consent_state *cs,
				      const struct bf_window_info *w)
{
	struct json_object *o = json_object_new_object();

	bf_json_add_u64(o, "id", w->id);
	add_grant(cs, o, "consent", w);
	bf_json_add_str(o, "app", w->app);
	bf_json_add_str(o, "camera", w->camera);
	bf_json_add_str(o, "rule", w->rule);
	add_time(o, "start", w->start_ns);
	add_time(o, "end", w->end_ns);
	if (w->state != BF_WINDOW_OPEN) {
		add_time(o, "ended", w->ended_ns);
		bf_json_add_str(o, "reason", end_reason(w->end_reason));
	}
	return o;
}

/* The record's "consent" member: whose consent, for what, and the window. */
static struct json_object *consent_obj(const struct bf_consent_state *cs,
				       const struct bf_window_info *w)
{
	struct json_object *c = json_object_new_object(), *win = json_object_new_object();

	add_grant(cs, c, "id", w);
	bf_json_add_u64(win, "id", w->id);
	add_time(win, "start", w->start_ns);
	add_time(win, "end", w->end_ns);
	if (w->state != BF_WINDOW_OPEN)
		add_time(win, "ended", w->ended_ns);
	json_object_object_add(c, "window", win);
	return c;
}

struct json_object *agent_consent_record(struct bf_agent *ag, const char *event,
					 const struct bf_window_info *w, int64_t now_real_ns)
{
	struct json_object *rec = bf_audit_begin(ag->log.audit, "consent", (uint64_t)now_real_ns);

	bf_json_add_str(rec, "event", event);
	if (w) {
		bf_json_add_str(rec, "app", w->app);
		bf_json_add_str(rec, "camera", w->camera);
		bf_json_add_str(rec, "rule", w->rule);
		json_object_object_add(rec, "consent", consent_obj(&ag->consent, w));
	}
	return rec;
}

int agent_window_open(struct bf_agent *ag, const struct bf_window_info *proto, uint32_t for_ms,
		      struct agent_now now, struct bf_window_info **out)
{
	struct bf_consent_state *cs = &ag->consent;
	const struct agent_window_ops *k = kern(ag);
	struct bf_window_info *w;
	int err;

	if (cs->n_win >= BF_MAX_WINDOWS)
		return -ENOSPC;
	w = &cs->win[cs->n_win];
	*w = *proto;
	err = k->next_id(cs->ops_ctx, &w->id);
	if (err)
		return err;
	w->state = BF_WINDOW_OPEN;
	w->start_ns = (uint64_t)now.real_ns;
	w->end_ns = w->start_ns + for_ms * NS_PER_MS;
	w->end_boot_ns = (uint64_t)now.boot_ns + for_ms * NS_PER_MS;
	/* The record first: a kernel entry nobody can explain after a restart must not exist. */
	err = k->info_put(cs->ops_ctx, w);
	if (err)
		return err;
	cs->n_win++;
	err = -ENOENT;
	{
		uint16_t purpose;
		int app, cam;

		if (window_place(ag->policy.cur, w, &app, &cam, &purpose))
			err = sync_app(ag, app);
	}
	if (err) {
		cs->n_win--;
		k->info_del(cs->ops_ctx, w->id);
		return err;
	}
	*out = w;
	return 0;
}

void agent_window_end(struct bf_agent *ag, struct bf_window_info *w, enum bf_window_end why,
		      struct json_object *by, int64_t now_real_ns)
{
	struct json_object *rec;
	int err;

	if (w->state != BF_WINDOW_OPEN) {
		json_object_put(by);
		return;
	}
	w->state = BF_WINDOW_ENDED;
	w->end_reason = why;
	/* An expiry ended at its end, however late we notice: the kernel stopped it then. */
	w->ended_ns = why == BF_WEND_EXPIRED ? w->end_ns : (uint64_t)now_real_ns;
	sync_window(ag, w);
	err = kern(ag)->info_put(ag->consent.ops_ctx, w);
	if (err)
		log_errno(err, "recording the end of window %u", w->id);
	rec = agent_consent_record(ag, why == BF_WEND_EXPIRED ? "window-expire" : "window-close", w,
				   now_real_ns);
	bf_json_add_str(rec, "reason", end_reason(why));
	if (by)
		json_object_object_add(rec, "by", by);
	agent_emit(ag, rec);
	log_info("window %u (%s on %s, consent %s) ended: %s", w->id, w->app, w->camera, w->consent,
		 end_reason(why));
}

void agent_consent_after_install(struct bf_agent *ag)
{
	int64_t now = bf_now_ns(CLOCK_REALTIME);

	for (size_t i = 0; i < ag->consent.n_win; i++) {
		struct bf_window_info *w = &ag->consent.win[i];
		uint16_t purpose;
		int app, cam;

		if (w->state == BF_WINDOW_OPEN && !window_place(ag->policy.cur, w, &app, &cam, &purpose))
			agent_window_end(ag, w, BF_WEND_POLICY, NULL, now);
	}
}

/* ---- processes that opened a camera under a window ---- */

static void add_holder(struct bf_agent *ag, struct bf_window_info *w, const struct bf_event *e)
{
	for (uint32_t i = 0; i < w->n_holders; i++)
		if (w->holders[i].tgid == e->tgid && w->holders[i].major == e->major &&
		    w->holders[i].minor == e->minor)
			return;
	if (w->n_holders >= BF_WINDOW_HOLDERS) {
		log_warnx("window %u: more than %d processes opened the camera; pid %u is not followed",
			  w->id, BF_WINDOW_HOLDERS, e->tgid);
		return;
	}
	w->holders[w->n_holders++] = (struct bf_window_holder){ .tgid = e->tgid, .major = e->major,
								 .minor = e->minor };
	kern(ag)->info_put(ag->consent.ops_ctx, w);
}

static void act_on_holder(struct bf_agent *ag, const struct bf_window_info *w, uint32_t pid,
			  const struct bf_window_holder *h, int64_t now_real_ns)
{
	bool audit = ag->policy.cur->policy->audit_mode;
	char path[PATH_MAX], comm[32] = "", dev[32];
	struct json_object *rec;
	int err = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u/comm", ag->scope.proc, pid);
	if ((f = fopen(path, "re"))) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	if (!audit && (err = kern(ag)->kill(ag->consent.ops_ctx, pid, h)) == -ESRCH)
		return;	/* it let go (or exited) between the two looks */
	snprintf(dev, sizeof(dev), "%u:%u", h->major, h->minor);
	rec = agent_consent_record(ag, audit ? "holder-report" : "holder-terminate", w, now_real_ns);
	bf_json_add_str(rec, "verdict", "deny");
	bf_json_add_bool(rec, "enforced", !audit && !err);
	bf_json_add_u64(rec, "pid", pid);
	bf_json_add_str(rec, "comm", comm);
	bf_json_add_str(rec, "device", dev);
	bf_json_add_u64(rec, "grace_ms", ag->policy.cur->policy->grace_ms);
	bf_json_add_str(rec, "reason", audit ? "still holds the camera after its window and grace "
					       "(audit mode: reported, not stopped)"
					     : "still held the camera after its window and grace");
	if (err)
		bf_json_add_str(rec, "error", strerror(-err));
	agent_emit(ag, rec);
	log_warnx("pid %u (%s) still holds camera %s after window %u ended: %s", pid, comm, dev, w->id,
		  audit ? "reported (audit mode)" : err ? strerror(-err) : "terminated");
}

/* Another open window for the same app, camera and purpose keeps its holders legitimate. */
static struct bf_window_info *successor(struct bf_agent *ag, const struct bf_window_info *w)
{
	for (size_t i = 0; i < ag->consent.n_win; i++) {
		struct bf_window_info *o = &ag->consent.win[i];

		if (o->state == BF_WINDOW_OPEN && strcmp(o->app, w->app) == 0 &&
		    strcmp(o->camera, w->camera) == 0 && strcmp(o->purpose, w->purpose) == 0)
			return o;
	}
	return NULL;
}

static bool has_pid(const uint32_t *v, size_t n, uint32_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static void check_holders(struct bf_agent *ag, const struct bf_window_info *w, int64_t now_real_ns)
{
	const struct agent_window_ops *k = kern(ag);
	struct bf_window_info *next = successor(ag, w);
	uint32_t pids[64];

	for (uint32_t i = 0; i < w->n_holders; i++) {
		const struct bf_window_holder *h = &w->holders[i];
		size_t n = 0;

		if (next) {
			struct bf_event e = { .tgid = h->tgid, .major = h->major, .minor = h->minor };

			add_holder(ag, next, &e);
			continue;
		}
		/* Children inherit the descriptor with the taint: check them too. */
		k->taint_from(ag->consent.ops_ctx, h->tgid, pids, 63, &n);
		/* The opener itself, unless its own taint began here and listed it already. */
		if (!has_pid(pids, n, h->tgid))
			pids[n++] = h->tgid;
		for (size_t j = 0; j < n; j++)
			if (k->pid_holds(ag->consent.ops_ctx, pids[j], h->major, h->minor))
				act_on_holder(ag, w, pids[j], h, now_real_ns);
	}
}

/* The window is done with: its record leaves the pinned map for the agent's short memory. */
static void retire(struct bf_agent *ag, size_t i)
{
	struct bf_consent_state *cs = &ag->consent;

	kern(ag)->info_del(cs->ops_ctx, cs->win[i].id);
	cs->hist[cs->hist_next++ % BF_WINDOW_HISTORY] = cs->win[i];
	memmove(&cs->win[i], &cs->win[i + 1], (cs->n_win - i - 1) * sizeof(cs->win[0]));
	cs->n_win--;
}

void agent_consent_tick(struct bf_agent *ag, struct agent_now now)
{
	struct bf_consent_state *cs = &ag->consent;
	uint64_t grace = (uint64_t)ag->policy.cur->policy->grace_ms * NS_PER_MS;

	for (size_t i = 0; i < cs->n_win; i++)
		if (cs->win[i].state == BF_WINDOW_OPEN && (uint64_t)now.boot_ns >= cs->win[i].end_boot_ns)
			agent_window_end(ag, &cs->win[i], BF_WEND_EXPIRED, NULL, now.real_ns);
	for (size_t i = 0; i < cs->n_win;) {
		if (cs->win[i].state == BF_WINDOW_ENDED &&
		    (uint64_t)now.real_ns >= cs->win[i].ended_ns + grace) {
			check_holders(ag, &cs->win[i], now.real_ns);
			retire(ag, i);
			continue;
		}
		i++;
	}
}

/* ---- consent in capture records ---- */

static bool camera_in(const struct bf_loaded *ld, uint64_t objs, const char *camera)
{
	int cam = policy_index(ld, false, camera);

	return cam >= 0 && (objs & (1ull << cam));
}

/* The window that last ended for this app and purpose on one of this device's cameras. */
static const struct bf_window_info *last_ended(const struct bf_consent_state *cs,
					       const struct bf_loaded *ld, const char *app,
					       const char *purpose, uint64_t objs)
{
	const struct bf_window_info *best = NULL;

	for (size_t i = 0; i < cs->n_win + BF_WINDOW_HISTORY; i++) {
		const struct bf_window_info *w = i < cs->n_win ? &cs->win[i] : &cs->hist[i - cs->n_win];

		if (w->id && w->state == BF_WINDOW_ENDED && strcmp(w->app, app) == 0 &&
		    strcmp(w->purpose, purpose) == 0 && camera_in(ld, objs, w->camera) && (!best || w->ended_ns > best->ended_ns))
			best = w;
	}
	return best;
}

static const struct bf_window_info *open_elsewhere(const struct bf_consent_state *cs, const char *app)
{
	for (size_t i = 0; i < cs->n_win; i++)
		if (cs->win[i].state == BF_WINDOW_OPEN && strcmp(cs->win[i].app, app) == 0)
			return &cs->win[i];
	return NULL;
}

/* Why a consent rule said no, in the words an inspector needs. */
static void why_denied(struct bf_consent_state *cs, const struct bf_loaded *ld,
		       const struct bf_event *e, const char *app, const char *purpose,
		       struct json_object *c)
{
	const struct bf_window_info *w = NULL, *other;
	char buf[160];
	const char *why = "no window";

	if ((e->flags & BF_EF_WIN_EXPIRED) && (w = window_any(cs, e->window)))
		why = "window expired";
	else if ((w = last_ended(cs, ld, app, purpose, e->objs)) && w->end_reason != BF_WEND_POLICY)
		why = w->end_reason == BF_WEND_EXPIRED ? "window expired" : end_reason(w->end_reason);
	else if ((other = open_elsewhere(cs, app))) {
		snprintf(buf, sizeof(buf), "camera not covered: window %u is open for camera %s",
			 other->id, other->camera);
		why = buf;
	}
	if (w)
		json_object_object_add(c, "last_window", consent_obj(cs, w));
	bf_json_add_str(c, "reason", why);
}

void agent_consent_on_capture(struct bf_agent *ag, const struct bf_loaded *ld,
			      const struct bf_event *e, struct json_object *rec)
{
	const struct bf_rule_ast *ra = NULL;
	struct bf_consent_state *cs = &ag->consent;
	const struct bf_window_info *w = window_any(cs, e->window);
	struct bf_window_info *live;
	struct json_object *c;

	/* Queued under a previous agent's tables, ld is unknown: the window still tells. */
	if (ld && e->rule < BF_MAX_RULES)
		ra = &ld->policy->rules[ld->tables.capture_ast[e->rule]];
	if (!(e->flags & BF_EF_NO_WINDOW) && w) {
		c = consent_obj(cs, w);
		live = agent_window_find(cs, e->window, false);
		if (live && (e->flags & BF_EF_ALLOW))
			add_holder(ag, live, e);
	} else {
		c = json_object_new_object();
		bf_json_add_str(c, "purpose", ra ? ra->purpose : w ? w->purpose : NULL);
		if (!(e->flags & BF_EF_NO_WINDOW))
			bf_json_add_u64(c, "window", e->window);	/* one we never knew */
		else if (ra)
			why_denied(cs, ld, e, ra->app >= 0 ? ld->policy->apps[ra->app].name : "",
				   ra->purpose, c);
		else if (w && (e->flags & BF_EF_WIN_EXPIRED)) {
			json_object_object_add(c, "last_window", consent_obj(cs, w));
			bf_json_add_str(c, "reason", "window expired");
		} else
			bf_json_add_str(c, "reason", "no window");
	}
	if (json_object_object_get_ex(c, "reason", NULL))
		bf_json_add_str(rec, "reason", json_object_get_string(json_object_object_get(c, "reason")));
	json_object_object_add(rec, "consent", c);
}
