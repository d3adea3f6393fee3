/* cli_check.c - biofence check and cameras: whether policy files are valid and what they allow, and the cameras a policy's v4l2 key can select on this host. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "defaults.h"
#include "dns.h"
#include "log.h"
#include "policy/policy.h"
#include "resolve.h"
#include "v4l2id.h"

static bool is_help(int argc, char **argv)
{
	return argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
}

/* Resolution gaps are not errors, but a policy author wants to know about them. */
static void check_notes(const struct bf_policy *p)
{
	char root[PATH_MAX];
	struct bf_resolved r = {};

	if (bf_cgroup2_mount(root, sizeof(root)) != 0 || bf_resolve(p, root, &r) != 0)
		return;
	for (size_t i = 0; i < p->n_apps; i++)
		if (r.apps[i].why[0])
			printf("  note: app %s cannot match on this host now: %s\n", p->apps[i].name,
			       r.apps[i].why);
	for (size_t i = 0; i < p->n_cameras; i++)
		if (r.cameras[i].why[0])
			printf("  note: camera %s: %s\n", p->cameras[i].name, r.cameras[i].why);
	for (size_t i = 0; i < bf_policy_n_nets(p); i++) {
		const char *kind, *name;
		const struct bf_dest *d = bf_policy_net(p, i, &kind, &name);

		for (size_t h = 0; h < d->n_hosts; h++) {
			struct bf_dns_answer a;

			if (bf_dns_lookup(d->hosts[h], &a))
				printf("  note: %s %s: host %s does not resolve on this host now: %s\n",
				       kind, name, d->hosts[h], a.why);
		}
	}
	bf_resolved_free(&r);
}

/*
 * One file: what it allows on stdout, or its diagnostics and the verdict
 * on stderr (as the parser wrote them: FILE:LINE:COL: ..., the command's
 * output, not the CLI's own messages). 0 valid, 1 invalid.
 */
static int check_one(const char *path)
{
	struct bf_diags diags = {};
	struct bf_policy *p = NULL;
	int err = bf_policy_parse(path, 0, &p, &diags);

	for (size_t k = 0; k < diags.n; k++)
		fprintf(stderr, "%s\n", diags.msgs[k]);
	if (err) {
		fprintf(stderr, "%s: invalid (%zu error%s)\n", path, diags.n_errors,
			diags.n_errors == 1 ? "" : "s");
	} else {
		bf_policy_describe(p, stdout);
		check_notes(p);
		bf_policy_free(p);
	}
	bf_diags_free(&diags);
	return err ? 1 : 0;
}

int cli_check(int argc, char **argv)
{
	int bad = 0;

	if (is_help(argc, argv)) {
		cli_usage(stdout);	/* a policy named so is still read as ./--help */
		return 0;
	}
	if (argc < 2) {
		cli_usage(stderr);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		bad |= check_one(argv[i]);
	return bad;
}

/* A v4l2 value quoted as the policy lexer reads it back: only \" and \\ are escaped. */
static void print_quoted(const char *key, const char *v)
{
	if (!v[0])
		return;
	printf(" %s \"", key);
	for (; *v; v++)
		printf("%s%c", *v == '"' || *v == '\\' ? "\\" : "", *v);
	putchar('"');
}

/* What "camera NAME v4l2 ..." can select on this host, read from sysfs as the agent reads it. */
int cli_cameras(int argc, char **argv)
{
	struct bf_v4l2_node *nodes;
	size_t n;
	int err;

	if (is_help(argc, argv)) {
		cli_usage(stdout);
		return 0;
	}
	if (argc != 1) {
		cli_usage(stderr);
		return 2;
	}
	err = bf_v4l2_nodes(BF_SYSFS_ROOT, &nodes, &n);
	if (err) {
		log_errno(err, "reading %s/class/video4linux", BF_SYSFS_ROOT);
		return 1;
	}
	if (!n)
		log_warnx("no V4L2 device on this host");
	for (size_t i = 0; i < n; i++) {
		printf("/dev/%s %u:%u v4l2", nodes[i].name, nodes[i].major, nodes[i].minor);
		print_quoted("driver", nodes[i].driver);
		print_quoted("card", nodes[i].card);
		print_quoted("bus", nodes[i].bus);
		putchar('\n');
	}
	free(nodes);
	return 0;
}
