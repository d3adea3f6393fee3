/* agent_options.c - biofenced's command line: options into struct bf_options, usage, version. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "agent.h"
#include "agent_options.h"
#include "audit/logkey.h"
#include "log.h"
#include "version.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: biofenced [-n] [--policy FILE] [--cgroup PATH] [--pin-dir DIR] [--log FILE]\n"
		"                 [--control SOCKET] [--consent FILE] [--log-key FILE] [--ringbuf-size BYTES]\n"
		"                 [--echo] [-v] [--syslog ADDR:PORT|/dev/log] [--metrics FILE] [--no-protect]\n"
		"                 [--no-confine]\n"
		"       biofenced --detach [--pin-dir DIR] [--log FILE]\n"
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
		"  --no-protect        leave out self-protection (on by default where BPF LSM runs)\n"
		"  --no-confine        keep every capability, load no seccomp filter, leave every path\n"
		"                      writable (for debugging; status and the start record say so)\n"
		"  --detach            remove the pinned programs of an agent that no longer runs, logged\n"
		"  -v, --verbose       debug messages on stderr too\n"
		"  -h, --help          this text; -V, --version: the version\n"
		"see biofenced(8), biofence.policy(5), biofence-audit(5)\n",
		BF_DEFAULT_POLICY, BF_DEFAULT_PIN_DIR, BF_DEFAULT_LOG, BF_DEFAULT_CONTROL,
		BF_CONSENT_DEFAULT_PATH, BF_DEFAULT_LOG_KEY);
}

int agent_parse_options(int argc, char **argv, struct bf_options *o, enum agent_mode *mode)
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
		{ "no-protect", no_argument, NULL, 'N' },
		{ "no-confine", no_argument, NULL, 'U' },
		{ "detach", no_argument, NULL, 'D' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	unsigned long rb;
	char *end;
	int ch;

	*mode = AGENT_RUN;
	optind = 0;     /* getopt's own reset: the tests parse many command lines */
	*o = (struct bf_options){ .pin_dir = BF_DEFAULT_PIN_DIR, .log = BF_DEFAULT_LOG,
				  .control = BF_DEFAULT_CONTROL };
	while ((ch = getopt_long(argc, argv, "nvhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n': *mode = AGENT_CHECK; break;
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
		case 'N': o->no_protect = true; break;
		case 'U': o->no_confine = true; break;
		case 'D': *mode = AGENT_DETACH; break;
		case 'v': o->verbosity++; break;
		case 'r':
			rb = strtoul(optarg, &end, 0);
			if (*end || rb < 4096 || rb > (1ul << 30) || (rb & (rb - 1))) {
				log_warnx("--ringbuf-size: want a power of 2 from 4096 to 1 GiB");
				return -EINVAL;
			}
			o->ringbuf_size = (uint32_t)rb;
			break;
		case 'h': *mode = AGENT_HELP; return 0;
		case 'V': *mode = AGENT_VERSION; return 0;
		default: usage(stderr); return -EINVAL;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

void agent_print_info(FILE *out, enum agent_mode mode)
{
	if (mode == AGENT_VERSION)
		fprintf(out, "biofenced %s\n", BF_VERSION);
	else
		usage(out);
}
