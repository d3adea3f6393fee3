/* codec.h - a checked policy and its diagnostics as bytes, and back: what the unprivileged parser hands the agent. */
#ifndef BF_POLICY_CODEC_H
#define BF_POLICY_CODEC_H

#include "policy/policy.h"
#include "wire.h"

/*
 * The encoder writes every field of P; the decoder rebuilds it and
 * checks what the agent's code relies on to stay in bounds: every index
 * (a rule's app and object, a store's app, a broker, a position's file)
 * points at an entry that exists, every string fits its field and has no
 * NUL in it, every enum is one of its values, no count exceeds what is
 * left. It does not judge the policy again: that was the parser's work.
 * Decode returns 0, -EBADMSG (malformed) or -ENOMEM.
 */
void bf_policy_encode(struct bf_wbuf *w, const struct bf_policy *p);
int bf_policy_decode(struct bf_rbuf *r, struct bf_policy **out);

void bf_diags_encode(struct bf_wbuf *w, const struct bf_diags *d);
/* Appends to D (which may hold diagnostics already). */
int bf_diags_decode(struct bf_rbuf *r, struct bf_diags *d);

#endif /* BF_POLICY_CODEC_H */
