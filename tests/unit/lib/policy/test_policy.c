/* test_policy.c - unit tests for the policy v1 parser: syntax, every error with its position, includes, fs checks, describe. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "bf_test.h"
#include <openssl/evp.h>

#include "biofence.h"
#include "policy/policy.h"

#define SHA_TEST "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define NF BF_PARSE_NO_FS_CHECKS

/* design.md's example; its elided sha256 is completed to sha256("test") so it is well formed. */
static const char example[] =
	"mode enforce                      # or: audit (log what would be denied, deny nothing)\n"
	"\n"
	"camera all     class video, media # built-in classes: video (V4L2, char 81),\n"
	"                                  # media (media controller, major from /proc/devices),\n"
	"                                  # usb (raw usbfs, char 189)\n"
	"camera lobby   path \"/dev/v4l/by-id/usb-Acme_FaceCam_0001-video-index0\"\n"
	"\n"
	"app recognizer exe \"/opt/gate/bin/recognizer\" sha256 \"" SHA_TEST "\"\n"
	"app nvr        unit \"nvr.service\"\n"
	"app kiosk      cgroup \"/gate.slice/kiosk.service\"\n"
	"app ops        user \"gateops\"     # several keys in one app: all must match\n"
	"\n"
	"dest controller 10.20.0.5 tcp 8443\n"
	"dest nvr-store  10.20.0.0/24, fd00:20::/64 tcp 554, 8554\n"
	"dest local      127.0.0.0/8, ::1\n"
	"\n"
	"capture allow recognizer lobby\n"
	"capture allow nvr all\n"
	"capture deny  any all             # the default, said out loud\n"
	"\n"
	"export allow recognizer controller\n"
	"export allow nvr nvr-store\n"
	"export allow any local\n"
	"export deny  any any              # third parties\n";

static char tmpdir[64];

/* ---- helpers ---- */

static void sha256_parts(const char *const *parts, size_t n, uint8_t md[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned len;
	size_t i;

	assert_non_null(ctx);
	assert_int_equal(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL), 1);
	for (i = 0; i < n; i++)
		assert_int_equal(EVP_DigestUpdate(ctx, parts[i], strlen(parts[i])), 1);
	assert_int_equal(EVP_DigestFinal_ex(ctx, md, &len), 1);
	EVP_MD_CTX_free(ctx);
}

static void hex32(const uint8_t md[32], char out[65])
{
	size_t i;

	for (i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

static char *tpath(const char *rel)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", tmpdir, rel) > 0);
	return p;
}

/* Writes REL under the temp dir with an exact mode, so the umask cannot trip the perms checks. */
static char *write_file(const char *rel, const char *content, mode_t mode)
{
	char *p = tpath(rel);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	assert_int_equal(fputs(content, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(p, mode), 0);
	return p;
}

static void make_dir(const char *rel)
{
	char *p = tpath(rel);

	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
}

/* Non-root runs see "owned by uid" warnings on every temp file; they are not what these tests check. */
static bool ignorable(const char *msg)
{
	return geteuid() != 0 && strstr(msg, "warning: ") && strstr(msg, "is owned by uid");
}

static void check_diags(const struct bf_diags *d, const char *const *want, size_t n_want)
{
	size_t i, j = 0;

	for (i = 0; i < d->n; i++) {
		if (ignorable(d->msgs[i]))
			continue;
		if (j >= n_want)
			fail_msg("unexpected diagnostic: %s", d->msgs[i]);
		assert_string_equal(d->msgs[i], want[j]);
		j++;
	}
	if (j != n_want)
		fail_msg("missing diagnostic: %s", want[j]);
}

static struct bf_policy *parse_ok(const char *text, unsigned flags)
{
	struct bf_diags d = { 0 };
	struct bf_policy *p = NULL;
	int rc = bf_policy_parse_string("t.policy", text, flags, &p, &d);

	if (rc != 0)
		fail_msg("rc %d, first diagnostic: %s", rc, d.n ? d.msgs[0] : "(none)");
	check_diags(&d, NULL, 0);
	assert_non_null(p);
	bf_diags_free(&d);
	return p;
}

static void expect_errors_n(const char *text, unsigned flags, const char *const *want, size_t n)
{
	struct bf_diags d = { 0 };
	struct bf_policy *p = (struct bf_policy *)1;

	assert_int_equal(bf_policy_parse_string("t.policy", text, flags, &p, &d), -EINVAL);
	assert_null(p);
	check_diags(&d, want, n);
	assert_int_equal(d.n_errors, n);
	bf_diags_free(&d);
}

#define expect_errors(text, ...) do { \
	static const char *const want_[] = { __VA_ARGS__ }; \
	expect_errors_n(text, NF, want_, sizeof(want_) / sizeof(want_[0])); \
} while (0)

static void expect_cidr(const struct bf_cidr *c, const char *addr6, unsigned prefix, bool v4)
{
	uint8_t want[16];

	assert_int_equal(inet_pton(AF_INET6, addr6, want), 1);
	assert_memory_equal(c->addr, want, 16);
	assert_int_equal(c->prefix, prefix);
	assert_int_equal(c->v4, v4);
}

static void expect_src(const struct bf_src *s, const char *file, unsigned line, unsigned col)
{
	assert_string_equal(s->file, file);
	assert_int_equal(s->line, line);
	assert_int_equal(s->col, col);
}

static void expect_rule(const struct bf_rule_ast *r, enum bf_rule_kind kind, bool allow,
			int app, int obj, unsigned line)
{
	assert_int_equal(r->kind, kind);
	assert_int_equal(r->allow, allow);
	assert_false(r->audit);
	assert_int_equal(r->app, app);
	assert_int_equal(r->obj, obj);
	assert_int_equal(r->src.line, line);
	assert_int_equal(r->src.col, 1);
}

static char *describe(const struct bf_policy *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	bf_policy_describe(p, f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void expect_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("missing \"%s\" in:\n%s", needle, hay);
}

/* ---- the design example ---- */

static void test_example_objects(void **state)
{
	struct bf_policy *p = parse_ok(example, NF);
	const struct bf_app *a = p->apps;
	const struct bf_camera *c = p->cameras;

	assert_false(p->audit_mode);
	expect_src(&p->mode_src, "t.policy", 1, 1);
	assert_int_equal(p->n_cameras, 2);
	assert_int_equal(p->n_apps, 4);
	assert_int_equal(p->n_dests, 3);
	assert_int_equal(p->n_rules, 7);
	assert_string_equal(c[0].name, "all");
	expect_src(&c[0].src, "t.policy", 3, 8);
	assert_int_equal(c[0].classes, BF_CLASS_VIDEO | BF_CLASS_MEDIA);
	assert_int_equal(c[0].n_paths, 0);
	assert_string_equal(c[1].name, "lobby");
	assert_int_equal(c[1].classes, 0);
	assert_int_equal(c[1].n_paths, 1);
	assert_string_equal(c[1].paths[0], "/dev/v4l/by-id/usb-Acme_FaceCam_0001-video-index0");
	expect_src(&c[1].path_src[0], "t.policy", 6, 21);
	assert_string_equal(a[0].name, "recognizer");
	expect_src(&a[0].src, "t.policy", 8, 5);
	assert_string_equal(a[0].exe, "/opt/gate/bin/recognizer");
	expect_src(&a[0].exe_src, "t.policy", 8, 20);
	assert_string_equal(a[0].sha256, SHA_TEST);
	expect_src(&a[0].sha_src, "t.policy", 8, 54);
	assert_null(a[0].unit);
	assert_string_equal(a[1].unit, "nvr.service");
	assert_null(a[1].exe);
	assert_string_equal(a[1].sha256, "");
	assert_string_equal(a[2].cgroup, "/gate.slice/kiosk.service");
	assert_string_equal(a[3].user, "gateops");
	expect_src(&a[3].user_src, "t.policy", 11, 21);
	assert_int_equal(p->n_files, 1);
	assert_string_equal(p->files[0], "t.policy");
	assert_ptr_equal(a[3].src.file, p->files[0]);
	bf_policy_free(p);
}

static void test_example_dests(void **state)
{
	struct bf_policy *p = parse_ok(example, NF);
	const struct bf_dest *d = p->dests;

	assert_string_equal(d[0].name, "controller");
	assert_false(d[0].any);
	assert_int_equal(d[0].n_cidrs, 1);
	expect_cidr(&d[0].cidrs[0], "::ffff:10.20.0.5", 128, true);
	assert_int_equal(d[0].proto, BF_SEL_TCP);
	assert_int_equal(d[0].n_ports, 1);
	assert_int_equal(d[0].ports[0], 8443);
	assert_string_equal(d[1].name, "nvr-store");
	assert_int_equal(d[1].n_cidrs, 2);
	expect_cidr(&d[1].cidrs[0], "::ffff:10.20.0.0", 120, true);
	expect_cidr(&d[1].cidrs[1], "fd00:20::", 64, false);
	assert_int_equal(d[1].proto, BF_SEL_TCP);
	assert_int_equal(d[1].n_ports, 2);
	assert_int_equal(d[1].ports[0], 554);
	assert_int_equal(d[1].ports[1], 8554);
	assert_int_equal(d[2].n_cidrs, 2);
	expect_cidr(&d[2].cidrs[0], "::ffff:127.0.0.0", 104, true);
	expect_cidr(&d[2].cidrs[1], "::1", 128, false);
	assert_int_equal(d[2].proto, BF_SEL_ANY);
	assert_int_equal(d[2].n_ports, 0);
	bf_policy_free(p);
}

static void test_example_rules_and_digest(void **state)
{
	struct bf_policy *p = parse_ok(example, NF);
	const struct bf_rule_ast *r = p->rules;
	const char *parts[] = { example };
	uint8_t md[32];

	expect_rule(&r[0], BF_RULE_CAPTURE, true, 0, 1, 17);
	expect_rule(&r[1], BF_RULE_CAPTURE, true, 1, 0, 18);
	expect_rule(&r[2], BF_RULE_CAPTURE, false, -1, 0, 19);
	expect_rule(&r[3], BF_RULE_EXPORT, true, 0, 0, 21);
	expect_rule(&r[4], BF_RULE_EXPORT, true, 1, 1, 22);
	expect_rule(&r[5], BF_RULE_EXPORT, true, -1, 2, 23);
	expect_rule(&r[6], BF_RULE_EXPORT, false, -1, -1, 24);
	assert_ptr_equal(r[6].src.file, p->files[0]);
	sha256_parts(parts, 1, md);
	assert_memory_equal(p->digest, md, 32);
	bf_policy_free(p);
}

static void test_describe_example(void **state)
{
	struct bf_policy *p = parse_ok(example, NF);
	char *s = describe(p);
	char hex[65];

	hex32(p->digest, hex);
	expect_contains(s, "policy t.policy (sha256 ");
	expect_contains(s, hex);
	expect_contains(s, "enforce mode, 2 cameras, 4 apps, 3 destination sets, 3 capture rules, 4 export rules\n"
			"rules are checked top to bottom; the first one that matches decides\n");
	expect_contains(s, "\ncapture:\n  recognizer (exe /opt/gate/bin/recognizer, pinned sha256 9f86d081884c...) "
			"may open lobby (/dev/v4l/by-id/usb-Acme_FaceCam_0001-video-index0)    [t.policy:17]\n");
	expect_contains(s, "  nvr (unit nvr.service) may open all (class video, media)    [t.policy:18]\n");
	expect_contains(s, "  DENIED: any process trying to open all (class video, media)    [t.policy:19]\n");
	expect_contains(s, "  any other process is denied every camera    [default]\n");
	expect_contains(s, "export (applies to processes that opened a camera, and their children):\n");
	expect_contains(s, "  recognizer (exe /opt/gate/bin/recognizer, pinned sha256 9f86d081884c...) "
			"may send to controller (10.20.0.5 tcp port 8443)    [t.policy:21]\n");
	expect_contains(s, "may send to nvr-store (10.20.0.0/24, fd00:20::/64 tcp ports 554, 8554)");
	expect_contains(s, "  any process may send to local (127.0.0.0/8, ::1, any protocol)    [t.policy:23]\n");
	expect_contains(s, "  DENIED: any process trying to send to any destination    [t.policy:24]\n");
	/* the explicit deny any any closes the list, so no default line follows it */
	assert_null(strstr(s, "everything else"));
	assert_null(strstr(s, "audit"));
	/* no consent rule: windows are not worth a word */
	assert_null(strstr(s, "window"));
	assert_null(strstr(s, "broker"));
	/* no ipc rule: no ipc section, and the header reads as before ipc rules existed */
	assert_null(strstr(s, "ipc"));
	assert_null(strstr(s, "unix"));
	/* no names: nothing about resolving them */
	assert_null(strstr(s, "resolved"));
	free(s);
	bf_policy_free(p);
}

static void test_describe_audit(void **state)
{
	struct bf_policy *p = parse_ok(
		"mode audit\n"
		"app ops user 1000 cgroup \"/ops.slice\"\n"
		"camera usbcam class usb path \"/dev/bus/usb/001/002\"\n"
		"dest web any tcp\n"
		"capture allow ops usbcam audit\n"
		"export deny ops web\n", NF);
	char *s = describe(p);

	assert_true(p->audit_mode);
	expect_contains(s, "audit mode, 1 camera, 1 app, 1 destination set, 1 capture rule, 1 export rule\n");
	expect_contains(s, "\naudit mode: nothing is denied, would-be denials are logged\n");
	expect_contains(s, "  ops (cgroup /ops.slice and user 1000) may open usbcam "
			"(class usb; /dev/bus/usb/001/002) (audit only)    [t.policy:5]\n");
	expect_contains(s, "  DENIED: ops (cgroup /ops.slice and user 1000) trying to send to web "
			"(any address tcp, any port) (audit only)    [t.policy:6]\n");
	expect_contains(s, "  any other process would be denied every camera (logged only)    [default]\n");
	expect_contains(s, "  everything else would be denied (logged only)    [default]\n");
	free(s);
	bf_policy_free(p);
}

/* ---- accepted syntax ---- */

static void test_syntax_variants(void **state)
{
	struct bf_policy *p = parse_ok(
		"\t# comment line\r\n"
		"capture allow nvr cam audit   # names used before they are defined\r\n"
		"camera cam class video path \"/dev/a#b\", \"/dev/q\\\"x\\\\y\" # both keys\n"
		"app nvr unit nvr.service user svc-nvr\n"
		"app uid user \"0\"\n"
		"dest all6 ::/0 udp\n"
		"dest all4 0.0.0.0/0, 192.168.1.0/24 udp 53,5353\n"
		"dest web any tcp 80, 443\n"
		"camera a-b.c_9 class media,usb,video\n"
		"camera n23456789012345678901234567890123456789012345678901234567890123 path \"/dev/x\"",
		NF);

	assert_int_equal(p->n_rules, 1);
	assert_true(p->rules[0].audit);
	assert_int_equal(p->rules[0].app, 0);
	assert_int_equal(p->rules[0].obj, 0);
	assert_int_equal(p->cameras[0].classes, BF_CLASS_VIDEO);
	assert_int_equal(p->cameras[0].n_paths, 2);
	assert_string_equal(p->cameras[0].paths[0], "/dev/a#b");
	assert_string_equal(p->cameras[0].paths[1], "/dev/q\"x\\y");
	expect_src(&p->cameras[0].path_src[1], "t.policy", 3, 41);
	assert_string_equal(p->apps[0].unit, "nvr.service");
	assert_string_equal(p->apps[0].user, "svc-nvr");
	assert_string_equal(p->apps[1].user, "0");
	expect_cidr(&p->dests[0].cidrs[0], "::", 0, false);
	assert_int_equal(p->dests[0].proto, BF_SEL_UDP);
	assert_int_equal(p->dests[0].n_ports, 0);
	expect_cidr(&p->dests[1].cidrs[0], "::ffff:0.0.0.0", 96, true);
	expect_cidr(&p->dests[1].cidrs[1], "::ffff:192.168.1.0", 120, true);
	assert_int_equal(p->dests[1].n_ports, 2);
	assert_int_equal(p->dests[1].ports[1], 5353);
	assert_true(p->dests[2].any);
	assert_int_equal(p->dests[2].n_cidrs, 0);
	assert_int_equal(p->dests[2].ports[1], 443);
	assert_int_equal(p->cameras[1].classes, BF_CLASS_VIDEO | BF_CLASS_MEDIA | BF_CLASS_USB);
	assert_int_equal(strlen(p->cameras[2].name), 63);
	bf_policy_free(p);
}

static void test_empty_and_defaults(void **state)
{
	struct bf_policy *p = parse_ok("", 0);

	assert_false(p->audit_mode);
	assert_int_equal(p->n_rules, 0);
	assert_int_equal(p->n_files, 1);
	assert_int_equal(p->n_brokers, 0);
	assert_null(p->brokers);
	assert_int_equal(p->max_window_ms, BF_MAX_WINDOW_DEFAULT_MS);
	assert_int_equal(p->grace_ms, BF_GRACE_DEFAULT_MS);
	bf_policy_free(p);
	p = parse_ok("# only a comment\n\n   \n", 0);
	assert_int_equal(p->n_cameras + p->n_apps + p->n_dests, 0);
	bf_policy_free(p);
}

/* ---- every error, with its exact position ---- */

static void test_err_unknown_keyword(void **state)
{
	expect_errors("frobnicate x\n  cameras x class video\n",
		      "t.policy:1:1: unknown keyword \"frobnicate\"",
		      "t.policy:2:3: unknown keyword \"cameras\"");
	expect_errors("\"camera\" x\n, x\n",
		      "t.policy:1:1: expected a statement (camera, app, dest, capture, export, ipc, template-store, broker, "
		      "max-window, window-grace, dns-ttl-min, dns-ttl-max, on-log-failure, include or mode)",
		      "t.policy:2:1: expected a statement (camera, app, dest, capture, export, ipc, template-store, broker, "
		      "max-window, window-grace, dns-ttl-min, dns-ttl-max, on-log-failure, include or mode)");
}

static void test_err_duplicate(void **state)
{
	expect_errors("camera a class video\napp a unit a.service\ndest a any\n"
		      "camera  a path \"/dev/x\"\napp a user x\n\ndest a ::1\n",
		      "t.policy:4:9: duplicate camera \"a\" (first defined at t.policy:1)",
		      "t.policy:5:5: duplicate app \"a\" (first defined at t.policy:2)",
		      "t.policy:7:6: duplicate dest \"a\" (first defined at t.policy:3)");
}

static void test_err_undefined(void **state)
{
	expect_errors("capture allow ghost cam\n"
		      "camera cam class video\n"
		      "capture deny any nocam audit\n"
		      "export allow any nowhere\n"
		      "export allow phantom any\n",
		      "t.policy:1:15: undefined app \"ghost\"",
		      "t.policy:3:18: undefined camera \"nocam\"",
		      "t.policy:4:18: undefined dest \"nowhere\"",
		      "t.policy:5:14: undefined app \"phantom\"");
	/* a camera name is not a dest, and vice versa */
	expect_errors("camera x class video\ndest y any\nexport allow any x\ncapture allow any y\n",
		      "t.policy:3:18: undefined dest \"x\"",
		      "t.policy:4:19: undefined camera \"y\"");
}

static void test_err_cidr(void **state)
{
	expect_errors("dest a 10.0.0.256\n"
		      "dest b 10.0.0.0/8, 10.0.0.0/33\n"
		      "dest c fd00::/129\n"
		      "dest d 10.0.0.1/24\n"
		      "dest e fd00::1/64\n"
		      "dest f 10.0.0.0/\n"
		      "dest g 10.0.0.0/x8\n"
		      "dest h 10.1\n"
		      "dest i tcp 80\n"
		      "dest j 10.0.0.0/8,\n"
		      "dest k any, 10.0.0.0/8\n",
		      "t.policy:1:8: bad CIDR \"10.0.0.256\": not an IPv4 or IPv6 address",
		      "t.policy:2:20: bad CIDR \"10.0.0.0/33\": prefix length must be 0..32",
		      "t.policy:3:8: bad CIDR \"fd00::/129\": prefix length must be 0..128",
		      "t.policy:4:8: 10.0.0.1/24: host bits set; did you mean 10.0.0.0/24?",
		      "t.policy:5:8: fd00::1/64: host bits set; did you mean fd00::/64?",
		      "t.policy:6:8: bad CIDR \"10.0.0.0/\": prefix length must be 0..32",
		      "t.policy:7:8: bad CIDR \"10.0.0.0/x8\": prefix length must be 0..32",
		      "t.policy:8:8: bad CIDR \"10.1\": not an IPv4 or IPv6 address",
		      "t.policy:9:8: expected any or a list of addresses",
		      "t.policy:10:19: expected an address after \",\"",
		      "t.policy:11:11: \"any\" already covers every address");
}

/* "camera NAME net ...": addresses, protocol and ports as a dest's, then what it speaks. */
static void test_net_cameras(void **state)
{
	struct bf_policy *p = parse_ok("camera gate net 192.168.50.21 tcp 554 rtsp\n"
				       "camera yard net 10.9.0.0/24, 2001:db8::5 tcp 8080, 8081 http\n"
				       "camera push net 10.8.0.7 udp\n"
				       "camera lobby path \"/dev/video0\"\n"
				       "dest cloud 10.8.0.0/16 tcp 443\n"
				       "camera door net host \"door-cam.lan\", 10.7.0.9 tcp 80 http\n", NF);
	const struct bf_camera *c = p->cameras;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	assert_true(c[0].is_net);
	expect_src(&c[0].net_src, "t.policy", 1, 13);
	assert_int_equal(c[0].net.n_cidrs, 1);
	expect_cidr(&c[0].net.cidrs[0], "::ffff:192.168.50.21", 128, true);
	expect_src(&c[0].net.cidr_src[0], "t.policy", 1, 17);
	assert_int_equal(c[0].net.proto, BF_SEL_TCP);
	assert_int_equal(c[0].net.n_ports, 1);
	assert_int_equal(c[0].net.ports[0], 554);
	assert_int_equal(c[0].speaks, BF_SPEAKS_RTSP);
	assert_int_equal(c[0].classes, 0);
	assert_int_equal(c[1].net.n_cidrs, 2);
	expect_cidr(&c[1].net.cidrs[0], "::ffff:10.9.0.0", 120, true);
	expect_cidr(&c[1].net.cidrs[1], "2001:db8::5", 128, false);
	assert_int_equal(c[1].net.n_ports, 2);
	assert_int_equal(c[1].speaks, BF_SPEAKS_HTTP);
	assert_int_equal(c[2].net.proto, BF_SEL_UDP);
	assert_int_equal(c[2].net.n_ports, 0);
	assert_int_equal(c[2].speaks, BF_SPEAKS_ANY);
	assert_false(c[3].is_net);
	/* host names are resolved by the agent, as a dest's */
	assert_int_equal(c[4].net.n_hosts, 1);
	assert_string_equal(c[4].net.hosts[0], "door-cam.lan");
	assert_int_equal(c[4].net.n_cidrs, 1);
	assert_int_equal(bf_policy_n_nets(p), 6);
	assert_ptr_equal(bf_policy_net(p, 5, NULL, NULL), &c[4].net);
	f = open_memstream(&text, &len);
	bf_policy_describe_camera(p, 0, f);
	fputc('|', f);
	bf_policy_describe_camera(p, 1, f);
	fclose(f);
	assert_string_equal(text, "gate (network camera 192.168.50.21 tcp port 554, speaks rtsp)|"
			    "yard (network camera 10.9.0.0/24, 2001:db8::5 tcp ports 8080, 8081, speaks http)");
	free(text);
	bf_policy_free(p);
}

static void test_err_net_cameras(void **state)
{
	expect_errors("camera a net any\n"
		      "camera b net 0.0.0.0/0 tcp 554\n"
		      "camera c net 127.0.0.1\n"
		      "camera d net ::1\n"
		      "camera e net 0.0.0.0\n"
		      "camera f net 10.0.0.1 tcp 554 rtmp\n"
		      "camera g net 10.0.0.1 path \"/dev/video0\"\n"
		      "camera h path \"/dev/video0\" net 10.0.0.1\n"
		      "camera j net 10.0.0.2 tcp 554 rtsp class video\n"
		      "camera k net ::/0\n",
		      "t.policy:1:14: a network camera is an address or a camera subnet, not any "
		      "(every connect would be a capture)",
		      "t.policy:2:14: every address as a camera would make every connect a capture: "
		      "name the camera's address or its subnet",
		      "t.policy:3:14: a loopback address is this host itself, not a camera",
		      "t.policy:4:14: ::1 is this host itself, not a camera",
		      "t.policy:5:14: the unspecified address is no camera's",
		      "t.policy:6:31: unexpected \"rtmp\" after a network camera's ports "
		      "(it may end with rtsp, http or onvif)",
		      "t.policy:7:23: a network camera has no path: a camera is device nodes or a "
		      "network camera (net), not both",
		      "t.policy:8:29: a camera is device nodes (class, path, v4l2) or a network camera "
		      "(net), not both: define two cameras",
		      "t.policy:9:36: a network camera has no class: a camera is device nodes or a "
		      "network camera (net), not both",
		      "t.policy:10:14: every address as a camera would make every connect a capture: "
		      "name the camera's address or its subnet");
	/* A camera's address is a capture's, never an export's: both lines are named. */
	expect_errors("dest cloud 192.168.50.0/24 tcp 554\n"
		      "dest other 192.168.50.0/24 tcp 443\n"
		      "dest wide any\n"
		      "camera gate net 192.168.50.21 tcp\n",
		      "t.policy:4:17: camera \"gate\" (192.168.50.21) overlaps dest \"cloud\" "
		      "(192.168.50.0/24 at t.policy:1:12): a camera's address cannot also be an export "
		      "destination");
}

static void test_err_ports(void **state)
{
	expect_errors("dest a any tcp 0\n"
		      "dest b any udp 80, 65536\n"
		      "dest c any tcp http\n"
		      "dest d any tcp 99999999999999999999\n"
		      "dest e any tcp 80,\n"
		      "dest f 10.0.0.1 443\n"
		      "dest g any tcp 80 90\n"
		      "dest h any sctp 80\n"
		      "dest i any tcp -1\n",
		      "t.policy:1:16: port out of range \"0\" (1..65535)",
		      "t.policy:2:20: port out of range \"65536\" (1..65535)",
		      "t.policy:3:16: bad port \"http\" (expected a number 1..65535)",
		      "t.policy:4:16: port out of range \"99999999999999999999\" (1..65535)",
		      "t.policy:5:19: expected a port after \",\"",
		      "t.policy:6:17: ports need a protocol: write tcp or udp before \"443\"",
		      "t.policy:7:19: trailing garbage \"90\"",
		      "t.policy:8:12: expected tcp or udp, found \"sctp\"",
		      "t.policy:9:16: bad port \"-1\" (expected a number 1..65535)");
}

static void test_err_strings(void **state)
{
	expect_errors("camera a path \"/dev/video0\n"
		      "camera b path \"/dev/\\n\"\n"
		      "app c exe \"/bin/\\\"\" sha256 \"abc\n"
		      "camera d path \"/dev/\tx\" \"\n",
		      "t.policy:1:15: unterminated string",
		      "t.policy:2:21: bad escape in string (only \\\" and \\\\ are allowed)",
		      "t.policy:3:28: unterminated string",
		      "t.policy:4:25: unterminated string");
}

static void test_err_missing_args(void **state)
{
	expect_errors("camera\n"
		      "camera   # nothing\n"
		      "app\n"
		      "dest\n"
		      "camera c\n"
		      "app a\n"
		      "dest d\n"
		      "capture\n"
		      "capture allow\n"
		      "capture allow a\n"
		      "export deny a\n"
		      "export permit a b\n"
		      "include\n"
		      "mode\n"
		      "camera e class\n"
		      "camera f path\n"
		      "camera g class video,\n"
		      "app b exe\n"
		      "app c unit\n"
		      "app d exe \"/x\" sha256\n"
		      "app e cgroup /x\n",
		      "t.policy:1:7: expected a camera name",
		      "t.policy:2:7: expected a camera name",
		      "t.policy:3:4: expected an app name",
		      "t.policy:4:5: expected a dest name",
		      "t.policy:5:9: expected class, path, v4l2 or net after the camera name",
		      "t.policy:6:6: expected an app key (exe, unit, cgroup or user)",
		      "t.policy:7:7: expected any or a list of addresses",
		      "t.policy:8:8: expected allow or deny after capture",
		      "t.policy:9:14: expected an app name or any",
		      "t.policy:10:16: expected a camera name or any",
		      "t.policy:11:14: expected a dest name or any",
		      "t.policy:12:8: expected allow or deny after export",
		      "t.policy:13:8: expected a quoted file name or glob after include",
		      "t.policy:14:5: expected enforce or audit after mode",
		      "t.policy:15:15: expected a camera class (video, media or usb)",
		      "t.policy:16:14: expected a quoted device path after path",
		      "t.policy:17:22: expected a camera class (video, media or usb)",
		      "t.policy:18:10: expected a quoted absolute path after exe",
		      "t.policy:19:11: expected a unit name after unit",
		      "t.policy:20:22: expected a quoted sha256 (64 hex digits) after sha256",
		      "t.policy:21:14: expected a quoted cgroup path after cgroup");
}

static void test_err_trailing_garbage(void **state)
{
	expect_errors("mode enforce now\n"
		      "capture allow any any audit please\n"
		      "export deny any any \"x\"\n"
		      "include \"a.policy\" \"b.policy\"\n"
		      "camera c class video \"/dev/video0\"\n"
		      "app a unit a.service, user x\n",
		      "t.policy:1:14: trailing garbage \"now\"",
		      "t.policy:2:29: trailing garbage \"please\"",
		      "t.policy:3:21: trailing garbage \"x\"",
		      "t.policy:4:20: trailing garbage \"b.policy\"",
		      "t.policy:5:22: unknown camera key \"/dev/video0\" (expected class, path, v4l2 or net)",
		      "t.policy:6:21: unknown app key \",\" (expected exe, unit, cgroup or user)");
}

static void test_err_bad_names(void **state)
{
	expect_errors("camera Lobby class video\n"
		      "app -x unit a.service\n"
		      "dest a/b any\n"
		      "camera n234567890123456789012345678901234567890123456789012345678901234 class usb\n"
		      "capture allow Rec any\n"
		      "camera any class video\n"
		      "app any unit a.service\n"
		      "dest  any any\n",
		      "t.policy:1:8: bad camera name \"Lobby\" (names are [a-z0-9][a-z0-9_.-]*, at most 63 characters)",
		      "t.policy:2:5: bad app name \"-x\" (names are [a-z0-9][a-z0-9_.-]*, at most 63 characters)",
		      "t.policy:3:6: bad dest name \"a/b\" (names are [a-z0-9][a-z0-9_.-]*, at most 63 characters)",
		      "t.policy:4:8: bad camera name \"n234567890123456789012345678901234567890123456789012345678901234\" "
		      "(names are [a-z0-9][a-z0-9_.-]*, at most 63 characters)",
		      "t.policy:5:15: bad app name \"Rec\" (names are [a-z0-9][a-z0-9_.-]*, at most 63 characters)",
		      "t.policy:6:8: \"any\" is reserved and cannot be a camera name",
		      "t.policy:7:5: \"any\" is reserved and cannot be an app name",
		      "t.policy:8:7: \"any\" is reserved and cannot be a dest name");
}

static void test_err_keys(void **state)
{
	expect_errors("app a unit a.service unit b.service\n"
		      "camera c class video class media\n"
		      "camera d path \"/dev/a\" path \"/dev/b\"\n"
		      "app b exe \"/x\" sha256 \"" SHA_TEST "\" sha256 \"" SHA_TEST "\"\n"
		      "app c unit c.service sha256 \"" SHA_TEST "\"\n"
		      "app d exe \"/x\" user u exe \"/y\"\n"
		      "app e name x\n"
		      "camera f class webcam\n"
		      "camera g class video, Video\n"
		      "camera h color red\n",
		      "t.policy:1:22: key \"unit\" given twice",
		      "t.policy:2:22: key \"class\" given twice",
		      "t.policy:3:24: key \"path\" given twice",
		      "t.policy:4:90: key \"sha256\" given twice",
		      "t.policy:5:22: sha256 must come right after exe \"PATH\"",
		      "t.policy:6:23: key \"exe\" given twice",
		      "t.policy:7:7: unknown app key \"name\" (expected exe, unit, cgroup or user)",
		      "t.policy:8:16: unknown class \"webcam\" (expected video, media or usb)",
		      "t.policy:9:23: unknown class \"Video\" (expected video, media or usb)",
		      "t.policy:10:10: unknown camera key \"color\" (expected class, path, v4l2 or net)");
}

static void test_err_values(void **state)
{
	expect_errors("app a exe \"/x\" sha256 \"abc\"\n"
		      "app b exe \"/x\" sha256 \"" SHA_TEST "0\"\n"
		      "app c exe \"/x\" sha256 \"9g86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"\n"
		      "app d exe \"bin/x\"\n"
		      "app e cgroup \"ops.slice\"\n"
		      "app f unit nvr\n"
		      "app g user \"a b\"\n"
		      "camera h path \"video0\"\n"
		      "app i exe /x\n",
		      "t.policy:1:23: malformed sha256 \"abc\": expected 64 hex digits",
		      "t.policy:2:23: malformed sha256 \"" SHA_TEST "0\": expected 64 hex digits",
		      "t.policy:3:23: malformed sha256 \"9g86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\": "
		      "expected 64 hex digits",
		      "t.policy:4:11: exe \"bin/x\" must be an absolute path",
		      "t.policy:5:14: cgroup \"ops.slice\" must start with \"/\"",
		      "t.policy:6:12: bad unit name \"nvr\" (expected a full unit name such as \"nvr.service\")",
		      "t.policy:7:12: bad user \"a b\"",
		      "t.policy:8:15: device path \"video0\" must be absolute",
		      "t.policy:9:11: expected a quoted absolute path after exe");
}

static void test_on_log_failure(void **state)
{
	struct bf_policy *p = parse_ok("camera c class video\n", 0);

	/* the default: a capture that cannot be recorded is refused */
	assert_false(p->log_failure_continue);
	assert_int_equal(p->log_failure_src.line, 0);
	bf_policy_free(p);
	p = parse_ok("camera c class video\non-log-failure continue\n", 0);
	assert_true(p->log_failure_continue);
	expect_src(&p->log_failure_src, "t.policy", 2, 1);
	bf_policy_free(p);
	p = parse_ok("on-log-failure deny-capture\n", 0);
	assert_false(p->log_failure_continue);
	bf_policy_free(p);
	expect_errors("on-log-failure continue\non-log-failure deny-capture\non-log-failure stop\n"
		      "on-log-failure\n",
		      "t.policy:2:1: on-log-failure given twice (first at t.policy:1)",
		      "t.policy:3:1: on-log-failure given twice (first at t.policy:1)",
		      "t.policy:4:1: on-log-failure given twice (first at t.policy:1)");
	expect_errors("on-log-failure stop\non-log-failure continue now\n",
		      "t.policy:1:16: expected continue or deny-capture after on-log-failure",
		      "t.policy:2:25: trailing garbage \"now\"");
}

static void test_err_mode(void **state)
{
	expect_errors("mode audit\ncamera c class video\n  mode enforce\nmode audit\nmode permissive\n",
		      "t.policy:3:3: mode given twice (first at t.policy:1)",
		      "t.policy:4:1: mode given twice (first at t.policy:1)",
		      "t.policy:5:1: mode given twice (first at t.policy:1)");
	expect_errors("mode permissive\n", "t.policy:1:6: expected enforce or audit after mode");
}

static void test_err_control_chars(void **state)
{
	static const char text[] = "camera a class video\x01\ncamera b path \"/dev/\x7f\"\n";

	expect_errors(text, "t.policy:1:21: unexpected control character 0x01",
		      "t.policy:2:21: control character 0x7f in string");
}

/* Errors come out in file order even though undefined names are only found at the end. */
static void test_all_errors_in_one_pass(void **state)
{
	expect_errors("camera lobby path \"/dev/video0\"\n"
		      "camera Bad class video\n"
		      "app rec exe \"/opt/rec\" sha256 \"abc\"\n"
		      "capture allow ghost lobby\n"
		      "dest d 10.0.0.1/24 tcp 80\n"
		      "frob\n"
		      "export allow rec nowhere\n"
		      "camera lobby class usb\n"
		      "dest e any tcp 0\n"
		      "mode enforce extra\n"
		      "app \"x\"\n"
		      "capture allow rec lobby \"unterminated\n"
		      "capture allow rec lobby\n",
		      "t.policy:2:8: bad camera name \"Bad\" (names are [a-z0-9][a-z0-9_.-]*, at most 63 characters)",
		      "t.policy:3:31: malformed sha256 \"abc\": expected 64 hex digits",
		      "t.policy:4:15: undefined app \"ghost\"",
		      "t.policy:5:8: 10.0.0.1/24: host bits set; did you mean 10.0.0.0/24?",
		      "t.policy:6:1: unknown keyword \"frob\"",
		      "t.policy:7:18: undefined dest \"nowhere\"",
		      "t.policy:8:8: duplicate camera \"lobby\" (first defined at t.policy:1)",
		      "t.policy:9:16: port out of range \"0\" (1..65535)",
		      "t.policy:10:14: trailing garbage \"extra\"",
		      "t.policy:11:5: expected an app name",
		      "t.policy:12:25: unterminated string");
}

/* Template stores: lines naming one path gather holders; describe prints one line per path. */
static void test_template_stores(void **state)
{
	struct bf_policy *p = parse_ok("template-store recognizer \"/var/lib/gate/templates/\"\n"
				       "app recognizer exe \"/opt/gate/bin/recognizer\"\n"
				       "app enroller exe \"/opt/gate/bin/enroller\"\n"
				       "template-store enroller \"/var/lib/gate/templates\"\n"
				       "template-store enroller \"/srv/faces.db\" audit\n", NF);
	char *text;

	(void)state;
	assert_int_equal(p->n_stores, 3);
	/* the trailing slash is dropped: both lines name one store */
	assert_string_equal(p->stores[0].path, "/var/lib/gate/templates");
	assert_int_equal(p->stores[0].app, 0);	/* a forward reference, resolved */
	assert_false(p->stores[0].audit);
	expect_src(&p->stores[0].path_src, "t.policy", 1, 27);
	assert_int_equal(p->stores[1].app, 1);
	assert_true(p->stores[2].audit);
	text = describe(p);
	expect_contains(text, "  /var/lib/gate/templates: recognizer, enroller    [t.policy:1]\n");
	expect_contains(text, "  /srv/faces.db: enroller (audit only: others are logged, not refused)"
			"    [t.policy:5]\n");
	free(text);
	bf_policy_free(p);
}

static void test_err_template_stores(void **state)
{
	(void)state;
	expect_errors("app r exe \"/opt/r\"\n"
		      "template-store any \"/srv/x\"\n"
		      "template-store r \"/usr/share/faces\"\n"
		      "template-store r \"/var\"\n"
		      "template-store r relative\n"
		      "template-store r \"srv/x\"\n"
		      "template-store r \"/srv/a/../b\"\n"
		      "template-store r \"/\"\n"
		      "template-store nobody \"/srv/faces\"\n"
		      "template-store r \"/srv/t\" audit\n"
		      "template-store r \"/srv/t\"\n"
		      "template-store r \"/srv/one\" extra\n"
		      "template-store\n",
		      "t.policy:2:16: template-store any would let every program open the templates "
		      "(name the app that holds them)",
		      "t.policy:3:18: template store \"/usr/share/faces\" is under /usr, which holds the "
		      "system's own files (keep templates under /var/lib or /srv)",
		      "t.policy:4:18: template store \"/var\" would lock every other program out of /var "
		      "(name the directory the templates are in)",
		      "t.policy:5:18: expected a quoted path after the app name",
		      "t.policy:6:18: template store \"srv/x\" must be an absolute path",
		      "t.policy:7:18: template store \"/srv/a/../b\" has an empty, \".\" or \"..\" component",
		      "t.policy:8:18: template store \"/\" would lock every other program out of every file",
		      "t.policy:9:16: undefined app \"nobody\"",
		      "t.policy:11:18: template store \"/srv/t\" is audit at t.policy:10: a store is audited "
		      "as a whole",
		      "t.policy:12:29: trailing garbage \"extra\"",
		      "t.policy:13:15: expected an app name");
}

/* Warnings: a line said twice, an app any program of a user or unit can be; nine stores are too many. */
static void test_template_store_limits(void **state)
{
	struct bf_diags d = { 0 };
	struct bf_policy *p = NULL;
	static const char *const want[] = {
		"t.policy:4:1: warning: template store \"/srv/a\" given twice for \"r\" (first at t.policy:3)",
		"t.policy:5:16: warning: app \"u\" has no exe key: any program run as it may open the templates",
	};

	(void)state;
	assert_int_equal(bf_policy_parse_string("t.policy",
		"app r exe \"/opt/r\"\napp u user \"gate\"\n"
		"template-store r \"/srv/a\"\ntemplate-store r \"/srv/a\"\ntemplate-store u \"/srv/b\"\n",
		NF, &p, &d), 0);
	check_diags(&d, want, 2);
	bf_policy_free(p);
	bf_diags_free(&d);
	expect_errors("app r exe \"/opt/r\"\n"
		      "template-store r \"/srv/1\"\ntemplate-store r \"/srv/2\"\ntemplate-store r \"/srv/3\"\n"
		      "template-store r \"/srv/4\"\ntemplate-store r \"/srv/5\"\ntemplate-store r \"/srv/6\"\n"
		      "template-store r \"/srv/7\"\ntemplate-store r \"/srv/8\"\ntemplate-store r \"/srv/9\"\n",
		      "t.policy:10:18: more than 8 template stores (the kernel tables hold 8)");
}

static void test_shadow_warnings(void **state)
{
	struct bf_diags d = { 0 };
	struct bf_policy *p = NULL;
	static const char *const want[] = {
		"t.policy:6:1: warning: rule never matches: shadowed by t.policy:5",
		"t.policy:7:1: warning: rule never matches: shadowed by t.policy:5",
		"t.policy:10:1: warning: rule never matches: shadowed by t.policy:9",
		"t.policy:11:1: warning: rule never matches: shadowed by t.policy:8",
	};

	assert_int_equal(bf_policy_parse_string("t.policy",
		"app a unit a.service\ncamera c class video\ndest x any\n"
		"capture deny any any audit\n"   /* audit rules decide nothing, so shadow nothing */
		"capture allow a c\n"
		"capture deny a c\n"
		"capture allow a c\n"
		"export allow any x\n"
		"export deny any any\n"
		"export allow a c2\n"
		"export allow a x\n"
		"dest c2 ::1\n", NF, &p, &d), 0);
	assert_non_null(p);
	check_diags(&d, want, 4);
	assert_int_equal(d.n_errors, 0);
	/* diagnostics accumulate across calls */
	bf_policy_free(p);
	assert_int_equal(bf_policy_parse_string("u.policy", "bogus\n", NF, &p, &d), -EINVAL);
	assert_int_equal(d.n, 5);
	assert_int_equal(d.n_errors, 1);
	assert_string_equal(d.msgs[4], "u.policy:1:1: unknown keyword \"bogus\"");
	bf_diags_free(&d);
	assert_int_equal(d.n, 0);
	assert_null(d.msgs);
}

/* ---- consent rules, capture windows, brokers ---- */

static void expect_consent(const struct bf_rule_ast *r, const char *purpose, uint32_t window_ms,
			   bool audit, unsigned line, unsigned consent_col)
{
	assert_int_equal(r->kind, BF_RULE_CAPTURE);
	assert_true(r->allow);
	assert_true(r->consent);
	assert_string_equal(r->purpose, purpose);
	assert_int_equal(r->window_ms, window_ms);
	assert_int_equal(r->audit, audit);
	expect_src(&r->consent_src, "t.policy", line, consent_col);
}

static void test_consent_rules(void **state)
{
	struct bf_policy *p = parse_ok(
		"capture allow rec all consent entry window 5s audit\n"
		"capture allow rec lobby consent entry window 10s\n"
		"capture allow kiosk any audit   consent visit-2.x_b window 1500ms\n"
		"capture allow door lobby consent entry\n"
		"capture allow door all\n"
		"app rec unit rec.service\n"
		"app door unit door.service\n"
		"app kiosk unit kiosk.service\n"
		"camera lobby class video\n"
		"camera all class video, media\n"
		"broker door\n", NF);
	const struct bf_rule_ast *r = p->rules;

	assert_int_equal(p->n_rules, 5);
	expect_consent(&r[0], "entry", 5000, true, 1, 23);
	assert_int_equal(r[0].app, 0);
	assert_int_equal(r[0].obj, 1);
	expect_consent(&r[1], "entry", 10000, false, 2, 25);
	expect_consent(&r[2], "visit-2.x_b", 1500, true, 3, 33);
	assert_int_equal(r[2].obj, -1);        /* any camera is fine: the app is what is named */
	expect_consent(&r[3], "entry", BF_WINDOW_DEFAULT_MS, false, 4, 26);
	assert_false(r[4].consent);
	assert_string_equal(r[4].purpose, "");
	assert_int_equal(r[4].window_ms, 0);
	expect_rule(&r[4], BF_RULE_CAPTURE, true, 1, 1, 5);
	assert_int_equal(p->n_brokers, 1);
	assert_int_equal(p->brokers[0], 1);
	assert_int_equal(p->max_window_ms, BF_MAX_WINDOW_DEFAULT_MS);
	assert_int_equal(p->grace_ms, BF_GRACE_DEFAULT_MS);
	bf_policy_free(p);
}

/* The default window is capped by max-window, wherever max-window is set. */
static void test_consent_limits(void **state)
{
	static const char head[] = "app rec unit rec.service\ncamera cam class video\n"
				   "camera cam2 class usb\nbroker rec\n";
	struct bf_policy *p;
	char *text;

	assert_true(asprintf(&text, "%scapture allow rec cam consent entry\n"
			     "capture allow rec cam2 consent entry window 10s\n"
			     "max-window 10s\nwindow-grace 0s\n", head) > 0);
	p = parse_ok(text, NF);
	assert_int_equal(p->max_window_ms, 10000);
	assert_int_equal(p->grace_ms, 0);
	assert_int_equal(p->rules[0].window_ms, 10000);
	assert_int_equal(p->rules[1].window_ms, 10000);
	bf_policy_free(p);
	free(text);
	/* the ceilings themselves are allowed */
	assert_true(asprintf(&text, "%smax-window 60m\nwindow-grace 60000ms\n"
			     "capture allow rec cam consent entry window 1h\n"
			     "capture allow rec cam2 consent entry\n", head) > 0);
	p = parse_ok(text, NF);
	assert_int_equal(p->max_window_ms, BF_MAX_WINDOW_CEILING_MS);
	assert_int_equal(p->grace_ms, BF_GRACE_CEILING_MS);
	assert_int_equal(p->rules[0].window_ms, BF_MAX_WINDOW_CEILING_MS);
	assert_int_equal(p->rules[1].window_ms, BF_WINDOW_DEFAULT_MS);
	bf_policy_free(p);
	free(text);
	p = parse_ok("max-window 1ms\n", NF);
	assert_int_equal(p->max_window_ms, 1);
	bf_policy_free(p);
}

static void test_err_consent(void **state)
{
	expect_errors("app rec unit rec.service\n"
		      "camera cam class video\n"
		      "dest d any\n"
		      "broker rec\n"
		      "capture deny rec cam consent entry\n"
		      "export allow rec d consent entry\n"
		      "capture allow any cam consent entry\n"
		      "capture allow rec cam consent\n"
		      "capture allow rec cam consent any\n"
		      "capture allow rec cam consent Entry\n"
		      "capture allow rec cam consent window 5s\n"
		      "capture allow rec cam consent entry consent exit\n"
		      "capture allow rec cam audit audit\n"
		      "capture allow rec cam audit consent entry audit\n"
		      "capture allow rec cam window 5s\n"
		      "capture allow rec cam consent entry audit window 5s\n"
		      "capture allow rec cam consent \"entry\"\n"
		      "capture allow rec cam consent audit\n"
		      "export deny any any consent x\n",
		      "t.policy:5:22: consent only applies to allow rules: a deny needs no consent",
		      "t.policy:6:20: consent applies to capture rules only",
		      "t.policy:7:23: a consent rule must name an app: a window opens a camera to one program",
		      "t.policy:8:30: expected a purpose after consent",
		      "t.policy:9:31: purpose cannot be \"any\": consent is given for one purpose",
		      "t.policy:10:31: bad purpose \"Entry\" (names are [a-z0-9][a-z0-9_.-]*, at most 63 characters)",
		      "t.policy:11:31: expected a purpose after consent",
		      "t.policy:12:37: duplicate consent",
		      "t.policy:13:29: duplicate audit",
		      "t.policy:14:43: duplicate audit",
		      "t.policy:15:23: window without consent",
		      "t.policy:16:43: window without consent",
		      "t.policy:17:31: expected a purpose after consent",
		      "t.policy:18:31: expected a purpose after consent",
		      "t.policy:19:21: consent applies to capture rules only");
}

static void test_err_window(void **state)
{
	expect_errors("app rec unit rec.service\n"
		      "camera cam class video\n"
		      "broker rec\n"
		      "capture allow rec cam consent entry window\n"
		      "capture allow rec cam consent entry window 0s\n"
		      "capture allow rec cam consent entry window 10x\n"
		      "capture allow rec cam consent entry window 2h\n"
		      "capture allow rec cam consent entry window 10s 5s\n"
		      "capture allow rec cam consent entry window \"10s\"\n"
		      "capture allow rec cam consent entry window 4294968s\n"
		      "capture allow rec cam consent entry window 10\n"
		      "capture allow rec cam consent entry window window 1s\n",
		      "t.policy:4:43: expected a duration after window",
		      "t.policy:5:44: window must be longer than 0",
		      "t.policy:6:44: bad duration \"10x\" (expected digits then ms, s, m or h, such as 10s)",
		      "t.policy:7:44: window 2h is above the ceiling of 1h",
		      "t.policy:8:48: trailing garbage \"5s\"",
		      "t.policy:9:44: expected a duration after window",
		      "t.policy:10:44: window 4294968s is above the ceiling of 1h",
		      "t.policy:11:44: bad duration \"10\" (expected digits then ms, s, m or h, such as 10s)",
		      "t.policy:12:44: bad duration \"window\" (expected digits then ms, s, m or h, such as 10s)");
}

/* max-window is only known at the end, so a long window is found after everything else on its line. */
static void test_err_window_longer_than_max(void **state)
{
	expect_errors("capture allow rec cam consent entry window 90000ms\n"
		      "capture allow ghost cam consent entry window 2m\n"
		      "app rec unit rec.service\ncamera cam class video\nbroker rec\n",
		      "t.policy:1:44: window 90s is longer than max-window 1m",
		      "t.policy:2:15: undefined app \"ghost\"",
		      "t.policy:2:46: window 2m is longer than max-window 1m");
	expect_errors("app rec unit rec.service\ncamera cam class video\ncamera c2 class usb\nbroker rec\n"
		      "capture allow rec cam consent entry window 1001ms\n"
		      "capture allow rec c2 consent entry\n"
		      "max-window 1s\n",
		      "t.policy:5:44: window 1001ms is longer than max-window 1s");
}

static void test_err_limits(void **state)
{
	expect_errors("max-window 30s\n"
		      "max-window 20s\n"
		      "window-grace 0s\n"
		      " window-grace 1s\n",
		      "t.policy:2:1: max-window given twice (first at t.policy:1)",
		      "t.policy:4:2: window-grace given twice (first at t.policy:3)");
	expect_errors("max-window 0s\n"
		      "max-window 61m\n"
		      "window-grace 61s\n"
		      "max-window\n"
		      "window-grace 1s 2s\n"
		      "max-window -1s\n"
		      "max-window 4294967296ms\n"
		      "window-grace 0\n"
		      "max-window 0h\n"
		      "max-window 1h\n"
		      "window-grace 1m\n"
		      "max-window 30m\n",
		      "t.policy:1:12: max-window must be longer than 0",
		      "t.policy:2:12: max-window 61m is above the ceiling of 1h",
		      "t.policy:3:14: window-grace 61s is above the ceiling of 1m",
		      "t.policy:4:11: expected a duration after max-window",
		      "t.policy:5:17: trailing garbage \"2s\"",
		      "t.policy:6:12: bad duration \"-1s\" (expected digits then ms, s, m or h, such as 10s)",
		      "t.policy:7:12: max-window 4294967296ms is above the ceiling of 1h",
		      "t.policy:8:14: bad duration \"0\" (expected digits then ms, s, m or h, such as 10s)",
		      "t.policy:9:12: max-window must be longer than 0",
		      "t.policy:12:1: max-window given twice (first at t.policy:10)");
}

static void test_err_broker(void **state)
{
	expect_errors("app rec unit rec.service\n"
		      "broker any\n"
		      "broker rec, any\n"
		      "broker\n"
		      "broker rec,\n"
		      "broker Rec\n"
		      "broker ghost, rec, phantom\n"
		      "broker rec rec\n"
		      "broker \"rec\"\n"
		      "broker nope, any\n"
		      "broker cam\n"
		      "camera cam class video\n",
		      "t.policy:2:8: broker any would let every program open capture windows",
		      "t.policy:3:13: broker any would let every program open capture windows",
		      "t.policy:4:7: expected an app name",
		      "t.policy:5:12: expected an app name",
		      "t.policy:6:8: bad app name \"Rec\" (names are [a-z0-9][a-z0-9_.-]*, at most 63 characters)",
		      "t.policy:7:8: undefined app \"ghost\"",
		      "t.policy:7:20: undefined app \"phantom\"",
		      "t.policy:8:12: trailing garbage \"rec\"",
		      "t.policy:9:8: expected an app name",
		      "t.policy:10:14: broker any would let every program open capture windows",
		      "t.policy:11:8: undefined app \"cam\"");
}

static void parse_with_warnings(const char *text, const char *const *want, size_t n,
				struct bf_policy **out)
{
	struct bf_diags d = { 0 };

	assert_int_equal(bf_policy_parse_string("t.policy", text, NF, out, &d), 0);
	assert_non_null(*out);
	check_diags(&d, want, n);
	assert_int_equal(d.n_errors, 0);
	bf_diags_free(&d);
}

static void test_broker_warnings(void **state)
{
	static const char *const twice[] = {
		"t.policy:1:13: warning: broker \"rec\" given twice (first at t.policy:1)",
		"t.policy:3:14: warning: broker \"rec\" given twice (first at t.policy:1)",
	};
	static const char *const none[] = {
		"t.policy:3:23: warning: consent rules but no broker: only root can open capture windows",
	};
	struct bf_policy *p;

	parse_with_warnings("broker rec, rec\napp rec unit rec.service\nbroker door, rec\n"
			    "app door unit door.service\n", twice, 2, &p);
	assert_int_equal(p->n_brokers, 2);
	assert_int_equal(p->brokers[0], 0);
	assert_int_equal(p->brokers[1], 1);
	bf_policy_free(p);
	/* said once, at the first consent rule */
	parse_with_warnings("app rec unit rec.service\ncamera cam class video\n"
			    "capture allow rec cam consent entry\n"
			    "capture allow rec any consent other window 5s\n", none, 1, &p);
	assert_int_equal(p->n_brokers, 0);
	bf_policy_free(p);
}

/* A consent rule decides (outside a window it denies), so what it covers behind it is dead. */
static void test_consent_shadowing(void **state)
{
	static const char *const want[] = {
		"t.policy:5:1: warning: rule never matches: shadowed by t.policy:4",
	};
	struct bf_policy *p;

	parse_with_warnings("app rec unit rec.service\ncamera cam class video\nbroker rec\n"
			    "capture allow rec cam consent entry\n"
			    "capture allow rec cam\n"
			    "capture allow rec any consent entry audit\n"
			    "capture deny rec any\n", want, 1, &p);
	bf_policy_free(p);
}

static void test_describe_consent(void **state)
{
	struct bf_policy *p = parse_ok(
		"app recognizer unit rec.service\n"
		"app door unit door.service\n"
		"camera lobby path \"/dev/video0\"\n"
		"broker door, recognizer\n"
		"window-grace 0s\n"
		"max-window 30s\n"
		"capture allow recognizer lobby consent entry window 10s\n"
		"capture allow door lobby consent exit audit\n", NF);
	char *s = describe(p);

	expect_contains(s, "\ncapture:\n  recognizer (unit rec.service) may open lobby (/dev/video0) "
			"only inside a capture window (consent for entry, window at most 10s)    [t.policy:7]\n"
			"  door (unit door.service) may open lobby (/dev/video0) only inside a capture window "
			"(consent for exit, window at most 15s) (audit only)    [t.policy:8]\n"
			"  any other process is denied every camera    [default]\n"
			"capture windows:\n"
			"  brokers (may open capture windows): door, recognizer\n"
			"  max-window 30s: no window may be longer\n"
			"  window-grace 0s: a process that keeps a camera open longer than 0s after its window "
			"ended is terminated\n"
			"export (");
	free(s);
	bf_policy_free(p);
	p = parse_ok("mode audit\napp rec unit rec.service\ncamera cam class video\n"
		     "capture allow rec cam consent entry\nbroker rec\n", NF);
	s = describe(p);
	expect_contains(s, "  brokers (may open capture windows): rec\n"
			"  max-window 1m: no window may be longer\n"
			"  window-grace 2s: a process that keeps a camera open longer than 2s after its window "
			"ended is reported (audit mode)\n");
	free(s);
	bf_policy_free(p);
}

static void test_describe_consent_no_broker(void **state)
{
	struct bf_diags d = { 0 };
	struct bf_policy *p = NULL;
	char *s;

	assert_int_equal(bf_policy_parse_string("t.policy", "app rec unit rec.service\n"
		"camera cam class video\ncapture allow rec cam consent entry\n", NF, &p, &d), 0);
	assert_int_equal(d.n, 1);
	bf_diags_free(&d);
	s = describe(p);
	expect_contains(s, "capture windows:\n  brokers: none (only root may open capture windows)\n");
	free(s);
	bf_policy_free(p);
}

/* ---- ipc rules: unix socket addresses ---- */

static void expect_unix(const struct bf_unix_addr *ua, const char *text, const void *addr,
			size_t len, bool abstract, unsigned line, unsigned col)
{
	assert_string_equal(ua->text, text);
	assert_int_equal(ua->len, len);
	assert_memory_equal(ua->addr, addr, len);
	assert_int_equal(ua->abstract, abstract);
	expect_src(&ua->src, "t.policy", line, col);
}

static void test_ipc_rules(void **state)
{
	struct bf_policy *p = parse_ok(
		"ipc allow rec unix \"/run/gate/door.sock\"\n"
		"ipc allow rec unix \"@door-events\" audit\n"
		"ipc  allow door unix \"/run/gate/door.sock\"\n"   /* the same address: one index */
		"ipc deny any unix \"@/run/gate/door.sock\"\n"    /* abstract: not the path above */
		"ipc allow door unix any\n"
		"ipc deny any unix \"/run/a\\\"b\\\\c\"\n"
		"ipc deny rec unix \"@door-events\"\n"
		"app rec unit rec.service\n"
		"app door unit door.service\n", NF);
	const struct bf_rule_ast *r = p->rules;

	assert_int_equal(p->n_rules, 7);
	assert_int_equal(p->n_unix_addrs, 4);
	expect_unix(&p->unix_addrs[0], "/run/gate/door.sock", "/run/gate/door.sock", 19, false, 1, 20);
	expect_unix(&p->unix_addrs[1], "@door-events", "\0door-events", 12, true, 2, 20);
	expect_unix(&p->unix_addrs[2], "@/run/gate/door.sock", "\0/run/gate/door.sock", 20, true, 4, 19);
	expect_unix(&p->unix_addrs[3], "/run/a\"b\\c", "/run/a\"b\\c", 10, false, 6, 19);
	expect_rule(&r[0], BF_RULE_IPC, true, 0, 0, 1);
	assert_true(r[1].audit);
	assert_int_equal(r[1].kind, BF_RULE_IPC);
	assert_int_equal(r[1].obj, 1);
	expect_rule(&r[2], BF_RULE_IPC, true, 1, 0, 3);
	expect_rule(&r[3], BF_RULE_IPC, false, -1, 2, 4);
	expect_rule(&r[4], BF_RULE_IPC, true, 1, -1, 5);
	expect_rule(&r[5], BF_RULE_IPC, false, -1, 3, 6);
	expect_rule(&r[6], BF_RULE_IPC, false, 0, 1, 7);
	assert_false(r[0].consent);
	bf_policy_free(p);
	/* "unix any" names no address, so it adds none */
	p = parse_ok("ipc deny any unix any\n", NF);
	assert_int_equal(p->n_unix_addrs, 0);
	assert_null(p->unix_addrs);
	expect_rule(&p->rules[0], BF_RULE_IPC, false, -1, -1, 1);
	bf_policy_free(p);
}

/* "VERB deny any any" reads the same for every rule verb: ipc's bare any is "unix any". */
static void test_any_any_every_verb(void **state)
{
	struct bf_policy *p = parse_ok("capture deny any any\n"
				       "export deny any any\n"
				       "ipc deny any any\n", NF);

	(void)state;
	assert_int_equal(p->n_rules, 3);
	expect_rule(&p->rules[0], BF_RULE_CAPTURE, false, -1, -1, 1);
	expect_rule(&p->rules[1], BF_RULE_EXPORT, false, -1, -1, 2);
	expect_rule(&p->rules[2], BF_RULE_IPC, false, -1, -1, 3);
	/* no address is named, so none is taken */
	assert_int_equal(p->n_unix_addrs, 0);
	bf_policy_free(p);
	p = parse_ok("ipc allow any any audit\n", NF);
	assert_int_equal(p->rules[0].kind, BF_RULE_IPC);
	assert_true(p->rules[0].allow && p->rules[0].audit);
	assert_int_equal(p->rules[0].obj, -1);
	bf_policy_free(p);
	/* the same rule as "unix any": either one after the other never matches */
	{
		static const char *const want[] = {
			"t.policy:2:1: warning: rule never matches: shadowed by t.policy:1",
		};

		parse_with_warnings("ipc deny any any\nipc deny any unix any\n", want, 1, &p);
		bf_policy_free(p);
	}
	expect_errors("ipc deny any any any\n"
		      "ipc deny any any \"/run/x\"\n"
		      "ipc deny any any unix\n"
		      "ipc allow any\n",
		      "t.policy:1:18: trailing garbage \"any\"",
		      "t.policy:2:18: trailing garbage \"/run/x\"",
		      "t.policy:3:18: trailing garbage \"unix\"",
		      "t.policy:4:14: expected unix or any after the app (unix is the only ipc kind so far)");
}

/* "ipc allow any unix "PFX" + 'a' * N" with N bytes of 'a'. */
static char *ipc_line(const char *pfx, size_t n, const char *tail)
{
	char *name = malloc(n + 1), *line;

	assert_non_null(name);
	memset(name, 'a', n);
	name[n] = '\0';
	assert_true(asprintf(&line, "ipc allow any unix \"%s%s\"%s\n", pfx, name, tail) > 0);
	free(name);
	return line;
}

static void test_ipc_address_length(void **state)
{
	char *path = ipc_line("/", 106, ""), *name = ipc_line("@", 107, "");
	char *text, want[BF_UNIX_PATH_MAX];
	struct bf_policy *p;

	assert_true(asprintf(&text, "%s%s", path, name) > 0);
	p = parse_ok(text, NF);
	assert_int_equal(p->n_unix_addrs, 2);
	assert_int_equal(p->unix_addrs[0].len, 107);
	assert_int_equal(strlen(p->unix_addrs[0].text), 107);
	assert_int_equal(p->unix_addrs[0].addr[0], '/');
	assert_false(p->unix_addrs[0].abstract);
	/* abstract: sun_path's leading NUL then 107 name bytes fill all 108 */
	memset(want, 'a', sizeof(want));
	want[0] = '\0';
	assert_int_equal(p->unix_addrs[1].len, BF_UNIX_PATH_MAX);
	assert_memory_equal(p->unix_addrs[1].addr, want, BF_UNIX_PATH_MAX);
	assert_true(p->unix_addrs[1].abstract);
	assert_int_equal(strlen(p->unix_addrs[1].text), 108);
	assert_int_equal(p->unix_addrs[1].text[0], '@');
	bf_policy_free(p);
	free(text);
	free(path);
	free(name);
	path = ipc_line("/", 107, "");
	name = ipc_line("@", 108, "");
	assert_true(asprintf(&text, "%s%s", path, name) > 0);
	expect_errors(text,
		      "t.policy:1:20: unix socket path is 108 bytes, longer than the limit of 107 "
		      "(sun_path's 108 bytes include a NUL)",
		      "t.policy:2:20: abstract unix socket name is 108 bytes, longer than the limit of 107 "
		      "(sun_path's 108 bytes include a NUL)");
	free(text);
	free(path);
	free(name);
}

/* Appends "ipc allow any unix "/s/I"" for I in [from, to). */
static void ipc_addrs(char **text, int from, int to)
{
	char *t;
	int i;

	for (i = from; i < to; i++) {
		assert_true(asprintf(&t, "%sipc allow any unix \"/s/%d\"\n", *text, i) > 0);
		free(*text);
		*text = t;
	}
}

static void test_ipc_address_limit(void **state)
{
	static const char *const shadowed[] = {
		"t.policy:65:1: warning: rule never matches: shadowed by t.policy:1",
	};
	char *text = strdup(""), *t;
	struct bf_diags d = { 0 };
	struct bf_policy *p;

	assert_non_null(text);
	ipc_addrs(&text, 0, 64);
	/* a repeat is no new address (and, sharing its index, is seen to be shadowed) */
	assert_true(asprintf(&t, "%sipc deny any unix \"/s/0\"\n", text) > 0);
	parse_with_warnings(t, shadowed, 1, &p);
	assert_int_equal(p->n_unix_addrs, 64);
	assert_int_equal(p->n_rules, 65);
	assert_string_equal(p->unix_addrs[63].text, "/s/63");
	assert_int_equal(p->rules[64].obj, 0);
	bf_policy_free(p);
	free(t);
	ipc_addrs(&text, 64, 66);
	expect_errors(text, "t.policy:65:20: more than 64 unix socket addresses (a kernel table limit)",
		      "t.policy:66:20: more than 64 unix socket addresses (a kernel table limit)");
	/* past the limit, an address already in the table is still taken (only shadowed here) */
	assert_true(asprintf(&t, "%sipc deny any unix \"/s/7\"\n", text) > 0);
	assert_int_equal(bf_policy_parse_string("t.policy", t, NF, &p, &d), -EINVAL);
	assert_int_equal(d.n_errors, 2);
	assert_int_equal(d.n, 3);
	assert_string_equal(d.msgs[2], "t.policy:67:1: warning: rule never matches: shadowed by t.policy:8");
	bf_diags_free(&d);
	free(t);
	free(text);
	/* a line with an error adds no address, so it does not use up the table */
	text = strdup("");
	assert_non_null(text);
	ipc_addrs(&text, 0, 63);
	assert_true(asprintf(&t, "%sipc allow any unix \"/e\" please\nipc allow any unix \"/s/63\"\n",
			     text) > 0);
	expect_errors(t, "t.policy:64:25: trailing garbage \"please\"");
	free(t);
	free(text);
}

static void test_err_ipc(void **state)
{
	expect_errors("app rec unit rec.service\n"
		      "ipc allow rec unix \"\"\n"
		      "ipc allow rec unix \"run/door.sock\"\n"
		      "ipc allow rec unix \"@\"\n"
		      "ipc allow rec tcp \"/run/x\"\n"
		      "ipc allow rec\n"
		      "ipc allow rec unix\n"
		      "ipc allow rec unix /run/x\n"
		      "ipc allow rec unix \"/run/x\" please\n"
		      "ipc allow rec unix \"/run/x\" consent entry\n"
		      "ipc allow rec unix any audit audit\n"
		      "ipc permit rec unix any\n"
		      "ipc allow Rec unix any\n"
		      "ipc allow ghost unix \"@g\"\n"
		      "ipc deny any unix \".\"\n"
		      "ipc allow rec unix \"/run/x\" window 5s\n"
		      "ipc allow rec unix \"/run/x\", \"/run/y\"\n"
		      "ipc allow rec unix \"any\"\n"
		      "ipc\n",
		      "t.policy:2:20: empty unix socket address (expected \"/path\" or \"@name\")",
		      "t.policy:3:20: unix socket path must be absolute, or @name for an abstract socket: "
		      "a relative path depends on the connecting process's directory",
		      "t.policy:4:20: abstract unix socket name is empty: write \"@name\"",
		      "t.policy:5:15: expected unix or any after the app (unix is the only ipc kind so far)",
		      "t.policy:6:14: expected unix or any after the app (unix is the only ipc kind so far)",
		      "t.policy:7:19: expected a quoted unix socket address (\"/path\" or \"@name\") or any "
		      "after unix",
		      "t.policy:8:20: expected a quoted unix socket address (\"/path\" or \"@name\") or any "
		      "after unix",
		      "t.policy:9:29: trailing garbage \"please\"",
		      "t.policy:10:29: consent applies to capture rules only",
		      "t.policy:11:30: duplicate audit",
		      "t.policy:12:5: expected allow or deny after ipc",
		      "t.policy:13:11: bad app name \"Rec\" (names are [a-z0-9][a-z0-9_.-]*, at most 63 characters)",
		      "t.policy:14:11: undefined app \"ghost\"",
		      "t.policy:15:19: unix socket path must be absolute, or @name for an abstract socket: "
		      "a relative path depends on the connecting process's directory",
		      "t.policy:16:29: window without consent",
		      "t.policy:17:28: trailing garbage \",\"",
		      "t.policy:18:20: unix socket path must be absolute, or @name for an abstract socket: "
		      "a relative path depends on the connecting process's directory",
		      "t.policy:19:4: expected allow or deny after ipc");
}

/* Same kind only: an export deny any any does not shadow ipc rules, nor ipc rules capture ones. */
static void test_ipc_shadowing(void **state)
{
	static const char *const want[] = {
		"t.policy:4:1: warning: rule never matches: shadowed by t.policy:3",
		"t.policy:6:1: warning: rule never matches: shadowed by t.policy:5",
		"t.policy:13:1: warning: rule never matches: shadowed by t.policy:11",
	};
	struct bf_policy *p;

	parse_with_warnings("app a unit a.service\n"
			    "app b unit b.service\n"
			    "ipc allow a unix \"/run/x\"\n"
			    "ipc deny a unix \"/run/x\"\n"
			    "ipc deny a unix any\n"
			    "ipc allow a unix \"@y\"\n"
			    "ipc allow b unix \"@y\"\n"
			    "export deny any any\n"
			    "ipc allow any unix any audit\n"   /* audit rules decide nothing */
			    "ipc allow b unix \"/run/x\"\n"
			    "ipc deny any unix any\n"
			    "capture allow a any\n"
			    "ipc allow b unix \"@z\"\n", want, 3, &p);
	assert_int_equal(p->n_unix_addrs, 3);
	bf_policy_free(p);
}

static void test_describe_ipc(void **state)
{
	struct bf_policy *p = parse_ok(
		"app rec unit rec.service\n"
		"ipc allow rec unix \"/run/gate/door.sock\"\n"
		"ipc allow rec unix \"@door-events\" audit\n"
		"ipc deny any unix \"@x\"\n", NF);
	char *s = describe(p);
	const char *ipc;

	expect_contains(s, "enforce mode, 0 cameras, 1 app, 0 destination sets, 0 capture rules, "
			"0 export rules, 3 ipc rules\n");
	expect_contains(s, "export (applies to processes that opened a camera, and their children):\n"
			"  (no rules)\n"
			"  everything else is denied    [default]\n"
			"ipc (");
	/* the ipc section comes last */
	ipc = strstr(s, "ipc (");
	assert_non_null(ipc);
	assert_string_equal(ipc, "ipc (applies to processes that opened a camera, and their children):\n"
			    "  rec (unit rec.service) may connect or send to unix socket /run/gate/door.sock"
			    "    [t.policy:2]\n"
			    "  rec (unit rec.service) may connect or send to unix socket @door-events"
			    " (audit only)    [t.policy:3]\n"
			    "  DENIED: any process trying to connect or send to unix socket @x    [t.policy:4]\n"
			    "  everything else is denied    [default]\n");
	free(s);
	bf_policy_free(p);
	/* a closing deny any any leaves no default line; audit mode says nothing is denied */
	p = parse_ok("mode audit\nipc deny any unix any\n", NF);
	s = describe(p);
	expect_contains(s, "0 export rules, 1 ipc rule\n");
	expect_contains(s, "  everything else would be denied (logged only)    [default]\n"
			"ipc (applies to processes that opened a camera, and their children):\n"
			"  DENIED: any process trying to connect or send to any unix socket (audit only)"
			"    [t.policy:2]\n");
	assert_null(strstr(strstr(s, "ipc ("), "[default]"));
	free(s);
	bf_policy_free(p);
}

/* ---- export quotas ---- */

static void expect_quota(const struct bf_rule_ast *r, uint64_t bytes, uint32_t period_s,
			 unsigned line, unsigned col)
{
	assert_int_equal(r->kind, BF_RULE_EXPORT);
	assert_true(r->allow);
	assert_int_equal(r->quota_bytes, bytes);
	assert_int_equal(r->quota_period_s, period_s);
	expect_src(&r->quota_src, "t.policy", line, col);
}

static void test_quota_rules(void **state)
{
	struct bf_policy *p = parse_ok(
		"app rec unit rec.service\n"
		"dest ctl 10.0.0.1 tcp 443\n"
		"dest all any\n"
		"export allow rec ctl quota 1MiB/hour\n"
		"export allow rec all quota 500MB/day audit\n"
		"export allow any ctl audit quota 7B/second\n"  /* app any: every process's sends together */
		"export allow rec ct3 quota 3KB/minute\n"
		"export allow any all quota 2KiB/hour\n"
		"export allow rec ct4 quota 4GB/day\n"
		"export allow rec ct5 quota 5GiB/second\n"
		"export allow rec ct6 quota 0010MB/hour\n"
		"export allow rec ct7\n"
		"export deny rec ct8\n"
		"dest ct3 10.0.0.3\ndest ct4 10.0.0.4\ndest ct5 10.0.0.5\n"
		"dest ct6 10.0.0.6\ndest ct7 10.0.0.7\ndest ct8 10.0.0.8\n", NF);
	const struct bf_rule_ast *r = p->rules;

	assert_int_equal(p->n_rules, 10);
	expect_quota(&r[0], 1048576, 3600, 4, 22);
	assert_false(r[0].audit);
	expect_quota(&r[1], 500000000, 86400, 5, 22);
	assert_true(r[1].audit);
	expect_quota(&r[2], 7, 1, 6, 28);
	assert_true(r[2].audit);
	assert_int_equal(r[2].app, -1);
	expect_quota(&r[3], 3000, 60, 7, 22);
	expect_quota(&r[4], 2048, 3600, 8, 22);
	assert_int_equal(r[4].obj, 1);
	expect_quota(&r[5], 4000000000ull, 86400, 9, 22);
	expect_quota(&r[6], 5ull << 30, 1, 10, 22);
	expect_quota(&r[7], 10000000, 3600, 11, 22);
	assert_int_equal(r[8].quota_bytes, 0);
	assert_int_equal(r[9].quota_bytes, 0);
	bf_policy_free(p);
}

static void test_quota_bounds(void **state)
{
	struct bf_policy *p = parse_ok(
		"dest ct1 10.0.0.1\n"
		"export allow any ct1 quota 1B/second\n"
		"export allow any ct2 quota 1024GiB/day\n"
		"export allow any ct3 quota 1099511627776B/day\n"
		"export allow any ct4 quota 1073741824KiB/hour\n"
		"export allow any ct5 quota 1099511627KB/hour\n"
		"export allow any ct6 quota 1048576MiB/minute\n"
		"dest ct2 10.0.0.2\ndest ct3 10.0.0.3\ndest ct4 10.0.0.4\n"
		"dest ct5 10.0.0.5\ndest ct6 10.0.0.6\n", NF);

	assert_int_equal(p->rules[0].quota_bytes, 1);
	assert_int_equal(p->rules[1].quota_bytes, 1099511627776ull);
	assert_int_equal(p->rules[2].quota_bytes, 1099511627776ull);
	assert_int_equal(p->rules[3].quota_bytes, 1099511627776ull);
	assert_int_equal(p->rules[4].quota_bytes, 1099511627000ull);
	assert_int_equal(p->rules[5].quota_bytes, 1099511627776ull);
	bf_policy_free(p);
	expect_errors("dest ctl 10.0.0.1\n"
		      "export allow any ctl quota 1099511627777B/day\n"
		      "export allow any ctl quota 1025GiB/day\n"
		      "export allow any ctl quota 1100GB/day\n"
		      "export allow any ctl quota 1099511628KB/day\n"
		      "export allow any ctl quota 99999999999999999999999GiB/day\n"
		      "export allow any ctl quota 0B/second\n"
		      "export allow any ctl quota 0GiB/day\n",
		      "t.policy:2:28: quota 1099511627777B is above the limit of 1024GiB (1099511627776 bytes)",
		      "t.policy:3:28: quota 1025GiB is above the limit of 1024GiB (1099511627776 bytes)",
		      "t.policy:4:28: quota 1100GB is above the limit of 1024GiB (1099511627776 bytes)",
		      "t.policy:5:28: quota 1099511628KB is above the limit of 1024GiB (1099511627776 bytes)",
		      "t.policy:6:28: quota 99999999999999999999999GiB is above the limit of 1024GiB "
		      "(1099511627776 bytes)",
		      "t.policy:7:28: quota must be at least 1 byte",
		      "t.policy:8:28: quota must be at least 1 byte");
}

static void test_err_quota(void **state)
{
	expect_errors("app rec unit rec.service\n"
		      "dest ctl 10.0.0.1 tcp 443\n"
		      "capture allow rec any quota 1MiB/hour\n"
		      "ipc allow rec unix any quota 1MiB/hour\n"
		      "export deny rec ctl quota 1MiB/hour\n"
		      "export allow rec any quota 1MiB/hour\n"
		      "export allow rec ctl quota 1.5MiB/hour\n"
		      "export allow rec ctl quota +1MiB/hour\n"
		      "export allow rec ctl quota MiB/hour\n"
		      "export allow rec ctl quota 1mib/hour\n"
		      "export allow rec ctl quota 1TiB/hour\n"
		      "export allow rec ctl quota 10/hour\n"
		      "export allow rec ctl quota 1MiB/hours\n"
		      "export allow rec ctl quota 1MiB/Hour\n"
		      "export allow rec ctl quota 1MiB/\n"
		      "export allow rec ctl quota 1MiB\n"
		      "export allow rec ctl quota 1MiB / hour\n"
		      "export allow rec ctl quota\n"
		      "export allow rec ctl quota \"1MiB/hour\"\n"
		      "export allow rec ctl quota 1MiB/hour quota 2MiB/hour\n"
		      "export allow rec ctl audit quota 1MiB/hour audit\n"
		      "export allow rec ctl quota 1MiB/hour please\n"
		      "export allow rec ctl quota 1MiB/hour window 5s\n"
		      "export allow rec ctl consent entry quota 1MiB/hour\n"
		      "export allow rec ghost quota 1MiB/hour\n"
		      "export allow rec ctl quota 1MiB/day/hour\n"
		      "export allow rec ctl quota 1KiB2/hour\n"
		      "export deny any any quota 0B\n",
		      "t.policy:3:23: quota applies to export rules only",
		      "t.policy:4:24: quota applies to export rules only",
		      "t.policy:5:21: quota only applies to allow rules: a deny sends nothing",
		      "t.policy:6:22: a quota needs a named destination set: any is every address",
		      "t.policy:7:28: bad quota size \"1.5MiB\" (expected digits then a unit, such as 500MB or 1MiB)",
		      "t.policy:8:28: bad quota size \"+1MiB\" (expected digits then a unit, such as 500MB or 1MiB)",
		      "t.policy:9:28: bad quota size \"MiB\" (expected digits then a unit, such as 500MB or 1MiB)",
		      "t.policy:10:29: unknown size unit \"mib\" (expected B, KB, MB, GB, KiB, MiB or GiB)",
		      "t.policy:11:29: unknown size unit \"TiB\" (expected B, KB, MB, GB, KiB, MiB or GiB)",
		      "t.policy:12:30: quota size 10 needs a unit (B, KB, MB, GB, KiB, MiB or GiB)",
		      "t.policy:13:33: unknown quota period \"hours\" (expected second, minute, hour or day)",
		      "t.policy:14:33: unknown quota period \"Hour\" (expected second, minute, hour or day)",
		      "t.policy:15:33: expected a period after / (second, minute, hour or day)",
		      "t.policy:16:32: expected /PERIOD after the quota size (second, minute, hour or day), "
		      "such as 1MiB/hour",
		      "t.policy:17:32: expected /PERIOD after the quota size (second, minute, hour or day), "
		      "such as 1MiB/hour",
		      "t.policy:18:27: expected SIZE/PERIOD after quota, such as 1MiB/hour",
		      "t.policy:19:28: expected SIZE/PERIOD after quota, such as 1MiB/hour",
		      "t.policy:20:38: duplicate quota",
		      "t.policy:21:44: duplicate audit",
		      "t.policy:22:38: trailing garbage \"please\"",
		      "t.policy:23:38: window without consent",
		      "t.policy:24:22: consent applies to capture rules only",
		      "t.policy:25:18: undefined dest \"ghost\"",
		      "t.policy:26:33: unknown quota period \"day/hour\" (expected second, minute, hour or day)",
		      "t.policy:27:28: bad quota size \"1KiB2\" (expected digits then a unit, such as 500MB or 1MiB)",
		      "t.policy:28:21: quota only applies to allow rules: a deny sends nothing");
}

/* Appends "export allow any dI quota 1KB/second" and its dest for I in [from, to). */
static void quota_rules(char **text, int from, int to)
{
	char *t;
	int i;

	for (i = from; i < to; i++) {
		assert_true(asprintf(&t, "%sexport allow any d%d quota 1KB/second\n"
				     "dest d%d 10.0.0.%d\n", *text, i, i, i) > 0);
		free(*text);
		*text = t;
	}
}

static void test_quota_limit(void **state)
{
	static const char *const shadowed[] = {
		"t.policy:129:1: warning: rule never matches: shadowed by t.policy:1",
	};
	char *text = strdup(""), *t;
	struct bf_policy *p;

	assert_non_null(text);
	quota_rules(&text, 0, 64);
	/* rules without a quota do not count */
	assert_true(asprintf(&t, "%sexport allow any d0\n", text) > 0);
	parse_with_warnings(t, shadowed, 1, &p);
	assert_int_equal(p->n_rules, 65);
	assert_int_equal(p->rules[63].quota_bytes, 1000);
	bf_policy_free(p);
	free(t);
	quota_rules(&text, 64, 66);
	expect_errors(text, "t.policy:129:22: more than 64 quotas (a kernel table limit)",
		      "t.policy:130:6: more than 64 dests (a kernel table limit): this is number 65",
		      "t.policy:131:22: more than 64 quotas (a kernel table limit)");
	free(text);
	/* a line with an error adds no quota, so it does not use up the table */
	text = strdup("dest e 10.1.0.1\n");
	assert_non_null(text);
	quota_rules(&text, 0, 63);
	assert_true(asprintf(&t, "%sexport allow any e quota 1KB/second please\n"
			     "export allow any e quota 1KB/second\n", text) > 0);
	expect_errors(t, "t.policy:128:37: trailing garbage \"please\"");
	free(t);
	free(text);
}

/* A quota rule decides like any allow rule: what it covers behind it is dead, whatever its quota. */
static void test_quota_shadowing(void **state)
{
	static const char *const want[] = {
		"t.policy:4:1: warning: rule never matches: shadowed by t.policy:3",
		"t.policy:7:1: warning: rule never matches: shadowed by t.policy:3",
	};
	struct bf_policy *p;

	parse_with_warnings("app rec unit rec.service\ndest ctl 10.0.0.1\n"
			    "export allow rec ctl quota 1MiB/hour\n"
			    "export deny rec ctl\n"
			    "export allow any ctl quota 1MiB/hour audit\n"  /* audit rules decide nothing */
			    "export allow any ctl quota 2MiB/day\n"
			    "export allow rec ctl quota 9MiB/day\n", want, 2, &p);
	bf_policy_free(p);
}

static void test_describe_quota(void **state)
{
	struct bf_policy *p = parse_ok(
		"app recognizer unit rec.service\n"
		"dest controller 10.20.0.5 tcp 8443\n"
		"export allow recognizer controller quota 1MiB/hour\n"
		"export allow nvr nvr-store quota 500MB/day audit\n"
		"export allow any d5 quota 1024KiB/second\n"
		"export allow any d6 quota 1024000B/minute\n"
		"export allow any d7 quota 1024GiB/day\n"
		"export allow any d8 quota 7B/second\n"
		"export allow any d9 quota 2000MB/day\n"
		"app nvr unit nvr.service\ndest nvr-store 10.20.0.0/24 tcp 554\n"
		"dest d5 10.0.0.5\ndest d6 10.0.0.6\ndest d7 10.0.0.7\ndest d8 10.0.0.8\n"
		"dest d9 10.0.0.9\n", NF);
	char *s = describe(p);

	expect_contains(s, "  recognizer (unit rec.service) may send to controller (10.20.0.5 tcp port 8443)"
			" up to 1 MiB per hour    [t.policy:3]\n");
	expect_contains(s, "  nvr (unit nvr.service) may send to nvr-store (10.20.0.0/24 tcp port 554)"
			" up to 500 MB per day"
			" (audit only)    [t.policy:4]\n");
	/* the largest unit that divides exactly, whichever unit was written */
	expect_contains(s, " up to 1 MiB per second    [t.policy:5]\n");
	expect_contains(s, " up to 1000 KiB per minute    [t.policy:6]\n");
	expect_contains(s, " up to 1024 GiB per day    [t.policy:7]\n");
	expect_contains(s, " up to 7 B per second    [t.policy:8]\n");
	expect_contains(s, " up to 2 GB per day    [t.policy:9]\n");
	free(s);
	bf_policy_free(p);
}

/* ---- destinations by name: host "NAME", dns-ttl-min, dns-ttl-max ---- */

static void test_dest_hosts(void **state)
{
	struct bf_policy *p = parse_ok(
		"dest controller host \"door.gate.lan\" tcp 8443\n"
		"dest nvr-store 10.20.0.0/24, host \"NVR.Gate.LAN\", fd00:20::/64 tcp 554\n"
		"dest abs host \"door.gate.lan.\",host \"_sip._tcp.gate.lan\" , host \"a-b.c_d.9x\" udp\n"
		"dest one host \"x\"\n", NF);
	const struct bf_dest *d = p->dests;

	assert_int_equal(d[0].n_hosts, 1);
	assert_string_equal(d[0].hosts[0], "door.gate.lan");
	expect_src(&d[0].host_src[0], "t.policy", 1, 22);
	assert_int_equal(d[0].n_cidrs, 0);
	assert_false(d[0].any);
	assert_int_equal(d[0].proto, BF_SEL_TCP);
	assert_int_equal(d[0].ports[0], 8443);
	/* mixed with CIDRs in any order; stored lower-cased */
	assert_int_equal(d[1].n_cidrs, 2);
	expect_cidr(&d[1].cidrs[0], "::ffff:10.20.0.0", 120, true);
	expect_cidr(&d[1].cidrs[1], "fd00:20::", 64, false);
	assert_int_equal(d[1].n_hosts, 1);
	assert_string_equal(d[1].hosts[0], "nvr.gate.lan");
	expect_src(&d[1].host_src[0], "t.policy", 2, 35);
	/* the trailing dot is kept: it tells the resolver not to try search domains */
	assert_int_equal(d[2].n_hosts, 3);
	assert_string_equal(d[2].hosts[0], "door.gate.lan.");
	assert_string_equal(d[2].hosts[1], "_sip._tcp.gate.lan");
	assert_string_equal(d[2].hosts[2], "a-b.c_d.9x");
	assert_int_equal(d[2].proto, BF_SEL_UDP);
	assert_int_equal(d[3].n_hosts, 1);
	assert_string_equal(d[3].hosts[0], "x");
	assert_int_equal(d[3].proto, BF_SEL_ANY);
	bf_policy_free(p);
}

/* "dest a host \"" puts the opening quote at column 13 and the name's first character at 14. */
static void test_err_host_names(void **state)
{
	expect_errors("dest a host \"door..lan\"\n"
		      "dest b host \".door.lan\"\n"
		      "dest c host \"door.lan..\"\n"
		      "dest d host \"-door.lan\"\n"
		      "dest e host \"door-.lan\"\n"
		      "dest f host \"door gate\"\n"
		      "dest g host \"door/gate\"\n"
		      "dest h host \"caf\xc3\xa9.lan\"\n"
		      "dest i host \"\"\n"
		      "dest j host \".\"\n"
		      "dest k host \"a\\\"b.lan\"\n"
		      "dest l host \"door.lan\"\"x\"\n"
		      "dest m host \"door.lan\" tcp 80\n",
		      "t.policy:1:19: bad host name \"door..lan\" (empty label: labels are separated by "
		      "single dots)",
		      "t.policy:2:14: bad host name \".door.lan\" (empty label: labels are separated by "
		      "single dots)",
		      "t.policy:3:23: bad host name \"door.lan..\" (empty label: labels are separated by "
		      "single dots)",
		      "t.policy:4:14: bad host name \"-door.lan\" (label \"-door\" starts with '-')",
		      "t.policy:5:18: bad host name \"door-.lan\" (label \"door-\" ends with '-')",
		      "t.policy:6:18: bad host name \"door gate\" (' ' is not allowed: labels are letters, "
		      "digits, '-' and '_')",
		      "t.policy:7:18: bad host name \"door/gate\" ('/' is not allowed: labels are letters, "
		      "digits, '-' and '_')",
		      "t.policy:8:17: bad host name \"caf\xc3\xa9.lan\" (byte 0xc3 is not allowed: labels "
		      "are letters, digits, '-' and '_')",
		      "t.policy:9:13: bad host name \"\" (empty)",
		      "t.policy:10:14: bad host name \".\" (empty label: labels are separated by single dots)",
		      "t.policy:11:15: bad host name \"a\"b.lan\" ('\"' is not allowed: labels are letters, "
		      "digits, '-' and '_')",
		      "t.policy:12:23: expected \",\" between addresses");
}

static void test_err_host_addresses(void **state)
{
	expect_errors("dest a host \"10.0.0.1\"\n"
		      "dest b host \"fd00:20::1\"\n"
		      "dest c host \"::ffff:10.0.0.1\"\n"
		      "dest d host \"10.0.0.0/24\"\n"
		      "dest e host \"10.0.0.1.\"\n"
		      "dest f host \"10.1\"\n"
		      "dest g host \"0x0a000001\"\n"
		      "dest h host \"FD00::1\"\n",
		      "t.policy:1:13: bad host name \"10.0.0.1\" (an address is written without host and "
		      "quotes)",
		      "t.policy:2:13: bad host name \"fd00:20::1\" (an address is written without host and "
		      "quotes)",
		      "t.policy:3:13: bad host name \"::ffff:10.0.0.1\" (an address is written without host "
		      "and quotes)",
		      "t.policy:4:13: bad host name \"10.0.0.0/24\" (an address is written without host and "
		      "quotes)",
		      "t.policy:5:13: bad host name \"10.0.0.1.\" (an address is written without host and "
		      "quotes)",
		      "t.policy:6:13: bad host name \"10.1\" (resolvers read it as the address 10.0.0.1, "
		      "and an address is written without host and quotes)",
		      "t.policy:7:13: bad host name \"0x0a000001\" (resolvers read it as the address "
		      "10.0.0.1, and an address is written without host and quotes)",
		      "t.policy:8:13: bad host name \"FD00::1\" (an address is written without host and "
		      "quotes)");
	/* the bare forms are still addresses, and names with digits are still names */
	bf_policy_free(parse_ok("dest a 10.0.0.1, fd00:20::1 tcp 1\n"
				"dest b host \"10.lan\", host \"1.2.3.4.lan\", host \"0x0g\"\n", NF));
}

static void test_err_host_syntax(void **state)
{
	expect_errors("dest a host\n"
		      "dest b host door.gate.lan tcp 1\n"
		      "dest c host tcp 80\n"
		      "dest d host , 10.0.0.1\n"
		      "dest e \"door.gate.lan\" tcp 1\n"
		      "dest f door.gate.lan tcp 1\n"
		      "dest g any, host \"x.lan\"\n"
		      "dest h any host \"x.lan\"\n"
		      "dest i host \"x.lan\", any\n"
		      "dest j 10.0.0.1 host \"x.lan\"\n"
		      "dest k host \"x.lan\",\n"
		      "dest l 10.0.0.1, \"x.lan\"\n"
		      "dest m host 10.0.0.1\n",
		      "t.policy:1:12: expected a quoted name after host, such as host \"door.gate.lan\"",
		      "t.policy:2:13: expected a quoted name after host: write host \"door.gate.lan\"",
		      "t.policy:3:13: expected a quoted name after host, such as host \"door.gate.lan\"",
		      "t.policy:4:13: expected a quoted name after host, such as host \"door.gate.lan\"",
		      "t.policy:5:8: a name is written host \"door.gate.lan\"",
		      "t.policy:6:8: bad CIDR \"door.gate.lan\": not an IPv4 or IPv6 address "
		      "(a name is written host \"door.gate.lan\")",
		      "t.policy:7:11: \"any\" already covers every address",
		      "t.policy:8:12: \"any\" already covers every address",
		      "t.policy:9:22: \"any\" already covers every address",
		      "t.policy:10:17: expected \",\" between addresses",
		      "t.policy:11:21: expected an address after \",\"",
		      "t.policy:12:18: a name is written host \"x.lan\"",
		      "t.policy:13:13: expected a quoted name after host, such as host \"door.gate.lan\"");
}

/* LEN characters of labels of at most 63, each ending in 'x', joined by dots. */
static char *long_name(size_t len, size_t label)
{
	char *s = malloc(len + 1);
	size_t i;

	assert_non_null(s);
	for (i = 0; i < len; i++)
		s[i] = (i + 1) % (label + 1) == 0 ? '.' : 'x';
	s[len] = '\0';
	assert_true(s[len - 1] != '.');
	return s;
}

static void expect_host_error(const char *name, unsigned col, const char *why)
{
	char *text, *want;

	assert_true(asprintf(&text, "dest a host \"%s\"\n", name) > 0);
	assert_true(asprintf(&want, "t.policy:1:%u: bad host name \"%s\" (%s)", col, name, why) > 0);
	expect_errors_n(text, NF, (const char *const *)&want, 1);
	free(text);
	free(want);
}

static void expect_host_ok(const char *name)
{
	struct bf_policy *p;
	char *text;

	assert_true(asprintf(&text, "dest a host \"%s\"\n", name) > 0);
	p = parse_ok(text, NF);
	assert_string_equal(p->dests[0].hosts[0], name);
	bf_policy_free(p);
	free(text);
}

static void test_host_lengths(void **state)
{
	char *l63 = long_name(63, 63), *l64 = long_name(64, 64), *n, *dotted;

	/* 63 is the longest label, alone or between others */
	expect_host_ok(l63);
	assert_true(asprintf(&n, "a.%s.lan", l63) > 0);
	expect_host_ok(n);
	free(n);
	expect_host_error(l64, 13 + 1, "a label of 64 characters, longer than 63");
	assert_true(asprintf(&n, "a.%s.lan", l64) > 0);
	expect_host_error(n, 13 + 3, "a label of 64 characters, longer than 63");
	free(n);
	/* 253 characters is the longest name; its trailing dot does not count */
	n = long_name(253, 63);
	expect_host_ok(n);
	assert_true(asprintf(&dotted, "%s.", n) > 0);
	expect_host_ok(dotted);
	free(dotted);
	free(n);
	n = long_name(254, 63);
	expect_host_error(n, 13, "254 characters, longer than 253");
	assert_true(asprintf(&dotted, "%s.", n) > 0);
	expect_host_error(dotted, 13, "254 characters, longer than 253");
	free(dotted);
	free(n);
	free(l63);
	free(l64);
}

static void test_host_repeated(void **state)
{
	static const char *const want[] = {
		"t.policy:1:30: warning: host \"door.lan\" given twice in dest \"a\" (first at column 13)",
		"t.policy:2:37: warning: host \"x.lan\" given twice in dest \"b\" (first at column 13)",
	};
	struct bf_policy *p;

	/* "door.lan." is another name: without the dot the resolver may try search domains */
	parse_with_warnings("dest a host \"door.lan\", host \"DOOR.lan\", host \"door.lan.\"\n"
			    "dest b host \"x.lan\", 10.0.0.1, host \"x.lan\" tcp 1\n"
			    "dest c host \"x.lan\"\n", want, 2, &p);
	assert_int_equal(p->dests[0].n_hosts, 2);
	assert_string_equal(p->dests[0].hosts[0], "door.lan");
	assert_string_equal(p->dests[0].hosts[1], "door.lan.");
	expect_src(&p->dests[0].host_src[1], "t.policy", 1, 47);
	assert_int_equal(p->dests[1].n_hosts, 1);
	assert_int_equal(p->dests[1].n_cidrs, 1);
	assert_int_equal(p->dests[1].ports[0], 1);
	/* the same name in another dest is no repeat */
	assert_int_equal(p->dests[2].n_hosts, 1);
	bf_policy_free(p);
}

static void test_dns_ttl(void **state)
{
	struct bf_policy *p = parse_ok("", NF);

	assert_int_equal(p->dns_ttl_min_s, BF_DNS_TTL_MIN_DEFAULT_S);
	assert_int_equal(p->dns_ttl_max_s, BF_DNS_TTL_MAX_DEFAULT_S);
	bf_policy_free(p);
	p = parse_ok("dns-ttl-max 24h\ndns-ttl-min 1s\n", NF);
	assert_int_equal(p->dns_ttl_min_s, 1);
	assert_int_equal(p->dns_ttl_max_s, 86400);
	bf_policy_free(p);
	p = parse_ok("dns-ttl-min 90000ms\n  dns-ttl-max 1440m   # a day\n", NF);
	assert_int_equal(p->dns_ttl_min_s, 90);
	assert_int_equal(p->dns_ttl_max_s, 86400);
	bf_policy_free(p);
	/* equal bounds are a fixed refresh period */
	p = parse_ok("dns-ttl-min 5m\ndns-ttl-max 300s\n", NF);
	assert_int_equal(p->dns_ttl_min_s, 300);
	assert_int_equal(p->dns_ttl_max_s, 300);
	bf_policy_free(p);
}

static void test_err_dns_ttl(void **state)
{
	expect_errors("dns-ttl-min 500ms\n"
		      "dns-ttl-max 0s\n"
		      "dns-ttl-max 25h\n"
		      "dns-ttl-min 1500ms\n"
		      "dns-ttl-min\n"
		      "dns-ttl-min 10s 20s\n"
		      "dns-ttl-max 86401s\n"
		      "dns-ttl-min 0ms\n"
		      "dns-ttl-min 5000h\n"
		      "dns-ttl-max 1x\n"
		      "dns-ttl-min 1m\n"
		      " dns-ttl-min 2m\n"
		      "dns-ttl-max 2h\n"
		      "dns-ttl-max 2h\n",
		      "t.policy:1:13: dns-ttl-min 500ms must be whole seconds",
		      "t.policy:2:13: dns-ttl-max must be at least 1s",
		      "t.policy:3:13: dns-ttl-max 25h is above the ceiling of 24h",
		      "t.policy:4:13: dns-ttl-min 1500ms must be whole seconds",
		      "t.policy:5:12: expected a duration after dns-ttl-min",
		      "t.policy:6:17: trailing garbage \"20s\"",
		      "t.policy:7:13: dns-ttl-max 86401s is above the ceiling of 24h",
		      "t.policy:8:13: dns-ttl-min must be at least 1s",
		      "t.policy:9:13: dns-ttl-min 5000h is above the ceiling of 24h",
		      "t.policy:10:13: bad duration \"1x\" (expected digits then ms, s, m or h, such as 10s)",
		      "t.policy:12:2: dns-ttl-min given twice (first at t.policy:11)",
		      "t.policy:14:1: dns-ttl-max given twice (first at t.policy:13)");
}

/* min <= max is checked once both are final, at whichever was read last. */
static void test_err_dns_ttl_order(void **state)
{
	expect_errors("dns-ttl-max 10s\n",
		      "t.policy:1:13: dns-ttl-max 10s is shorter than dns-ttl-min 30s (the default)");
	expect_errors("\ndns-ttl-min  2h\n",
		      "t.policy:2:14: dns-ttl-min 2h is longer than dns-ttl-max 1h (the default)");
	expect_errors("dns-ttl-max 1m\ndest a any\ndns-ttl-min 5m\n",
		      "t.policy:3:13: dns-ttl-min 5m is longer than dns-ttl-max 1m (set at t.policy:1)");
	expect_errors("dns-ttl-min 5m\ndns-ttl-max 299s\n",
		      "t.policy:2:13: dns-ttl-max 299s is shorter than dns-ttl-min 5m (set at t.policy:1)");
	/* a bound refused for its own error is not compared, so one mistake gives one message */
	expect_errors("dns-ttl-max 25h\ndns-ttl-min 2h\n",
		      "t.policy:1:13: dns-ttl-max 25h is above the ceiling of 24h");
	expect_errors("dns-ttl-max 500ms\n",
		      "t.policy:1:13: dns-ttl-max 500ms must be whole seconds");
}

static void test_describe_hosts(void **state)
{
	struct bf_policy *p = parse_ok(
		"app rec unit rec.service\n"
		"dest controller host \"door.gate.lan\" tcp 8443\n"
		"dest nvr-store 10.20.0.0/24, host \"nvr.gate.lan\", fd00:20::/64 tcp 554\n"
		"dest pair host \"a.lan\", host \"B.lan.\"\n"
		"export allow rec controller\n"
		"export allow rec nvr-store\n"
		"export allow rec pair\n", NF);
	char *s = describe(p);

	expect_contains(s, "  rec (unit rec.service) may send to controller (door.gate.lan, resolved by "
			"the agent; tcp port 8443)    [t.policy:5]\n");
	expect_contains(s, " may send to nvr-store (10.20.0.0/24, fd00:20::/64; nvr.gate.lan, resolved "
			"by the agent; tcp port 554)    [t.policy:6]\n");
	expect_contains(s, " may send to pair (a.lan, b.lan., resolved by the agent; any protocol)"
			"    [t.policy:7]\n");
	expect_contains(s, "  everything else is denied    [default]\n"
			"names are resolved again at their TTL, between 30s and 1h\n");
	free(s);
	bf_policy_free(p);
	p = parse_ok("dns-ttl-min 90s\ndns-ttl-max 24h\ndest a host \"a.lan\"\n", NF);
	s = describe(p);
	expect_contains(s, "names are resolved again at their TTL, between 90s and 24h\n");
	free(s);
	bf_policy_free(p);
	/* without names the bounds are not worth a line, even when set */
	p = parse_ok("dns-ttl-min 90s\ndest a 10.0.0.1\nexport allow any a\n", NF);
	s = describe(p);
	assert_null(strstr(s, "resolved"));
	assert_null(strstr(s, "TTL"));
	free(s);
	bf_policy_free(p);
}

/* ---- durations ---- */

static void expect_duration(const char *s, int rc, uint32_t ms)
{
	uint32_t got = 12345;

	if (bf_parse_duration(s, &got) != rc)
		fail_msg("bf_parse_duration(\"%s\") = %d, want %d", s ? s : "(null)",
			 bf_parse_duration(s, &got), rc);
	if (rc == 0 && got != ms)
		fail_msg("bf_parse_duration(\"%s\") gave %u ms, want %u", s, (unsigned)got, (unsigned)ms);
}

static void test_parse_duration(void **state)
{
	expect_duration("0s", 0, 0);
	expect_duration("0ms", 0, 0);
	expect_duration("250ms", 0, 250);
	expect_duration("10s", 0, 10000);
	expect_duration("007s", 0, 7000);
	expect_duration("2m", 0, 120000);
	expect_duration("1h", 0, 3600000);
	expect_duration("72h", 0, 259200000);
	expect_duration("4294967295ms", 0, UINT32_MAX);
	expect_duration("4294967s", 0, 4294967000u);
	expect_duration("71582m", 0, 4294920000u);
	expect_duration("1193h", 0, 4294800000u);
	expect_duration("4294967296ms", -ERANGE, 0);
	expect_duration("4294968s", -ERANGE, 0);
	expect_duration("71583m", -ERANGE, 0);
	expect_duration("1194h", -ERANGE, 0);
	expect_duration("99999999999999999999999999s", -ERANGE, 0);
	/* malformed beats too big: the unit is checked first */
	expect_duration("99999999999999999999999999x", -EINVAL, 0);
	expect_duration("10", -EINVAL, 0);
	expect_duration("0", -EINVAL, 0);
	expect_duration("s", -EINVAL, 0);
	expect_duration("ms", -EINVAL, 0);
	expect_duration("", -EINVAL, 0);
	expect_duration("10x", -EINVAL, 0);
	expect_duration("-1s", -EINVAL, 0);
	expect_duration("+1s", -EINVAL, 0);
	expect_duration(" 1s", -EINVAL, 0);
	expect_duration("1s ", -EINVAL, 0);
	expect_duration("1 s", -EINVAL, 0);
	expect_duration("1.5s", -EINVAL, 0);
	expect_duration("1S", -EINVAL, 0);
	expect_duration("1sm", -EINVAL, 0);
	expect_duration("1m30s", -EINVAL, 0);
	expect_duration("0x10s", -EINVAL, 0);
	expect_duration(NULL, -EINVAL, 0);
}

static void expect_format(uint32_t ms, const char *want)
{
	char buf[BF_DURATION_BUF];
	uint32_t back;

	bf_format_duration(ms, buf, sizeof(buf));
	assert_string_equal(buf, want);
	assert_int_equal(bf_parse_duration(buf, &back), 0);
	assert_int_equal(back, ms);
}

static void test_format_duration(void **state)
{
	char small[3];

	expect_format(0, "0s");
	expect_format(1, "1ms");
	expect_format(999, "999ms");
	expect_format(1000, "1s");
	expect_format(1500, "1500ms");
	expect_format(59000, "59s");
	expect_format(60000, "1m");
	expect_format(90000, "90s");
	expect_format(120000, "2m");
	expect_format(3600000, "1h");
	expect_format(5400000, "90m");
	expect_format(259200000, "72h");
	expect_format(4294800000u, "1193h");
	expect_format(UINT32_MAX, "4294967295ms");
	bf_format_duration(1500, small, sizeof(small));
	assert_string_equal(small, "15");   /* cut short, still terminated */
}

/* ---- files: includes, permissions, exe checks ---- */

static int setup_tmp(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/bfparse.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
	return bft_rm_tree(tmpdir);
}

static struct bf_policy *parse_file_ok(const char *path, unsigned flags)
{
	struct bf_diags d = { 0 };
	struct bf_policy *p = NULL;
	int rc = bf_policy_parse(path, flags, &p, &d);

	check_diags(&d, NULL, 0);
	assert_int_equal(rc, 0);
	assert_non_null(p);
	bf_diags_free(&d);
	return p;
}

static void expect_file_diags(const char *path, unsigned flags, int want_rc,
			      const char *const *want, size_t n)
{
	struct bf_diags d = { 0 };
	struct bf_policy *p = (struct bf_policy *)1;

	assert_int_equal(bf_policy_parse(path, flags, &p, &d), want_rc);
	check_diags(&d, want, n);
	if (want_rc)
		assert_null(p);
	bf_policy_free(want_rc ? NULL : p);
	bf_diags_free(&d);
}

static void test_include_order_and_digest(void **state)
{
	static const char main_txt[] = "include \"conf.d/*.policy\"\ncapture allow rec cam\n"
		"include \"extra.policy\"\ninclude \"none/*.policy\"\ninclude \"conf.d/*.nothing\"\n";
	static const char a_txt[] = "app rec unit \"rec.service\"\n";
	static const char b_txt[] = "camera cam class video\n";
	static const char x_txt[] = "export allow rec out\ndest out any\n";
	const char *parts[] = { main_txt, a_txt, b_txt, x_txt };
	char *mainp, *ap, *bp, *xp;
	struct bf_policy *p;
	uint8_t md[32];

	make_dir("inc");
	make_dir("inc/conf.d");
	mainp = write_file("inc/main.policy", main_txt, 0644);
	bp = write_file("inc/conf.d/b.policy", b_txt, 0644);   /* written first, read second */
	ap = write_file("inc/conf.d/a.policy", a_txt, 0644);
	xp = write_file("inc/extra.policy", x_txt, 0644);
	p = parse_file_ok(mainp, BF_PARSE_STRICT_PERMS * (geteuid() == 0));
	assert_int_equal(p->n_files, 4);
	assert_string_equal(p->files[0], mainp);
	assert_string_equal(p->files[1], ap);
	assert_string_equal(p->files[2], bp);
	assert_string_equal(p->files[3], xp);
	assert_ptr_equal(p->apps[0].src.file, p->files[1]);
	assert_ptr_equal(p->cameras[0].src.file, p->files[2]);
	assert_ptr_equal(p->rules[0].src.file, p->files[0]);
	assert_ptr_equal(p->rules[1].src.file, p->files[3]);
	expect_rule(&p->rules[0], BF_RULE_CAPTURE, true, 0, 0, 2);
	expect_rule(&p->rules[1], BF_RULE_EXPORT, true, 0, 0, 1);
	sha256_parts(parts, 4, md);
	assert_memory_equal(p->digest, md, 32);
	bf_policy_free(p);
	free(mainp);
	free(ap);
	free(bp);
	free(xp);
}

/* Text in memory resolves relative includes against the cwd. */
static void test_include_from_string(void **state)
{
	int cwd = open(".", O_RDONLY | O_DIRECTORY);
	struct bf_policy *p;
	char *text, *abs;

	make_dir("str");
	free(write_file("str/cam.policy", "camera cam class video\n", 0644));
	abs = tpath("str/cam.policy");
	assert_true(cwd >= 0);
	assert_int_equal(chdir(tmpdir), 0);
	p = parse_ok("include \"str/cam.policy\"\ncapture allow any cam\n", NF);
	assert_int_equal(fchdir(cwd), 0);
	close(cwd);
	assert_string_equal(p->files[1], "str/cam.policy");
	bf_policy_free(p);
	assert_true(asprintf(&text, "include \"%s\"\n", abs) > 0);
	p = parse_ok(text, NF);
	assert_string_equal(p->files[1], abs);
	bf_policy_free(p);
	free(text);
	free(abs);
}

/* max-window from an include bounds the windows of rules read before it. */
static void test_include_max_window(void **state)
{
	static const char main_txt[] =
		"capture allow rec cam consent entry window 10s\n"
		"capture allow rec cam2 consent entry\n"
		"include \"limits.d/*.policy\"\n"
		"app rec unit rec.service\n"
		"camera cam class video\n"
		"camera cam2 class usb\n"
		"broker rec\n";
	char *mainp, *limp, *w[2];
	struct bf_policy *p;

	make_dir("mw");
	make_dir("mw/limits.d");
	mainp = write_file("mw/main.policy", main_txt, 0644);
	limp = write_file("mw/limits.d/a.policy", "max-window 20s\nwindow-grace 5s\n", 0644);
	p = parse_file_ok(mainp, 0);
	assert_int_equal(p->max_window_ms, 20000);
	assert_int_equal(p->grace_ms, 5000);
	assert_int_equal(p->rules[0].window_ms, 10000);
	assert_int_equal(p->rules[1].window_ms, BF_WINDOW_DEFAULT_MS);
	bf_policy_free(p);
	free(limp);
	limp = write_file("mw/limits.d/a.policy", "max-window 10s\n", 0644);
	p = parse_file_ok(mainp, 0);
	assert_int_equal(p->rules[1].window_ms, 10000);    /* the default, capped */
	bf_policy_free(p);
	free(limp);
	limp = write_file("mw/limits.d/a.policy", "max-window 9999ms\n", 0644);
	free(write_file("mw/limits.d/b.policy", "\n  max-window 1m\n", 0644));
	assert_true(asprintf(&w[0], "%s:1:44: window 10s is longer than max-window 9999ms", mainp) > 0);
	assert_true(asprintf(&w[1], "%s/mw/limits.d/b.policy:2:3: max-window given twice (first at %s:1)",
			     tmpdir, limp) > 0);
	expect_file_diags(mainp, 0, -EINVAL, (const char *const *)w, 2);
	free(w[0]);
	free(w[1]);
	free(mainp);
	free(limp);
}

/* dns-ttl-min and dns-ttl-max are compared once every file is read, at the one read last. */
static void test_include_dns_ttl(void **state)
{
	char *mainp, *incp, *want;
	struct bf_policy *p;

	make_dir("ttl");
	mainp = write_file("ttl/main.policy", "dns-ttl-min 10m\ninclude \"ttl.policy\"\n", 0644);
	incp = write_file("ttl/ttl.policy", "\ndns-ttl-max 5m\n", 0644);
	assert_true(asprintf(&want, "%s:2:13: dns-ttl-max 5m is shorter than dns-ttl-min 10m (set at %s:1)",
			     incp, mainp) > 0);
	expect_file_diags(mainp, 0, -EINVAL, (const char *const *)&want, 1);
	free(want);
	free(mainp);
	mainp = write_file("ttl/main.policy", "include \"ttl.policy\"\ndns-ttl-min 10m\n", 0644);
	assert_true(asprintf(&want, "%s:2:13: dns-ttl-min 10m is longer than dns-ttl-max 5m (set at %s:2)",
			     mainp, incp) > 0);
	expect_file_diags(mainp, 0, -EINVAL, (const char *const *)&want, 1);
	free(want);
	free(incp);
	incp = write_file("ttl/ttl.policy", "dns-ttl-max 10m\n", 0644);
	p = parse_file_ok(mainp, 0);
	assert_int_equal(p->dns_ttl_min_s, 600);
	assert_int_equal(p->dns_ttl_max_s, 600);
	bf_policy_free(p);
	free(incp);
	free(mainp);
}

/*
 * Includes stay in the main policy's directory: include "/etc/shadow"
 * quoted the secret's lines in diagnostics and the audit log. A path
 * outside, a symlink out and a ../ out are refused unread.
 */
static void test_include_outside(void **state)
{
	char *mainp, *link, *secret, *w[2];
	struct bf_diags d = { 0 };
	struct bf_policy *p = NULL;

	make_dir("o");
	make_dir("o/pol");
	make_dir("o/pol/conf.d");
	secret = write_file("o/secret", "root:$6$supersecret:19000:0:99999:7:::\n", 0644);
	free(write_file("o/pol/conf.d/cam.policy", "camera cam class video\n", 0644));
	link = tpath("o/pol/conf.d/out.policy");
	assert_int_equal(symlink(secret, link), 0);
	mainp = write_file("o/pol/main.policy", "include \"../secret\"\ninclude \"conf.d/*.policy\"\n"
			   "capture allow any cam\n", 0644);
	assert_true(asprintf(&w[0], "%s:1:9: include \"%s/o/pol/../secret\" resolves to %s, outside the "
			     "policy's directory %s/o/pol: includes stay in it", mainp, tmpdir, secret,
			     tmpdir) > 0);
	assert_true(asprintf(&w[1], "%s:2:9: include \"%s\" resolves to %s, outside the policy's "
			     "directory %s/o/pol: includes stay in it", mainp, link, secret, tmpdir) > 0);
	expect_file_diags(mainp, 0, -EINVAL, (const char *const *)w, 2);
	/* nothing of the secret's text in any diagnostic */
	assert_int_equal(bf_policy_parse(mainp, 0, &p, &d), -EINVAL);
	for (size_t i = 0; i < d.n; i++)
		assert_null(strstr(d.msgs[i], "supersecret"));
	bf_diags_free(&d);
	/* inside the tree, through a subdirectory, it reads */
	assert_int_equal(unlink(link), 0);
	free(mainp);
	mainp = write_file("o/pol/main.policy", "include \"conf.d/*.policy\"\ncapture allow any cam\n", 0644);
	assert_int_equal(bf_policy_parse(mainp, 0, &p, &d), 0);
	assert_int_equal(p->n_files, 2);
	bf_policy_free(p);
	bf_diags_free(&d);
	free(w[0]);
	free(w[1]);
	free(mainp);
	free(link);
	free(secret);
}

/* The kernel's table sizes are said by check, at the one definition or rule too many, in reading order. */
static void test_kernel_limits(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	for (int i = 0; i <= BF_MAX_CAMERAS; i++)
		fprintf(f, "camera c%d path \"/dev/video%d\"\n", i, i);		/* lines 1..65 */
	for (int i = 0; i <= BF_MAX_APPS; i++)
		fprintf(f, "app a%d user %d\n", i, 1000 + i);			/* 66..130 */
	for (int i = 0; i <= BF_MAX_DEST_SETS; i++)
		fprintf(f, "dest d%d 10.0.%d.0/24\n", i, i);			/* 131..195 */
	for (int i = 0; i <= BF_MAX_RULES; i++)
		fprintf(f, "capture allow a%d c%d\n", i % 65, i / 65);	/* 196..324 */
	for (int i = 0; i < BF_MAX_RULES; i++)
		fprintf(f, "export allow a%d d%d\n", i % 65, i / 65);		/* 128: fits */
	assert_int_equal(fclose(f), 0);
	expect_errors(text, "t.policy:65:8: more than 64 cameras (a kernel table limit): this is number 65",
		      "t.policy:130:5: more than 64 apps (a kernel table limit): this is number 65",
		      "t.policy:195:6: more than 64 dests (a kernel table limit): this is number 65",
		      "t.policy:324:1: more than 128 capture rules (a kernel table limit): this is number 129");
	free(text);
}

static void test_include_unreadable(void **state)
{
	char *mainp, *dangling, *target, *fifo, *w[5];

	make_dir("u");
	make_dir("u/links");
	make_dir("u/dirs");
	make_dir("u/dirs/sub");
	target = tpath("u/no-such-target");
	dangling = tpath("u/links/dangling.policy");
	assert_int_equal(symlink(target, dangling), 0);
	/* A FIFO with no writer: opened blocking, check and reload waited for one forever. */
	fifo = tpath("u/pipe.policy");
	assert_int_equal(mkfifo(fifo, 0644), 0);
	{
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		char *sp = tpath("u/sock.policy");
		int sfd = socket(AF_UNIX, SOCK_STREAM, 0);

		assert_true(sfd >= 0 && strlen(sp) < sizeof(sun.sun_path));
		strcpy(sun.sun_path, sp);
		assert_int_equal(bind(sfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
		close(sfd);
		free(sp);
	}
	mainp = write_file("u/main.policy", "include \"missing.policy\"\n"
			   "include \"links/*.policy\"\n   include \"dirs/*\"\n"
			   "include \"pipe.policy\"\ninclude \"sock.policy\"\n", 0644);
	assert_true(asprintf(&w[0], "%s:1:9: cannot read include \"%s/u/missing.policy\": "
			     "No such file or directory", mainp, tmpdir) > 0);
	assert_true(asprintf(&w[1], "%s:2:9: cannot read include \"%s\": No such file or directory",
			     mainp, dangling) > 0);
	assert_true(asprintf(&w[2], "%s:3:12: cannot read include \"%s/u/dirs/sub\": it is a directory",
			     mainp, tmpdir) > 0);
	assert_true(asprintf(&w[3], "%s:4:9: cannot read include \"%s\": it is a FIFO", mainp, fifo) > 0);
	assert_true(asprintf(&w[4], "%s:5:9: cannot read include \"%s/u/sock.policy\": it is a socket",
			     mainp, tmpdir) > 0);
	expect_file_diags(mainp, 0, -EINVAL, (const char *const *)w, 5);
	for (int i = 0; i < 5; i++)
		free(w[i]);
	free(fifo);
	free(mainp);
	free(dangling);
	free(target);
}

static void test_main_unreadable(void **state)
{
	char *path = tpath("nope.policy"), *w;

	assert_true(asprintf(&w, "%s:1:1: cannot read policy: No such file or directory", path) > 0);
	expect_file_diags(path, 0, -ENOENT, (const char *const *)&w, 1);
	free(w);
	free(path);
}

static void test_include_cycles(void **state)
{
	char *selfp, *ap, *bp, *w;

	make_dir("c");
	selfp = write_file("c/self.policy", "include \"self.policy\"\n", 0644);
	assert_true(asprintf(&w, "%s:1:9: include cycle: \"%s\" is already being read", selfp, selfp) > 0);
	expect_file_diags(selfp, 0, -EINVAL, (const char *const *)&w, 1);
	free(w);
	ap = write_file("c/a.policy", "include \"b.policy\"\n", 0644);
	bp = write_file("c/b.policy", "camera x class video\ninclude \"a.policy\"\n", 0644);
	assert_true(asprintf(&w, "%s:2:9: include cycle: \"%s\" is already being read", bp, ap) > 0);
	expect_file_diags(ap, 0, -EINVAL, (const char *const *)&w, 1);
	free(w);
	free(selfp);
	free(ap);
	free(bp);
}

static void test_include_depth(void **state)
{
	char rel[32], body[64], *paths[18], *w;
	struct bf_policy *p;
	int i;

	make_dir("d");
	for (i = 0; i < 18; i++) {
		snprintf(rel, sizeof(rel), "d/f%d.policy", i);
		if (i < 17)
			snprintf(body, sizeof(body), "include \"f%d.policy\"\n", i + 1);
		else
			snprintf(body, sizeof(body), "camera deep class video\n");
		paths[i] = write_file(rel, body, 0644);
	}
	/* from f1, f17 is 16 includes deep: the limit */
	p = parse_file_ok(paths[1], 0);
	assert_int_equal(p->n_files, 17);
	assert_int_equal(p->n_cameras, 1);
	bf_policy_free(p);
	assert_true(asprintf(&w, "%s:1:9: includes nested more than 16 deep", paths[16]) > 0);
	expect_file_diags(paths[0], 0, -EINVAL, (const char *const *)&w, 1);
	free(w);
	for (i = 0; i < 18; i++)
		free(paths[i]);
}

/* A wildcard pattern of thousands of levels once ran glob, and the parser, out of stack (fuzz_policy). */
static void test_include_glob_levels(void **state)
{
	size_t n = 4000;
	char *text = malloc(n * 3 + 32), *o = text;
	struct bf_diags d = { 0 };
	struct bf_policy *p = NULL;

	assert_non_null(text);
	o += sprintf(o, "include \"/");
	for (size_t i = 0; i < n; i++)
		o += sprintf(o, "?/");
	sprintf(o, "x\"\n");
	assert_int_equal(bf_policy_parse_string("t.policy", text, NF, &p, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.msgs[0], "t.policy:1:9: include pattern with wildcards has 4001 directory levels: at most 32");
	bf_diags_free(&d);
	/* 32 levels are still read (and match nothing here) */
	o = text;
	o += sprintf(o, "include \"/");
	for (size_t i = 0; i < 31; i++)
		o += sprintf(o, "?/");
	sprintf(o, "x\"\ncamera c class video\n");
	assert_int_equal(bf_policy_parse_string("t.policy", text, NF, &p, &d), 0);
	bf_policy_free(p);
	bf_diags_free(&d);
	free(text);
}

static void test_perms(void **state)
{
	char *mainp, *incp, *w[4];

	if (geteuid() != 0)
		skip();
	make_dir("p");
	mainp = write_file("p/main.policy", "include \"inc.policy\"\n", 0664);
	incp = write_file("p/inc.policy", "camera c class video\n", 0666);
	assert_int_equal(chown(incp, 1000, 1000), 0);
	assert_true(asprintf(&w[0], "%s:1:1: warning: %s is group-writable", mainp, mainp) > 0);
	assert_true(asprintf(&w[1], "%s:1:1: warning: %s is group-writable", incp, incp) > 0);
	assert_true(asprintf(&w[2], "%s:1:1: warning: %s is world-writable", incp, incp) > 0);
	assert_true(asprintf(&w[3], "%s:1:1: warning: %s is owned by uid 1000, not root", incp, incp) > 0);
	expect_file_diags(mainp, 0, 0, (const char *const *)w, 4);
	free(w[0]);
	free(w[1]);
	free(w[2]);
	free(w[3]);
	assert_true(asprintf(&w[0], "%s:1:1: refusing %s: group-writable", mainp, mainp) > 0);
	assert_true(asprintf(&w[1], "%s:1:1: refusing %s: group-writable", incp, incp) > 0);
	assert_true(asprintf(&w[2], "%s:1:1: refusing %s: world-writable", incp, incp) > 0);
	assert_true(asprintf(&w[3], "%s:1:1: refusing %s: owned by uid 1000, not root", incp, incp) > 0);
	expect_file_diags(mainp, BF_PARSE_STRICT_PERMS, -EINVAL, (const char *const *)w, 4);
	free(w[0]);
	free(w[1]);
	free(w[2]);
	free(w[3]);
	assert_int_equal(chmod(mainp, 0644), 0);
	assert_int_equal(chmod(incp, 0600), 0);
	assert_int_equal(chown(incp, 0, 0), 0);
	expect_file_diags(mainp, BF_PARSE_STRICT_PERMS, 0, NULL, 0);
	free(mainp);
	free(incp);
}

static void expect_exe_error(const char *line, unsigned flags, const char *want)
{
	const char *const w[] = { want };

	expect_errors_n(line, flags, w, 1);
}

static void test_exe_checks(void **state)
{
	const char *parts[] = { "#!/bin/sh\necho recognizer\n" };
	char *exe, *dir, *missing, *text, *want, *want2, hex[65], upper[65];
	const char *w[2];
	struct bf_policy *p;
	uint8_t md[32];
	size_t i;

	make_dir("e");
	exe = write_file("e/recognizer", parts[0], 0755);
	dir = tpath("e");
	missing = tpath("e/missing");
	sha256_parts(parts, 1, md);
	hex32(md, hex);
	for (i = 0; i < 65; i++)
		upper[i] = (char)(hex[i] >= 'a' ? hex[i] - 'a' + 'A' : hex[i]);

	assert_true(asprintf(&text, "app a exe \"%s\" sha256 \"%s\"\n", exe, upper) > 0);
	p = parse_ok(text, 0);
	assert_string_equal(p->apps[0].sha256, hex);   /* pins are stored in lower case */
	bf_policy_free(p);
	free(text);

	assert_true(asprintf(&text, "app a exe \"%s\" sha256 \"%s\"\n", exe, SHA_TEST) > 0);
	assert_true(asprintf(&want, "t.policy:1:%zu: sha256 mismatch for \"%s\": file has %s",
			     strlen(exe) + 21, exe, hex) > 0);
	expect_exe_error(text, 0, want);
	bf_policy_free(parse_ok(text, NF));
	free(text);
	free(want);

	assert_true(asprintf(&text, "app a exe \"%s\"\napp b exe \"%s\" sha256 \"%s\"\n",
			     missing, missing, SHA_TEST) > 0);
	assert_true(asprintf(&want, "t.policy:1:11: exe \"%s\" does not exist", missing) > 0);
	assert_true(asprintf(&want2, "t.policy:2:11: exe \"%s\" does not exist", missing) > 0);
	w[0] = want;
	w[1] = want2;
	expect_errors_n(text, 0, w, 2);
	free(want2);
	bf_policy_free(parse_ok(text, NF));
	free(text);
	free(want);

	assert_true(asprintf(&text, "app a exe \"%s\" user x\n", dir) > 0);
	assert_true(asprintf(&want, "t.policy:1:11: exe \"%s\" is not a regular file", dir) > 0);
	expect_exe_error(text, 0, want);
	free(text);
	free(want);
	free(exe);
	free(dir);
	free(missing);
}

/* ---- camera v4l2 identities ---- */

static void test_v4l2_identity(void **state)
{
	struct bf_policy *p = parse_ok(
		"camera lobby v4l2 driver \"vivid\" card \"vivid-000-vid-cap\" bus \"platform:vivid.0\"\n"
		"camera desk  v4l2 bus \"usb-0000:00:14.0-1\"   # one key is enough\n"
		"camera mix   class media v4l2 card \"Integrated Camera: Integrated C\" driver \"uvcvideo\"\n"
		"camera both  path \"/dev/video9\" v4l2 driver \"uvcvideo\"\n"
		"camera plain class video\n",
		NF);
	const struct bf_camera *c = p->cameras;

	assert_string_equal(c[0].v4l2.driver, "vivid");
	assert_string_equal(c[0].v4l2.card, "vivid-000-vid-cap");
	assert_string_equal(c[0].v4l2.bus, "platform:vivid.0");
	expect_src(&c[0].v4l2.src, "t.policy", 1, 14);
	assert_null(c[1].v4l2.driver);
	assert_null(c[1].v4l2.card);
	assert_string_equal(c[1].v4l2.bus, "usb-0000:00:14.0-1");
	assert_int_equal(c[2].classes, BF_CLASS_MEDIA);
	assert_string_equal(c[2].v4l2.card, "Integrated Camera: Integrated C");
	assert_int_equal(c[3].n_paths, 1);
	assert_string_equal(c[3].v4l2.driver, "uvcvideo");
	assert_int_equal(c[4].v4l2.src.line, 0);
	bf_policy_free(p);
}

static void test_v4l2_values_unquoted(void **state)
{
	/* Values are quoted, like every path and name a policy matches exactly. */
	expect_errors("camera a v4l2 driver vivid\n",
		      "t.policy:1:22: expected a quoted value after driver");
}

static void test_err_v4l2(void **state)
{
	char *long_card = NULL, *text = NULL;

	expect_errors("camera a v4l2\n"
		      "camera b v4l2 class video\n"
		      "camera c v4l2 driver \"vivid\" driver \"uvcvideo\"\n"
		      "camera d v4l2 card \"\"\n"
		      "camera e v4l2 serial \"1234\"\n"
		      "camera f v4l2 driver \"vivid\", card \"x\"\n"
		      "camera g v4l2 driver \"vivid\" v4l2 card \"x\"\n"
		      "camera h v4l2 bus\n"
		      "camera i v4l2 driver \"vivid\" \"x\"\n"
		      "camera j class video v4l2 card \"x\" name \"y\"\n",
		      "t.policy:1:14: expected driver, card or bus after v4l2",
		      "t.policy:2:15: expected driver, card or bus after v4l2",
		      "t.policy:3:30: key \"driver\" given twice",
		      "t.policy:4:20: empty card (a v4l2 identity value is matched exactly)",
		      "t.policy:5:15: unknown v4l2 key \"serial\" (expected driver, card or bus)",
		      "t.policy:6:29: unexpected \",\" (a camera has one v4l2 identity; "
		      "its fields are separated by spaces)",
		      "t.policy:7:30: key \"v4l2\" given twice",
		      "t.policy:8:18: expected a quoted value after bus",
		      "t.policy:9:30: unknown camera key \"x\" (expected class, path, v4l2 or net)",
		      "t.policy:10:36: unknown v4l2 key \"name\" (expected driver, card or bus)");
	/* 127 bytes fit (sysfs names are shorter still); 128 do not. */
	assert_true(asprintf(&long_card, "%0127d", 0) > 0);
	assert_true(asprintf(&text, "camera a v4l2 card \"%s\"\n", long_card) > 0);
	bf_policy_free(parse_ok(text, NF));
	free(text);
	assert_true(asprintf(&text, "camera a v4l2 card \"%s1\"\n", long_card) > 0);
	expect_errors(text, "t.policy:1:20: card is longer than 127 bytes");
	free(text);
	free(long_card);
}

static void test_describe_v4l2(void **state)
{
	struct bf_policy *p = parse_ok(
		"camera lobby v4l2 driver \"vivid\" bus \"platform:vivid.0\"\n"
		"camera desk class video path \"/dev/video0\" v4l2 card \"C920\"\n"
		"app rec user \"0\"\n"
		"capture allow rec lobby\n"
		"capture allow rec desk\n",
		NF);
	char *s = describe(p);

	expect_contains(s, " may open lobby (v4l2 driver \"vivid\" bus \"platform:vivid.0\")");
	expect_contains(s, " may open desk (class video; /dev/video0; v4l2 card \"C920\")");
	free(s);
	bf_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest mem[] = {
		cmocka_unit_test(test_example_objects),
		cmocka_unit_test(test_example_dests),
		cmocka_unit_test(test_example_rules_and_digest),
		cmocka_unit_test(test_describe_example),
		cmocka_unit_test(test_describe_audit),
		cmocka_unit_test(test_syntax_variants),
		cmocka_unit_test(test_empty_and_defaults),
		cmocka_unit_test(test_err_unknown_keyword),
		cmocka_unit_test(test_err_duplicate),
		cmocka_unit_test(test_err_undefined),
		cmocka_unit_test(test_err_cidr),
		cmocka_unit_test(test_net_cameras),
		cmocka_unit_test(test_err_net_cameras),
		cmocka_unit_test(test_err_ports),
		cmocka_unit_test(test_err_strings),
		cmocka_unit_test(test_err_missing_args),
		cmocka_unit_test(test_err_trailing_garbage),
		cmocka_unit_test(test_err_bad_names),
		cmocka_unit_test(test_err_keys),
		cmocka_unit_test(test_err_values),
		cmocka_unit_test(test_err_mode),
		cmocka_unit_test(test_on_log_failure),
		cmocka_unit_test(test_err_control_chars),
		cmocka_unit_test(test_all_errors_in_one_pass),
		cmocka_unit_test(test_shadow_warnings),
		cmocka_unit_test(test_template_stores),
		cmocka_unit_test(test_err_template_stores),
		cmocka_unit_test(test_template_store_limits),
		cmocka_unit_test(test_consent_rules),
		cmocka_unit_test(test_consent_limits),
		cmocka_unit_test(test_err_consent),
		cmocka_unit_test(test_err_window),
		cmocka_unit_test(test_err_window_longer_than_max),
		cmocka_unit_test(test_err_limits),
		cmocka_unit_test(test_err_broker),
		cmocka_unit_test(test_broker_warnings),
		cmocka_unit_test(test_consent_shadowing),
		cmocka_unit_test(test_describe_consent),
		cmocka_unit_test(test_describe_consent_no_broker),
		cmocka_unit_test(test_ipc_rules),
		cmocka_unit_test(test_ipc_address_length),
		cmocka_unit_test(test_ipc_address_limit),
		cmocka_unit_test(test_err_ipc),
		cmocka_unit_test(test_any_any_every_verb),
		cmocka_unit_test(test_ipc_shadowing),
		cmocka_unit_test(test_describe_ipc),
		cmocka_unit_test(test_quota_rules),
		cmocka_unit_test(test_quota_bounds),
		cmocka_unit_test(test_err_quota),
		cmocka_unit_test(test_quota_limit),
		cmocka_unit_test(test_quota_shadowing),
		cmocka_unit_test(test_describe_quota),
		cmocka_unit_test(test_dest_hosts),
		cmocka_unit_test(test_err_host_names),
		cmocka_unit_test(test_err_host_addresses),
		cmocka_unit_test(test_err_host_syntax),
		cmocka_unit_test(test_host_lengths),
		cmocka_unit_test(test_host_repeated),
		cmocka_unit_test(test_dns_ttl),
		cmocka_unit_test(test_err_dns_ttl),
		cmocka_unit_test(test_err_dns_ttl_order),
		cmocka_unit_test(test_describe_hosts),
		cmocka_unit_test(test_v4l2_identity),
		cmocka_unit_test(test_v4l2_values_unquoted),
		cmocka_unit_test(test_err_v4l2),
		cmocka_unit_test(test_describe_v4l2),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_format_duration),
	};
	const struct CMUnitTest files[] = {
		cmocka_unit_test(test_include_order_and_digest),
		cmocka_unit_test(test_include_from_string),
		cmocka_unit_test(test_include_max_window),
		cmocka_unit_test(test_include_dns_ttl),
		cmocka_unit_test(test_include_unreadable),
		cmocka_unit_test(test_kernel_limits),
		cmocka_unit_test(test_include_outside),
		cmocka_unit_test(test_main_unreadable),
		cmocka_unit_test(test_include_cycles),
		cmocka_unit_test(test_include_depth),
		cmocka_unit_test(test_include_glob_levels),
		cmocka_unit_test(test_perms),
		cmocka_unit_test(test_exe_checks),
	};
	int failed = cmocka_run_group_tests_name("policy", mem, NULL, NULL);

	return failed | cmocka_run_group_tests_name("policy_files", files, setup_tmp, teardown_tmp);
}
