/* cli_common.h - what the biofence CLI's commands share: the command table, options, times, agent calls, replies, tables, log files. */
#ifndef BF_CLI_COMMON_H
#define BF_CLI_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "consent/consent.h"

#define CLI_N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the commands (cli_commands.c): exit codes 0 done, 1 refused or failed, 2 usage ---- */

/* A command's usage: its "       biofence CMD ..." lines, and what its --help adds after them. */
struct cli_usage {
	const char *lines;
	const struct cli_usage *then;	/* whose lines follow (log's: show's and stats'), or NULL */
	const char *more;		/* NULL: nothing */
};

/* U's lines, then its then's. */
void cli_usage_lines(FILE *out, const struct cli_usage *u);

/* One verb of a command family: "open" -> cli_window_open. */
struct cli_verb {
	const char *name;
	int (*run)(int argc, char **argv);	/* argv[0] is the verb */
};

/* One entry of biofence's command table. */
struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);	/* a command of its own (argv[0] is NAME), or */
	const struct cli_verb *verbs;		/* a family of verbs, "window open|close|list" */
	size_t n_verbs;
	const char *synopsis;		/* its usage line after "biofence ", or */
	const struct cli_usage *help;	/* its usage lines and help */
	const char *summary;	/* its line in biofence --help; NULL: not listed (an alias) */
};

extern const struct cli_command cli_commands[];
extern const size_t cli_n_commands;

/* biofence's whole usage, generated from cli_commands. */
void cli_usage(FILE *out);

/* What main runs: the command argv[1] names. Returns the exit code. */
int cli_main(int argc, char **argv);

/* The entry NAME in cli_commands, or NULL. */
const struct cli_command *cli_find_command(const char *name);

/*
 * Runs the verb of the family F that argv[1] names (with argv shifted to
 * start at it), or F's help for -h/--help; a missing or unknown verb
 * says so and prints the usage on stderr: exit 2.
 */
int cli_dispatch(const struct cli_command *f, int argc, char **argv);

/* "usage:", U's lines and U's more on stdout: exit code 0. */
int cli_help(const struct cli_usage *u);
/* "usage:" and U's lines on stderr: exit code 2. */
int cli_usage_error(const struct cli_usage *u);
/* What a nonzero cli_parse_opts return R means: 1, the help (0); else a usage error (2). */
int cli_parse_exit(const struct cli_usage *u, int r);
/* "biofence CMD: Cannot allocate memory" on stderr: exit code 1. */
int cli_oom(const char *cmd);

/* The commands and verbs, each in its file: exit codes 0 done, 1 refused or failed, 2 usage. */
int cli_check(int argc, char **argv);	/* cli_check.c */
int cli_cameras(int argc, char **argv);
int cli_status(int argc, char **argv);	/* cli_status.c */
int cli_reload(int argc, char **argv);
int cli_detach(int argc, char **argv);
int cli_stop(int argc, char **argv);
int cli_trust(int argc, char **argv);
int cli_window_open(int argc, char **argv);	/* cli_window.c */
int cli_window_close(int argc, char **argv);
int cli_window_list(int argc, char **argv);
int cli_consent_grant(int argc, char **argv);	/* cli_consent.c */
int cli_consent_revoke(int argc, char **argv);
int cli_consent_list(int argc, char **argv);
int cli_consent_show(int argc, char **argv);
int cli_log_verify(int argc, char **argv);	/* cli_log.c */
int cli_log_keygen(int argc, char **argv);
int cli_log_show(int argc, char **argv);	/* cli_logshow.c */
int cli_log_stats(int argc, char **argv);
int cli_report(int argc, char **argv);	/* cli_report.c */
extern const struct cli_usage cli_window_help, cli_consent_help, cli_log_help, cli_logshow_help,
	cli_report_help;

/* ---- options, times, ids ---- */

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

/* ---- talking to the agent, printing its replies ---- */

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

/* ---- tables ---- */

#define CLI_TABLE_MAX_COLS 8

/*
 * cells: nrow rows of ncol strings, header first; printed in aligned
 * columns, each line after INDENT. A NULL cell (out of memory) prints "?".
 */
void cli_print_table(const char *indent, size_t ncol, size_t nrow, char *const *cells);

/* A column of cli_print_rows: its header, and the member it shows or how its cell reads. */
struct cli_col {
	const char *head;
	const char *key;	/* the row's member as a string, "" when absent; or, when NULL: */
	void (*cell)(struct json_object *row, const void *ctx, char *buf, size_t len);
};

/*
 * The JSON array of objects ARR as a table: a header row, then one row an
 * object (ctx goes to the cell functions); EMPTY on a line of its own when
 * there is no object.
 */
void cli_print_rows(struct json_object *arr, const struct cli_col *cols, size_t ncol,
		    const void *ctx, const char *empty);

/* Adds key: RFC 3339 UTC with ns (left out when out of memory). 0, or -ERANGE when ns cannot be formatted. */
int cli_add_time(struct json_object *o, const char *key, int64_t ns);

/* The offline half of the consent commands (cli_ledger.c): a reply like the agent's. */
struct json_object *cli_ledger_grant(const char *path, const struct cli_grant_args *a,
				     int64_t now_ns);
struct json_object *cli_ledger_revoke(const char *path, const char *id, int64_t time_ns);
struct json_object *cli_ledger_list(const char *path, int64_t now_ns);
struct json_object *cli_ledger_show(const char *path, const char *id, int64_t now_ns);

/* ---- the audit log's files and keys ---- */

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

/* A step's "carry on"; anything else a step returns is the exit code. */
#define CLI_GO_ON (-1)

/*
 * How every log command starts. R is how its options parsed (0; 1 for
 * --help; -ENOMEM; another -errno: a usage error); then the files it
 * reads: the FILEs given (pos), else LOG's (--log, default the agent's log
 * BF_DEFAULT_LOG) as cli_log_files finds them. CLI_GO_ON with *files and
 * *n set (*owned to free with cli_log_files_free), else the exit code
 * after U's help, or after saying why as "biofence CMD: ...": 1 when LOG
 * has no file or its directory cannot be read, 2 (and U's usage) on a
 * usage error, files and --log both given among them.
 */
int cli_log_input(const char *cmd, const struct cli_usage *u, int r, const char *log,
		  const char **pos, size_t n_pos, const char *const **files, size_t *n,
		  char ***owned);

/*
 * Opens a log file for reading: FILE.gz through zlib, anything else as
 * is; "-" is stdin. NULL with errno set. Close with fclose.
 */
FILE *cli_log_fopen(const char *path);

struct bf_logkey;
/*
 * The public key that checks checkpoints: ARG (--pub), else the host's own
 * (BF_DEFAULT_LOG_KEY.pub) when there is one. 0 with *pub set (NULL when
 * there is none), or -errno after saying why as "biofence CMD: ...".
 */
int cli_load_pub(const char *cmd, const char *arg, struct bf_logkey **pub);

/*
 * Once a log command knows its files: from here on it reads what others
 * wrote, so it keeps no capability, opens nothing for writing, connects and
 * executes nothing (bf_confine_reader). Says so if that fails, and goes on.
 */
void cli_confine_reader(const char *cmd);

#endif /* BF_CLI_COMMON_H */
