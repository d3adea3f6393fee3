/* biofenced.c - the biofence agent: pin and attach the programs, keep the policy in force, write the audit log. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "agent.h"
#include "agent_confine.h"
#include "agent_dns.h"
#include "agent_unpriv.h"
#include "agent_consent.h"
#include "agent_ctl.h"
#include "agent_events.h"
#include "agent_hotplug.h"
#include "agent_ledger.h"
#include "agent_logfail.h"
#include "agent_policy.h"
#include "agent_protect.h"
#include "agent_scan.h"
#include "agent_sink.h"
#include "agent_sockets.h"
#include "agent_status.h"
#include "agent_notify.h"
#include "agent_options.h"
#include "audit/logkey.h"
#include "log.h"
#include "metrics.h"
#include "util.h"
#include "version.h"

enum { EV_RING = 1, EV_SIGNAL, EV_TIMER, EV_LISTEN, EV_CLIENT, EV_UEVENT, EV_INOTIFY };
#define BF_DRAIN_MS 20
#define EV_KEY(type, idx) (((uint64_t)(type) << 32) | (uint32_t)(idx))

/*
 * libbpf's warnings, one log line each. A refused program's verifier log
 * comes as one message of many lines, and the reason is at its end: its
 * first line and its last BF_VLOG_TAIL lines are logged, never cut to the
 * first, so a load that fails on a user's kernel says why.
 */
#define BF_VLOG_TAIL 30

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *msg = NULL, *line, *save = NULL;
	size_t n = 0, i = 0;

	if (level == LIBBPF_DEBUG || vasprintf(&msg, fmt, ap) < 0)
		return 0;
	for (const char *p = msg; *p; p++)
		n += *p == '\n' || !p[1];
	for (line = strtok_r(msg, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
		if (i == 1 && n > BF_VLOG_TAIL + 1)
			log_warnx("libbpf: ... (%zu lines not shown)", n - BF_VLOG_TAIL - 1);
		if (i == 0 || i + BF_VLOG_TAIL >= n)
			log_warnx("libbpf: %s", line);
	}
	free(msg);
	return 0;
}

/* The subtree to guard must lie inside the cgroup2 mount; default is all of it. */
static int setup_scope(struct bf_agent *ag)
{
	char real[PATH_MAX];
	size_t n;
	int err = bf_cgroup2_mount(ag->scope.cgroup_root, sizeof(ag->scope.cgroup_root));

	if (err) {
		log_errno(err, "no cgroup2 mount in /proc/mounts");
		return err;
	}
	if (!ag->opt.cgroup) {
		snprintf(ag->scope.cgroup, sizeof(ag->scope.cgroup), "%s", ag->scope.cgroup_root);
		return 0;
	}
	if (!realpath(ag->opt.cgroup, real)) {
		log_warn("--cgroup %s", ag->opt.cgroup);
		return -errno;
	}
	n = strlen(ag->scope.cgroup_root);
	if (strncmp(real, ag->scope.cgroup_root, n) != 0 || (real[n] && real[n] != '/')) {
		log_warnx("--cgroup %s is not inside the cgroup2 mount %s", real, ag->scope.cgroup_root);
		return -EINVAL;
	}
	snprintf(ag->scope.cgroup, sizeof(ag->scope.cgroup), "%s", real);
	return 0;
}

static void print_diags(const struct bf_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		fprintf(stderr, "%s\n", d->msgs[i]);
}

/* An "agent" record about EVENT in this run's life, naming the run. */
static struct json_object *run_record(struct bf_agent *ag, const char *event)
{
	struct json_object *rec = agent_log_begin(&ag->log, event);

	bf_json_add_str(rec, "version", BF_VERSION);
	bf_json_add_u64(rec, "agent_pid", (uint64_t)getpid());
	return rec;
}

static void log_start(struct bf_agent *ag)
{
	struct json_object *rec = run_record(ag, "start");

	agent_add_enforcement(ag, rec);
	bf_json_add_bool(rec, "adopted", ag->ld.adopted);
	bf_json_add_bool(rec, "maps_reused", ag->ld.maps_reused);
	bf_json_add_str(rec, "cgroup", ag->scope.cgroup);
	bf_json_add_str(rec, "pin_dir", ag->opt.pin_dir);
	bf_json_add_str(rec, "log_checkpoints", ag->log.key_status);
	json_object_object_add(rec, "confinement", agent_confine_json(ag));
	json_object_object_add(rec, "helpers", agent_unpriv_json(ag));
	agent_emit(ag, rec);
}

/*
 * The first record of every run, before the agent loads anything that may
 * log: the log shows exactly when the agent came back, so downtime is
 * measured to here and not to whatever it logs while starting up.
 */
static void log_starting(struct bf_agent *ag)
{
	agent_emit(ag, run_record(ag, "starting"));
}

/*
 * Checkpoints are signed with the host key; without one the log is still
 * chained but anyone who can rewrite it can rewrite the chain: said loudly.
 * A key asked for by name that cannot be used stops the start instead.
 */
static int load_log_key(struct bf_agent *ag)
{
	const char *path = ag->opt.log_key ? ag->opt.log_key : BF_DEFAULT_LOG_KEY;
	int err = bf_logkey_load(path, false, &ag->log.key);

	if (!err) {
		snprintf(ag->log.key_status, sizeof(ag->log.key_status), "signed with key %s (%s)",
			 bf_logkey_id(ag->log.key), path);
		return 0;
	}
	snprintf(ag->log.key_status, sizeof(ag->log.key_status), "NOT SIGNED: %s %s", path,
		 err == -ENOENT ? "does not exist (make one with 'biofence log keygen')" :
		 err == -EPERM ? "must be a root-owned file that no one else can read" : strerror(-err));
	log_warnx("log checkpoints are %s", ag->log.key_status);
	return ag->opt.log_key ? err : 0;
}

/* A signed checkpoint every 1000 records or every minute with something new, and at stop. */
static void agent_checkpoint(struct bf_agent *ag, bool now)
{
	uint64_t since = bf_audit_since_checkpoint(ag->log.audit), t = bf_audit_now_ns();
	int err;

	if (!ag->log.key || !since ||
	    (!now && since < 1000 && t - ag->log.last_checkpoint_ns < 60ull * 1000000000ull))
		return;
	err = bf_audit_checkpoint(ag->log.audit, ag->log.key);
	if (err)
		log_errno(err, "writing a log checkpoint");
	ag->log.last_checkpoint_ns = t;
}

static void log_stop(struct bf_agent *ag, const char *why)
{
	struct json_object *rec = agent_log_begin(&ag->log, "stop");

	bf_json_add_str(rec, "reason", why);
	bf_json_add_str(rec, "enforcement", ag->admin.detached ?
			"ended: 'biofence detach' removed the pinned programs" :
			"continues: the pinned programs keep the policy in force; "
			"'biofence detach' removes them");
	bf_json_add_str(rec, "pin_dir", ag->opt.pin_dir);
	agent_emit(ag, rec);
}

/* The policy to enforce, its diagnostics on stderr; refused: nothing was changed. */
static int load_first_policy(struct bf_agent *ag, struct bf_loaded **ld)
{
	struct bf_diags diags = {};
	int err = agent_load_policy(ag, ld, &diags);

	print_diags(&diags);
	bf_diags_free(&diags);
	if (err)
		log_warnx("policy %s refused; nothing was changed",
			  ag->opt.policy ? ag->opt.policy : BF_DEFAULT_POLICY);
	return err;
}

/* The audit log, its syslog copy and its key; the first record says the agent is back. */
static int open_log(struct bf_agent *ag)
{
	int err = bf_audit_open(&ag->log.audit, ag->opt.log, ag->opt.echo);

	if (err) {
		log_errno(err, "audit log %s", ag->opt.log);
		return err;
	}
	if (ag->log.syslog)
		bf_audit_set_mirror(ag->log.audit, bf_syslog_mirror, ag->log.syslog);
	log_starting(ag);
	err = load_log_key(ag);
	ag->log.last_checkpoint_ns = bf_audit_now_ns();
	return err;
}

/*
 * Load policy first: a bad policy must stop us before anything is attached.
 * What is acquired here is the agent's (agent_cleanup releases it) except
 * the policy loaded, which is ours until installed.
 */
static int agent_start(struct bf_agent *ag)
{
	struct bf_scope_id scope;
	struct bf_loaded *ld = NULL;
	char errbuf[512];
	int err;

	err = setup_scope(ag);
	if (err)
		return err;
	/* Before the resolver thread, so that it shares the namespace. */
	agent_confine_mounts(ag);
	/* Before any thread, and before anything of the kernel's is open here: they are forks of us. */
	err = agent_unpriv_start(ag);
	if (err)
		return err;
	/* Before the policy is resolved: a camera that comes or goes from here on is not missed. */
	agent_hotplug_open(&ag->hotplug);
	err = bf_dns_start(&ag->dns, agent_dns_lookup, ag);
	if (err) {
		log_errno(err, "starting the resolver thread");
		return err;
	}
	err = load_first_policy(ag, &ld);
	if (err)
		return err;
	err = open_log(ag);
	if (err)
		goto out;
	err = bf_scope_id_of(ag->scope.cgroup_root, ag->scope.cgroup, &scope);
	if (err) {
		log_errno(err, "the id of cgroup %s", ag->scope.cgroup);
		goto out;
	}
	err = bf_loader_load(&ag->ld, ag->opt.pin_dir, ag->opt.ringbuf_size, &scope);
	if (err) {
		log_errno(err, "loading the BPF programs");
		goto out;
	}
	/* Before attach, so a restarted agent's programs guard from their first call. */
	err = bf_protect_prepare(&ag->ld, !ag->opt.no_protect);
	if (err)
		log_errno(err, "setting up self-protection; enforcement goes on without it");
	/* Windows a previous agent opened are still in the kernel: know them before the tables. */
	err = agent_consent_start(ag);
	if (err) {
		log_errno(err, "reading the capture windows");
		goto out;
	}
	/* Tables before attach: the first decision is already the policy's. */
	err = agent_install(ag, ld, errbuf, sizeof(errbuf));
	if (err) {
		log_warnx("installing the policy: %s", errbuf);
		goto out;
	}
	ld = NULL;	/* in force: the agent's now */
	err = bf_loader_attach(&ag->ld, ag->scope.cgroup);
	if (err) {
		log_errno(err, "attaching the BPF programs");	/* never a silent exit */
		goto out;
	}
	if (bf_protect_links(&ag->ld))
		log_warnx("self-protection does not know every link: they may be taken by id");
	if (!ag->ld.protect)
		log_warnx("self-protection: %s", agent_protection(ag));
	/* An agent that died while its log was failing left captures refused: the log works now. */
	bf_loader_set_log_failed(&ag->ld, false);
	bf_loader_lost_logged(&ag->ld, &ag->ev.lost_reported, NULL);
out:
	bf_loaded_free(ld);
	return err;
}

static int epoll_add(struct bf_agent *ag, int fd, uint64_t key)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = key };

	return epoll_ctl(ag->loop.epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static int setup_loop(struct bf_agent *ag)
{
	struct itimerspec its = { .it_interval = { 1, 0 }, .it_value = { 1, 0 } };
	sigset_t mask;
	int err;

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	ag->loop.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	ag->loop.timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	ag->loop.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (ag->loop.sigfd < 0 || ag->loop.timerfd < 0 || ag->loop.epfd < 0)
		return -errno;
	timerfd_settime(ag->loop.timerfd, 0, &its, NULL);
	ag->ev.rb = ring_buffer__new(bf_loader_ringbuf_fd(&ag->ld), agent_on_event, ag, NULL);
	if (!ag->ev.rb)
		return -errno;
	err = bf_ctl_listen(ag->opt.control, &ag->ctl.fd);
	if (err) {
		log_errno(err, "control socket %s", ag->opt.control);
		return err;
	}
	err = epoll_add(ag, ring_buffer__epoll_fd(ag->ev.rb), EV_KEY(EV_RING, 0));
	err = err ?: epoll_add(ag, ag->loop.sigfd, EV_KEY(EV_SIGNAL, 0));
	err = err ?: epoll_add(ag, ag->loop.timerfd, EV_KEY(EV_TIMER, 0));
	err = err ?: epoll_add(ag, ag->ctl.fd, EV_KEY(EV_LISTEN, 0));
	if (!err && ag->hotplug.uevent_fd >= 0)
		err = epoll_add(ag, ag->hotplug.uevent_fd, EV_KEY(EV_UEVENT, 0));
	if (!err && ag->hotplug.inotify_fd >= 0)
		err = epoll_add(ag, ag->hotplug.inotify_fd, EV_KEY(EV_INOTIFY, 0));
	return err;
}

static void on_signal(struct bf_agent *ag)
{
	struct signalfd_siginfo si;

	while (read(ag->loop.sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			agent_notify_reloading();
			agent_reload(ag, "SIGHUP", NULL);
			agent_notify_ready("enforcing; reloaded on SIGHUP");
		}
		else
			ag->loop.stop = (int)si.ssi_signo;
	}
}

/* logrotate renamed the log: carry on in the new file, linked to the old by the chain. */
static void agent_follow_log_rotation(struct bf_agent *ag)
{
	struct json_object *rec;
	int r = bf_audit_follow_rotation(ag->log.audit);

	if (r < 0) {
		log_errno(r, "reopening the audit log %s after a rotation", ag->opt.log);
		return;
	}
	if (r == 0)
		return;
	log_info("audit log %s was rotated; the chain continues in the new file", ag->opt.log);
	rec = agent_log_begin(&ag->log, "log-rotated");
	bf_json_add_str(rec, "note", "the previous file ends with the record whose hash is this record's prev");
	agent_emit(ag, rec);
}

/*
 * For node_exporter's textfile collector. A file that cannot be written
 * never stops enforcement: said once, and again when it works.
 */
static void agent_write_metrics(struct bf_agent *ag, bool up)
{
	uint64_t st[BF_STAT_N] = {};
	struct bf_metrics m;
	char buf[4096];
	int n, err;

	if (!ag->opt.metrics)
		return;
	ag->log.metrics_ticks = 0;
	bf_loader_stats(&ag->ld, st);
	m = (struct bf_metrics){
		.events = st[BF_STAT_EVENTS], .capture_denials = st[BF_STAT_CAPTURE_DENY],
		.export_denials = st[BF_STAT_EXPORT_DENY], .ipc_denials = st[BF_STAT_IPC_DENY],
		.socket_denials = st[BF_STAT_SOCKET_DENY], .lost_events = st[BF_STAT_LOST],
		.quota_drops = st[BF_STAT_QUOTA_DROP], .log_errors = ag->log.errors,
		.syslog_errors = bf_syslog_errors(ag->log.syslog), .agent_up = up,
		.enforcing = bf_pinned_links_present(ag->opt.pin_dir) && !ag->policy.cur->policy->audit_mode,
	};
	for (size_t i = 0; i < ag->consent.n_win; i++)
		m.windows_open += ag->consent.win[i].state == BF_WINDOW_OPEN;
	n = bf_metrics_format(buf, sizeof(buf), &m);
	err = n < 0 ? n : bf_metrics_write(ag->opt.metrics, buf, (size_t)n);
	if (err && err != ag->log.metrics_err)
		log_errno(err, "writing the metrics file %s", ag->opt.metrics);
	else if (!err && ag->log.metrics_err)
		log_info("metrics file %s written again", ag->opt.metrics);
	ag->log.metrics_err = err;
}

/* The boot clock's offset from wall-clock time drifts (suspend, NTP): read it again each second. */
static void update_clock(struct bf_agent *ag)
{
	agent_update_clock(&ag->ev, (uint64_t)bf_now_ns(CLOCK_REALTIME), (uint64_t)bf_now_ns(CLOCK_BOOTTIME));
}

static void reap_clients(struct bf_agent *ag);

static void on_timer(struct bf_agent *ag)
{
	uint64_t ticks;

	if (read(ag->loop.timerfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		log_warn("timerfd");
	update_clock(ag);
	/* Drain first so lost records follow the decisions that did arrive. */
	ring_buffer__consume(ag->ev.rb);
	agent_check_lost(ag);
	agent_follow_log_rotation(ag);
	agent_checkpoint(ag, false);
	agent_reresolve(ag, "periodic");
	agent_hotplug_watch(&ag->hotplug, ag->policy.cur->policy);
	agent_scan_sockets(ag);
	reap_clients(ag);
	if (++ag->log.metrics_ticks >= 5)
		agent_write_metrics(ag, true);
}

static void drop_client(struct bf_agent *ag, int slot)
{
	struct bf_ctl_client *c = ag->ctl.clients[slot];

	epoll_ctl(ag->loop.epfd, EPOLL_CTL_DEL, c->fd, NULL);
	bf_ctl_client_close(c);
	free(c);
	ag->ctl.clients[slot] = NULL;
}

/*
 * Where a new client C may sit, or -1. Nobody may lock root out of the
 * control socket (a withdrawal of consent must always get through): the
 * last slot is root's, one uid other than root holds at most
 * BF_CTL_PER_UID slots, and with every slot taken root's connection
 * takes the slot of the longest-connected other client.
 */
static int client_slot(struct bf_agent *ag, const struct bf_ctl_client *c)
{
	int free_slot = -1, used = 0, same = 0, oldest = -1;

	for (int i = 0; i < BF_MAX_CLIENTS; i++) {
		const struct bf_ctl_client *o = ag->ctl.clients[i];

		if (!o) {
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		used++;
		same += o->uid == c->uid;
		if (o->uid != 0 && (oldest < 0 || o->since_ms < ag->ctl.clients[oldest]->since_ms))
			oldest = i;
	}
	if (c->uid != 0)
		return same >= BF_CTL_PER_UID || used >= BF_MAX_CLIENTS - 1 ? -1 : free_slot;
	if (free_slot < 0 && oldest >= 0) {
		log_warnx("control: all %d slots taken; root (pid %d) takes the slot of pid %d (uid %u)",
			  BF_MAX_CLIENTS, (int)c->pid, (int)ag->ctl.clients[oldest]->pid,
			  (unsigned)ag->ctl.clients[oldest]->uid);
		drop_client(ag, oldest);
		free_slot = oldest;
	}
	return free_slot;
}

static void on_accept(struct bf_agent *ag)
{
	struct bf_ctl_client *c = calloc(1, sizeof(*c));
	int slot;

	if (!c || bf_ctl_accept(ag->ctl.fd, c) != 0) {
		free(c);
		return;
	}
	slot = client_slot(ag, c);
	if (slot < 0 || epoll_add(ag, c->fd, EV_KEY(EV_CLIENT, slot)) != 0) {
		log_warnx("control: refusing pid %d (uid %u): too many clients%s", (int)c->pid,
			  (unsigned)c->uid, c->uid ? " (root's slot is kept free)" : "");
		bf_ctl_client_close(c);
		free(c);
		return;
	}
	ag->ctl.clients[slot] = c;
}

static void on_client(struct bf_agent *ag, int slot)
{
	struct bf_ctl_client *c = ag->ctl.clients[slot];

	if (c && bf_ctl_client_input(c, agent_ctl_parse, agent_ctl_handle, ag) != 0)
		drop_client(ag, slot);
}

/* Every second: a client idle, or too slow with a request, gives its slot back. */
static void reap_clients(struct bf_agent *ag)
{
	int64_t now = bf_ctl_now_ms();
	const char *why;

	for (int i = 0; i < BF_MAX_CLIENTS; i++) {
		if (!ag->ctl.clients[i] || !(why = bf_ctl_client_stale(ag->ctl.clients[i], now)))
			continue;
		log_warnx("control: closing pid %d (uid %u): %s", (int)ag->ctl.clients[i]->pid,
			  (unsigned)ag->ctl.clients[i]->uid, why);
		drop_client(ag, i);
	}
}

/* What every turn does, woken by something or not. */
static void loop_turn(struct bf_agent *ag)
{
	uint64_t now = (uint64_t)bf_now_ns(CLOCK_MONOTONIC);

	agent_notify_watchdog(&ag->loop.watchdog, now / 1000);
	ring_buffer__consume(ag->ev.rb);
	agent_check_log(ag, now);
	agent_ledger_tick(ag, agent_now());
	agent_consent_tick(ag, agent_now());
}

static void dispatch(struct bf_agent *ag, uint64_t key)
{
	uint32_t type = (uint32_t)(key >> 32);
	int idx = (int)(uint32_t)key;

	switch (type) {
	case EV_RING: ring_buffer__consume(ag->ev.rb); break;
	case EV_SIGNAL: on_signal(ag); break;
	case EV_TIMER: on_timer(ag); break;
	case EV_LISTEN: on_accept(ag); break;
	case EV_CLIENT: on_client(ag, idx); break;
	case EV_UEVENT: agent_on_uevent(ag); break;
	case EV_INOTIFY: agent_on_inotify(ag); break;
	}
}

static void run_loop(struct bf_agent *ag)
{
	struct epoll_event evs[16];

	while (!ag->loop.stop && !ag->admin.stop) {
		int n;

		if (ag->hotplug.rewatch) {	/* a policy was installed (agent_install) */
			ag->hotplug.rewatch = false;
			agent_hotplug_watch(&ag->hotplug, ag->policy.cur->policy);
		}
		/* The kernel wakes us only when its buffer fills; drain on a short beat. */
		n = epoll_wait(ag->loop.epfd, evs, 16, BF_DRAIN_MS);
		if (n < 0 && errno != EINTR) {
			log_warn("epoll_wait");
			break;
		}
		loop_turn(ag);
		for (int i = 0; i < n; i++)
			dispatch(ag, evs[i].data.u64);
	}
}

static void agent_cleanup(struct bf_agent *ag)
{
	for (int i = 0; i < BF_MAX_CLIENTS; i++)
		if (ag->ctl.clients[i]) {
			bf_ctl_client_close(ag->ctl.clients[i]);
			free(ag->ctl.clients[i]);
		}
	if (ag->ctl.fd >= 0) {
		close(ag->ctl.fd);
		unlink(ag->opt.control);
	}
	ring_buffer__free(ag->ev.rb);
	bf_loader_close(&ag->ld);	/* handles only: the pins keep enforcing */
	agent_path_caches_free(&ag->ev);
	agent_consent_stop(ag);
	agent_hotplug_close(&ag->hotplug);
	bf_dns_stop(ag->dns);
	agent_unpriv_stop(ag);
	bf_logkey_free(ag->log.key);
	bf_audit_close(ag->log.audit);
	bf_syslog_close(ag->log.syslog);
}

static int check_only(struct bf_agent *ag)
{
	struct bf_diags diags = {};
	struct bf_loaded *ld = NULL;
	int err;

	if (bf_cgroup2_mount(ag->scope.cgroup_root, sizeof(ag->scope.cgroup_root)) != 0)
		snprintf(ag->scope.cgroup_root, sizeof(ag->scope.cgroup_root), "/sys/fs/cgroup");
	err = agent_load_policy(ag, &ld, &diags);
	print_diags(&diags);
	bf_diags_free(&diags);
	if (err)
		return 1;
	printf("policy %s OK (sha256 %s)\n", ld->source, ld->digest);
	bf_loaded_free(ld);
	return 0;
}

/* The kernel calls the modules' decisions make, as biofenced makes them: the loader's. */
static const struct bf_kern_ops kern_loader = {
	.stats = bf_loader_stats,
	.active = bf_loader_active,
	.install = bf_loader_install,
	.taint = bf_loader_taint,
	.tainted = bf_loader_tainted,
	.quota_use = bf_loader_quota_use,
	.set_log_failed = bf_loader_set_log_failed,
	.lost_logged = bf_loader_lost_logged,
};

/* Started: enforce until a signal says stop, then say so in the log. */
static void serve(struct bf_agent *ag)
{
	log_start(ag);
	agent_write_metrics(ag, true);
	agent_scan_holders(ag);
	log_info("enforcing policy %s (%s) on %s; log %s", ag->policy.cur->source, ag->policy.cur->digest,
		 ag->scope.cgroup, ag->opt.log);
	/* Every program attached and the start record written: only now is the unit up. */
	agent_notify_ready("enforcing");
	run_loop(ag);
	agent_notify_stopping("stopping; the pinned programs keep enforcing");
	ring_buffer__consume(ag->ev.rb);
	agent_check_lost(ag);
	log_stop(ag, ag->admin.stop ? ag->admin.by : ag->loop.stop == SIGINT ? "SIGINT" : "SIGTERM");
	agent_checkpoint(ag, true);
	agent_write_metrics(ag, false);
	if (ag->admin.detached)
		log_info("stopped; the programs were detached from %s: nothing is enforced", ag->opt.pin_dir);
	else
		log_info("stopped; the pinned programs in %s keep enforcing", ag->opt.pin_dir);
}

int main(int argc, char **argv)
{
	static struct bf_agent ag = {
		.scope.proc = "/proc", .kern = &kern_loader, .ctl.fd = -1,
		.loop = { .epfd = -1, .sigfd = -1, .timerfd = -1 },
		.hotplug = { .uevent_fd = -1, .inotify_fd = -1 },
	};
	enum agent_mode mode;
	int err;

	log_init("biofenced", 0);
	if (agent_parse_options(argc, argv, &ag.opt, &mode))
		return 2;
	if (mode == AGENT_HELP || mode == AGENT_VERSION) {
		agent_print_info(stdout, mode);
		return 0;
	}
	log_init("biofenced", ag.opt.verbosity);
	if (mode == AGENT_CHECK)
		return check_only(&ag);
	if (mode == AGENT_DETACH)
		return agent_detach_offline(&ag);
	libbpf_set_print(libbpf_log);
	/* Before anything is attached: a target that cannot work stops us with nothing changed. */
	err = ag.opt.syslog ? bf_syslog_open(&ag.log.syslog, ag.opt.syslog) : 0;
	if (err) {
		log_errno(err, "--syslog %s: want IPV4:PORT, [IPV6]:PORT or a unix socket path", ag.opt.syslog);
		return 1;
	}
	ag.started_ns = bf_audit_now_ns();
	update_clock(&ag);
	err = agent_start(&ag);
	if (!err) {
		err = setup_loop(&ag);
		if (err)
			log_errno(err, "setting up the event loop");
	}
	if (!err)
		agent_confine_process(&ag);	/* all set up: give up what the loop does not need */
	if (err) {
		agent_notify_failed(err, "start failed: the reason is in the journal (journalctl -u biofenced)");
		agent_cleanup(&ag);
		return 1;
	}
	serve(&ag);
	agent_cleanup(&ag);
	return 0;
}
