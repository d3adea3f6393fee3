/* agent_ledger.c - the agent's copy of the consent ledger: reread on change, grants re-checked, windows adopted at start. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "agent.h"
#include "agent_consent.h"
#include "agent_ledger.h"
#include "agent_sink.h"
#include "log.h"
#include "util.h"

#define DIAGS_IN_RECORD 20

const char *agent_ledger_path(const struct bf_agent *ag)
{
	return ag->opt.consent ? ag->opt.consent : BF_CONSENT_DEFAULT_PATH;
}

static bool same_file(const struct bf_consent_state *cs, const struct stat *st)
{
	return cs->loaded_once && cs->seen.dev == st->st_dev && cs->seen.ino == st->st_ino &&
	       cs->seen.size == st->st_size &&
	       cs->seen.mtime == bf_ts_ns(st->st_mtim) &&
	       cs->seen.ctime == bf_ts_ns(st->st_ctim);
}

/* Each open window must still stand on a usable grant; a withdrawal ends it at once. */
static void recheck_grants(struct bf_agent *ag, int64_t now)
{
	struct bf_consent_state *cs = &ag->consent;

	for (size_t i = 0; i < cs->n_win; i++) {
		struct bf_window_info *w = &cs->win[i];
		int rc;

		if (w->state != BF_WINDOW_OPEN)
			continue;
		if (cs->ledger_err && cs->ledger_err != -ENOENT) {
			agent_window_end(ag, w, BF_WEND_LEDGER, NULL, now);
			continue;
		}
		rc = bf_consent_check(&cs->ledger, w->consent, w->purpose, w->camera, now, NULL);
		if (rc)
			agent_window_end(ag, w, rc == -EKEYREVOKED ? BF_WEND_REVOKED : BF_WEND_GRANT_ENDED,
					 NULL, now);
	}
}

/* A state change of the ledger is logged once, not on every look. */
static void log_ledger_state(struct bf_agent *ag, const struct bf_diags *d, int was, int64_t now)
{
	struct bf_consent_state *cs = &ag->consent;
	struct json_object *rec, *arr;

	if (cs->ledger_err == was && !(cs->ledger_err && cs->ledger_err != -ENOENT))
		return;
	rec = agent_consent_record(ag, cs->ledger_err == 0 ? "ledger-ok" :
				   cs->ledger_err == -ENOENT ? "ledger-missing" : "ledger-invalid",
				   NULL, now);
	bf_json_add_str(rec, "ledger", agent_ledger_path(ag));
	bf_json_add_u64(rec, "grants", cs->ledger.n_grants);
	if (cs->ledger_err && cs->ledger_err != -ENOENT) {
		arr = json_object_new_array();
		for (size_t i = 0; d && i < d->n && i < DIAGS_IN_RECORD; i++)
			json_object_array_add(arr, bf_json_str(d->msgs[i]));
		if (!d || !d->n)
			json_object_array_add(arr, bf_json_str(cs->ledger_why));
		json_object_object_add(rec, "diagnostics", arr);
		bf_json_add_str(rec, "effect", "no capture window can open until the ledger is repaired");
	}
	agent_emit(ag, rec);
}

static void ledger_unusable(struct bf_agent *ag, int err, const struct bf_diags *d)
{
	struct bf_consent_state *cs = &ag->consent;

	cs->ledger_err = err;
	if (d && d->n)
		snprintf(cs->ledger_why, sizeof(cs->ledger_why), "%s", d->msgs[0]);
	else
		snprintf(cs->ledger_why, sizeof(cs->ledger_why), "%s: %s", agent_ledger_path(ag),
			 strerror(-err));
	log_warnx("consent ledger %s is unusable, no capture window can open: %s", agent_ledger_path(ag),
		  cs->ledger_why);
	for (size_t i = 1; d && i < d->n; i++)
		log_warnx("%s", d->msgs[i]);
}

/*
 * A last line cut short (an append that a power cut stopped before its
 * fsync, so never acknowledged) is no record: consent goes on with every
 * whole record, the cut is logged once, and the next append removes it.
 */
static void log_torn(struct bf_agent *ag, int64_t now)
{
	const struct bf_ledger *l = &ag->consent.ledger;
	struct json_object *rec;

	if (!l->torn_bytes)
		return;
	log_warnx("consent ledger %s:%u: a record cut short (%zu bytes, no newline) is ignored; the "
		  "next append removes it", agent_ledger_path(ag), l->torn_line, l->torn_bytes);
	rec = agent_consent_record(ag, "ledger-torn", NULL, now);
	bf_json_add_str(rec, "ledger", agent_ledger_path(ag));
	bf_json_add_u64(rec, "line", l->torn_line);
	bf_json_add_u64(rec, "bytes", l->torn_bytes);
	bf_json_add_u64(rec, "grants", l->n_grants);
	bf_json_add_str(rec, "effect", "the cut record is ignored (never acknowledged); every whole "
				       "record stands; the next append removes the cut");
	agent_emit(ag, rec);
}

/* Whoever can write the ledger can forge consent: only root may. */
static int check_owner(struct bf_agent *ag, const struct stat *st, struct bf_ledger *fresh,
		       struct bf_diags *diags)
{
	char msg[PATH_MAX + 128];

	if (st->st_uid == 0 && !(st->st_mode & 022))
		return 0;
	snprintf(msg, sizeof(msg), "%s: %s", agent_ledger_path(ag), st->st_uid != 0 ?
		 "not owned by root: its owner could forge consent" :
		 "group- or world-writable: anyone could forge consent");
	bf_ledger_free(fresh);
	bf_diags_free(diags);
	diags->msgs = calloc(1, sizeof(char *));
	if (diags->msgs && (diags->msgs[0] = strdup(msg)))
		diags->n = diags->n_errors = 1;
	return -EPERM;
}

void agent_consent_refresh_ledger(struct bf_agent *ag, bool force, int64_t now_real_ns)
{
	struct bf_consent_state *cs = &ag->consent;
	struct bf_diags diags = {};
	struct bf_ledger fresh = {};
	int was = cs->ledger_err, err;
	struct stat st;

	if (stat(agent_ledger_path(ag), &st) < 0) {
		err = -errno;
		if (!force && cs->loaded_once && err == cs->ledger_err)
			goto recheck;
		bf_ledger_free(&cs->ledger);
		cs->loaded_once = true;
		cs->seen.ino = 0;
		cs->ledger_err = err;
		if (err == -ENOENT)
			log_info("no consent ledger at %s: no grants yet", agent_ledger_path(ag));
		else
			ledger_unusable(ag, err, NULL);
		log_ledger_state(ag, NULL, was, now_real_ns);
		goto recheck;
	}
	if (!force && same_file(cs, &st))
		goto recheck;
	err = bf_ledger_load(agent_ledger_path(ag), &fresh, &diags);
	if (!err)
		err = check_owner(ag, &st, &fresh, &diags);
	bf_ledger_free(&cs->ledger);
	cs->loaded_once = true;
	cs->seen.dev = st.st_dev;
	cs->seen.ino = st.st_ino;
	cs->seen.size = st.st_size;
	cs->seen.mtime = bf_ts_ns(st.st_mtim);
	cs->seen.ctime = bf_ts_ns(st.st_ctim);
	if (err) {
		ledger_unusable(ag, err == -ENOENT ? -EIO : err, &diags);
	} else {
		cs->ledger = fresh;
		cs->ledger_err = 0;
		log_info("consent ledger %s: %zu grants, %zu revoked", agent_ledger_path(ag),
			 cs->ledger.n_grants, cs->ledger.n_revokes);
		log_torn(ag, now_real_ns);
	}
	log_ledger_state(ag, &diags, was, now_real_ns);
	bf_diags_free(&diags);
recheck:
	recheck_grants(ag, now_real_ns);
}

#define LEDGER_CHECK_NS 1000000000ll	/* how often the ledger file is looked at */

/*
 * The main loop's turn for the ledger, before the windows' (agent_consent_tick):
 * a revoked grant closes its windows here first. Called from the loop, not
 * from the consent module, so that ledger and consent do not call each other.
 */
void agent_ledger_tick(struct bf_agent *ag, struct agent_now now)
{
	if (now.boot_ns < ag->consent.next_ledger_check_ns)
		return;
	ag->consent.next_ledger_check_ns = now.boot_ns + LEDGER_CHECK_NS;
	agent_consent_refresh_ledger(ag, false, now.real_ns);
}

/* Windows outlive the agent in the kernel; their records in the pinned map tell us whose they are. */
int agent_consent_start(struct bf_agent *ag)
{
	struct bf_consent_state *cs = &ag->consent;
	const struct agent_window_ops *k = agent_window_kernel(cs, &ag->ld);
	int64_t now = bf_now_ns(CLOCK_REALTIME);
	struct bf_window_info *all;
	size_t n;
	int err;

	cs->win = calloc(BF_MAX_WINDOWS, sizeof(*cs->win));
	if (!cs->win)
		return -ENOMEM;
	agent_consent_refresh_ledger(ag, true, now);
	err = k->info_all(cs->ops_ctx, &all, &n);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++) {
		struct json_object *rec;

		cs->win[cs->n_win++] = all[i];
		rec = agent_consent_record(ag, "window-adopt", &all[i], now);
		bf_json_add_str(rec, "state", all[i].state == BF_WINDOW_OPEN ? "open" : "ended");
		agent_emit(ag, rec);
		log_info("adopted window %u (%s on %s, consent %s) from the previous agent", all[i].id,
			 all[i].app, all[i].camera, all[i].consent);
	}
	free(all);
	return 0;
}

void agent_consent_stop(struct bf_agent *ag)
{
	bf_ledger_free(&ag->consent.ledger);
	free(ag->consent.win);
	ag->consent.win = NULL;
	ag->consent.n_win = 0;
}

struct json_object *agent_consent_status(const struct bf_consent_state *cs, const char *ledger_path,
					 uint32_t grace_ms)
{
	struct json_object *o = json_object_new_object(), *ids = json_object_new_array();
	size_t open = 0;

	bf_json_add_str(o, "ledger", ledger_path);
	bf_json_add_str(o, "ledger_state", cs->ledger_err == 0 ? "ok" :
					   cs->ledger_err == -ENOENT ? "missing (no grants yet)" : "UNUSABLE");
	if (cs->ledger_err && cs->ledger_err != -ENOENT)
		bf_json_add_str(o, "ledger_error", cs->ledger_why);
	bf_json_add_u64(o, "grants", cs->ledger.n_grants);
	for (size_t i = 0; i < cs->n_win; i++) {
		if (cs->win[i].state != BF_WINDOW_OPEN)
			continue;
		open++;
		json_object_array_add(ids, json_object_new_int64(cs->win[i].id));
	}
	bf_json_add_u64(o, "windows_open", open);
	json_object_object_add(o, "windows", ids);
	bf_json_add_u64(o, "grace_ms", grace_ms);
	return o;
}
