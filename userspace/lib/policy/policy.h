/* policy.h - policy language v1: parse files into a checked syntax tree. */
#ifndef BF_POLICY_H
#define BF_POLICY_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#define BF_NAME_MAX 64          /* [a-z0-9][a-z0-9_.-]*, at most 63 chars */
#define BF_SHA256_HEX 65        /* 64 hex digits and NUL */

/* Where a token came from; file points into bf_policy.files (interned). */
struct bf_src {
	const char *file;
	unsigned line;
	unsigned col;
};

/* camera classes */
#define BF_CLASS_VIDEO (1u << 0)  /* V4L2, char 81 */
#define BF_CLASS_MEDIA (1u << 1)  /* media controller, major from /proc/devices */
#define BF_CLASS_USB   (1u << 2)  /* raw usbfs, char 189 */

#define BF_V4L2_FIELD_MAX 128  /* a v4l2 identity value, NUL included */

/*
 * "v4l2 driver "D" card "C" bus "B"" (any of the three, at least one):
 * every V4L2 node whose identity has each given value, exactly. The
 * identity is read from sysfs, never by opening the node (the agent's own
 * programs would judge that open): docs/policy-cameras.md says where each
 * value comes from.
 */
struct bf_v4l2_ident {
	char *driver;           /* NULL: not given */
	char *card;
	char *bus;
	struct bf_src src;      /* the v4l2 key; .line 0: the camera has no identity */
};

/* What a network camera speaks: documents it, and chooses its discovery rules. */
enum bf_net_speaks {
	BF_SPEAKS_ANY = 0,      /* not said */
	BF_SPEAKS_RTSP,
	BF_SPEAKS_HTTP,
	BF_SPEAKS_ONVIF,
};

struct bf_cidr {
	uint8_t addr[16];       /* IPv6; IPv4 as ::ffff:a.b.c.d */
	uint8_t prefix;         /* 0..128, IPv4 /n stored as 96+n */
	bool v4;                /* written as IPv4 (for printing) */
};

enum bf_proto_sel {
	BF_SEL_ANY = 0,         /* no protocol given */
	BF_SEL_TCP = 1,
	BF_SEL_UDP = 2,
};

struct bf_dest {
	char name[BF_NAME_MAX];
	struct bf_src src;
	bool any;               /* "dest NAME any": every address */
	struct bf_cidr *cidrs;
	struct bf_src *cidr_src;
	size_t n_cidrs;
	/*
	 * host "NAME" items: DNS names resolved by the agent at load and
	 * again at their TTL (clamped to dns_ttl_min_s..dns_ttl_max_s); the
	 * addresses join cidrs as /32 and /128 prefixes.
	 */
	char **hosts;
	struct bf_src *host_src;
	size_t n_hosts;
	enum bf_proto_sel proto;
	uint16_t *ports;        /* empty: any port */
	size_t n_ports;
	unsigned long ord;      /* where it was read, for ordering diagnostics */
};

/*
 * A camera is device nodes (class, path, v4l2) or, with "net", a network
 * camera: addresses written as a dest's are, whose streams a connect (TCP)
 * or a send (UDP) to them pulls. Never both.
 */
struct bf_camera {
	char name[BF_NAME_MAX];
	struct bf_src src;
	unsigned classes;       /* BF_CLASS_* */
	char **paths;           /* device node paths, may be symlinks */
	struct bf_src *path_src;
	size_t n_paths;
	struct bf_v4l2_ident v4l2;
	bool is_net;            /* "net ...": the fields below, none of the above */
	struct bf_dest net;     /* its addresses, protocol and ports (name and any unused) */
	enum bf_net_speaks speaks;
	struct bf_src net_src;  /* the net key */
};

struct bf_app {
	char name[BF_NAME_MAX];
	struct bf_src src;
	char *exe;              /* NULL if no exe key */
	struct bf_src exe_src;
	char sha256[BF_SHA256_HEX]; /* "" if no pin; lower-case hex */
	struct bf_src sha_src;
	char *unit;             /* systemd unit name, or NULL */
	struct bf_src unit_src;
	char *cgroup;           /* path relative to the cgroup2 mount, "/..." or NULL */
	struct bf_src cgroup_src;
	char *user;             /* user name or decimal uid, or NULL */
	struct bf_src user_src;
};

enum bf_rule_kind {
	BF_RULE_CAPTURE = 1,
	BF_RULE_EXPORT = 2,
	BF_RULE_IPC = 3,        /* "ipc allow|deny APP unix PATH": tainted unix-socket connects/sends */
};

#define BF_UNIX_PATH_MAX 108    /* sizeof(sun_path) */

/*
 * A unix socket address an ipc rule names: a filesystem path ("/run/door.sock",
 * absolute) or an abstract name ("@door": the '@' stands for the leading NUL).
 * addr holds the bytes as they appear in sun_path (abstract: addr[0] == 0),
 * len their count (without a trailing NUL for paths).
 */
struct bf_unix_addr {
	char text[BF_UNIX_PATH_MAX + 2];  /* as written in the policy, for logs */
	uint8_t addr[BF_UNIX_PATH_MAX];
	uint8_t len;
	bool abstract;
	struct bf_src src;
};

/* Durations are kept in milliseconds. */
#define BF_WINDOW_DEFAULT_MS      15000u    /* a rule's window when it names none */
#define BF_MAX_WINDOW_DEFAULT_MS  60000u    /* max-window when the policy sets none */
#define BF_MAX_WINDOW_CEILING_MS  3600000u  /* the most max-window may be raised to */
#define BF_GRACE_DEFAULT_MS       2000u     /* window-grace when the policy sets none */
#define BF_GRACE_CEILING_MS       60000u
#define BF_DNS_TTL_MIN_DEFAULT_S  30u       /* a name is asked again no sooner than this */
#define BF_DNS_TTL_MAX_DEFAULT_S  3600u     /* ... and no later than this, whatever its TTL */

struct bf_rule_ast {
	enum bf_rule_kind kind;
	bool allow;
	bool audit;             /* trailing "audit" */
	int app;                /* index into apps, -1 for "any" */
	int obj;                /* index into cameras, dests or unix_addrs, -1 for "any" */
	struct bf_src src;
	/*
	 * "consent PURPOSE [window D]" (capture allow rules naming an app only):
	 * the rule allows an open only inside a capture window opened under a
	 * grant for PURPOSE. window_ms is D, or BF_WINDOW_DEFAULT_MS capped at
	 * the policy's max_window_ms when D is not given.
	 */
	bool consent;
	char purpose[BF_NAME_MAX];
	uint32_t window_ms;
	struct bf_src consent_src;
	/*
	 * "quota SIZE/PERIOD" (export allow rules only): at most quota_bytes
	 * leave per quota_period_s for this rule's (app, destination set);
	 * 0 bytes: no quota.
	 */
	uint64_t quota_bytes;
	uint32_t quota_period_s;
	struct bf_src quota_src;
};

/*
 * "template-store APP "PATH" [audit]": the face templates at PATH (a
 * directory and everything under it, or one file) may be opened, created,
 * linked, renamed or removed only by APP's processes; APP's processes that
 * open them hold templates, and no one may ptrace them. Several lines may
 * name one path: each adds a holder.
 */
#define BF_POLICY_MAX_STORES 8  /* distinct template-store paths (BF_MAX_STORES) */

struct bf_store_ast {
	int app;                /* index into apps; -2 until resolved, or undefined */
	char *path;             /* absolute, as written */
	bool audit;             /* trailing "audit": refusals are logged, not applied */
	struct bf_src src;      /* the keyword */
	struct bf_src app_src;
	struct bf_src path_src;
};

struct bf_policy {
	bool audit_mode;        /* "mode audit"; default enforce */
	struct bf_src mode_src;
	/*
	 * "on-log-failure continue|deny-capture": when the audit log cannot be
	 * written, camera opens go on (continue) or are refused by the kernel
	 * until it can (deny-capture, the default: a capture that cannot be
	 * recorded cannot be justified).
	 */
	bool log_failure_continue;
	struct bf_src log_failure_src; /* line 0: not given */
	struct bf_camera *cameras;
	size_t n_cameras;
	struct bf_app *apps;
	size_t n_apps;
	struct bf_dest *dests;
	size_t n_dests;
	struct bf_unix_addr *unix_addrs; /* distinct addresses ipc rules name, in first-use order */
	size_t n_unix_addrs;
	struct bf_rule_ast *rules;  /* capture, export and ipc, in file order */
	size_t n_rules;
	struct bf_store_ast *stores; /* template-store lines, in file order */
	size_t n_stores;
	int *brokers;           /* "broker APP, ...": app indexes that may open windows */
	size_t n_brokers;
	uint32_t max_window_ms; /* "max-window D", else BF_MAX_WINDOW_DEFAULT_MS */
	uint32_t grace_ms;      /* "window-grace D", else BF_GRACE_DEFAULT_MS */
	uint32_t dns_ttl_min_s; /* "dns-ttl-min D", else BF_DNS_TTL_MIN_DEFAULT_S */
	uint32_t dns_ttl_max_s; /* "dns-ttl-max D", else BF_DNS_TTL_MAX_DEFAULT_S */
	char **files;           /* every file read, main file first, in order */
	size_t n_files;
	uint8_t digest[32];     /* SHA-256 over the files' contents, in read order (include.c) */
};

/* One diagnostic, already formatted "FILE:LINE:COL: message". */
struct bf_diags {
	char **msgs;
	size_t n;
	size_t n_errors;        /* msgs that are errors (the rest are warnings) */
};

/* bf_policy_parse flags */
#define BF_PARSE_STRICT_PERMS (1u << 0) /* group/world-writable or non-root file is an error */
#define BF_PARSE_NO_FS_CHECKS (1u << 1) /* skip exe existence and sha256 checks (unit tests) */

/*
 * Parse PATH and its includes. Every error found in the one pass is added
 * to DIAGS; returns 0 and sets *OUT only if there were none, else -EINVAL
 * (or -errno if PATH itself cannot be read, also reported in DIAGS).
 */
int bf_policy_parse(const char *path, unsigned flags, struct bf_policy **out,
		    struct bf_diags *diags);
/* Same, for text in memory; NAME is used in diagnostics; includes resolve against the cwd. */
int bf_policy_parse_string(const char *name, const char *text, unsigned flags,
			   struct bf_policy **out, struct bf_diags *diags);
void bf_policy_free(struct bf_policy *p);

/*
 * "250ms", "10s", "2m", "1h": digits then a unit, nothing else, no sign,
 * no spaces. Returns 0 with *ms set, -EINVAL when malformed, -ERANGE when
 * it does not fit in a uint32_t of ms. 0 is valid here; callers bound it.
 */
int bf_parse_duration(const char *s, uint32_t *ms);
/* The shortest exact form: 90000 -> "90s", 120000 -> "2m", 1500 -> "1500ms". */
void bf_format_duration(uint32_t ms, char *buf, size_t len);
#define BF_DURATION_BUF 16      /* fits any bf_format_duration output ("4294967295ms") */

/* The word for what a network camera speaks ("rtsp"...), or NULL when not said. */
const char *bf_net_speaks_word(enum bf_net_speaks s);

/*
 * The address sets of P that may name hosts: its dests (0..n_dests-1),
 * then its cameras (a device camera's set is empty). KIND is "dest" or
 * "camera"; resolution results (bf_resolved.dests) use the same indexes.
 */
static inline size_t bf_policy_n_nets(const struct bf_policy *p)
{
	return p->n_dests + p->n_cameras;
}
static inline const struct bf_dest *bf_policy_net(const struct bf_policy *p, size_t i, const char **kind,
						  const char **name)
{
	const struct bf_dest *d = i < p->n_dests ? &p->dests[i] : &p->cameras[i - p->n_dests].net;

	if (kind)
		*kind = i < p->n_dests ? "dest" : "camera";
	if (name)
		*name = i < p->n_dests ? p->dests[i].name : p->cameras[i - p->n_dests].name;
	return d;
}

/* Index of the app / camera named NAME in P, or -1. */
int bf_policy_app(const struct bf_policy *p, const char *name);
int bf_policy_camera(const struct bf_policy *p, const char *name);

/* Print what the policy allows, in plain words (biofence check). */
void bf_policy_describe(const struct bf_policy *p, FILE *out);
/* Camera IDX in plain words: "lobby (/dev/video0)", "gate (network camera 10.0.0.5 tcp port 554)". */
void bf_policy_describe_camera(const struct bf_policy *p, int idx, FILE *out);

void bf_diags_free(struct bf_diags *d);

#endif /* BF_POLICY_H */
