/* cli_log.c - biofence log verify and keygen: check the audit log's chain and checkpoints; make the key that signs them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_common.h"
#include "logkey.h"
#include "logreview.h"
#include "logverify.h"
#include "util.h"

#define PROGRESS_MIN_NS 200000000LL

void cli_log_usage(FILE *out)
{
	fprintf(out, "       biofence log verify [--head SEQ:HASH] [--pub FILE] [--progress] FILE...\n"
		     "       biofence log keygen [--key FILE]\n");
	cli_logshow_usage(out);
}

static int usage_error(void)
{
	fprintf(stderr, "usage:\n");
	cli_log_usage(stderr);
	return 2;
}

static int help(void)
{
	printf("usage:\n");
	cli_log_usage(stdout);
	printf("  verify the audit log's hash chain; FILEs in chain order (oldest first)\n"
	       "  --head SEQ:HASH  the head the agent reports: the log must end there\n"
	       "  --progress       show progress on stderr (also when stderr is a terminal)\n"
	       "  --pub FILE       the host's public key (default %s.pub if it exists):\n"
	       "                   each checkpoint's signature is checked with it\n"
	       "  keygen: make the host key that signs checkpoints (never replaces one)\n"
	       "  show: records filtered into a table or JSON lines; stats: a summary\n"
	       "        (biofence log show --help, biofence log stats --help)\n"
	       "  exit 0 chain intact, 1 broken or unreadable, 2 usage error\n", BF_DEFAULT_LOG_KEY);
	return 0;
}

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

static int report(const char *const *files, size_t n, const struct bf_lv_report *rep)
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
		      const struct bf_logkey *pub, bool progress)
{
	struct progress p = { .tty = isatty(STDERR_FILENO), .last_pct = -1 };
	struct bf_lv_report rep;
	int r;

	r = bf_logverify_signed(files, n, head, pub, progress || p.tty ? show_progress : NULL, &p, &rep);
	if (p.shown && p.tty)
		fprintf(stderr, "\r\033[K");
	if (r == -EFBIG) {
		fprintf(stderr, "biofence log verify: %s:%llu: a line longer than %u bytes: not a log record\n",
			rep.file, (unsigned long long)rep.line, BF_LV_LINE_MAX);
		return 1;
	}
	if (r) {
		fprintf(stderr, "biofence log verify: %s: %s\n", rep.file ? rep.file : "?", strerror(-r));
		return 1;
	}
	return report(files, n, &rep);
}

/* --pub FILE, or the host's own public key when it is there. */
static int load_pub(const char *arg, struct bf_logkey **pub)
{
	const char *path = arg ? arg : BF_DEFAULT_LOG_KEY ".pub";
	int err = bf_logkey_load(path, true, pub);

	if (err && (arg || err != -ENOENT)) {
		fprintf(stderr, "biofence log verify: public key %s: %s\n", path,
			err == -EINVAL ? "not an Ed25519 public key in PEM" : strerror(-err));
		return err;
	}
	return 0;
}

static int log_keygen(int argc, char **argv)
{
	const char *key = NULL, *rest[1];
	const struct cli_opt opts[] = { { "key", &key, NULL } };
	char id[BF_LOGKEY_ID_LEN];
	size_t n;
	int r = cli_parse_opts("log keygen", argc, argv, opts, 1, rest, 1, &n);

	if (r || n)
		return r > 0 ? help() : usage_error();
	key = key ? key : BF_DEFAULT_LOG_KEY;
	r = bf_logkey_generate(key, id);
	if (r) {
		fprintf(stderr, "biofence log keygen: %s: %s\n", key, r == -EEXIST ?
			"a key is already there; it is never replaced (old checkpoints must stay verifiable)" :
			strerror(-r));
		return 1;
	}
	printf("key %s: private %s (0600, for the agent), public %s.pub (for inspectors)\n", id, key, key);
	return 0;
}

static int log_verify(int argc, char **argv)
{
	const char *head_arg = NULL, *pub_arg = NULL, **files;
	bool progress = false;
	const struct cli_opt opts[] = { { "head", &head_arg, NULL }, { "progress", NULL, &progress },
					{ "pub", &pub_arg, NULL } };
	struct bf_logkey *pub = NULL;
	struct bf_lv_head head;
	size_t n;
	int r;

	files = calloc((size_t)argc, sizeof(*files));
	if (!files) {
		fprintf(stderr, "biofence log verify: %s\n", strerror(ENOMEM));
		return 1;
	}
	r = cli_parse_opts("log verify", argc, argv, opts, sizeof(opts) / sizeof(opts[0]), files,
			   (size_t)argc, &n);
	if (r == 0 && n == 0)
		fprintf(stderr, "biofence log verify: which files? (the log, oldest file first)\n");
	if (r == 0 && head_arg && bf_lv_parse_head(head_arg, &head)) {
		fprintf(stderr, "biofence log verify: --head \"%s\" is not SEQ:HASH (HASH: 64 lower-case hex)\n",
			head_arg);
		r = -EINVAL;
	}
	if (r == 0 && n && load_pub(pub_arg, &pub))
		r = -EINVAL;
	if (r == 0 && n)
		r = run_verify(files, n, head_arg ? &head : NULL, pub, progress);
	else
		r = r > 0 ? help() : r == -EINVAL && pub_arg ? 1 : usage_error();
	bf_logkey_free(pub);
	free(files);
	return r;
}

int cli_log(int argc, char **argv)
{
	static const struct cli_verb verbs[] = {
		{ "verify", log_verify },
		{ "keygen", log_keygen },
		{ "show", cli_log_show },
		{ "stats", cli_log_stats },
	};

	return cli_dispatch("log", verbs, sizeof(verbs) / sizeof(verbs[0]), argc, argv, help,
			    usage_error);
}
