/* cli_log.c - biofence log verify and keygen: check the audit log's chain and checkpoints; make the key that signs them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "defaults.h"
#include "cli_common.h"
#include "log.h"
#include "audit/logkey.h"
#include "audit/logreview.h"
#include "audit/logverify.h"
#include "util.h"

#define PROGRESS_MIN_NS 200000000LL

const struct cli_usage cli_log_help = {
	.lines = "       biofence log verify [--head SEQ:HASH] [--pub FILE] [--progress] [--log LOG | FILE...]\n"
		 "       biofence log keygen [--key FILE] [--force]\n",
	.then = &cli_logshow_help,
	.more = "  verify the audit log's hash chain; FILEs in chain order (oldest first); FILE.gz is\n"
		"  read through zlib; without FILEs: LOG's rotations LOG.N[.gz], highest N first, then\n"
		"  LOG (--log LOG, default the agent's log " BF_DEFAULT_LOG ")\n"
		"  --head SEQ:HASH  the head the agent reports: the log must end there; without it\n"
		"                   the agent's head file LOG.head (the last FILE's .head), when it\n"
		"                   exists, must be in the chain: an end cut off before it is found\n"
		"  --progress       show progress on stderr (also when stderr is a terminal)\n"
		"  --pub FILE       the host's public key (default " BF_DEFAULT_LOG_KEY ".pub if it exists):\n"
		"                   each checkpoint's signature is checked with it\n"
		"  keygen: make the host key that signs checkpoints (default " BF_DEFAULT_LOG_KEY "; its directory is\n"
		"          made 0700 when missing); an existing key is kept unless --force, which\n"
		"          moves the old pair aside to FILE.KEYID and FILE.KEYID.pub\n"
		"  show: records filtered into a table or JSON lines; stats: a summary\n"
		"        (biofence log show --help, biofence log stats --help)\n"
		"  exit 0 chain intact, 1 broken or unreadable, 2 usage error\n",
};

struct progress {
	bool tty;
	bool shown;
	int last_pct;
	long long last_ns;
};

/* Rate-limited here, not in the library: a full percent and 200 ms apart keep a tty readable. */
static void show_progress(void *ctx, const char *file, uint64_t done, uint64_t total)
{
	struct progress *p = ctx;
	int pct = total ? (int)(done * 100 / total) : 100;
	long long now = bf_now_ns(CLOCK_MONOTONIC);

	if (pct < p->last_pct + 1 || now - p->last_ns < PROGRESS_MIN_NS)
		return;
	p->last_pct = pct;
	p->last_ns = now;
	p->shown = true;
	fprintf(stderr, p->tty ? "\rverify: %d%% (%s)\033[K" : "verify: %d%% (%s)\n", pct, file);
}

/* "a b c" from the file names, cut to fit: for the summary line only. */
static void join_files(const char *const *files, size_t n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? " " : "", files[i]);
}

static void print_notes(const struct bf_lv_report *rep)
{
	if (rep->prechain)
		printf("note: records %llu..%llu predate the chain: not verifiable\n",
		       (unsigned long long)rep->prechain_first, (unsigned long long)rep->prechain_last);
	if (rep->continues)
		printf("note: the first record (seq %llu) links to a record not in the files given: "
		       "the chain before it is not verified\n", (unsigned long long)rep->first_seq);
	if (rep->checkpoints)
		printf("signed: %llu checkpoint%s verified; the chain up to seq %llu of %s is the host's\n",
		       (unsigned long long)rep->checkpoints, rep->checkpoints == 1 ? "" : "s",
		       (unsigned long long)rep->signed_seq, rep->signed_file);
	else if (rep->unchecked)
		printf("NOT CHECKED: %llu signed checkpoint%s, but no public key was given (--pub)\n",
		       (unsigned long long)rep->unchecked, rep->unchecked == 1 ? "" : "s");
	else
		printf("NOT SIGNED: no checkpoint in these files: the chain shows changes, "
		       "not who wrote it\n");
}

/* What vouches for the end of the log: records cut off there break no link. */
static void print_end(const struct bf_lv_report *rep, const struct bf_lv_head *head,
		      const char *head_path)
{
	if (head && !head->within)
		return;	/* --head: the log ends exactly there, or it was a break */
	if (head && !rep->after_head)
		printf("end: the log ends at the head the agent wrote to %s (seq %llu)\n", head_path,
		       (unsigned long long)head->seq);
	else if (head && rep->ends_with_stop)
		printf("end: the log ends with the agent's stop record; the head in %s (seq %llu) is "
		       "in the chain before it\n", head_path, (unsigned long long)head->seq);
	else if (head)
		printf("note: the end is vouched for up to the head in %s (seq %llu%s%s) only: the "
		       "%llu record%s after it could have been cut off unseen (the agent rewrites the "
		       "head every 1000 records, at checkpoints, rotation and stop; --head SEQ:HASH "
		       "from biofence status checks the live end)\n", head_path,
		       (unsigned long long)head->seq, rep->head_file ? " of " : "",
		       rep->head_file ? rep->head_file : "", (unsigned long long)rep->after_head,
		       rep->after_head == 1 ? "" : "s");
	else if (rep->ends_with_stop)
		printf("end: the log ends with the agent's stop record (no head file %s)\n", head_path);
	else
		printf("note: the end cannot be vouched for: no head file %s and no agent stop record "
		       "at the end, so records cut off at the end would not show (--head SEQ:HASH from "
		       "biofence status checks the live end)\n", head_path);
}

static int report(const char *const *files, size_t n, const struct bf_lv_report *rep,
		  const struct bf_lv_head *head, const char *head_path)
{
	char names[1024];

	join_files(files, n, names, sizeof(names));
	if (rep->kind == BF_LV_EMPTY) {
		printf("%s: %s: %s\n", names, bf_lv_kind_words(rep->kind), rep->detail);
		return 1;
	}
	if (rep->kind == BF_LV_INTACT) {
		printf("%s: %llu record%s, chain intact (seq %llu..%llu)\n", names,
		       (unsigned long long)rep->records, rep->records == 1 ? "" : "s",
		       (unsigned long long)rep->first_seq, (unsigned long long)rep->last_seq);
		print_notes(rep);
		print_end(rep, head, head_path);
		return 0;
	}
	if (rep->line && rep->seq)
		printf("%s:%llu: seq %llu: ", rep->file, (unsigned long long)rep->line,
		       (unsigned long long)rep->seq);
	else if (rep->line)
		printf("%s:%llu: ", rep->file, (unsigned long long)rep->line);
	else
		printf("%s: ", rep->file);
	printf("%s: %s\n", bf_lv_kind_words(rep->kind), rep->detail);
	if (rep->records)
		printf("before it: %llu record%s intact (seq %llu..%llu)\n",
		       (unsigned long long)rep->records, rep->records == 1 ? "" : "s",
		       (unsigned long long)rep->first_seq, (unsigned long long)rep->last_seq);
	return 1;
}

static int run_verify(const char *const *files, size_t n, const struct bf_lv_head *head,
		      const char *head_path, const struct bf_logkey *pub, bool progress)
{
	struct progress p = { .tty = isatty(STDERR_FILENO), .last_pct = -1 };
	struct bf_lv_report rep;
	int r;

	r = bf_logverify_signed(files, n, head, pub, progress || p.tty ? show_progress : NULL, &p, &rep);
	if (p.shown && p.tty)
		fprintf(stderr, "\r\033[K");
	if (r == -EFBIG) {
		log_warnx_in("log verify", "%s:%llu: a line longer than %u bytes: not a log record",
			     rep.file, (unsigned long long)rep.line, BF_LV_LINE_MAX);
		return 1;
	}
	if (r) {
		log_errno_in("log verify", r, "%s", rep.file ? rep.file : "?");
		return 1;
	}
	return report(files, n, &rep, head, head_path);
}

int cli_log_keygen(int argc, char **argv)
{
	const char *key = NULL, *rest[1];
	bool force = false;
	const struct cli_opt opts[] = { { "key", &key, NULL }, { "force", NULL, &force } };
	char id[BF_LOGKEY_ID_LEN], old_id[BF_LOGKEY_ID_LEN] = "";
	size_t n;
	int r = cli_parse_opts("log keygen", argc, argv, opts, 2, rest, 1, &n);

	if (r || n)
		return cli_parse_exit(&cli_log_help, r);
	key = key ? key : BF_DEFAULT_LOG_KEY;
	r = bf_logkey_generate(key, id);
	if (r == -EEXIST && force) {
		r = bf_logkey_retire(key, old_id);
		if (r) {
			log_warnx_in("log keygen", "%s: the key cannot be moved aside: %s", key,
				     r == -EINVAL ? "not an Ed25519 key in PEM" : strerror(-r));
			return 1;
		}
		r = bf_logkey_generate(key, id);
	}
	if (r) {
		log_warnx_in("log keygen", "%s: %s", key, r == -EEXIST ?
			     "a key is already there and is kept (checkpoints it signed stay verifiable "
			     "with it); --force moves it aside and makes a new one" : strerror(-r));
		return 1;
	}
	if (old_id[0])
		printf("old key %s moved aside: %s.%s, %s.%s.pub (keep the .pub: it verifies the "
		       "checkpoints it signed)\n", old_id, key, old_id, key, old_id);
	printf("key %s: private %s (0600, for the agent), public %s.pub (for inspectors)\n", id, key, key);
	return 0;
}

/* --head, or the agent's head file beside the log: 0, or an exit code after saying why. */
static int pick_head(const char *head_arg, const char *head_path, struct bf_lv_head *head,
		     bool *have)
{
	int err;

	*have = false;
	if (head_arg) {
		if (bf_lv_parse_head(head_arg, head)) {
			log_warnx_in("log verify", "--head \"%s\" is not SEQ:HASH (HASH: 64 lower-case hex)",
				     head_arg);
			return 2;
		}
		*have = true;
		return 0;
	}
	err = bf_lv_read_head_file(head_path, head);
	if (err == -ENOENT)
		return 0;
	if (err) {
		log_warnx_in("log verify", "head file %s: %s", head_path,
			     err == -EINVAL ? "not \"SEQ HASH\" as the agent writes it" : strerror(-err));
		return 1;
	}
	*have = true;
	return 0;
}

int cli_log_verify(int argc, char **argv)
{
	const char *head_arg = NULL, *pub_arg = NULL, *log = NULL, **pos;
	const char *const *files = NULL;
	bool progress = false, have_head = false;
	const struct cli_opt opts[] = { { "head", &head_arg, NULL }, { "progress", NULL, &progress },
					{ "pub", &pub_arg, NULL }, { "log", &log, NULL } };
	struct bf_logkey *pub = NULL;
	struct bf_lv_head head = { 0 };
	char **owned = NULL, *head_path = NULL;
	size_t n = 0, n_pos = 0;
	int r = 1;

	pos = calloc((size_t)argc, sizeof(*pos));
	if (!pos) {
		r = cli_oom("log verify");
		goto out;
	}
	r = cli_parse_opts("log verify", argc, argv, opts, CLI_N(opts), pos, (size_t)argc, &n_pos);
	r = cli_log_input("log verify", &cli_log_help, r, log, pos, n_pos, &files, &n, &owned);
	if (r != CLI_GO_ON)
		goto out;
	/* the head beside the newest file: LOG.head, as the agent writes it */
	if (asprintf(&head_path, "%s.head", n_pos ? files[n - 1] : log ? log : BF_DEFAULT_LOG) < 0) {
		head_path = NULL;
		r = cli_oom("log verify");
		goto out;
	}
	r = pick_head(head_arg, head_path, &head, &have_head);
	if (r)
		r = r == 2 ? cli_usage_error(&cli_log_help) : r;
	else if (cli_load_pub("log verify", pub_arg, &pub))
		r = 1;
	else {
		cli_confine_reader("log verify");
		r = run_verify(files, n, have_head ? &head : NULL, head_path, pub, progress);
	}
out:
	bf_logkey_free(pub);
	free(head_path);
	cli_log_files_free(owned, n);
	free(pos);
	return r;
}
