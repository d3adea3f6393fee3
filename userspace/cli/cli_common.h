/* cli_common.h - the biofence CLI's window and consent subcommands and the helpers they share. */
#ifndef BF_CLI_COMMON_H
#define BF_CLI_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "consent/consent.h"

#define BF_CLI_TIMEOUT_MS 5000

/* "c-YYYYMMDD-HHMMSS-XXXX" plus the NUL: the id format the agent uses too. */
#define BF_CLI_ID_BUFSZ 23

/* A long option: arg receives its value, or, when arg is NULL, *flag is set. */
struct cli_opt {
	const char *name;	/* without the leading "--" */
	const char **arg;
	bool *flag;
};

/*
 * Parses argv[1..] (cmd names the subcommand in messages): "--name VALUE"
 * or "--name=VALUE", flags, "--" ends the options, the rest is positional
 * (at most max_pos, into pos). An option given twice is an error. Returns
 * 0, 1 for -h/--help, or -EINVAL after saying why on stderr (exit 2).
 * At most 64 options.
 */
int cli_parse_opts(const char *cmd, int argc, char **argv, const struct cli_opt *opts,
		   size_t n_opts, const char **pos, size_t max_pos, size_t *n_pos);

/* What "consent grant" was asked, as typed, times made absolute. */
struct cli_grant_args {
	const char *id;		/* NULL: generated */
	const char *subject, *purpose, *notice;
	const char *guardian;	/* NULL: none */
	char **cameras;		/* split from --cameras */
	size_t n_cameras;
	bool has_granted;	/* else granted is now */
	int64_t granted_ns, expires_ns;
};

/* Entry points: argv[0] is "window" / "consent". Exit codes 0 ok, 1 refused, 2 usage. */
/* One verb of a subcommand: "open" -> window_open. */
struct cli_verb {
	const char *name;
	int (*run)(int argc, char **argv);
};

/*
 * Runs the verb argv[1] names (with argv shifted to start at it), or
 * HELP for -h/--help; a missing or unknown verb says so and returns
 * USAGE_ERROR's exit code. CMD is "window", "consent", "log".
 */
int cli_dispatch(const char *cmd, const struct cli_verb *verbs, size_t n, int argc, char **argv,
		 int (*help)(void), int (*usage_error)(void));

int cli_window(int argc, char **argv);
int cli_consent(int argc, char **argv);
void cli_window_usage(FILE *out);
void cli_consent_usage(FILE *out);

/*
 * An RFC 3339 date-time, or "+N" followed by one unit d, h, m or s,
 * meaning now_ns plus that much (no sign other than the leading '+', no
 * spaces, one unit). Returns 0 with *ns set, -EINVAL when malformed,
 * -ERANGE when the result does not fit the ledger's time range.
 */
int cli_parse_time(const char *s, int64_t now_ns, int64_t *ns);

/* A fresh grant id for now_ns (UTC) with 16 random bits. 0, -errno from getrandom, -ENAMETOOLONG. */
int cli_make_id(char *buf, size_t len, int64_t now_ns);

/* "active", "revoked", "expired" or "pending": the grant's own state at now_ns. */
const char *cli_grant_state(const struct bf_consent_grant *g, int64_t now_ns);

/* {"cmd":cmd}, or NULL when out of memory. */
struct json_object *cli_request(const char *cmd);

/*
 * Sends req to the agent. 0 with *reply set (ok or not), -ENOENT /
 * -ECONNREFUSED when nobody answers (reported by the caller, which may
 * fall back), any other -errno after *reply was set to a local error
 * reply naming the socket.
 */
int cli_call(const char *control, struct json_object *req, struct json_object **reply);

/* A {"ok":false,...} reply built here, shaped like the agent's; diags may be NULL. */
struct json_object *cli_error(const char *code, const struct bf_diags *diags, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Prints reply and frees it. Refused: "biofence: CODE: message" and the
 * diagnostics on stderr (and, with json, the reply on stdout), returns 1.
 * Accepted: the pretty reply with json, else human(reply); returns 0.
 * A NULL reply counts as out of memory.
 */
int cli_finish(struct json_object *reply, bool json, void (*human)(struct json_object *reply));

/* A member's string value, "" when absent (never NULL, so printf-safe). */
const char *cli_str(struct json_object *o, const char *key);

/* A JSON array of strings joined by sep into buf (cut to fit: for display only). */
void cli_join(struct json_object *arr, const char *sep, char *buf, size_t len);

#define CLI_TABLE_MAX_COLS 8

/* cells: nrow rows of ncol strings, header first; printed in aligned columns. */
void cli_print_table(size_t ncol, size_t nrow, char *const *cells);

/* Adds key: RFC 3339 UTC with ns (left out when out of memory). 0, or -ERANGE when ns cannot be formatted. */
int cli_add_time(struct json_object *o, const char *key, int64_t ns);

/* The offline half of the consent commands (cli_ledger.c): a reply like the agent's. */
struct json_object *cli_ledger_grant(const char *path, const struct cli_grant_args *a,
				     int64_t now_ns);
struct json_object *cli_ledger_revoke(const char *path, const char *id, int64_t time_ns);
struct json_object *cli_ledger_list(const char *path, int64_t now_ns);
struct json_object *cli_ledger_show(const char *path, const char *id, int64_t now_ns);

/*
 * The audit log LOG as logrotate leaves it, oldest first: LOG.N (and
 * LOG.N.gz) by N from the highest, then LOG itself; LOG.head and other
 * names are not log files. A rotation present both plain and compressed
 * is read plain. Files that are missing are left out; none at all is
 * -ENOENT. 0 with *files (free with cli_log_files_free) and *n, -errno
 * from opening LOG's directory, -ENOMEM.
 */
int cli_log_files(const char *log, char ***files, size_t *n);
void cli_log_files_free(char **files, size_t n);

/*
 * The files a log command reads: the FILEs given (pos), else LOG's (--log,
 * default the agent's log BF_DEFAULT_LOG) as cli_log_files finds them.
 * 0 with *files and *n set (*owned to free with cli_log_files_free), 1
 * when LOG has no file or its directory cannot be read, -EINVAL when both
 * were given; either after saying so on stderr as "biofence CMD: ...".
 */
int cli_pick_log_files(const char *cmd, const char *log, const char **pos, size_t n_pos,
		       const char *const **files, size_t *n, char ***owned);

/*
 * Opens a log file for reading: FILE.gz through zlib, anything else as
 * is; "-" is stdin. NULL with errno set. Close with fclose.
 */
FILE *cli_log_fopen(const char *path);

#endif /* BF_CLI_COMMON_H */
