/* test_codec.c - unit tests for the policy's wire form: every field survives the trip, and no hostile byte string gets past the decoder. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bf_test.h"
#include "policy/policy.h"
#include "policy/codec.h"

/* Every statement and key the language has, so that a field the codec forgets shows. */
static const char every_field[] =
	"mode audit\n"
	"on-log-failure continue\n"
	"max-window 2m\n"
	"window-grace 5s\n"
	"dns-ttl-min 45s\n"
	"dns-ttl-max 2h\n"
	"camera all class video, media, usb\n"
	"camera lobby path \"/dev/v4l/by-id/usb-Acme-video-index0\", \"/dev/video7\"\n"
	"camera door v4l2 driver \"uvcvideo\" card \"Acme FaceCam\" bus \"usb-0000:00:14.0-1\"\n"
	"camera gate net 192.168.50.21, 2001:db8::5 tcp 554, 8554 rtsp\n"
	"camera yard net host \"yard-cam.lan\", 10.7.0.0/24 udp http\n"
	"app recognizer exe \"/opt/gate/bin/recognizer\" sha256 "
	"\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"\n"
	"app nvr unit \"nvr.service\"\n"
	"app kiosk cgroup \"/gate.slice/kiosk.service\"\n"
	"app ops user \"gateops\" exe \"/usr/bin/ops\"\n"
	"app doorctl exe \"/usr/bin/doorctl\"\n"
	"broker doorctl, ops\n"
	"dest controller 10.20.0.5 tcp 8443\n"
	"dest store 10.20.0.0/24, fd00:20::/64, host \"store.example\" udp 554, 8554\n"
	"dest anywhere any\n"
	"capture allow recognizer lobby consent entry window 3s\n"
	"capture allow nvr gate audit\n"
	"capture deny any all\n"
	"export allow recognizer controller quota 10MB/hour\n"
	"export allow nvr store\n"
	"export deny any anywhere audit\n"
	"ipc allow recognizer unix \"/run/gate/door.sock\"\n"
	"ipc allow doorctl unix \"@door-events\" audit\n"
	"ipc deny any unix any\n"
	"template-store recognizer \"/var/lib/gate/templates/\"\n"
	"template-store doorctl \"/srv/faces.db\" audit\n";

static struct bf_policy *parse(const char *text)
{
	struct bf_diags d = { 0 };
	struct bf_policy *p = NULL;
	int err = bf_policy_parse_string("w.policy", text, BF_PARSE_NO_FS_CHECKS, &p, &d);

	for (size_t i = 0; i < d.n; i++)
		print_message("%s\n", d.msgs[i]);
	assert_int_equal(err, 0);
	bf_diags_free(&d);
	return p;
}

static char *describe(const struct bf_policy *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	bf_policy_describe(p, fp);
	for (size_t i = 0; i < p->n_cameras; i++)
		bf_policy_describe_camera(p, (int)i, fp);
	fclose(fp);
	return buf;
}

/* P's wire form decodes to a policy that encodes to the same bytes and reads the same in words. */
static void assert_round_trip(const struct bf_policy *p)
{
	struct bf_wbuf w1 = { 0 }, w2 = { 0 };
	struct bf_policy *q = NULL;
	struct bf_rbuf r;
	char *a, *b;

	bf_policy_encode(&w1, p);
	assert_int_equal(w1.err, 0);
	r = (struct bf_rbuf){ .p = w1.p, .len = w1.len };
	assert_int_equal(bf_policy_decode(&r, &q), 0);
	assert_int_equal(r.off, r.len);
	bf_policy_encode(&w2, q);
	assert_int_equal(w2.err, 0);
	assert_int_equal(w1.len, w2.len);
	assert_memory_equal(w1.p, w2.p, w1.len);
	a = describe(p);
	b = describe(q);
	assert_string_equal(a, b);
	free(a);
	free(b);
	bf_policy_free(q);
	bf_wbuf_free(&w1);
	bf_wbuf_free(&w2);
}

static void test_every_field(void **state)
{
	struct bf_policy *p = parse(every_field), *q = NULL;
	struct bf_wbuf w = { 0 };
	struct bf_rbuf r;

	assert_round_trip(p);
	/* Beyond the bytes: the fields the agent reads, as they were. */
	bf_policy_encode(&w, p);
	r = (struct bf_rbuf){ .p = w.p, .len = w.len };
	assert_int_equal(bf_policy_decode(&r, &q), 0);
	assert_true(q->audit_mode);
	assert_true(q->log_failure_continue);
	assert_int_equal(q->max_window_ms, 120000);
	assert_int_equal(q->dns_ttl_max_s, 7200);
	assert_int_equal(q->n_apps, 5);
	assert_int_equal(q->n_brokers, 2);
	assert_string_equal(q->apps[q->brokers[1]].name, "ops");
	assert_string_equal(q->cameras[2].v4l2.card, "Acme FaceCam");
	assert_null(q->cameras[0].v4l2.driver);
	assert_string_equal(q->cameras[4].net.hosts[0], "yard-cam.lan");
	assert_int_equal(q->dests[1].n_ports, 2);
	assert_int_equal(q->dests[1].ports[1], 8554);
	assert_int_equal(q->n_unix_addrs, 2);
	assert_true(q->unix_addrs[1].abstract);
	assert_int_equal(q->n_stores, 2);
	assert_string_equal(q->stores[1].path, "/srv/faces.db");
	/* Positions point into the decoded policy's own file list. */
	assert_ptr_equal(q->rules[0].src.file, q->files[0]);
	assert_int_equal(q->rules[0].src.line, p->rules[0].src.line);
	assert_string_equal(q->rules[0].purpose, "entry");
	assert_memory_equal(q->digest, p->digest, sizeof(p->digest));
	bf_policy_free(q);
	bf_wbuf_free(&w);
	bf_policy_free(p);
}

/* Every policy the project ships and every seed of the parser's fuzzer. */
static void round_trip_dir(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d))) {
		struct bf_diags diags = { 0 };
		struct bf_policy *p = NULL;
		char path[512];

		if (!strstr(e->d_name, ".policy"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (bf_policy_parse(path, BF_PARSE_NO_FS_CHECKS, &p, &diags) == 0) {
			assert_round_trip(p);
			(*n)++;
		}
		bf_policy_free(p);
		bf_diags_free(&diags);
	}
	closedir(d);
}

static void test_shipped_policies(void **state)
{
	size_t n = 0;

	round_trip_dir("policies", &n);
	round_trip_dir("policies/examples", &n);
	round_trip_dir("tests/fuzz/corpus/policy", &n);
	assert_true(n >= 4);
}

static void test_diags(void **state)
{
	struct bf_diags d = { 0 }, back = { 0 };
	struct bf_policy *p = NULL;
	struct bf_wbuf w = { 0 };
	struct bf_rbuf r;

	assert_int_equal(bf_policy_parse_string("bad.policy", "camera\napp x exe \"rel\"\nfrobnicate\n",
						BF_PARSE_NO_FS_CHECKS, &p, &d), -EINVAL);
	assert_true(d.n >= 3);
	bf_diags_encode(&w, &d);
	r = (struct bf_rbuf){ .p = w.p, .len = w.len };
	assert_int_equal(bf_diags_decode(&r, &back), 0);
	assert_int_equal(back.n, d.n);
	assert_int_equal(back.n_errors, d.n_errors);
	for (size_t i = 0; i < d.n; i++)
		assert_string_equal(back.msgs[i], d.msgs[i]);
	bf_diags_free(&d);
	bf_diags_free(&back);
	bf_wbuf_free(&w);
}

/* Every strict prefix of a good message is refused, cleanly (ASan watches under SANITIZE=1). */
static void test_truncated(void **state)
{
	struct bf_policy *p = parse(every_field), *q;
	struct bf_wbuf w = { 0 };

	bf_policy_encode(&w, p);
	for (size_t len = 0; len < w.len; len++) {
		struct bf_rbuf r = { .p = w.p, .len = len };

		q = (struct bf_policy *)1;
		assert_int_equal(bf_policy_decode(&r, &q), -EBADMSG);
		assert_null(q);
	}
	bf_wbuf_free(&w);
	bf_policy_free(p);
}

/* Find the first rule's app index in the encoding by changing it through the policy. */
static size_t offset_of_change(const struct bf_wbuf *a, const struct bf_wbuf *b)
{
	size_t i = 0;

	assert_int_equal(a->len, b->len);
	while (i < a->len && a->p[i] == b->p[i])
		i++;
	assert_true(i < a->len);
	return i;
}

static void expect_refused(struct bf_wbuf *w, size_t off, uint32_t v)
{
	struct bf_policy *q = NULL;
	uint8_t *copy = malloc(w->len);
	struct bf_rbuf r = { .p = copy, .len = w->len };

	assert_non_null(copy);
	memcpy(copy, w->p, w->len);
	memcpy(copy + off, &v, sizeof(v));
	assert_int_equal(bf_policy_decode(&r, &q), -EBADMSG);
	assert_null(q);
	free(copy);
}

/* An index out of range (what a subverted parser would send to reach past an array) never decodes. */
static void test_hostile_indexes(void **state)
{
	struct bf_policy *p = parse(every_field);
	struct bf_wbuf a = { 0 }, b = { 0 };
	size_t off;
	int saved = p->rules[0].app;

	bf_policy_encode(&a, p);
	p->rules[0].app = saved ^ 0x7f;
	bf_policy_encode(&b, p);
	p->rules[0].app = saved;
	off = offset_of_change(&a, &b);
	expect_refused(&a, off, (uint32_t)p->n_apps);       /* one past the end */
	expect_refused(&a, off, (uint32_t)-2);              /* negative, not "any" */
	expect_refused(&a, off, 0x7fffffff);
	bf_wbuf_free(&b);
	/* The same for a broker, the last field of all. */
	expect_refused(&a, a.len - 4, (uint32_t)p->n_apps);
	expect_refused(&a, a.len - 4, (uint32_t)-1);        /* a broker is never "any" */
	/* A count larger than the bytes left. */
	expect_refused(&a, 0, 0x7fffffff);
	bf_wbuf_free(&a);
	bf_policy_free(p);
}

/* A string with a NUL in it, or longer than its field, never decodes. */
static void test_hostile_strings(void **state)
{
	struct bf_wbuf w = { 0 };
	struct bf_rbuf r;
	char name[64];

	bf_wput_u32(&w, 3);
	bf_wput(&w, "a\0b", 3);
	r = (struct bf_rbuf){ .p = w.p, .len = w.len };
	assert_null(bf_rget_str(&r, 16, false));
	assert_int_equal(r.err, -EBADMSG);
	bf_wbuf_free(&w);

	bf_wput_u32(&w, 64);
	for (int i = 0; i < 64; i++)
		bf_wput_u8(&w, 'x');
	r = (struct bf_rbuf){ .p = w.p, .len = w.len };
	bf_rget_strbuf(&r, name, sizeof(name));     /* 64 bytes do not fit 63 and a NUL */
	assert_int_equal(r.err, -EBADMSG);
	assert_string_equal(name, "");
	bf_wbuf_free(&w);

	bf_wput_str(&w, NULL);
	r = (struct bf_rbuf){ .p = w.p, .len = w.len };
	assert_null(bf_rget_str(&r, 16, false));    /* NULL where a string is required */
	assert_int_equal(r.err, -EBADMSG);
	bf_wbuf_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_field),
		cmocka_unit_test(test_shipped_policies),
		cmocka_unit_test(test_diags),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_hostile_indexes),
		cmocka_unit_test(test_hostile_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
