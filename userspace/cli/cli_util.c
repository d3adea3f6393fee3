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
#include "cli_common.h"
#include "ctl.h"

#define NS_PER_SEC 1000000000LL

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
		fprintf(stderr, "biofence %s: unknown option \"%s\"\n", cmd, argv[*i]);
		return -EINVAL;
	}
	bit = 1ull << (o - opts);
	/* a second value would silently win over the first: say so instead */
	if (*seen & bit) {
		fprintf(stderr, "biofence %s: --%s given twice\n", cmd, o->name);
		return -EINVAL;
	}
	*seen |= bit;
	if (!o->arg) {
		if (eq) {
			fprintf(stderr, "biofence %s: --%s takes no value\n", cmd, o->name);
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
		fprintf(stderr, "biofence %s: --%s needs a value\n", cmd, o->name);
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
			fprintf(stderr, "biofence %s: unknown option \"%s\"\n", cmd, a);
			return -EINVAL;
		} else if (*n_pos < max_pos) {
			pos[(*n_pos)++] = a;
		} else {
			fprintf(stderr, "biofence %s: unexpected argument \"%s\"\n", cmd, a);
			return -EINVAL;
		}
	}
	return 0;
}

int cli_parse_time(const char *s, int64_t now_ns, int64_t *ns)
{
	static const struct {
		char unit;
		int64_t ns;
	} units[] = { { 'd', 86400 * NS_PER_SEC }, { 'h', 3600 * NS_PER_SEC },
		      { 'm', 60 * NS_PER_SEC }, { 's', NS_PER_SEC } };
	const char *p = s + 1;
	int64_t n = 0, unit = 0;

	if (s[0] != '+')
		return bf_parse_rfc3339(s, ns);
	while (*p >= '0' && *p <= '9')
		p++;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (*p == units[i].unit)
			unit = units[i].ns;
	/* the shape first, so a malformed string is never reported as a range error */
	if (p == s + 1 || !unit || p[1])
		return -EINVAL;
	for (const char *q = s + 1; q < p; q++) {
		if (n > (INT64_MAX - (*q - '0')) / 10)
			return -ERANGE;
		n = n * 10 + (*q - '0');
	}
	if (now_ns < 0 || n > (INT64_MAX - now_ns) / unit)
		return -ERANGE;
	*ns = now_ns + n * unit;
	return 0;
}

int cli_make_id(char *buf, size_t len, int64_t now_ns)
{
	time_t secs = (time_t)(now_ns / NS_PER_SEC);
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
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	reply = bf_ctl_error(code, "%s", msg);
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
	int r = bf_ctl_call(control, req, reply, BF_CLI_TIMEOUT_MS);

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

int cli_finish(struct json_object *reply, bool json, void (*human)(struct json_object *reply))
{
	struct json_object *err, *diags;
	size_t n;

	if (!reply) {
		fprintf(stderr, "biofence: internal: out of memory\n");
		return 1;
	}
	if (json_object_get_boolean(json_object_object_get(reply, "ok"))) {
		if (json)
			print_json(reply);
		else
			human(reply);
		json_object_put(reply);
		return 0;
	}
	err = json_object_object_get(reply, "error");
	fprintf(stderr, "biofence: %s: %s\n", err ? cli_str(err, "code") : "bad-reply",
		err ? cli_str(err, "message") : "the agent's reply has neither \"ok\" nor \"error\"");
	diags = json_object_object_get(err, "diagnostics");
	n = json_object_is_type(diags, json_type_array) ? json_object_array_length(diags) : 0;
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s\n", json_object_get_string(json_object_array_get_idx(diags, i)));
	if (json)
		print_json(reply);
	json_object_put(reply);
	return 1;
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
void cli_print_table(size_t ncol, size_t nrow, char *const *cells)
{
	size_t w[CLI_TABLE_MAX_COLS] = { 0 };

	for (size_t r = 0; r < nrow; r++)
		for (size_t c = 0; c < ncol && c < CLI_TABLE_MAX_COLS; c++) {
			size_t l = strlen(cells[r * ncol + c]);

			if (l > w[c])
				w[c] = l;
		}
	for (size_t r = 0; r < nrow; r++) {
		for (size_t c = 0; c < ncol && c < CLI_TABLE_MAX_COLS; c++) {
			if (c + 1 < ncol)
				printf("%-*s  ", (int)w[c], cells[r * ncol + c]);
			else
				printf("%s\n", cells[r * ncol + c]);
		}
	}
}

int cli_dispatch(const char *cmd, const struct cli_verb *verbs, size_t n, int argc, char **argv,
		 int (*help)(void), int (*usage_error)(void))
{
	if (argc < 2) {
		fprintf(stderr, "biofence %s: which one?", cmd);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "%s%s", i ? (i + 1 == n ? " or " : ", ") : " ", verbs[i].name);
		fputc('\n', stderr);
		return usage_error();
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(argv[1], verbs[i].name) == 0)
			return verbs[i].run(argc - 1, argv + 1);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return help();
	fprintf(stderr, "biofence %s: unknown subcommand \"%s\"\n", cmd, argv[1]);
	return usage_error();
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

int cli_log_files(const char *log, char ***files, size_t *n)
{
	const char *slash = strrchr(log, '/');
	const char *base = slash ? slash + 1 : log;
	size_t blen = strlen(base), dlen = slash ? (size_t)(slash - log) : 0, k = 0, out = 0;
	char *dir = slash ? strndup(log, dlen ? dlen : 1) : strdup(".");
	struct sibling *sib = NULL, *ns;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int err = 0;

	*files = NULL;
	*n = 0;
	if (!dir)
		return -ENOMEM;
	d = opendir(dir);
	if (!d) {
		err = -errno;
		free(dir);
		return err;
	}
	while (!err && (de = readdir(d))) {
		unsigned long long num;
		bool gz;

		if (strncmp(de->d_name, base, blen) || de->d_name[blen] != '.' ||
		    !sibling_suffix(de->d_name + blen + 1, &num, &gz))
			continue;
		ns = realloc(sib, (k + 1) * sizeof(*sib));
		if (!ns) {
			err = -ENOMEM;
			break;
		}
		sib = ns;
		if (asprintf(&sib[k].path, "%.*s%s", (int)(base - log), log, de->d_name) < 0) {
			err = -ENOMEM;
			break;
		}
		sib[k].n = num;
		sib[k].gz = gz;
		k++;
	}
	closedir(d);
	free(dir);
	if (!err) {
		qsort(sib, k, sizeof(*sib), sibling_cmp);
		*files = calloc(k + 1, sizeof(**files));
		if (!*files)
			err = -ENOMEM;
	}
	for (size_t i = 0; i < k; i++) {
		/* FILE.N and FILE.N.gz both: the same rotation, the plain one is read */
		if (err || (i && sib[i].n == sib[i - 1].n)) {
			free(sib[i].path);
			continue;
		}
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

int cli_pick_log_files(const char *cmd, const char *log, const char **pos, size_t n_pos,
		       const char *const **files, size_t *n, char ***owned)
{
	const char *path = log ? log : BF_DEFAULT_LOG;
	int err;

	*owned = NULL;
	if (log && n_pos) {
		fprintf(stderr, "biofence %s: give the log's files or --log, not both\n", cmd);
		return -EINVAL;
	}
	if (n_pos) {
		*files = pos;
		*n = n_pos;
		return 0;
	}
	err = cli_log_files(path, owned, n);
	if (err) {
		fprintf(stderr, "biofence %s: %s: %s\n", cmd, path, strerror(-err));
		return 1;
	}
	*files = (const char *const *)*owned;
	return 0;
}
