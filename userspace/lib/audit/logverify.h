/* logverify.h - checks the audit log's hash chain (docs/audit-chain.md) over files in chain order and names the first break. */
#ifndef BF_LOGVERIFY_H
#define BF_LOGVERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The longest line read (without its newline): a longer one is -EFBIG, never a record. */
#define BF_LV_LINE_MAX (1u << 20)

/* What a break shows, one per row of docs/audit-chain.md's table. */
enum bf_lv_kind {
	BF_LV_INTACT = 0,
	BF_LV_EDITED,		/* the record's bytes do not give its hash, or it is not a record */
	BF_LV_DELETED,		/* prev does not link and seq jumps forward */
	BF_LV_REORDERED,	/* prev does not link and seq repeats or is out of step */
	BF_LV_TRUNCATED,	/* the file's last line has no newline or is not a whole record */
	BF_LV_MISSING,		/* a file's first prev is not the last hash of the file before */
	BF_LV_END_TRUNCATED,	/* the log ends before the head the agent reports */
	BF_LV_HEAD_MISMATCH,	/* the log's last record is not the reported head */
	BF_LV_EMPTY,		/* no chained record at all: nothing could be verified */
	BF_LV_FORGED,		/* a checkpoint's signature does not verify with the host key */
};

/*
 * The chain's head as the agent reports it: the last record written
 * (biofence status; --head), where the log must end. With within (the
 * agent's <log>.head, rewritten only every 1000 records, at checkpoints,
 * at rotation and at stop) the record must be in the chain, and records
 * after it are allowed.
 */
struct bf_lv_head {
	uint64_t seq;
	char hash[65];
	bool within;
};

struct bf_lv_report {
	enum bf_lv_kind kind;
	const char *file;	/* where the break (or the -errno) is: one of the paths given */
	uint64_t line;		/* 1-based line in file; 0 when no line is to blame */
	uint64_t seq;		/* the blamed record's seq, 0 when it has none */
	char detail[320];	/* what exactly was seen, for the reader */
	/* What was verified (up to the break, when there is one). */
	uint64_t records;	/* chained records whose hash and link held */
	uint64_t first_seq, last_seq;
	uint64_t prechain;	/* records before the chain started, skipped */
	uint64_t prechain_first, prechain_last;
	bool continues;		/* the first chained record links to records not given */
	/* Signed checkpoints (docs/audit-chain.md): */
	uint64_t checkpoints;	/* whose signature verified */
	uint64_t unchecked;	/* not checked: no public key given */
	uint64_t signed_seq;	/* seq of the last verified checkpoint (covers the chain up to it) */
	const char *signed_file;
	/* The end of the log: */
	bool ends_with_stop;	/* the last record (checkpoints aside) is the agent's stop */
	uint64_t after_head;	/* a within head: chained records after the head's record */
	const char *head_file;	/* the file that holds the head's record (NULL: it precedes the files) */
};

/* done and total are bytes over all the files; called after every read. */
typedef void (*bf_lv_progress_fn)(void *ctx, const char *file, uint64_t done, uint64_t total);

/*
 * Verifies files[0..n) as one chain, in that order, streaming (memory does
 * not grow with the log). head may be NULL, progress too. Returns 0 with
 * rep->kind BF_LV_INTACT or the first break; -errno when a file cannot be
 * read (rep->file names it), -EFBIG for a line over BF_LV_LINE_MAX
 * (rep->file and rep->line name it), -ENOMEM.
 */
int bf_logverify(const char *const *files, size_t n, const struct bf_lv_head *head,
		 bf_lv_progress_fn progress, void *ctx, struct bf_lv_report *rep);

struct bf_logkey;
/* The same, also checking every checkpoint's signature with PUB (NULL: counted as unchecked). */
int bf_logverify_signed(const char *const *files, size_t n, const struct bf_lv_head *head,
			const struct bf_logkey *pub, bf_lv_progress_fn progress, void *ctx,
			struct bf_lv_report *rep);

/* The table's words for kind, e.g. "the record was edited". */
const char *bf_lv_kind_words(enum bf_lv_kind kind);

/*
 * The head file the agent keeps beside its log (<log>.head: "SEQ HASH\n"),
 * as a within head. 0, -errno (-ENOENT: none), -EINVAL when it is not
 * exactly that.
 */
int bf_lv_read_head_file(const char *path, struct bf_lv_head *head);

/* "SEQ:HASH" (decimal seq >= 1, 64 lower-case hex). 0 or -EINVAL. */
int bf_lv_parse_head(const char *s, struct bf_lv_head *head);

#endif /* BF_LOGVERIFY_H */
