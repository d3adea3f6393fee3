/* cli_logshow.c - biofence log show and log stats: the audit log filtered into a table or JSON lines, and summarised (docs/log-review.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "defaults.h"
#include "cli_common.h"
#include "log.h"
#include "audit/logreview.h"
#include "audit/logverify.h"
#include "util.h"

/* Rows held before printing: enough to align columns, little enough to stream a long log. */
#define SHOW_BLOCK 256
/* A wider value is printed whole but no longer widens its column. */
#define SHOW_WIDTH_MAX 40

const struct cli_usage cli_logshow_help = {
	.lines = "       biofence log show [--since TIME] [--until TIME] [--kind K[,K...]] [--verdict allow|deny]\n"
		 "                         [--app A] [--camera C] [--dest SET|IP|ADDR] [--consent ID]\n"
		 "                         [--subject S] [--json] [--log LOG | FILE...]\n"
		 "       biofence log stats [--since TIME] [--until TIME] [--json] [--log LOG | FILE...]\n",
	.more = "  FILEs oldest first (audit.jsonl.2 audit.jsonl.1 audit.jsonl); - is stdin; FILE.gz is\n"
		"  read through zlib; without FILEs: LOG's rotations LOG.N[.gz], highest N first, then\n"
		"  LOG (--log LOG, default the agent's log " BF_DEFAULT_LOG ")\n"
		"  TIME: RFC 3339, now, or -N with s, m, h, d or w before now (-2h); since <= time < until\n"
		"  show: matching records as a table, or with --json as written (one per line)\n"
		"    --kind     agent capture export ipc socket consent lost checkpoint taint protect store,\n"
		"               comma-separated\n"
		"    --camera   camera name or device (MAJ:MIN)\n"
		"    --dest     destination set, IP address or unix socket address\n"
		"    --consent  consent (grant) id; --subject the data subject\n"
		"  stats: records by kind, captures, denials by rule, exports, consent windows,\n"
		"    lost events, agent downtime, quota hits, checkpoints; --json as one object\n"
		"  lines that are not records are counted on stderr\n"
		"  exit 0 done, 1 a file could not be read, 2 usage error\n",
};

/* One pass over the files: records go to each(), the rest is counted, never dropped quietly. */
struct scan {
	const char *cmd;
	bf_lr_each_fn each;
	void *ctx;
	uint64_t not_records;
	const char *bad_file;
	uint64_t bad_line;
	char *buf;
};

static int scan_files(struct scan *sc, const char *const *files, size_t n)
{
	int err = 0;

	sc->buf = malloc(BF_LV_LINE_MAX + 1);
	if (!sc->buf)
		err = -ENOMEM;
	for (size_t i = 0; !err && i < n; i++) {
		bool std = strcmp(files[i], "-") == 0;
		uint64_t before, bad_line = 0;
		FILE *fp = cli_log_fopen(files[i]);

		if (!fp) {
			err = -errno;
			log_errno_in(sc->cmd, err, "%s", files[i]);
			break;
		}
		before = sc->not_records;
		err = bf_lr_scan(fp, sc->buf, BF_LV_LINE_MAX + 1, sc->each, sc->ctx, &sc->not_records,
				 &bad_line);
		if (!before && sc->not_records) {
			sc->bad_file = files[i];
			sc->bad_line = bad_line;
		}
		if (err)
			log_errno_in(sc->cmd, err, "%s", files[i]);
		if (!std)
			fclose(fp);
	}
	free(sc->buf);
	if (sc->not_records)
		log_warnx_in(sc->cmd, "%llu %s (the first: %s:%llu)", (unsigned long long)sc->not_records,
			     sc->not_records == 1 ? "line was not a record" : "lines were not records",
			     sc->bad_file, (unsigned long long)sc->bad_line);
	return err;
}

struct show {
	const struct bf_lr_filter *f;
	bool json, header_done;
	struct bf_lr_row *rows;
	size_t n;
	size_t w[BF_LR_COLS];
	uint64_t shown;
};

static void print_cells(const size_t *w, const char *const *cells)
{
	for (size_t c = 0; c + 1 < BF_LR_COLS; c++)
		printf("%-*s  ", (int)w[c], cells[c]);
	printf("%s\n", cells[BF_LR_COLS - 1]);
}

/* Widths only grow, so later blocks line up with earlier ones unless a value needs more. */
static void flush_rows(struct show *sh)
{
	const char *cells[BF_LR_COLS];

	for (size_t c = 0; c < BF_LR_COLS; c++) {
		if (!sh->w[c])
			sh->w[c] = strlen(bf_lr_headers[c]);
		for (size_t i = 0; i < sh->n; i++) {
			size_t l = strlen(sh->rows[i].cell[c]);

			if (l > sh->w[c])
				sh->w[c] = l < SHOW_WIDTH_MAX ? l : SHOW_WIDTH_MAX;
		}
	}
	if (!sh->header_done && sh->n) {
		print_cells(sh->w, bf_lr_headers);
		sh->header_done = true;
	}
	for (size_t i = 0; i < sh->n; i++) {
		for (size_t c = 0; c < BF_LR_COLS; c++)
			cells[c] = sh->rows[i].cell[c];
		print_cells(sh->w, cells);
	}
	sh->n = 0;
}

static int show_one(void *ctx, const char *line, size_t len, const struct bf_lr_rec *r)
{
	struct show *sh = ctx;

	if (!bf_lr_match(sh->f, r))
		return 0;
	sh->shown++;
	/* as written, byte for byte: the chain's hashes still check on what is printed */
	if (sh->json) {
		fwrite(line, 1, len, stdout);
		putchar('\n');
		return 0;
	}
	bf_lr_row(r, &sh->rows[sh->n++]);
	if (sh->n == SHOW_BLOCK)
		flush_rows(sh);
	return 0;
}

/* --since and --until into f; 0 or -EINVAL after saying why. */
static int set_range(const char *cmd, const char *since, const char *until, struct bf_lr_filter *f)
{
	int64_t now;

	now = bf_now_ns(CLOCK_REALTIME);
	if (since && bf_lr_parse_time(since, now, &f->since_ns)) {
		log_warnx_in(cmd, "--since \"%s\" is not RFC 3339, now or -N[smhdw]", since);
		return -EINVAL;
	}
	if (until && bf_lr_parse_time(until, now, &f->until_ns)) {
		log_warnx_in(cmd, "--until \"%s\" is not RFC 3339, now or -N[smhdw]", until);
		return -EINVAL;
	}
	f->has_since = since;
	f->has_until = until;
	return 0;
}

/* --kind and --verdict: checked here so a typo is an error, not an empty result. */
static int set_kind_verdict(char *kinds, struct bf_lr_filter *f)
{
	const char *bad;

	if (kinds && bf_lr_set_kinds(f, kinds, &bad)) {
		log_warnx_in("log show", "--kind: unknown kind \"%s\" (agent, capture, export, ipc, "
			     "socket, consent, lost, checkpoint, taint, protect, store)", bad);
		return -EINVAL;
	}
	if (f->verdict && strcmp(f->verdict, "allow") && strcmp(f->verdict, "deny")) {
		log_warnx_in("log show", "--verdict is allow or deny, not \"%s\"", f->verdict);
		return -EINVAL;
	}
	return 0;
}

static int show_parse(int argc, char **argv, struct bf_lr_filter *f, bool *json, const char **files,
		      size_t *n, char **kinds, const char **log)
{
	const char *since = NULL, *until = NULL, *kind = NULL;
	const struct cli_opt opts[] = {
		{ "since", &since, NULL }, { "until", &until, NULL }, { "kind", &kind, NULL },
		{ "verdict", &f->verdict, NULL }, { "app", &f->app, NULL }, { "camera", &f->camera, NULL },
		{ "dest", &f->dest, NULL }, { "consent", &f->consent, NULL },
		{ "subject", &f->subject, NULL }, { "json", NULL, json }, { "log", log, NULL },
	};
	int r = cli_parse_opts("log show", argc, argv, opts, CLI_N(opts), files,
			       (size_t)argc, n);

	if (r)
		return r;
	if (kind && !(*kinds = strdup(kind)))
		return -ENOMEM;
	if (set_range("log show", since, until, f) || set_kind_verdict(*kinds, f))
		return -EINVAL;
	return 0;
}

int cli_log_show(int argc, char **argv)
{
	struct bf_lr_filter f = { 0 };
	struct show sh = { .f = &f };
	struct scan sc = { .cmd = "log show", .each = show_one, .ctx = &sh };
	const char **pos = calloc((size_t)argc, sizeof(*pos)), *log = NULL;
	const char *const *files = NULL;
	char *kinds = NULL, **owned = NULL;
	size_t n = 0, n_pos = 0;
	int r = pos ? show_parse(argc, argv, &f, &sh.json, pos, &n_pos, &kinds, &log) : -ENOMEM;

	r = cli_log_input("log show", &cli_logshow_help, r, log, pos, n_pos, &files, &n, &owned);
	if (r != CLI_GO_ON)
		goto out;
	cli_confine_reader("log show");
	if (!sh.json && !(sh.rows = malloc(SHOW_BLOCK * sizeof(*sh.rows)))) {
		r = cli_oom("log show");
		goto out;
	}
	r = scan_files(&sc, files, n) ? 1 : 0;
	if (!sh.json)
		flush_rows(&sh);
	if (!sh.json && !sh.shown)
		printf("no records match\n");
out:
	fflush(stdout);
	free(sh.rows);
	free(kinds);
	cli_log_files_free(owned, n);
	free(pos);
	return r;
}

struct stats_ctx {
	struct bf_lr_stats *s;
	const struct bf_lr_filter *f;
};

static int stats_one(void *ctx, const char *line, size_t len, const struct bf_lr_rec *r)
{
	struct stats_ctx *c = ctx;

	return bf_lr_stats_add(c->s, c->f, r);
}

static const char *jget(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return "-";
	return json_object_get_string(v);
}

static int64_t jint(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

/* rows: a JSON array of objects; keys name the columns; a "NAME_others" member becomes the last row. */
static void print_json_table(struct json_object *o, const char *name, const char *const *keys,
			     const char *const *heads, size_t ncol)
{
	struct json_object *arr = json_object_object_get(o, name), *others, *row;
	char key[96];
	size_t nrow = arr ? json_object_array_length(arr) : 0, r;
	char **cells = calloc((nrow + 2) * ncol, sizeof(*cells));

	snprintf(key, sizeof(key), "%s_others", name);
	others = json_object_object_get(o, key);
	if (!nrow && !others)
		printf("  none\n");
	if (!cells || (!nrow && !others)) {
		free(cells);
		return;
	}
	for (size_t c = 0; c < ncol; c++)
		cells[c] = strdup(heads[c]);
	for (r = 1; r <= nrow; r++) {
		row = json_object_array_get_idx(arr, r - 1);
		for (size_t c = 0; c < ncol; c++)
			cells[r * ncol + c] = strdup(jget(row, keys[c]));
	}
	/* the others row sums counters only: its key cells say what it is */
	for (size_t c = 0; others && c < ncol; c++)
		cells[r * ncol + c] = strdup(json_object_object_get_ex(others, keys[c], NULL) ?
					     jget(others, keys[c]) : c ? "" : "(others)");
	cli_print_table("  ", ncol, r + (others != NULL), cells);
	for (size_t i = 0; i < (nrow + 2) * ncol; i++)
		free(cells[i]);
	free(cells);
}

/* H:MM:SS.mmm: downtimes run from seconds to days, and an inspector compares them by eye. */
static void fmt_ms(int64_t ms, char *buf, size_t len)
{
	snprintf(buf, len, "%lld:%02lld:%02lld.%03lld", (long long)(ms / 3600000),
		 (long long)(ms / 60000 % 60), (long long)(ms / 1000 % 60), (long long)(ms % 1000));
}

static void print_downtime(struct json_object *d)
{
	struct json_object *list = json_object_object_get(d, "list"), *e, *end;
	char dur[48];

	fmt_ms(jint(d, "total_ms"), dur, sizeof(dur));
	printf("agent downtime: %lld interval%s (%lld after a crash), %s in total\n",
	       (long long)jint(d, "intervals"), jint(d, "intervals") == 1 ? "" : "s",
	       (long long)jint(d, "crashes"), dur);
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		e = json_object_array_get_idx(list, i);
		fmt_ms(jint(e, "ms"), dur, sizeof(dur));
		printf("  %s .. %s  %s  %s\n", jget(e, "from"), jget(e, "to"), dur,
		       strcmp(jget(e, "cause"), "crash") == 0 ? "crash (no stop record)" : "stopped");
	}
	if (jint(d, "unlisted"))
		printf("  and %lld more, not listed\n", (long long)jint(d, "unlisted"));
	if (json_object_object_get_ex(d, "down_at_end", &end))
		printf("  stopped at %s, no start after it in these records\n", jget(end, "since"));
}

static void print_consent(struct json_object *c)
{
	printf("consent windows: %lld opened, %lld refused, %lld expired, %lld closed early\n",
	       (long long)jint(c, "windows_opened"), (long long)jint(c, "windows_refused"),
	       (long long)jint(c, "windows_expired"), (long long)jint(c, "windows_closed"));
	printf("captures allowed: %lld under a consent window, %lld without one; "
	       "%lld denied for want of consent\n", (long long)jint(c, "captures_under_window"),
	       (long long)jint(c, "captures_without_window"),
	       (long long)jint(c, "captures_denied_by_consent"));
}

static void print_stats(struct json_object *o)
{
	struct json_object *lost = json_object_object_get(o, "lost");
	struct json_object *q = json_object_object_get(o, "quota_hits");

	printf("records: %lld", (long long)jint(o, "records"));
	if (jint(o, "records"))
		printf(", %s .. %s", jget(o, "first"), jget(o, "last"));
	printf("\nby kind:\n");
	print_json_table(o, "kinds", (const char *[]){ "kind", "count" },
			 (const char *[]){ "KIND", "RECORDS" }, 2);
	printf("captures by camera and app:\n");
	print_json_table(o, "captures", (const char *[]){ "camera", "app", "allowed", "denied",
							  "denied_not_enforced" },
			 (const char *[]){ "CAMERA", "APP", "ALLOWED", "DENIED", "(NOT ENFORCED)" }, 5);
	printf("denials by rule:\n");
	print_json_table(o, "denials_by_rule", (const char *[]){ "rule", "count" },
			 (const char *[]){ "RULE", "DENIALS" }, 2);
	printf("exports by destination set:\n");
	print_json_table(o, "exports", (const char *[]){ "dest_set", "allowed", "denied" },
			 (const char *[]){ "SET", "ALLOWED", "DENIED" }, 3);
	printf("export denials by destination (top %d):\n", BF_LR_TOP_IPS);
	print_json_table(o, "export_denials_by_ip", (const char *[]){ "ip", "count" },
			 (const char *[]){ "IP", "DENIALS" }, 2);
	print_consent(json_object_object_get(o, "consent"));
	printf("lost events: %lld (in %lld lost record%s)\n", (long long)jint(lost, "events"),
	       (long long)jint(lost, "records"), jint(lost, "records") == 1 ? "" : "s");
	print_downtime(json_object_object_get(o, "downtime"));
	printf("quota hits: %lld\n", (long long)jint(q, "total"));
	if (jint(q, "total"))
		print_json_table(q, "by_quota", (const char *[]){ "quota", "count" },
				 (const char *[]){ "QUOTA", "HITS" }, 2);
	printf("checkpoints: %lld\n", (long long)jint(o, "checkpoints"));
}

static int stats_run(const char *const *files, size_t n, const struct bf_lr_filter *f, bool json)
{
	struct bf_lr_stats *s = calloc(1, sizeof(*s));
	struct stats_ctx c = { .s = s, .f = f };
	struct scan sc = { .cmd = "log stats", .each = stats_one, .ctx = &c };
	struct json_object *o = NULL;
	int r = s ? scan_files(&sc, files, n) : -ENOMEM;

	if (s)
		s->not_records = sc.not_records;
	if (r == 0 && !(o = bf_lr_stats_json(s, f)))
		r = -ENOMEM;
	if (r == -ENOMEM)
		cli_oom("log stats");
	if (o && json)
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	else if (o)
		print_stats(o);
	json_object_put(o);
	if (s)
		bf_lr_stats_free(s);
	free(s);
	return r ? 1 : 0;
}

int cli_log_stats(int argc, char **argv)
{
	const char *since = NULL, *until = NULL, *log = NULL;
	bool json = false;
	const struct cli_opt opts[] = { { "since", &since, NULL }, { "until", &until, NULL },
					{ "json", NULL, &json }, { "log", &log, NULL } };
	struct bf_lr_filter f = { 0 };
	const char **pos = calloc((size_t)argc, sizeof(*pos));
	const char *const *files = NULL;
	char **owned = NULL;
	size_t n = 0, n_pos = 0;
	int r = pos ? cli_parse_opts("log stats", argc, argv, opts, CLI_N(opts), pos, (size_t)argc,
				     &n_pos) : -ENOMEM;

	if (r == 0 && set_range("log stats", since, until, &f))
		r = -EINVAL;
	r = cli_log_input("log stats", &cli_logshow_help, r, log, pos, n_pos, &files, &n, &owned);
	if (r == CLI_GO_ON) {
		cli_confine_reader("log stats");
		r = stats_run(files, n, &f, json);
	}
	cli_log_files_free(owned, n);
	free(pos);
	return r;
}
