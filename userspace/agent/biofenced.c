/* biofenced.c - the biofence agent: pin and attach the programs, keep the policy in force, write the audit log. */
#include <errno.h>
#include <getopt.h>
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
#include "agent_consent.h"
#include "agent_events.h"
#include "agent_hotplug.h"
#include "agent_ledger.h"
#include "agent_logfail.h"
#include "agent_policy.h"
#include "agent_scan.h"
#include "agent_sink.h"
#include "agent_sockets.h"
#include "agent_status.h"
#include "agent_notify.h"
#include "audit/logkey.h"
#include "log.h"
#include "metrics.h"
#include "version.h"

enum { EV_RING = 1, EV_SIGNAL, EV_TIMER, EV_LISTEN, EV_CLIENT, EV_UEVENT, EV_INOTIFY };
#define BF_DRAIN_MS 20
#define EV_KEY(type, idx) (((uint64_t)(type) << 32) | (uint32_t)(idx))

static void usage(FILE *out)
{
	fprintf(out,
		"usage: biofenced [-n] [--policy FILE] [--cgroup PATH] [--pin-dir DIR] [--log FILE]\n"
		"                 [--control SOCKET] [--consent FILE] [--log-key FILE] [--ringbuf-size BYTES]\n"
		"                 [--echo] [-v] [--syslog ADDR:PORT|/dev/log] [--metrics FILE]\n"
		"       biofenced --help | --version\n"
		"  -n                  check the policy and exit (0 valid, 1 invalid)\n"
		"  --policy FILE       default %s (the embedded deny-all if absent)\n"
		"  --cgroup PATH       the cgroup v2 subtree to guard (default: the cgroup2 root)\n"
		"  --pin-dir DIR       default %s\n"
		"  --log FILE          default %s\n"
		"  --control SOCKET    default %s\n"
		"  --consent FILE      the consent ledger, default %s\n"
		"  --log-key FILE      signs log checkpoints, default %s if it exists\n"
		"  --ringbuf-size N    event ring buffer bytes, a power of 2 >= 4096 (default 1 MiB)\n"
		"  --echo              print each audit record on stdout too\n"
		"  --syslog TARGET     send each record as RFC 5424 too: to IPV4:PORT or [IPV6]:PORT over UDP,\n"
		"                      or to a local unix datagram socket such as /dev/log\n"
		"  --metrics FILE      keep FILE current in Prometheus text format (every 5 s and at stop)\n"
		"  -v, --verbose       debug messages on stderr too\n"
		"  -h, --help          this text; -V, --version: the version\n"
		"see biofenced(8), biofence.policy(5), biofence-audit(5)\n",
		BF_DEFAULT_POLICY, BF_DEFAULT_PIN_DIR, BF_DEFAULT_LOG, BF_DEFAULT_CONTROL,
		BF_CONSENT_DEFAULT_PATH, BF_DEFAULT_LOG_KEY);
}

static int parse_args(int argc, char **argv, struct bf_options *o, bool *check_only)
{
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "pin-dir", required_argument, NULL, 'P' },
		{ "log", required_argument, NULL, 'l' },
		{ "control", required_argument, NULL, 's' },
		{ "consent", required_argument, NULL, 'C' },
		{ "log-key", required_argument, NULL, 'K' },
		{ "ringbuf-size", required_argument, NULL, 'r' },
		{ "echo", no_argument, NULL, 'e' },
		{ "syslog", required_argument, NULL, 'S' },
		{ "metrics", required_argument, NULL, 'M' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	unsigned long rb;
	char *end;
	int ch;

	*o = (struct bf_options){ .pin_dir = BF_DEFAULT_PIN_DIR, .log = BF_DEFAULT_LOG,
				  .control = BF_DEFAULT_CONTROL };
	while ((ch = getopt_long(argc, argv, "nvhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n': *check_only = true; break;
		case 'p': o->policy = optarg; break;
		case 'c': o->cgroup = optarg; break;
		case 'P': o->pin_dir = optarg; break;
		case 'l': o->log = optarg; break;
		case 's': o->control = optarg; break;
		case 'C': o->consent = optarg; break;
		case 'K': o->log_key = optarg; break;
		case 'e': o->echo = true; break;
		case 'S': o->syslog = optarg; break;
		case 'M': o->metrics = optarg; break;
		case 'v': o->verbosity++; break;
		case 'r':
			rb = strtoul(optarg, &end, 0);
			if (*end || rb < 4096 || rb > (1ul << 30) || (rb & (rb - 1))) {
				log_warnx("--ringbuf-size: want a power of 2 from 4096 to 1 GiB");
				return -EINVAL;
			}
			o->ringbuf_size = (uint32_t)rb;
			break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("biofenced %s\n", BF_VERSION); exit(0);
		default: usage(stderr); return -EINVAL;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[512];

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	log_warnx("libbpf: %s", buf);
	return 0;
}

/* The subtree to guard must lie inside the cgroup2 mount; default is all of it. */
static int setup_scope(struct bf_agent *ag)
{
	char real[PATH_MAX];
	size_t n;
	int err = bf_cgroup2_mount(ag->cgroup_root, sizeof(ag->cgroup_root));

	if (err) {
		log_errno(err, "no cgroup2 mount in /proc/mounts");
		return err;
	}
	if (!ag->opt.cgroup) {
		snprintf(ag->cgroup, sizeof(ag->cgroup), "%s", ag->cgroup_root);
		return 0;
	}
	if (!realpath(ag->opt.cgroup, real)) {
		log_warn("--cgroup %s", ag->opt.cgroup);
		return -errno;
	}
	n = strlen(ag->cgroup_root);
	if (strncmp(real, ag->cgroup_root, n) != 0 || (real[n] && real[n] != '/')) {
		log_warnx("--cgroup %s is not inside the cgroup2 mount %s", real, ag->cgroup_root);
		return -EINVAL;
	}
	snprintf(ag->cgroup, sizeof(ag->cgroup), "%s", real);
	return 0;
}

static void print_diags(const struct bf_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		fprintf(stderr, "%s\n", d->msgs[i]);
}

static void log_start(struct bf_agent *ag)
{
	struct json_object *rec = bf_audit_begin(ag->audit, "agent", bf_audit_now_ns());

	bf_json_add_str(rec, "event", "start");
	bf_json_add_str(rec, "version", BF_VERSION);
	bf_json_add_u64(rec, "agent_pid", (uint64_t)getpid());
	agent_add_enforcement(ag, rec);
	bf_json_add_bool(rec, "adopted", ag->ld.adopted);
	bf_json_add_bool(rec, "maps_reused", ag->ld.maps_reused);
	bf_json_add_str(rec, "cgroup", ag->cgroup);
	bf_json_add_str(rec, "pin_dir", ag->opt.pin_dir);
	bf_json_add_str(rec, "log_checkpoints", ag->log_key_status);
	agent_emit(ag, rec);
}

/*
 * The first record of every run, before the agent loads anything that may
 * log: the log shows exactly when the agent came back, so downtime is
 * measured to here and not to whatever it logs while starting up.
 */
static void log_starting(struct bf_agent *ag)
{
	struct json_object *rec = bf_audit_begin(ag->audit, "agent", bf_audit_now_ns());

	bf_json_add_str(rec, "event", "starting");
	bf_json_add_str(rec, "version", BF_VERSION);
	bf_json_add_u64(rec, "agent_pid", (uint64_t)getpid());
	agent_emit(ag, rec);
}

/*
 * Checkpoints are signed with the host key; without one the log is still
 * chained but anyone who can rewrite it can rewrite the chain: said loudly.
 * A key asked for by name that cannot be used stops the start instead.
 */
static int load_log_key(struct bf_agent *ag)
{
	const char *path = ag->opt.log_key ? ag->opt.log_key : BF_DEFAULT_LOG_KEY;
	int err = bf_logkey_load(path, false, &ag->log_key);

	if (!err) {
		snprintf(ag->log_key_status, sizeof(ag->log_key_status), "signed with key %s (%s)",
			 bf_logkey_id(ag->log_key), path);
		return 0;
	}
	snprintf(ag->log_key_status, sizeof(ag->log_key_status), "NOT SIGNED: %s %s", path,
		 err == -ENOENT ? "does not exist (make one with 'biofence log keygen')" :
		 err == -EPERM ? "must be a root-owned file that no one else can read" : strerror(-err));
	log_warnx("log checkpoints are %s", ag->log_key_status);
	return ag->opt.log_key ? err : 0;
}

/* A signed checkpoint every 1000 records or every minute with something new, and at stop. */
static void agent_checkpoint(struct bf_agent *ag, bool now)
{
	uint64_t since = bf_audit_since_checkpoint(ag->audit), t = bf_audit_now_ns();
	int err;

	if (!ag->log_key || !since ||
	    (!now && since < 1000 && t - ag->last_checkpoint_ns < 60ull * 1000000000ull))
		return;
	err = bf_audit_checkpoint(ag->audit, ag->log_key);
	if (err)
		log_errno(err, "writing a log checkpoint");
	ag->last_checkpoint_ns = t;
}

static void log_stop(struct bf_agent *ag, const char *why)
{
	struct json_object *rec = bf_audit_begin(ag->audit, "agent", bf_audit_now_ns());

	bf_json_add_str(rec, "event", "stop");
	bf_json_add_str(rec, "reason", why);
	bf_json_add_str(rec, "enforcement", "continues: the pinned programs keep the policy in force; "
					    "'biofence detach' removes them");
	bf_json_add_str(rec, "pin_dir", ag->opt.pin_dir);
	agent_emit(ag, rec);
}

/* Load policy first: a bad policy must stop us before anything is attached. */
static int agent_start(struct bf_agent *ag)
{
	struct bf_diags diags = {};
	struct bf_loaded *ld = NULL;
	char errbuf[512];
	int err;

	err = setup_scope(ag);
	if (err)
		return err;
	/* Before the policy is resolved: a camera that comes or goes from here on is not missed. */
	agent_hotplug_open(ag);
	err = bf_dns_start(&ag->dns);
	if (err) {
		log_errno(err, "starting the resolver thread");
		return err;
	}
	err = agent_load_policy(ag, &ld, &diags);
	print_diags(&diags);
	bf_diags_free(&diags);
	if (err) {
		log_warnx("policy %s refused; nothing was changed", ag->opt.policy ? ag->opt.policy : BF_DEFAULT_POLICY);
		return err;
	}
	agent_probe_lsm(ag);
	err = bf_audit_open(&ag->audit, ag->opt.log, ag->opt.echo);
	if (err) {
		log_errno(err, "audit log %s", ag->opt.log);
		bf_loaded_free(ld);
		return err;
	}
	if (ag->syslog)
		bf_audit_set_mirror(ag->audit, bf_syslog_mirror, ag->syslog);
	log_starting(ag);
	err = load_log_key(ag);
	if (err) {
		bf_loaded_free(ld);
		return err;
	}
	ag->last_checkpoint_ns = bf_audit_now_ns();
	err = bf_loader_load(&ag->ld, ag->opt.pin_dir, ag->opt.ringbuf_size);
	if (err) {
		log_errno(err, "loading the BPF programs");
		bf_loaded_free(ld);
		return err;
	}
	/* Windows a previous agent opened are still in the kernel: know them before the tables. */
	err = agent_consent_start(ag);
	if (err) {
		log_errno(err, "reading the capture windows");
		bf_loaded_free(ld);
		return err;
	}
	/* Tables before attach: the first decision is already the policy's. */
	err = agent_install(ag, ld, errbuf, sizeof(errbuf));
	if (err) {
		log_warnx("installing the policy: %s", errbuf);
		bf_loaded_free(ld);
		return err;
	}
	err = bf_loader_attach(&ag->ld, ag->cgroup);
	if (err)
		return err;
	/* An agent that died while its log was failing left captures refused: the log works now. */
	bf_loader_set_log_failed(&ag->ld, false);
	bf_loader_lost_logged(&ag->ld, &ag->lost_reported, NULL);
	return 0;
}

static int epoll_add(struct bf_agent *ag, int fd, uint64_t key)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = key };

	return epoll_ctl(ag->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
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
	ag->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	ag->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	ag->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (ag->sigfd < 0 || ag->timerfd < 0 || ag->epfd < 0)
		return -errno;
	timerfd_settime(ag->timerfd, 0, &its, NULL);
	ag->rb = ring_buffer__new(bf_loader_ringbuf_fd(&ag->ld), agent_on_event, ag, NULL);
	if (!ag->rb)
		return -errno;
	err = bf_ctl_listen(ag->opt.control, &ag->ctlfd);
	if (err) {
		log_errno(err, "control socket %s", ag->opt.control);
		return err;
	}
	err = epoll_add(ag, ring_buffer__epoll_fd(ag->rb), EV_KEY(EV_RING, 0));
	err = err ?: epoll_add(ag, ag->sigfd, EV_KEY(EV_SIGNAL, 0));
	err = err ?: epoll_add(ag, ag->timerfd, EV_KEY(EV_TIMER, 0));
	err = err ?: epoll_add(ag, ag->ctlfd, EV_KEY(EV_LISTEN, 0));
	if (!err && ag->uevent_fd >= 0)
		err = epoll_add(ag, ag->uevent_fd, EV_KEY(EV_UEVENT, 0));
	if (!err && ag->inotify_fd >= 0)
		err = epoll_add(ag, ag->inotify_fd, EV_KEY(EV_INOTIFY, 0));
	return err;
}

static void on_signal(struct bf_agent *ag)
{
	struct signalfd_siginfo si;

	while (read(ag->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			agent_notify_reloading();
			agent_reload(ag, "SIGHUP", NULL);
			agent_notify_ready("enforcing; reloaded on SIGHUP");
		}
		else
			ag->stop = (int)si.ssi_signo;
	}
}

/* logrotate renamed the log: carry on in the new file, linked to the old by the chain. */
static void agent_follow_log_rotation(struct bf_agent *ag)
{
	struct json_object *rec;
	int r = bf_audit_follow_rotation(ag->audit);

	if (r < 0) {
		log_errno(r, "reopening the audit log %s after a rotation", ag->opt.log);
		return;
	}
	if (r == 0)
		return;
	log_info("audit log %s was rotated; the chain continues in the new file", ag->opt.log);
	rec = bf_audit_begin(ag->audit, "agent", bf_audit_now_ns());
	bf_json_add_str(rec, "event", "log-rotated");
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
	ag->metrics_ticks = 0;
	bf_loader_stats(&ag->ld, st);
	m = (struct bf_metrics){
		.events = st[BF_STAT_EVENTS], .capture_denials = st[BF_STAT_CAPTURE_DENY],
		.export_denials = st[BF_STAT_EXPORT_DENY], .ipc_denials = st[BF_STAT_IPC_DENY],
		.socket_denials = st[BF_STAT_SOCKET_DENY], .lost_events = st[BF_STAT_LOST],
		.quota_drops = st[BF_STAT_QUOTA_DROP], .log_errors = ag->log_errors,
		.syslog_errors = bf_syslog_errors(ag->syslog), .agent_up = up,
		.enforcing = bf_pinned_links_present(ag->opt.pin_dir) && !ag->cur->policy->audit_mode,
	};
	for (size_t i = 0; i < ag->consent.n_win; i++)
		m.windows_open += ag->consent.win[i].state == BF_WINDOW_OPEN;
	n = bf_metrics_format(buf, sizeof(buf), &m);
	err = n < 0 ? n : bf_metrics_write(ag->opt.metrics, buf, (size_t)n);
	if (err && err != ag->metrics_err)
		log_errno(err, "writing the metrics file %s", ag->opt.metrics);
	else if (!err && ag->metrics_err)
		log_info("metrics file %s written again", ag->opt.metrics);
	ag->metrics_err = err;
}

static void on_timer(struct bf_agent *ag)
{
	uint64_t ticks;

	if (read(ag->timerfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		log_warn("timerfd");
	agent_update_clock(ag);
	/* Drain first so lost records follow the decisions that did arrive. */
	ring_buffer__consume(ag->rb);
	agent_check_lost(ag);
	agent_follow_log_rotation(ag);
	agent_checkpoint(ag, false);
	agent_reresolve(ag, "periodic");
	agent_hotplug_watch(ag);
	agent_scan_sockets(ag);
	if (++ag->metrics_ticks >= 5)
		agent_write_metrics(ag, true);
}

static void on_accept(struct bf_agent *ag)
{
	struct bf_ctl_client *c = calloc(1, sizeof(*c));
	int slot = -1;

	for (int i = 0; i < BF_MAX_CLIENTS && slot < 0; i++)
		if (!ag->clients[i])
			slot = i;
	if (!c || bf_ctl_accept(ag->ctlfd, c) != 0) {
		free(c);
		return;
	}
	if (slot < 0 || epoll_add(ag, c->fd, EV_KEY(EV_CLIENT, slot)) != 0) {
		log_warnx("control: too many clients, refusing pid %d", (int)c->pid);
		bf_ctl_client_close(c);
		free(c);
		return;
	}
	ag->clients[slot] = c;
}

static void on_client(struct bf_agent *ag, int slot)
{
	struct bf_ctl_client *c = ag->clients[slot];

	if (!c || bf_ctl_client_input(c, agent_ctl_handle, ag) == 0)
		return;
	epoll_ctl(ag->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	bf_ctl_client_close(c);
	free(c);
	ag->clients[slot] = NULL;
}

static void run_loop(struct bf_agent *ag)
{
	struct epoll_event evs[16];

	while (!ag->stop) {
		int n;

		if (ag->rewatch) {	/* a policy was installed (agent_install) */
			ag->rewatch = false;
			agent_hotplug_watch(ag);
		}
		/* The kernel wakes us only when its buffer fills; drain on a short beat. */
		n = epoll_wait(ag->epfd, evs, 16, BF_DRAIN_MS);

		if (n < 0 && errno != EINTR) {
			log_warn("epoll_wait");
			break;
		}
		agent_notify_watchdog();
		ring_buffer__consume(ag->rb);
		agent_check_log(ag);
		agent_ledger_tick(ag);
		agent_consent_tick(ag);
		for (int i = 0; i < n; i++) {
			uint32_t type = (uint32_t)(evs[i].data.u64 >> 32);
			int idx = (int)(uint32_t)evs[i].data.u64;

			switch (type) {
			case EV_RING: ring_buffer__consume(ag->rb); break;
			case EV_SIGNAL: on_signal(ag); break;
			case EV_TIMER: on_timer(ag); break;
			case EV_LISTEN: on_accept(ag); break;
			case EV_CLIENT: on_client(ag, idx); break;
			case EV_UEVENT: agent_on_uevent(ag); break;
			case EV_INOTIFY: agent_on_inotify(ag); break;
			}
		}
	}
}

static void agent_cleanup(struct bf_agent *ag)
{
	for (int i = 0; i < BF_MAX_CLIENTS; i++)
		if (ag->clients[i]) {
			bf_ctl_client_close(ag->clients[i]);
			free(ag->clients[i]);
		}
	if (ag->ctlfd >= 0) {
		close(ag->ctlfd);
		unlink(ag->opt.control);
	}
	ring_buffer__free(ag->rb);
	bf_loader_close(&ag->ld);	/* handles only: the pins keep enforcing */
	agent_path_caches_free(ag);
	agent_consent_stop(ag);
	agent_hotplug_close(ag);
	bf_dns_stop(ag->dns);
	bf_logkey_free(ag->log_key);
	bf_audit_close(ag->audit);
	bf_syslog_close(ag->syslog);
}

static int check_only(struct bf_agent *ag)
{
	struct bf_diags diags = {};
	struct bf_loaded *ld = NULL;
	int err;

	if (bf_cgroup2_mount(ag->cgroup_root, sizeof(ag->cgroup_root)) != 0)
		snprintf(ag->cgroup_root, sizeof(ag->cgroup_root), "/sys/fs/cgroup");
	err = agent_load_policy(ag, &ld, &diags);
	print_diags(&diags);
	bf_diags_free(&diags);
	if (err)
		return 1;
	printf("policy %s OK (sha256 %s)\n", ld->source, ld->digest);
	bf_loaded_free(ld);
	return 0;
}

int main(int argc, char **argv)
{
	static struct bf_agent ag = { .epfd = -1, .sigfd = -1, .timerfd = -1, .ctlfd = -1,
				      .uevent_fd = -1, .inotify_fd = -1 };
	bool only_check = false;
	int err;

	log_init("biofenced", 0);
	if (parse_args(argc, argv, &ag.opt, &only_check))
		return 2;
	log_init("biofenced", ag.opt.verbosity);
	if (only_check)
		return check_only(&ag);
	libbpf_set_print(libbpf_log);
	/* Before anything is attached: a target that cannot work stops us with nothing changed. */
	err = ag.opt.syslog ? bf_syslog_open(&ag.syslog, ag.opt.syslog) : 0;
	if (err) {
		log_errno(err, "--syslog %s: want IPV4:PORT, [IPV6]:PORT or a unix socket path", ag.opt.syslog);
		return 1;
	}
	ag.started_ns = bf_audit_now_ns();
	agent_update_clock(&ag);
	err = agent_start(&ag);
	if (!err) {
		err = setup_loop(&ag);
		if (err)
			log_errno(err, "setting up the event loop");
	}
	if (err) {
		agent_notify_failed(err, "start failed: the reason is in the journal (journalctl -u biofenced)");
		agent_cleanup(&ag);
		return 1;
	}
	log_start(&ag);
	agent_write_metrics(&ag, true);
	agent_scan_holders(&ag);
	log_info("enforcing policy %s (%s) on %s; log %s", ag.cur->source, ag.cur->digest, ag.cgroup,
		 ag.opt.log);
	/* Every program attached and the start record written: only now is the unit up. */
	agent_notify_ready("enforcing");
	run_loop(&ag);
	agent_notify_stopping("stopping; the pinned programs keep enforcing");
	ring_buffer__consume(ag.rb);
	agent_check_lost(&ag);
	log_stop(&ag, ag.stop == SIGINT ? "SIGINT" : "SIGTERM");
	agent_checkpoint(&ag, true);
	agent_write_metrics(&ag, false);
	log_info("stopped; the pinned programs in %s keep enforcing", ag.opt.pin_dir);
	agent_cleanup(&ag);
	return 0;
}
