/* consent.h - the consent ledger: an append-only JSON-lines file of grants and revokes, and the checks made against it. */
#ifndef BF_CONSENT_H
#define BF_CONSENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"	/* struct bf_diags, BF_NAME_MAX */

#define BF_CONSENT_DEFAULT_PATH "/var/lib/biofence/consent.jsonl"

/* id, subject, notice, guardian: 1..127 chars of [A-Za-z0-9._:-], plus the NUL. */
#define BF_CONSENT_TOKEN_MAX 128

/* More is not a camera list from a policy: refused before it costs quadratic checks. */
#define BF_CONSENT_MAX_CAMERAS 256

/* A longer line (newline excluded) is not one of ours: refused, not truncated. */
#define BF_LEDGER_MAX_LINE (64 * 1024)

/* Whole-file bound, so a corrupt or hostile file cannot make load eat memory. */
#define BF_LEDGER_MAX_SIZE (256L * 1024 * 1024)

/*
 * One grant as read from the ledger, with the revoke that ended it (if
 * any) folded in. A grant is valid for now_ns in [granted_ns, expires_ns).
 */
struct bf_consent_grant {
	char id[BF_CONSENT_TOKEN_MAX];
	char subject[BF_CONSENT_TOKEN_MAX];	/* a pseudonym */
	char purpose[BF_NAME_MAX];		/* a policy name, never "any" */
	char **cameras;				/* policy camera names; empty when any_camera */
	size_t n_cameras;
	bool any_camera;			/* "cameras": ["any"] */
	int64_t granted_ns;			/* CLOCK_REALTIME ns */
	int64_t expires_ns;
	char notice[BF_CONSENT_TOKEN_MAX];	/* version of the notice the person saw */
	char guardian[BF_CONSENT_TOKEN_MAX];	/* "" or the id of an earlier grant */
	bool revoked;
	int64_t revoked_ns;			/* the revoke record's "time" */
	unsigned line;				/* line of the grant record */
	unsigned revoke_line;			/* line of the revoke record, 0 if none */
};

struct bf_ledger {
	struct bf_consent_grant *grants;	/* in file order */
	size_t n_grants;
	size_t n_revokes;
	unsigned n_lines;			/* records in the file */
	/*
	 * A last line with no newline: an append cut short (a power cut
	 * between its write and its fsync), never acknowledged. It is not a
	 * record; the ledger loads without it, the caller logs it, and the
	 * next append cuts it off before writing. torn_bytes 0: none.
	 */
	size_t torn_at, torn_bytes;
	unsigned torn_line;
	/* private: open-addressing index from id to grants[i - 1] */
	uint32_t *index;
	size_t index_cap;
};

/*
 * Reads and checks the whole ledger (under a shared flock, so a
 * concurrent bf_ledger_append_* is seen whole or not at all). Every
 * problem found in the one pass is added to diags (may be NULL) as
 * "FILE:LINE: reason", or "FILE: reason" for the file itself. Returns 0
 * and fills *out only if there were none; else *out is left empty and the
 * return is -EINVAL for bad records, -EFBIG for a file over
 * BF_LEDGER_MAX_SIZE, or -errno when the file cannot be read (-ENOENT for
 * a missing file: the caller decides whether that means "no consent yet").
 */
int bf_ledger_load(const char *path, struct bf_ledger *out, struct bf_diags *diags);

/* The same checks on text in memory; name is used in diagnostics. */
int bf_ledger_parse(const char *name, const char *text, size_t len, struct bf_ledger *out,
		    struct bf_diags *diags);

void bf_ledger_free(struct bf_ledger *l);

/*
 * Append one record. Creates the ledger (0600) and missing directories
 * (0700). Under an exclusive flock it loads the ledger, checks the new
 * line with the loader's own code against it, then writes it with one
 * O_APPEND write and fsyncs. A refused record leaves the file
 * byte-identical. Returns 0, or: -EINVAL for a malformed record or an
 * invalid existing ledger, -EEXIST for a duplicate grant id, -ENOENT for
 * a guardian or revoked id not in the ledger, -EALREADY for a grant
 * already revoked, -E2BIG for a line over BF_LEDGER_MAX_LINE, or another
 * -errno from the file system. Reasons are added to diags (may be NULL).
 * In g, revoked, revoked_ns, line and revoke_line are ignored.
 */
int bf_ledger_append_grant(const char *path, const struct bf_consent_grant *g,
			   struct bf_diags *diags);
int bf_ledger_append_revoke(const char *path, const char *id, int64_t time_ns,
			    struct bf_diags *diags);

const struct bf_consent_grant *bf_ledger_find(const struct bf_ledger *l, const char *id);

/*
 * 0 when grant id may be used now for purpose on camera, else (checked in
 * this order): -ENOENT unknown id, -EKEYREVOKED revoked, -EKEYREJECTED not
 * yet in force (now < granted), -EKEYEXPIRED expired (now >= expires),
 * -EACCES purpose not covered, -EPERM camera not covered. A grant with a
 * guardian then needs the guardian's grant to pass the same check; its
 * failure returns the guardian's errno with a "guardian's ..." reason.
 * *why (may be NULL) gets a fixed, static, human-readable reason ("ok"
 * on success).
 */
int bf_consent_check(const struct bf_ledger *l, const char *id, const char *purpose,
		     const char *camera, int64_t now_ns, const char **why);

/* An id, subject, notice or guardian: 1..127 chars of [A-Za-z0-9._:-]. */
bool bf_consent_token_ok(const char *s);
/* A policy name ([a-z0-9][a-z0-9_.-]*, at most 63 chars), as purposes and cameras are. */
bool bf_consent_name_ok(const char *s);


#endif /* BF_CONSENT_H */
