/* test_report.c - unit tests for the HTML report: escaping hostile log content, no network reference, every section, empty logs. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audit/report.h"

static char *escaped(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	bf_rp_escape(fp, s);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

static void expect_escape(const char *in, const char *want)
{
	char *got = escaped(in);

	assert_string_equal(got, want);
	free(got);
}

static void test_escape_markup(void **state)
{
	expect_escape("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
	expect_escape("a\"b'c&d", "a&quot;b&#39;c&amp;d");
	expect_escape("&amp;", "&amp;amp;");
	expect_escape("plain cam-1", "plain cam-1");
	expect_escape("https://x", "https&#58;//x");
	expect_escape(NULL, "");
}

/* Bad bytes become U+FFFD one by one; good multibyte characters pass whole. */
static void test_escape_bytes(void **state)
{
	expect_escape("caf\xc3\xa9", "caf\xc3\xa9");
	expect_escape("\xe6\x91\x84\xe5\x83\x8f", "\xe6\x91\x84\xe5\x83\x8f");
	expect_escape("a\xff" "b", "a\xef\xbf\xbd" "b");
	expect_escape("\xc0\xbc", "\xef\xbf\xbd\xef\xbf\xbd");		/* an overlong '<' */
	expect_escape("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");	/* a surrogate */
	expect_escape("cut\xe6\x91", "cut\xef\xbf\xbd\xef\xbf\xbd");
	expect_escape("x\x01y\x7f", "x\xef\xbf\xbdy\xef\xbf\xbd");
	expect_escape("tab\tnl\n", "tab\tnl\n");
}

#define T "2026-01-01T00:00:"

/* Lines fed through both passes, as the CLI does; verify as for an intact, unsigned chain. */
static char *page(const char *const *lines, size_t n, const char *since)
{
	static const char *const files[] = { "/var/log/a<i>.jsonl" };
	struct bf_report *rp = calloc(1, sizeof(*rp));
	struct bf_lr_rec r;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	assert_non_null(rp);
	if (since) {
		rp->f.has_since = true;
		assert_int_equal(bf_lr_parse_time(since, 0, &rp->f.since_ns), 0);
	}
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(bf_lr_parse(lines[i], strlen(lines[i]), &r), 0);
			if (pass)
				bf_report_bucket(rp, &r);
			else
				assert_int_equal(bf_report_add(rp, &r), 0);
			bf_lr_rec_free(&r);
		}
		if (!pass)
			bf_report_plan(rp);
	}
	rp->files = files;
	rp->n_files = 1;
	rp->verify = (struct bf_lv_report){ .kind = n ? BF_LV_INTACT : BF_LV_EMPTY, .records = n,
					    .first_seq = 1, .last_seq = n };
	fp = open_memstream(&buf, &len);
	assert_int_equal(bf_report_html(rp, fp), 0);
	assert_int_equal(fclose(fp), 0);
	bf_report_free(rp);
	free(rp);
	return buf;
}

static const char *const hostile[] = {
	"{\"time\":\"" T "00Z\",\"kind\":\"agent\",\"event\":\"start\",\"host\":\"h<1>\","
	"\"policy\":{\"source\":\"/etc/p<script>\",\"sha256\":\"aa11\"}}",
	"{\"time\":\"" T "01Z\",\"kind\":\"capture\",\"verdict\":\"allow\",\"host\":\"h<1>\","
	"\"camera\":\"<script>alert(1)</script>\",\"comm\":\"<img src=x>\",\"app\":\"a\"}",
	"{\"time\":\"" T "02Z\",\"kind\":\"capture\",\"verdict\":\"deny\",\"host\":\"h<1>\","
	"\"camera\":\"front\\\"door'&\",\"comm\":\"\\u00ff\"}",
	"{\"time\":\"" T "03Z\",\"kind\":\"export\",\"verdict\":\"deny\",\"dest_set\":\"<b>set</b>\","
	"\"dest\":{\"ip\":\"203.0.113.9\",\"port\":443,\"proto\":\"tcp\"}}",
	"{\"time\":\"" T "04Z\",\"kind\":\"agent\",\"event\":\"reload\",\"result\":\"applied\","
	"\"policy\":\"http://evil.example/p\",\"sha256\":\"bb22\"}",
	"{\"time\":\"" T "05Z\",\"kind\":\"lost\",\"count\":7}",
};

/* Device and network cameras share the table; the "what it is" cell tells them apart, escaped like the rest. */
static const char *const two_kinds[] = {
	"{\"time\":\"" T "01Z\",\"kind\":\"capture\",\"verdict\":\"allow\",\"camera\":\"lobby\","
	"\"device\":\"81:0\"}",
	"{\"time\":\"" T "02Z\",\"kind\":\"capture\",\"verdict\":\"deny\",\"camera\":\"gate\","
	"\"net\":{\"ip\":\"192.168.50.21\",\"port\":554,\"proto\":\"tcp\"},\"speaks\":\"rtsp\"}",
	"{\"time\":\"" T "03Z\",\"kind\":\"capture\",\"verdict\":\"allow\",\"camera\":\"gate\","
	"\"net\":{\"ip\":\"192.168.50.21\",\"port\":554,\"proto\":\"tcp\"},\"speaks\":\"rtsp\"}",
	"{\"time\":\"" T "04Z\",\"kind\":\"capture\",\"verdict\":\"deny\",\"camera\":\"odd\","
	"\"net\":{\"ip\":\"<b>x</b>\"},\"speaks\":\"&\"}",
};

static void test_device_and_network_cameras(void **state)
{
	char *html = page(two_kinds, sizeof(two_kinds) / sizeof(two_kinds[0]), NULL);

	assert_non_null(strstr(html, "<th>what it is</th>"));
	assert_non_null(strstr(html, "<td>lobby</td><td>device 81&#58;0</td><td class=\"n\">1</td>"
				     "<td class=\"n\">0</td>"));
	assert_non_null(strstr(html, "<td>gate</td><td>network 192.168.50.21, rtsp</td><td class=\"n\">1</td>"
				     "<td class=\"n\">1</td>"));
	assert_non_null(strstr(html, "<td>odd</td><td>network &lt;b&gt;x&lt;/b&gt;, &amp;</td>"));
	free(html);
}

static void test_hostile_content_stays_text(void **state)
{
	char *html = page(hostile, sizeof(hostile) / sizeof(hostile[0]), NULL);

	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<img"));
	assert_null(strstr(html, "<b>"));
	assert_null(strstr(html, "<i>"));
	assert_null(strstr(html, "http://"));
	assert_null(strstr(html, "https://"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(html, "front&quot;door&#39;&amp;"));
	assert_non_null(strstr(html, "h&lt;1&gt;"));
	assert_non_null(strstr(html, "&lt;b&gt;set&lt;/b&gt;"));
	assert_non_null(strstr(html, "http&#58;//evil.example/p"));
	free(html);
}

static void test_sections_present(void **state)
{
	static const char *const ids[] = { "id=\"header\"", "id=\"verify\"", "id=\"timeline\"",
					   "id=\"exports\"", "id=\"consent\"", "id=\"lost\"",
					   "id=\"policy\"", "<svg", "chain intact", "NOT SIGNED",
					   "aa11", "bb22", "203.0.113.9", "lost events: 7",
					   "Content-Security-Policy" };
	char *html = page(hostile, sizeof(hostile) / sizeof(hostile[0]), NULL);

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (!strstr(html, ids[i]))
			fail_msg("missing %s", ids[i]);
	assert_true(strncmp(html, "<!DOCTYPE html>", 15) == 0);
	assert_non_null(strstr(html, "</html>\n"));
	free(html);
}

/* The policy set before --since is the one in force when the range begins. */
static void test_policy_before_range(void **state)
{
	char *html = page(hostile, sizeof(hostile) / sizeof(hostile[0]), T "03Z");
	char *a = strstr(html, "aa11"), *b = strstr(html, "bb22");

	assert_non_null(a);
	assert_non_null(b);
	assert_true(a < b);
	assert_non_null(strstr(html, "before the range"));
	free(html);
}

static void test_empty_log(void **state)
{
	char *html = page(NULL, 0, NULL);

	assert_non_null(strstr(html, "no records in the range"));
	assert_non_null(strstr(html, "No camera was opened"));
	assert_non_null(strstr(html, "the policy in force is not known"));
	assert_non_null(strstr(html, "NOT VERIFIED"));
	assert_null(strstr(html, "http://"));
	assert_null(strstr(html, "<script"));
	assert_non_null(strstr(html, "</html>\n"));
	free(html);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_markup),
		cmocka_unit_test(test_escape_bytes),
		cmocka_unit_test(test_hostile_content_stays_text),
		cmocka_unit_test(test_device_and_network_cameras),
		cmocka_unit_test(test_sections_present),
		cmocka_unit_test(test_policy_before_range),
		cmocka_unit_test(test_empty_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
