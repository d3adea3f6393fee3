/* agent.h - biofenced's state: the options, the loaded policies, the kernel interface and struct bf_agent, a list of sub-structs each owned by the module that changes it. */
#ifndef BF_AGENT_H
#define BF_AGENT_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "audit/audit.h"
#include "compile.h"
#include "consent/consent.h"
#include "ctl.h"
#include "defaults.h"
#include "dns.h"
#include "bpf/loader.h"
#include "policy/policy.h"
#include "resolve.h"
#include "audit/syslog_out.h"

#define BF_EMBEDDED_NAME    "(embedded default policy)"
#define BF_MAX_CLIENTS      16
#define BF_CTL_PER_UID      4   /* control connections one uid other than root may hold */
#define BF_WINDOW_HISTORY   64

/* The consent ledger as last read, and the capture windows (agent_consent.c, agent_ledger.c). */
struct bf_consent_state {
	struct bf_ledger ledger;
	int ledger_err;         /* 0; -ENOENT: no ledger yet (no grants); else unusable */
	char ledger_why[512];   /* the first problem, when unusable */
	struct { dev_t dev; ino_t ino; off_t size; int64_t mtime, ctime; } seen;
	bool loaded_once;
	int64_t next_ledger_check_ns;           /* CLOCK_BOOTTIME */
	struct bf_window_info *win;             /* open, or ended with holders to check */
	size_t n_win;
	struct bf_window_info hist[BF_WINDOW_HISTORY]; /* retired: explain late events */
	unsigned hist_next;
	/* Where window entries and records go in the kernel; NULL until first use: the loader's maps. */
	const struct agent_window_ops *ops;
	void *ops_ctx;
};

/* A policy as parsed, resolved on this host and compiled into one slot. */
struct bf_loaded {
	struct bf_policy *policy;
	bool owns_policy;       /* a re-resolve shares its policy; the newest one owns it */
	struct bf_resolved res;
	struct bf_tables tables;
	uint32_t seq;
	char digest[65];
	char source[PATH_MAX];  /* file name, or BF_EMBEDDED_NAME */
	/* Host-name answers looked up at load, handed to the refresh thread once installed. */
	struct { char name[BF_DNS_NAME_MAX]; struct bf_dns_answer a; } *seeds;
	size_t n_seeds;
};

struct bf_options {
	const char *policy;     /* NULL: default path, else the embedded default */
	const char *cgroup;     /* NULL: the cgroup2 root */
	const char *pin_dir;
	const char *log;
	const char *control;
	const char *consent;    /* the consent ledger */
	const char *log_key;    /* signs checkpoints; NULL: BF_DEFAULT_LOG_KEY if present */
	const char *syslog;     /* NULL, or where a copy of each record goes (syslog_out.h) */
	const char *metrics;    /* NULL, or the Prometheus textfile to keep current */
	uint32_t ringbuf_size;
	bool no_protect;        /* --no-protect: the self-protection hooks let everything through */
	bool echo;              /* print each record on stdout too */
	bool no_confine;        /* --no-confine: keep every capability, no seccomp filter, every path writable */
	int verbosity;
};

/*
 * What the agent's decisions write to or read from the kernel, so that the
 * decisions can be driven without BPF: biofenced points it at the
 * bf_loader_* functions, unit tests at fakes. Each takes the agent's
 * loader as its context, like the bf_loader_* calls it stands for.
 */
struct bf_kern_ops {
	int (*stats)(struct bf_loader *l, uint64_t out[BF_STAT_N]);
	int (*active)(struct bf_loader *l, struct bf_active *a);
	int (*install)(struct bf_loader *l, const struct bf_tables *t);
	int (*taint)(struct bf_loader *l, uint32_t tgid, const struct bf_taint *t);
	int (*tainted)(struct bf_loader *l, uint32_t *tgids, size_t max, size_t *n);
	int (*quota_use)(struct bf_loader *l, uint32_t id, struct bf_quota_use *get,
			 const struct bf_quota_use *set);
	int (*set_log_failed)(struct bf_loader *l, bool failed);
	int (*lost_logged)(struct bf_loader *l, uint64_t *get, const uint64_t *set);
};

/* The state of each module: only the module named beside it changes it. */

/* ---- agent_events.c ---- */

#define BF_PATH_CACHE 128

/*
 * Paths learned once and kept for processes gone by the time we look:
 * exe (dev, inode) -> path, and cgroup (id, 0) -> path. Round-robin.
 */
struct bf_path_cache {
	struct {
		uint64_t k1, k2;
		char *path;
	} e[BF_PATH_CACHE];
	unsigned next;
};

/* What the dispatcher keeps between events. */
struct bf_event_state {
	struct ring_buffer *rb;
	int64_t boot_to_real_ns;            /* CLOCK_REALTIME - CLOCK_BOOTTIME */
	uint64_t lost_reported;             /* kernel lost counter already logged */
	uint64_t unreadable;                /* events too short or of a kind this agent does not know */
	struct bf_path_cache exe_paths;     /* kernel dev, inode -> exe path */
	struct bf_path_cache cgroup_paths;  /* cgroup id (never reused) -> path */
};

/* ---- agent_hotplug.c ---- */

#define BF_MAX_WATCHES 64  /* directories of camera paths watched for udev's links */

struct bf_hotplug {
	int uevent_fd;                  /* kernel uevents, -1 if unavailable */
	int inotify_fd;                 /* the directories of camera paths, -1 if unavailable */
	bool rewatch;                   /* a policy was installed: re-watch its camera directories */
	struct { int wd; char *dir; } watches[BF_MAX_WATCHES];
	size_t n_watches;
};

/* ---- agent_notify.c ---- */

/* When the watchdog was last pinged; zero-initialised: not checked yet. */
struct bf_watchdog {
	int enabled;            /* 0 not checked yet, 1 on, -1 off */
	uint64_t interval_us;   /* half of WatchdogSec= */
	uint64_t last_us;
};

/* ---- agent_policy.c ---- */

/* The policy in force and the one before it. */
struct bf_policy_slots {
	struct bf_loaded *cur;          /* in force */
	struct bf_loaded *prev;         /* kept to explain events queued before a swap */
};

/* ---- agent_sink.c, agent_logfail.c ---- */

/* The audit log and what is known about writing it. */
struct bf_agent_log {
	struct bf_audit *audit;
	uint64_t logged;                /* decision records written */
	uint64_t errors;                /* records that could not be written */
	bool failed;                    /* the log could not be written (agent_logfail.c) */
	uint64_t retry_ns;              /* CLOCK_MONOTONIC of the last recovery attempt */
	uint64_t logfail_denials_at_start;
	struct bf_logkey *key;          /* NULL: checkpoints are not signed (said in status) */
	char key_status[256];
	uint64_t last_checkpoint_ns;
	struct bf_syslog *syslog;       /* NULL without --syslog */
	unsigned metrics_ticks;         /* timer ticks since the metrics file was last written */
	int metrics_err;                /* the last write's result, so a failure is logged once */
};

/* ---- agent_protect.c ---- */

/* An admin's "stop" or "detach" over the control socket, which the main loop carries out. */
struct bf_admin_req {
	bool stop;              /* end the loop at its next turn */
	bool detached;          /* ... the pins were removed first ('biofence detach') */
	char by[128];           /* who asked, for the stop record */
};

/* ---- agent_confine.c ---- */

#define BF_CONFINE_DIRS 5

/* What the agent gave up (agent_confine.c), for status and the start record. */
struct bf_confinement {
	bool off;               /* --no-confine */
	bool fs;                /* read-only but for writable[] */
	bool caps;              /* only the kept capabilities, no_new_privs */
	bool seccomp;           /* the allowlist is loaded on every thread */
	size_t syscalls;        /* ... of this many calls */
	char caps_text[256];    /* cap_to_text of the main thread's set */
	char why[256];          /* "" or the first step that failed, and why */
	char writable[BF_CONFINE_DIRS][PATH_MAX];
	size_t n_writable;
};

/* ---- agent_unpriv.c ---- */

/*
 * One unprivileged helper: a zygote forked at start that forks a worker
 * per request (agent_unpriv.c), and what became of its requests.
 */
struct bf_unpriv {
	const char *role;       /* "parser", "resolver" or "requests" */
	pid_t pid;              /* the zygote; 0: none was started (unit tests, --check) */
	int fd;                 /* the agent's end of the socketpair; -1 once the zygote is gone */
	bool confined;          /* it confined itself */
	char why_not[160];      /* ... or why not ("--no-confine", or the step that failed) */
	unsigned long requests, failures;       /* failures: a worker died, hung or sent garbage */
	char last_failure[192];
	pthread_mutex_t mu;     /* the resolver is asked from the main loop and the DNS thread */
};

struct bf_privsep {
	struct bf_unpriv parser;        /* policy files: parse and check (root's files: uid 0, no capability) */
	struct bf_unpriv resolver;      /* policy host names: DNS (as nobody) */
	struct bf_unpriv requests;      /* control requests: any local user's bytes (as nobody) */
};

/* ---- agent_sockets.c ---- */

#define BF_SOCKETS_SEEN 256

/* The (process, socket) pairs the scan has already acted on; inode 0: its CAP_NET_RAW warning. */
struct bf_sockets_seen {
	struct { uint32_t pid; unsigned long inode; } e[BF_SOCKETS_SEEN];
	unsigned next;
};

/* Where the agent looks at the host: the cgroup scope it guards and the /proc it reads. */
struct bf_scope {
	char cgroup_root[PATH_MAX];     /* the cgroup2 mount */
	char cgroup[PATH_MAX];          /* the subtree we guard */
	const char *proc;               /* "/proc"; a fake tree in unit tests */
};

/* The main loop's descriptors (biofenced.c). */
struct bf_loop {
	int epfd, sigfd, timerfd;
	volatile int stop;              /* set by the signal path only */
	struct bf_watchdog watchdog;    /* agent_notify.c */
};

/* The control socket and its clients (biofenced.c). */
struct bf_ctl_server {
	int fd;
	struct bf_ctl_client *clients[BF_MAX_CLIENTS];
};

struct bf_agent {
	struct bf_options opt;
	struct bf_scope scope;
	struct bf_loader ld;
	const struct bf_kern_ops *kern;         /* every kernel write the modules' decisions make */
	struct bf_policy_slots policy;          /* agent_policy.c */
	struct bf_agent_log log;                /* agent_sink.c, agent_logfail.c, biofenced.c */
	struct bf_event_state ev;               /* agent_events.c */
	struct bf_hotplug hotplug;              /* agent_hotplug.c */
	struct bf_sockets_seen sockets_seen;    /* agent_sockets.c */
	struct bf_consent_state consent;        /* agent_consent.c, agent_ledger.c */
	struct bf_dns *dns;                     /* keeps policy host names resolved, off the loop */
	struct bf_loop loop;
	struct bf_ctl_server ctl;
	struct bf_admin_req admin;              /* agent_protect.c */
	struct bf_confinement confine;          /* agent_confine.c */
	struct bf_privsep privsep;              /* agent_unpriv.c */
	uint64_t started_ns;
};

#endif /* BF_AGENT_H */
