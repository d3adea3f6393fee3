/* cli_report.c - biofence report --html: reads the audit log twice, verifies its chain, and writes the page atomically (docs/report.md). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "defaults.h"
#include "cli_common.h"
#include "confine.h"
#include "log.h"
#include "audit/logkey.h"
#include "audit/report.h"
#include "util.h"

const struct cli_usage cli_report_help = {
	.lines = "       biofence report --html OUT.html [--since TIME] [--until TIME] [--pub KEY.pub]\n"
		 "                       [--log LOG | FILE...]\n",
	.more = "  one self-contained HTML page for an inspector: verify result, captures and denials\n"
		"  per camera over time, exports, consent coverage, lost events and downtime, policies\n"
		"  FILEs oldest first (audit.jsonl.2 audit.jsonl.1 audit.jsonl); stdin is not accepted;\n"
		"  FILE.gz is read through zlib; without FILEs: LOG's rotations LOG.N[.gz], highest N\n"
		"  first, then LOG (--log LOG, default the agent's log " BF_DEFAULT_LOG ")\n"
		"  TIME: RFC 3339, now, or -N with s, m, h, d or w before now (-2h)\n"
		"  --pub FILE  the host's public key (default " BF_DEFAULT_LOG_KEY ".pub if it exists)\n"
		"  exit 0 written (whatever it shows), 1 a file unreadable or OUT not written, 2 usage\n",
};

struct pass {
	struct bf_report *rp;
	bool second;
};

static int pass_one(void *ctx, const char *line, size_t len, const struct bf_lr_rec *r)
{
	struct pass *p = ctx;

	if (p->second) {
		bf_report_bucket(p->rp, r);
		return 0;
	}
	return bf_report_add(p->rp, r);
}

/* Lines that are not records are counted on the first pass only: the second sees the same lines. */
static int read_files(struct bf_report *rp, bool second, char *buf)
{
	struct pass p = { rp, second };
	uint64_t not_records = 0, bad = 0;

	for (size_t i = 0; i < rp->n_files; i++) {
		FILE *fp = cli_log_fopen(rp->files[i]);
		int err;

		err = fp ? bf_lr_scan(fp, buf, BF_LV_LINE_MAX + 1, pass_one, &p, &not_records, &bad) :
			   -errno;
		if (fp)
			fclose(fp);
		if (err) {
			log_errno_in("report", err, "%s", rp->files[i]);
			return err;
		}
	}
	if (!second)
		rp->st.not_records = not_records;
	return 0;
}

static int set_range(const char *since, const char *until, struct bf_lr_filter *f)
{
	int64_t now;

	now = bf_now_ns(CLOCK_REALTIME);
	if ((since && bf_lr_parse_time(since, now, &f->since_ns)) ||
	    (until && bf_lr_parse_time(until, now, &f->until_ns))) {
		log_warnx_in("report", "--since/--until: RFC 3339, now or -N[smhdw]");
		return -EINVAL;
	}
	f->has_since = since;
	f->has_until = until;
	return 0;
}

/* Both passes, the chain, the page into FP. 0 or -errno (said). */
static int render(struct bf_report *rp, const struct bf_logkey *pub, FILE *fp)
{
	struct bf_lv_head head;
	char head_path[PATH_MAX];
	bool have_head;
	char *buf = malloc(BF_LV_LINE_MAX + 1);
	int err = buf ? read_files(rp, false, buf) : -ENOMEM;

	if (!err) {
		bf_report_plan(rp);
		err = read_files(rp, true, buf);
	}
	free(buf);
	if (err)
		return err;
	/* the agent's head file beside the newest file, as log verify reads it: a cut-off end shows */
	have_head = snprintf(head_path, sizeof(head_path), "%s.head", rp->files[rp->n_files - 1]) <
		    (int)sizeof(head_path) && bf_lv_read_head_file(head_path, &head) == 0;
	rp->verify_err = bf_logverify_signed(rp->files, rp->n_files, have_head ? &head : NULL, pub,
					     NULL, NULL, &rp->verify);
	rp->generated_ns = bf_now_ns(CLOCK_REALTIME);
	err = bf_report_html(rp, fp);
	if (!err && fflush(fp))
		err = -EIO;
	if (!err && fsync(fileno(fp)))
		err = -errno;
	return err;
}

/*
 * The reading of the logs (what an attacker may have written) and the
 * page run in a child that holds only the page's temporary file and a
 * pipe: no capability, no file it may open for writing, no socket, no
 * exec (bf_confine_reader). It sends its summary line; only then does
 * this process rename the page into place.
 */
static int render_confined(struct bf_report *rp, const struct bf_logkey *pub, int fd, char *sum,
			   size_t len)
{
	int p[2], st, err;
	ssize_t n = 0, r;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(p[0]);
		close(p[1]);
		return err;
	}
	if (pid == 0) {
		FILE *fp = fdopen(fd, "w");

		close(p[0]);
		if (bf_confine_reader())
			log_warnx_in("report", "NOT CONFINED: the logs are read with this process's privileges");
		err = fp ? render(rp, pub, fp) : -errno;
		if (!err)
			dprintf(p[1], "%llu records, chain %s", (unsigned long long)rp->st.records,
				rp->verify_err ? "not verified" :
				rp->verify.kind == BF_LV_INTACT ? "intact" : "NOT intact");
		_exit(err ? 1 : 0);
	}
	close(p[1]);
	while (n < (ssize_t)len - 1 && (r = read(p[0], sum + n, len - 1 - (size_t)n)) > 0)
		n += r;
	sum[n] = '\0';
	close(p[0]);
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	if (WIFSIGNALED(st))
		log_warnx_in("report", "the reader ended by signal %d", WTERMSIG(st));
	/* It said why on stderr itself. */
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -ECANCELED;
}

/* The page goes to a temporary file beside OUT, renamed over it: a reader never sees half a page. */
static int build(struct bf_report *rp, const struct bf_logkey *pub, const char *html)
{
	size_t n = strlen(html) + 16;
	char *tmp = malloc(n), sum[128];
	int fd = -1, err = 0;

	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, n, "%s.tmp.XXXXXX", html);
	fd = mkstemp(tmp);
	if (fd < 0 || fchmod(fd, 0644))
		err = -errno;
	if (!err)
		err = render_confined(rp, pub, fd, sum, sizeof(sum));
	if (!err && rename(tmp, html))
		err = -errno;
	if (fd >= 0)
		close(fd);
	if (err && fd >= 0)
		unlink(tmp);
	free(tmp);
	if (err && err != -ECANCELED)
		log_errno_in("report", err, "%s", html);
	else if (!err)
		printf("report: %s (%s)\n", html, sum);
	return err;
}

static int parse(int argc, char **argv, const char **files, size_t *n, const char **html,
		 const char **pub, const char **log, struct bf_lr_filter *f)
{
	const char *since = NULL, *until = NULL;
	const struct cli_opt opts[] = { { "html", html, NULL }, { "since", &since, NULL },
					{ "until", &until, NULL }, { "pub", pub, NULL },
					{ "log", log, NULL } };
	int r = cli_parse_opts("report", argc, argv, opts, CLI_N(opts), files,
			       (size_t)argc, n);

	if (r)
		return r;
	if (!*html) {
		log_warnx_in("report", "--html OUT is needed");
		return -EINVAL;
	}
	for (size_t i = 0; i < *n; i++)
		if (strcmp(files[i], "-") == 0) {
			log_warnx_in("report", "stdin cannot be read twice and verified: name files");
			return -EINVAL;
		}
	return set_range(since, until, f);
}

int cli_report(int argc, char **argv)
{
	const char *html = NULL, *pub_arg = NULL, *log = NULL, **pos = calloc((size_t)argc, sizeof(*pos));
	const char *const *files = NULL;
	struct bf_report *rp = calloc(1, sizeof(*rp));
	struct bf_logkey *pub = NULL;
	char **owned = NULL;
	size_t n = 0, n_pos = 0;
	int r = pos && rp ? parse(argc, argv, pos, &n_pos, &html, &pub_arg, &log, &rp->f) : -ENOMEM;

	r = cli_log_input("report", &cli_report_help, r, log, pos, n_pos, &files, &n, &owned);
	if (r != CLI_GO_ON)
		goto out;
	if (cli_load_pub("report", pub_arg, &pub)) {
		r = 1;
		goto out;
	}
	rp->files = files;
	rp->n_files = n;
	r = build(rp, pub, html) ? 1 : 0;
	rp->files = NULL;	/* not the report's: pos or owned */
out:
	bf_logkey_free(pub);
	if (rp)
		bf_report_free(rp);
	free(rp);
	cli_log_files_free(owned, n);
	free(pos);
	return r;
}
