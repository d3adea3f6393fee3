/* agent.h - biofenced's state: the options, the loaded policies and struct bf_agent; each module declares its functions in its own header. */
#ifndef BF_AGENT_H
#define BF_AGENT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

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
#define BF_PATH_CACHE       128

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

#define BF_WINDOW_HISTORY   64
#define BF_MAX_WATCHES      64  /* directories of camera paths watched for udev's links */
#define BF_SOCKETS_SEEN     256

/* A (process, socket) the socket scan has already acted on; inode 0: its CAP_NET_RAW warning. */
struct bf_socket_seen {
	uint32_t pid;
	unsigned long inode;
};

/* The consent ledger as last read, and the capture windows. */
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
	bool echo;              /* print each record on stdout too */
	int verbosity;
};

struct bf_agent {
	struct bf_options opt;
	char cgroup_root[PATH_MAX];     /* the cgroup2 mount */
	char cgroup[PATH_MAX];          /* the subtree we guard */
	struct bf_loader ld;
	struct bf_audit *audit;
	struct ring_buffer *rb;
	struct bf_loaded *cur;          /* in force */
	struct bf_loaded *prev;         /* kept to explain events queued before a swap */
	int epfd, sigfd, timerfd, ctlfd;
	struct bf_ctl_client *clients[BF_MAX_CLIENTS];
	int64_t boot_to_real_ns;        /* CLOCK_REALTIME - CLOCK_BOOTTIME */
	uint64_t lost_reported;         /* kernel lost counter already logged */
	uint64_t logged;                /* decision records written */
	uint64_t log_errors;            /* records that could not be written */
	uint64_t started_ns;
	char lsm_status[160];
	struct bf_path_cache exe_paths;     /* kernel dev, inode -> exe path */
	struct bf_path_cache cgroup_paths;  /* cgroup id (never reused) -> path */
	struct bf_consent_state consent;
	struct bf_dns *dns;             /* keeps policy host names resolved, off the loop */
	bool log_failed;                /* the audit log could not be written (agent_logfail.c) */
	uint64_t log_retry_ns;
	uint64_t logfail_denials_at_start;
	struct bf_logkey *log_key;      /* NULL: checkpoints are not signed (said in status) */
	char log_key_status[256];
	uint64_t last_checkpoint_ns;
	struct bf_syslog *syslog;       /* NULL without --syslog */
	unsigned metrics_ticks;         /* timer ticks since the metrics file was last written */
	int metrics_err;                /* the last write's result, so a failure is logged once */
	struct bf_socket_seen sockets_seen[BF_SOCKETS_SEEN];
	unsigned sockets_seen_next;
	int uevent_fd;                  /* kernel uevents, -1 if unavailable (agent_hotplug.c) */
	int inotify_fd;                 /* the directories of camera paths, -1 if unavailable */
	bool rewatch;                   /* a policy was installed: re-watch its camera directories */
	struct { int wd; char *dir; } watches[BF_MAX_WATCHES];
	size_t n_watches;
	volatile int stop;              /* set by the signal path only */
};

#endif /* BF_AGENT_H */
