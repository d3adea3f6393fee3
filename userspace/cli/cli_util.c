/* cli_util.c - what the CLI's subcommands share: options, times, ids, talking to the agent, printing replies, the audit log's files. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include <zlib.h>

#include "defaults.h"
#include "audit/audit.h"
#include "audit/logkey.h"
#include "audit/logreview.h"
#include "cli_common.h"
#include "confine.h"
#include "ctl.h"
#include "log.h"

/* Hand-rolled rather than getopt_long: no abbreviations (a prefix must not quietly name an option). */
static const struct cli_opt *find_opt(const struct cli_opt *opts, size_t n, const char *name,
				      size_t name_len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(opts[i].name) == name_len && strncmp(opts[i].name, name, name_len) == 0)
			return &opts[i];
	return NULL;
}

/* One "--name[=value]" at argv[*i]; advances *i past a separate value. 0 or -EINVAL. */
static int take_opt(const char *cmd, int argc, char **argv, int *i, const struct cli_opt *opts,
		    size_t n_opts, uint64_t *seen)
{
	const char *name = argv[*i] + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct cli_opt *o = find_opt(opts, n_opts, name, len);
	uint64_t bit;

	if (!o) {
		log_warnx_in(cmd, "unknown option \"%s\"", argv[*i]);
		return -EINVAL;
	}
	bit = 1ull << (o - opts);
	/* a second value would silently win over the first: say so instead */
	if (*seen & bit) {
		log_warnx_in(cmd, "--%s given twice", o->name);
		return -EINVAL;
	}
	*seen |= bit;
	if (!o->arg) {
		if (eq) {
			log_warnx_in(cmd, "--%s takes no value", o->name);
			return -EINVAL;
		}
		*o->flag = true;
		return 0;
	}
	if (eq) {
		*o->arg = eq + 1;
	} else if (*i + 1 < argc) {
		*o->arg = argv[++*i];
	} else {
		log_warnx_in(cmd, "--%s needs a value", o->name);
		return -EINVAL;
	}
	return 0;
}

int cli_parse_opts(const char *cmd, int argc, char **argv, const struct cli_opt *opts,
		   size_t n_opts, const char **pos, size_t max_pos, size_t *n_pos)
{
	uint64_t seen = 0;
	bool opts_done = false;

	*n_pos = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!opts_done && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0))
			return 1;
		if (!opts_done && strcmp(a, "--") == 0) {
			opts_done = true;
		} else if (!opts_done && strncmp(a, "--", 2) == 0) {
			if (take_opt(cmd, argc, argv, &i, opts, n_opts, &seen))
				return -EINVAL;
		} else if (!opts_done && a[0] == '-' && a[1]) {
			log_warnx_in(cmd, "unknown option \"%s\"", a);
			return -EINVAL;
		} else if (*n_pos < max_pos) {
			pos[(*n_pos)++] = a;
		} else {
			log_warnx_in(cmd, "unexpected argument \"%s\"", a);
			return -EINVAL;
		}
	}
	return 0;
}

int cli_parse_time(const char *s, int64_t now_ns, int64_t *ns)
{
	return s[0] == '+' ? bf_parse_reltime(s, "dhms", now_ns, ns) : bf_parse_rfc3339(s, ns);
}

int cli_make_id(char *buf, size_t len, int64_t now_ns)
{
	time_t secs = (time_t)(now_ns / BF_NS_PER_SEC);
	unsigned char rnd[2];
	struct tm tm;
	ssize_t n;

	do
		n = getrandom(rnd, sizeof(rnd), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n != (ssize_t)sizeof(rnd))
		return -EAGAIN;
	if (!gmtime_r(&secs, &tm))
		return -ERANGE;
	if (snprintf(buf, len, "c-%04d%02d%02d-%02d%02d%02d-%02x%02x", tm.tm_year + 1900,
		     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, rnd[0],
		     rnd[1]) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

const char *cli_grant_state(const struct bf_consent_grant *g, int64_t now_ns)
{
	if (g->revoked)
		return "revoked";
	if (now_ns < g->granted_ns)
		return "pending";
	if (now_ns >= g->expires_ns)
		return "expired";
	return "active";
}

struct json_object *cli_error(const char *code, const struct bf_diags *diags, const char *fmt, ...)
{
	struct json_object *reply, *arr;
	va_list ap;

	va_start(ap, fmt);
	reply = bf_ctl_verror(code, fmt, ap);
	va_end(ap);
	if (!reply || !diags || !diags->n)
		return reply;
	arr = json_object_new_array();
	for (size_t i = 0; arr && i < diags->n; i++)
		json_object_array_add(arr, bf_json_str(diags->msgs[i]));
	if (arr && json_object_object_add(json_object_object_get(reply, "error"), "diagnostics",
					  arr) < 0)
		json_object_put(arr);
	return reply;
}

struct json_object *cli_request(const char *cmd)
{
	struct json_object *req = json_object_new_object();

	if (req && json_object_object_add(req, "cmd", json_object_new_string(cmd)) < 0) {
		json_object_put(req);
		return NULL;
	}
	return req;
}

int cli_call(const char *control, struct json_object *req, struct json_object **reply)
{
	int r = bf_ctl_call(control, req, reply, BF_CTL_TIMEOUT_MS);

	if (r == 0 || r == -ENOENT || r == -ECONNREFUSED)
		return r;
	if (r == -EMSGSIZE)
		*reply = cli_error("agent-io", NULL,
				   "the request is larger than the control protocol's %d bytes",
				   BF_CTL_MAX_REQUEST);
	else
		*reply = cli_error("agent-io", NULL, "cannot talk to the agent on %s: %s", control,
				   strerror(-r));
	return r;
}

const char *cli_str(struct json_object *o, const char *key)
{
	const char *s = json_object_get_string(json_object_object_get(o, key));

	return s ? s : "";
}

static void print_json(struct json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* The agent's diagnostics under a refusal, one a line as it wrote them (policy errors: FILE:LINE: ...). */
static void print_diagnostics(struct json_object *diags)
{
	size_t n = json_object_is_type(diags, json_type_array) ? json_object_array_length(diags) : 0;

	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s\n", json_object_get_string(json_object_array_get_idx(diags, i)));
}

int cli_finish(struct json_object *reply, bool json, void (*human)(struct json_object *reply))
{
	struct json_object *err;
	int rc = 1;

	if (!reply) {
		log_warnx("internal: out of memory");
		return 1;
	}
	if (json_object_get_boolean(json_object_object_get(reply, "ok"))) {
		rc = 0;
	} else {
		err = json_object_object_get(reply, "error");
		log_warnx("%s: %s", err ? cli_str(err, "code") : "bad-reply",
			  err ? cli_str(err, "message") :
				"the agent's reply has neither \"ok\" nor \"error\"");
		print_diagnostics(json_object_object_get(err, "diagnostics"));
	}
	if (json)
		print_json(reply);
	else if (rc == 0)
		human(reply);
	json_object_put(reply);
	return rc;
}

void cli_join(struct json_object *arr, const char *sep, char *buf, size_t len)
{
	size_t n = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++) {
		int w = snprintf(buf + off, len - off, "%s%s", i ? sep : "",
				 json_object_get_string(json_object_array_get_idx(arr, i)));

		if (w < 0)
			break;
		off += (size_t)w;
	}
}

int cli_add_time(struct json_object *o, const char *key, int64_t ns)
{
	char ts[BF_RFC3339_BUFSZ];

	if (ns < 0 || bf_format_rfc3339(ts, sizeof(ts), (uint64_t)ns) < 0)
		return -ERANGE;
	bf_json_add_str(o, key, ts);
	return 0;
}

/* Column widths from every cell, so the header lines up with the widest value. */
void cli_print_table(const char *indent, size_t ncol, size_t nrow, char *const *cells)
{
	size_t w[CLI_TABLE_MAX_COLS] = { 0 };

	if (ncol > CLI_TABLE_MAX_COLS)
		ncol = CLI_TABLE_MAX_COLS;
	for (size_t r = 0; r < nrow; r++)
		for (size_t c = 0; c < ncol; c++) {
			const char *v = cells[r * ncol + c];

			if (v && strlen(v) > w[c])
				w[c] = strlen(v);
		}
	for (size_t r = 0; r < nrow; r++) {
		fputs(indent, stdout);
		for (size_t c = 0; c < ncol; c++) {
			const char *v = cells[r * ncol + c] ? cells[r * ncol + c] : "?";

			if (c + 1 < ncol)
				printf("%-*s  ", (int)w[c], v);
			else
				printf("%s\n", v);
		}
	}
}

void cli_print_rows(struct json_object *arr, const struct cli_col *cols, size_t ncol,
		    const void *ctx, const char *empty)
{
	size_t n = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
	char **cells = n ? calloc((n + 1) * ncol, sizeof(*cells)) : NULL;
	char buf[4096];

	if (!n || !cells) {
		printf("%s\n", n ? "(out of memory)" : empty);
		goto out;
	}
	for (size_t c = 0; c < ncol; c++)
		cells[c] = strdup(cols[c].head);
	for (size_t i = 0; i < n; i++) {
		struct json_object *row = json_object_array_get_idx(arr, i);

		for (size_t c = 0; c < ncol; c++) {
			if (cols[c].key)
				snprintf(buf, sizeof(buf), "%s", cli_str(row, cols[c].key));
			else
				cols[c].cell(row, ctx, buf, sizeof(buf));
			cells[(i + 1) * ncol + c] = strdup(buf);
		}
	}
	cli_print_table("", ncol, n + 1, cells);
	for (size_t k = 0; k < (n + 1) * ncol; k++)
		free(cells[k]);
out:
	free(cells);
}

/* ---- the audit log's files: the agent's --log and what logrotate made of it ---- */

struct sibling {
	unsigned long long n;	/* FILE.N or FILE.N.gz */
	bool gz;
	char *path;
};

static int sibling_cmp(const void *a, const void *b)
{
	const struct sibling *x = a, *y = b;

	/* the highest number is the oldest */
	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return (int)x->gz - (int)y->gz;
}

/* "N" or "N.gz" after "BASE.": 1 with *n and *gz set, else 0 (FILE.head, FILE.1.tmp, ...). */
static int sibling_suffix(const char *s, unsigned long long *n, bool *gz)
{
	char *end;

	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	*n = strtoull(s, &end, 10);
	if (errno)
		return 0;
	*gz = strcmp(end, ".gz") == 0;
	return *end == '\0' || *gz;
}

void cli_log_files_free(char **files, size_t n)
{
	for (size_t i = 0; files && i < n; i++)
		free(files[i]);
	free(files);
}

/* LOG's rotations LOG.N[.gz] in LOG's directory, unsorted, into *sib and *k. 0 or -errno. */
static int find_siblings(const char *log, struct sibling **sib, size_t *k)
{
	const char *slash = strrchr(log, '/');
	const char *base = slash ? slash + 1 : log;
	size_t blen = strlen(base), dlen = slash ? (size_t)(slash - log) : 0;
	char *dir = slash ? strndup(log, dlen ? dlen : 1) : strdup(".");
	struct sibling *ns;
	struct dirent *de;
	DIR *d = NULL;
	int err = 0;

	if (!dir)
		return -ENOMEM;
	d = opendir(dir);
	if (!d) {
		err = -errno;
		goto out;
	}
	while ((de = readdir(d))) {
		unsigned long long num;
		bool gz;

		if (strncmp(de->d_name, base, blen) || de->d_name[blen] != '.' ||
		    !sibling_suffix(de->d_name + blen + 1, &num, &gz))
			continue;
		ns = realloc(*sib, (*k + 1) * sizeof(**sib));
		if (!ns) {
			err = -ENOMEM;
			goto out;
		}
		*sib = ns;
		if (asprintf(&ns[*k].path, "%.*s%s", (int)(base - log), log, de->d_name) < 0) {
			err = -ENOMEM;
			goto out;
		}
		ns[*k].n = num;
		ns[(*k)++].gz = gz;
	}
out:
	if (d)
		closedir(d);
	free(dir);
	return err;
}

int cli_log_files(const char *log, char ***files, size_t *n)
{
	struct sibling *sib = NULL;
	size_t k = 0, out = 0;
	struct stat st;
	int err;

	*files = NULL;
	*n = 0;
	err = find_siblings(log, &sib, &k);
	if (!err) {
		if (k)	/* qsort(NULL, 0) is undefined */
			qsort(sib, k, sizeof(*sib), sibling_cmp);
		*files = calloc(k + 1, sizeof(**files));
		if (!*files)
			err = -ENOMEM;
	}
	for (size_t i = 0; i < k; i++) {
		/* FILE.N and FILE.N.gz both: the same rotation, the plain one is read */
		if (err || (i && sib[i].n == sib[i - 1].n))
			free(sib[i].path);
		else
			(*files)[out++] = sib[i].path;
	}
	free(sib);
	if (!err && stat(log, &st) == 0 && !((*files)[out++] = strdup(log)))
		err = -ENOMEM;
	if (!err && !out)
		err = -ENOENT;
	if (err) {
		cli_log_files_free(*files, out);
		*files = NULL;
		return err;
	}
	*n = out;
	return 0;
}

static ssize_t gz_read(void *cookie, char *buf, size_t size)
{
	int n = gzread(cookie, buf, size > (1u << 30) ? 1u << 30 : (unsigned)size);

	if (n < 0) {
		errno = EIO;
		return -1;
	}
	return n;
}

static int gz_close(void *cookie)
{
	return gzclose(cookie) == Z_OK ? 0 : EOF;
}

FILE *cli_log_fopen(const char *path)
{
	size_t len = strlen(path);
	cookie_io_functions_t io = { .read = gz_read, .close = gz_close };
	gzFile gz;
	FILE *fp;

	if (strcmp(path, "-") == 0)
		return stdin;
	if (len < 3 || strcmp(path + len - 3, ".gz") != 0)
		return fopen(path, "re");
	gz = gzopen(path, "rb");
	if (!gz) {
		if (!errno)
			errno = ENOMEM;
		return NULL;
	}
	fp = fopencookie(gz, "r", io);
	if (!fp)
		gzclose(gz);
	return fp;
}

int cli_log_input(const char *cmd, const struct cli_usage *u, int r, const char *log,
		  const char **pos, size_t n_pos, const char *const **files, size_t *n,
		  char ***owned)
{
	const char *path = log ? log : BF_DEFAULT_LOG;
	int err;

	*owned = NULL;
	if (r)
		return r == -ENOMEM ? cli_oom(cmd) : cli_parse_exit(u, r);
	if (log && n_pos) {
		log_warnx_in(cmd, "give the log's files or --log, not both");
		return cli_usage_error(u);
	}
	if (n_pos) {
		*files = pos;
		*n = n_pos;
		return CLI_GO_ON;
	}
	err = cli_log_files(path, owned, n);
	if (err) {
		log_errno_in(cmd, err, "%s", path);
		return 1;
	}
	*files = (const char *const *)*owned;
	return CLI_GO_ON;
}

int cli_load_pub(const char *cmd, const char *arg, struct bf_logkey **pub)
{
	const char *path = arg ? arg : BF_DEFAULT_LOG_KEY ".pub";
	int err = bf_logkey_load(path, true, pub);

	*pub = err ? NULL : *pub;
	if (!err || (!arg && err == -ENOENT))
		return 0;
	if (err == -EINVAL)
		log_warnx_in(cmd, "public key %s: not an Ed25519 public key in PEM", path);
	else
		log_errno_in(cmd, err, "public key %s", path);
	return err;
}

void cli_confine_reader(const char *cmd)
{
	int err = bf_confine_reader();

	if (err)
		log_errno_in(cmd, err, "NOT CONFINED: the logs are read with this process's privileges");
}
