/* agent_unpriv.h - privilege separation: policy files are parsed, and policy host names resolved, by unprivileged processes the agent forks at start. */
#ifndef BF_AGENT_UNPRIV_H
#define BF_AGENT_UNPRIV_H

#include <json-c/json.h>

#include "agent.h"

/*
 * Each helper is a zygote forked before the agent confines itself: it
 * gives up every capability, sees every mount read-only and loads its
 * own seccomp filter (the parser's has no socket at all), then forks a
 * worker per request. A worker that crashes, hangs past its time limit
 * or sends garbage costs that request only: the agent gets a failure it
 * can log, the zygote stays for the next one. What comes back is decoded
 * with every index and length checked (policy/codec.h), so a bug in the
 * parser or the resolver cannot reach the kernel or the agent's memory.
 */

/* Forks both zygotes (confined unless --no-confine) before any thread starts. 0 or -errno. */
int agent_unpriv_start(struct bf_agent *ag);
/* Closes the socketpairs (the zygotes exit on EOF) and reaps them. */
void agent_unpriv_stop(struct bf_agent *ag);

/*
 * bf_policy_parse (PATH NULL: the embedded default policy) in a parser
 * worker. Diagnostics are added to DIAGS; a worker that failed adds one
 * naming how ("killed by signal 11 (Segmentation fault)") and gives -EIO.
 */
int agent_unpriv_parse(struct bf_unpriv *u, const char *path, unsigned flags, struct bf_policy **out,
		       struct bf_diags *diags);

/* bf_dns_lookup in a resolver worker; a worker that failed gives -EIO and says why in A. */
int agent_unpriv_lookup(struct bf_unpriv *u, const char *name, struct bf_dns_answer *a);

/*
 * A control request line (a client's bytes) parsed by bf_ctl_parse_request
 * in a parser worker; the agent rebuilds the JSON value from typed items
 * (wire.h), never from text. NULL with *ERR the reply for the client.
 */
struct json_object *agent_unpriv_ctl(struct bf_unpriv *u, const char *line, size_t n, struct json_object **err);

/*
 * A worker that does FAULT ("segv", "hang", "write" a file, "exec",
 * "garbage" for a reply, "ok", or opens a "unix" or "inet" socket): -EIO
 * and how it ended in WHY, or 0 and its reply in WHY ("ok", the socket's
 * fate, or the name of a fault the confinement did not stop). The zygote
 * must outlive each; tests/unit/agent/test_agent_unpriv.c makes it prove so.
 */
int agent_unpriv_fault(struct bf_unpriv *u, const char *fault, char *why, size_t len);

/* For status and the start record: each helper's pid, confinement and failures. */
struct json_object *agent_unpriv_json(const struct bf_agent *ag);

#endif /* BF_AGENT_UNPRIV_H */
