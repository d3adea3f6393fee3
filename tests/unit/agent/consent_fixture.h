/* consent_fixture.h - what the consent-family agent tests add to agent_fixture.h: a fake kernel for windows, a test policy and ledger, control requests. */
#ifndef BF_CONSENT_FIXTURE_H
#define BF_CONSENT_FIXTURE_H

#include <stdint.h>

#include "agent.h"
#include "agent_consent.h"
#include "agent_ctl.h"
#include "agent_fixture.h"

#define CFX_S 1000000000LL
/* 2026-03-01T00:00:00Z, and a boot clock 1000 s in: the fixture's "now" */
#define CFX_REAL (1772323200LL * CFX_S)
#define CFX_BOOT (1000LL * CFX_S)

/* What the fake kernel side of windows saw, and will answer (struct agent_window_ops). */
struct cfx_windows {
	uint32_t next_id;               /* the last id handed out */
	unsigned info_puts, info_dels, set_puts;
	uint32_t last_del;
	uint32_t set_app;               /* the last set_put's app bit ... */
	bool set_present;               /* ... whether it wrote (not deleted) an entry ... */
	struct bf_window_set set;       /* ... and what it wrote */
	int set_err;                    /* set_put fails with this if non-zero */
	struct bf_window_info adopt[2]; /* info_all's answer */
	size_t n_adopt;
	uint32_t holder_pid;            /* pid_holds: true for this pid only */
	uint32_t killed;                /* the last pid kill was asked for */
	unsigned kills;
};

struct cfx {
	struct bff *b;
	struct bf_agent *ag;            /* &b->ag */
	struct cfx_windows w;
	char ledger[PATH_MAX];
};

/*
 * cfx_policy: a consent rule "entry" for recognizer on lobby (window 10s,
 * grace 2s; doorctl is the broker). cfx_ledger: g1 active, g2 revoked,
 * g3 expired, g4 pending at CFX_REAL; all for entry on lobby.
 */
extern const char cfx_policy[];
extern const char cfx_ledger[];
#define CFX_RULE "t.policy:9"           /* the consent rule, as windows name it */
#define CFX_BROKER_PID 4343             /* a fake process that is the broker doorctl */

/*
 * POLICY (its "@DIR@" made the fixture's directory) in force, LEDGER (NULL: no file) as the agent's ledger and the
 * fake windows in place, then agent_consent_start. Fails the test on error.
 */
struct cfx *cfx_new(const char *policy, const char *ledger);
void cfx_free(struct cfx *f);
/* cmocka setup and teardown with cfx_policy and cfx_ledger. */
int cfx_setup(void **state);
int cfx_teardown(void **state);

/* Replaces the ledger's text. */
void cfx_write_ledger(struct cfx *f, const char *text);
/* The fixture's clock AFTER_NS later. */
struct agent_now cfx_now(int64_t after_ns);

/* A request as the router hands it to a handler: from uid UID, pid 4242 (not a broker), at NOW. */
struct agent_ctl_req cfx_req(struct cfx *f, struct json_object *req, uint32_t uid,
			     struct agent_now now);
/* TEXT parsed as JSON; fails the test if it is not. */
struct json_object *cfx_json(const char *text);
/* REPLY's error code, or NULL when REPLY is ok. */
const char *cfx_error(struct json_object *reply);
/* Opens a window for g1 (recognizer, lobby) for FOR_MS at NOW; fails the test unless it opens. */
struct bf_window_info *cfx_open(struct cfx *f, uint32_t for_ms, struct agent_now now);

#endif /* BF_CONSENT_FIXTURE_H */
