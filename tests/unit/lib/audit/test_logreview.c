/* test_logreview.c - unit tests for log show/stats' library: record parsing, times, each filter, table cells, downtime, summaries, bounded maps. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rfc3339.h"
#include "audit/logreview.h"

#define SEC 1000000000LL
/* 2026-01-01T00:00:00Z */
#define T0 1767225600LL

/* A record line for the tests: seq-less and hash-less, which review does not need. */
static void parse_ok(const char *line, struct bf_lr_rec *r)
{
	assert_int_equal(bf_lr_parse(line, strlen(line), r), 0);
}

static int64_t at(const char *rfc3339)
{
	int64_t ns;

	assert_int_equal(bf_parse_rfc3339(rfc3339, &ns), 0);
	return ns;
}

static void test_parse_record(void **state)
{
	struct bf_lr_rec r;

	parse_ok("{\"time\":\"2026-01-01T00:00:01Z\",\"kind\":\"capture\",\"verdict\":\"deny\","
		 "\"enforced\":false,\"pid\":7,\"comm\":\"cat\",\"app\":\"a\",\"camera\":\"front\","
		 "\"device\":\"81:0\",\"rule\":\"p:3\"}  ", &r);
	assert_int_equal(r.time_ns, (T0 + 1) * SEC);
	assert_string_equal(r.kind, "capture");
	assert_string_equal(r.verdict, "deny");
	assert_true(r.has_enforced);
	assert_false(r.enforced);
	assert_true(r.has_pid);
	assert_int_equal(r.pid, 7);
	assert_string_equal(r.camera, "front");
	assert_null(r.dest_ip);
	bf_lr_rec_free(&r);
	parse_ok("{\"time\":\"2026-01-01T00:00:01Z\",\"kind\":\"export\",\"dest\":{\"ip\":\"10.0.0.1\","
		 "\"port\":443,\"proto\":\"tcp\"},\"dest_set\":\"cloud\",\"app\":7}", &r);
	assert_string_equal(r.dest_ip, "10.0.0.1");
	assert_int_equal(r.port, 443);
	assert_null(r.app);	/* the wrong type is absent, not an error */
	bf_lr_rec_free(&r);
}

static void test_parse_not_records(void **state)
{
	static const char *const bad[] = {
		"", "not json", "[1,2]", "\"x\"", "{}",
		"{\"time\":\"2026-01-01T00:00:01Z\"}",
		"{\"kind\":\"capture\"}",
		"{\"time\":\"yesterday\",\"kind\":\"capture\"}",
		"{\"time\":\"2026-01-01T00:00:01Z\",\"kind\":7}",
		"{\"time\":\"2026-01-01T00:00:01Z\",\"kind\":\"capture\"} trailing",
		"{\"time\":\"2026-01-01T00:00:01Z\",\"kind\":\"capture\"}{}",
		"{\"time\":\"2026-01-01T00:00:01Z\",\"kind\":\"capture\"",
		"{'time':'2026-01-01T00:00:01Z','kind':'capture'}",
	};
	struct bf_lr_rec r;
	const char nul[] = "{\"time\":\"2026-01-01T00:00:01Z\",\"kind\":\"capture\"}\0junk";

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(bf_lr_parse(bad[i], strlen(bad[i]), &r), -EINVAL);
	assert_int_equal(bf_lr_parse(nul, sizeof(nul) - 1, &r), -EINVAL);
}

static void test_getline(void **state)
{
	char text[] = "one\n\ntoo-long-line\nlast";
	FILE *fp = fmemopen(text, strlen(text), "r");
	char buf[8];
	size_t len;

	assert_non_null(fp);
	assert_int_equal(bf_lr_getline(fp, buf, sizeof(buf), &len), 1);
	assert_string_equal(buf, "one");
	assert_int_equal(bf_lr_getline(fp, buf, sizeof(buf), &len), 1);
	assert_int_equal(len, 0);
	assert_int_equal(bf_lr_getline(fp, buf, sizeof(buf), &len), -EFBIG);
	assert_int_equal(bf_lr_getline(fp, buf, sizeof(buf), &len), 1);
	assert_string_equal(buf, "last");	/* no newline at the end: still a line */
	assert_int_equal(bf_lr_getline(fp, buf, sizeof(buf), &len), 0);
	fclose(fp);
}

static int count_each(void *ctx, const char *line, size_t len, const struct bf_lr_rec *r)
{
	(*(int *)ctx)++;
	return 0;
}

static void test_scan_counts_not_records(void **state)
{
	char text[] = "{\"time\":\"2026-01-01T00:00:01Z\",\"kind\":\"agent\"}\n"
		      "garbage\n"
		      "{\"time\":\"2026-01-01T00:00:02Z\",\"kind\":\"capture\"}\n"
		      "\n"
		      "{\"time\":\"2026-01-01T00:00:03Z\",\"kind\":\"lost\",\"count\":3}\n"
		      "{\"time\":\"2026-01-01T00:00:04Z\",\"kind\":\"lo";
	FILE *fp = fmemopen(text, strlen(text), "r");
	char buf[4096];
	uint64_t bad = 0, first = 0;
	int records = 0;

	assert_non_null(fp);
	assert_int_equal(bf_lr_scan(fp, buf, sizeof(buf), count_each, &records, &bad, &first), 0);
	assert_int_equal(records, 3);
	assert_int_equal(bad, 3);	/* garbage, the empty line, the cut-off last line */
	assert_int_equal(first, 2);
	fclose(fp);
}

static void test_parse_time(void **state)
{
	int64_t now = (T0 + 100000) * SEC, ns;

	assert_int_equal(bf_lr_parse_time("2026-01-01T00:00:00Z", now, &ns), 0);
	assert_int_equal(ns, T0 * SEC);
	assert_int_equal(bf_lr_parse_time("2026-01-01T01:00:00+01:00", now, &ns), 0);
	assert_int_equal(ns, T0 * SEC);
	assert_int_equal(bf_lr_parse_time("-2h", now, &ns), 0);
	assert_int_equal(ns, now - 7200 * SEC);
	assert_int_equal(bf_lr_parse_time("-30m", now, &ns), 0);
	assert_int_equal(ns, now - 1800 * SEC);
	assert_int_equal(bf_lr_parse_time("-7d", now, &ns), 0);
	assert_int_equal(ns, now - 7 * 86400 * SEC);
	assert_int_equal(bf_lr_parse_time("-1w", now, &ns), 0);
	assert_int_equal(ns, now - 7 * 86400 * SEC);
	assert_int_equal(bf_lr_parse_time("-45s", now, &ns), 0);
	assert_int_equal(ns, now - 45 * SEC);
	assert_int_equal(bf_lr_parse_time("now", now, &ns), 0);
	assert_int_equal(ns, now);
	static const char *const bad[] = { "-", "-h", "-2", "-2x", "-2hh", "+2h", "2h", "- 2h",
					   "-2H", "2026-01-01", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(bf_lr_parse_time(bad[i], now, &ns), -EINVAL);
	assert_int_equal(bf_lr_parse_time("-99999999999999999999d", now, &ns), -ERANGE);
	assert_int_equal(bf_lr_parse_time("-100000d", now, &ns), -ERANGE);	/* before 1970 */
}

/* The one relative-time parser: "+N" later (the CLI's --expires), "-N" earlier (--since), units as asked. */
static void test_parse_reltime(void **state)
{
	int64_t now = (T0 + 100000) * SEC, ns = 42;
	static const char *const bad[] = { "", "5m", "+", "-", "+m", "+5", "+5q", "+5mm", "+ 5m",
					   "++5m", "+-5m", "+5M", "+1.5h", "+5m ", "*5m" };

	assert_int_equal(bf_parse_reltime("+5m", "smhdw", now, &ns), 0);
	assert_true(ns == now + 300 * SEC);
	assert_int_equal(bf_parse_reltime("-5m", "smhdw", now, &ns), 0);
	assert_true(ns == now - 300 * SEC);
	assert_int_equal(bf_parse_reltime("+2w", "smhdw", now, &ns), 0);
	assert_true(ns == now + 14 * 86400 * SEC);
	assert_int_equal(bf_parse_reltime("-0s", "s", now, &ns), 0);
	assert_true(ns == now);
	/* a unit the caller did not allow is malformed, not a different unit */
	ns = 42;
	assert_int_equal(bf_parse_reltime("+1w", "dhms", now, &ns), -EINVAL);
	assert_int_equal(bf_parse_reltime("-1d", "smh", now, &ns), -EINVAL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("%s\n", bad[i]);
		assert_int_equal(bf_parse_reltime(bad[i], "smhdw", now, &ns), -EINVAL);
	}
	assert_true(ns == 42);
	/* the range: never before 1970, never past INT64_MAX ns, never wrapped */
	assert_int_equal(bf_parse_reltime("-100000d", "d", now, &ns), -ERANGE);
	assert_int_equal(bf_parse_reltime("+200000d", "d", now, &ns), -ERANGE);
	assert_int_equal(bf_parse_reltime("+99999999999999999999s", "s", now, &ns), -ERANGE);
	assert_int_equal(bf_parse_reltime("+1s", "s", -1, &ns), -ERANGE);
	assert_int_equal(bf_parse_reltime("-1s", "s", SEC - 1, &ns), -ERANGE);
	assert_int_equal(bf_parse_reltime("-1s", "s", SEC, &ns), 0);
	assert_true(ns == 0);
	assert_int_equal(bf_parse_reltime("+1s", "s", INT64_MAX - SEC, &ns), 0);
	assert_true(ns == INT64_MAX);
	/* malformed wins over too large */
	assert_int_equal(bf_parse_reltime("+99999999999999999999x", "s", now, &ns), -EINVAL);
}

static void test_set_kinds(void **state)
{
	struct bf_lr_filter f = { 0 };
	char ok[] = "capture,export,capture", typo[] = "capture,exprot", empty[] = ",";
	const char *bad = NULL;

	assert_int_equal(bf_lr_set_kinds(&f, ok, &bad), 0);
	assert_int_equal(f.n_kinds, 2);
	assert_int_equal(bf_lr_set_kinds(&f, typo, &bad), -EINVAL);
	assert_string_equal(bad, "exprot");
	assert_int_equal(bf_lr_set_kinds(&f, empty, &bad), -EINVAL);
}

#define CAP_DENY "{\"time\":\"2026-01-01T00:10:00Z\",\"kind\":\"capture\",\"verdict\":\"deny\"," \
	"\"enforced\":true,\"app\":\"gatecam\",\"camera\":\"front\",\"device\":\"81:0\",\"rule\":\"p:5\"}"
#define EXPORT_V6 "{\"time\":\"2026-01-01T00:20:00Z\",\"kind\":\"export\",\"verdict\":\"allow\"," \
	"\"app\":\"gatecam\",\"dest\":{\"ip\":\"::ffff:127.0.0.2\",\"port\":53,\"proto\":\"udp\"}," \
	"\"dest_set\":\"dns\"}"
#define IPC_DENY "{\"time\":\"2026-01-01T00:30:00Z\",\"kind\":\"ipc\",\"verdict\":\"deny\"," \
	"\"unix\":{\"address\":\"@bus\"},\"app\":\"gatecam\"}"
#define WIN_REFUSE "{\"time\":\"2026-01-01T00:40:00Z\",\"kind\":\"consent\",\"event\":\"window-refuse\"," \
	"\"verdict\":\"deny\",\"request\":{\"consent\":\"g9\"},\"error\":{\"code\":\"no-grant\"}}"
#define CAP_LASTWIN "{\"time\":\"2026-01-01T00:50:00Z\",\"kind\":\"capture\",\"verdict\":\"deny\"," \
	"\"camera\":\"front\",\"consent\":{\"purpose\":\"entry\",\"reason\":\"window expired\"," \
	"\"last_window\":{\"id\":\"g1\",\"subject\":\"p-1\",\"window\":{\"id\":3}}}}"

static void test_filter_time_kind_verdict_app(void **state)
{
	struct bf_lr_filter f = { 0 };
	struct bf_lr_rec r;
	char kinds[] = "ipc,export";
	const char *bad;

	parse_ok(CAP_DENY, &r);
	assert_true(bf_lr_match(&f, &r));
	f.has_since = true;
	f.since_ns = r.time_ns;
	assert_true(bf_lr_match(&f, &r));	/* since is inclusive */
	f.has_until = true;
	f.until_ns = r.time_ns;
	assert_false(bf_lr_match(&f, &r));	/* until is not */
	f.until_ns = r.time_ns + 1;
	assert_true(bf_lr_match(&f, &r));
	f.since_ns = r.time_ns + 1;
	assert_false(bf_lr_match(&f, &r));
	memset(&f, 0, sizeof(f));
	assert_int_equal(bf_lr_set_kinds(&f, kinds, &bad), 0);
	assert_false(bf_lr_match(&f, &r));
	f.n_kinds = 0;
	f.verdict = "allow";
	assert_false(bf_lr_match(&f, &r));
	f.verdict = "deny";
	assert_true(bf_lr_match(&f, &r));
	f.app = "other";
	assert_false(bf_lr_match(&f, &r));
	f.app = "gatecam";
	assert_true(bf_lr_match(&f, &r));
	bf_lr_rec_free(&r);
}

static void test_filter_camera_dest(void **state)
{
	struct bf_lr_filter f = { 0 };
	struct bf_lr_rec cap, exp, ipc;

	parse_ok(CAP_DENY, &cap);
	parse_ok(EXPORT_V6, &exp);
	parse_ok(IPC_DENY, &ipc);
	f.camera = "front";
	assert_true(bf_lr_match(&f, &cap));
	assert_false(bf_lr_match(&f, &exp));
	f.camera = "81:0";
	assert_true(bf_lr_match(&f, &cap));
	f.camera = "back";
	assert_false(bf_lr_match(&f, &cap));
	f.camera = NULL;
	f.dest = "dns";
	assert_true(bf_lr_match(&f, &exp));
	assert_false(bf_lr_match(&f, &cap));
	f.dest = "::ffff:127.0.0.2";
	assert_true(bf_lr_match(&f, &exp));
	f.dest = "::FFFF:7f00:2";	/* the same address written otherwise */
	assert_true(bf_lr_match(&f, &exp));
	f.dest = "127.0.0.3";
	assert_false(bf_lr_match(&f, &exp));
	f.dest = "@bus";
	assert_true(bf_lr_match(&f, &ipc));
	assert_false(bf_lr_match(&f, &exp));
	bf_lr_rec_free(&cap);
	bf_lr_rec_free(&exp);
	bf_lr_rec_free(&ipc);
}

/* A network camera's capture: found by its name or address with --camera, never with --dest; shown by address. */
static void test_net_camera_record(void **state)
{
	struct bf_lr_filter f = { 0 };
	struct bf_lr_row row;
	struct bf_lr_rec r;

	parse_ok("{\"time\":\"2026-01-01T00:00:00Z\",\"kind\":\"capture\",\"verdict\":\"deny\","
		 "\"enforced\":true,\"pid\":9,\"comm\":\"ffmpeg\",\"camera\":\"gate\","
		 "\"net\":{\"ip\":\"192.168.50.21\",\"port\":554,\"proto\":\"tcp\"},\"call\":\"connect\"}", &r);
	bf_lr_row(&r, &row);
	assert_string_equal(row.cell[4], "gate (192.168.50.21:554/tcp)");
	f.camera = "gate";
	assert_true(bf_lr_match(&f, &r));
	f.camera = "192.168.50.21";
	assert_true(bf_lr_match(&f, &r));
	f.camera = "192.168.50.22";
	assert_false(bf_lr_match(&f, &r));
	f.camera = NULL;
	f.dest = "192.168.50.21";
	assert_false(bf_lr_match(&f, &r));
	bf_lr_rec_free(&r);
}

static void test_filter_consent_subject(void **state)
{
	struct bf_lr_filter f = { 0 };
	struct bf_lr_rec open, lastwin, refuse, cap;

	parse_ok("{\"time\":\"2026-01-01T00:00:00Z\",\"kind\":\"consent\",\"event\":\"window-open\","
		 "\"consent\":{\"id\":\"g1\",\"subject\":\"p-1\",\"window\":{\"id\":3}}}", &open);
	parse_ok(CAP_LASTWIN, &lastwin);
	parse_ok(WIN_REFUSE, &refuse);
	parse_ok(CAP_DENY, &cap);
	f.consent = "g1";
	assert_true(bf_lr_match(&f, &open));
	assert_true(bf_lr_match(&f, &lastwin));	/* a denial names the window that explains it */
	assert_false(bf_lr_match(&f, &refuse));
	assert_false(bf_lr_match(&f, &cap));
	f.consent = "g9";
	assert_true(bf_lr_match(&f, &refuse));	/* asked for, unknown to the ledger */
	f.consent = NULL;
	f.subject = "p-1";
	assert_true(bf_lr_match(&f, &open));
	assert_true(bf_lr_match(&f, &lastwin));
	assert_false(bf_lr_match(&f, &cap));
	f.subject = "p-2";
	assert_false(bf_lr_match(&f, &open));
	bf_lr_rec_free(&open);
	bf_lr_rec_free(&lastwin);
	bf_lr_rec_free(&refuse);
	bf_lr_rec_free(&cap);
}

static void test_row_cells(void **state)
{
	struct bf_lr_row row;
	struct bf_lr_rec r;

	parse_ok("{\"time\":\"2026-01-01T00:00:00Z\",\"kind\":\"capture\",\"verdict\":\"deny\","
		 "\"enforced\":false,\"pid\":9,\"comm\":\"cat\",\"app\":\"x\",\"camera\":\"front\","
		 "\"device\":\"81:0\",\"rule\":\"p:5\"}", &r);
	bf_lr_row(&r, &row);
	assert_string_equal(row.cell[0], "2026-01-01T00:00:00Z");
	assert_string_equal(row.cell[1], "capture");
	assert_string_equal(row.cell[2], "deny(audit)");
	assert_string_equal(row.cell[4], "front (81:0)");
	assert_string_equal(row.cell[5], "9/cat");
	assert_string_equal(row.cell[6], "p:5");
	bf_lr_rec_free(&r);
	parse_ok(EXPORT_V6, &r);
	bf_lr_row(&r, &row);
	assert_string_equal(row.cell[2], "allow");
	assert_string_equal(row.cell[4], "[::ffff:127.0.0.2]:53/udp (dns)");
	assert_string_equal(row.cell[5], "-");
	assert_string_equal(row.cell[6], "-");
	bf_lr_rec_free(&r);
	parse_ok(CAP_LASTWIN, &r);
	bf_lr_row(&r, &row);
	assert_string_equal(row.cell[3], "-");
	bf_lr_rec_free(&r);
	parse_ok(WIN_REFUSE, &r);
	bf_lr_row(&r, &row);
	assert_string_equal(row.cell[1], "consent/window-refuse");
	assert_string_equal(row.cell[4], "consent g9: no-grant");
	bf_lr_rec_free(&r);
}

/* Feeds "TIME KIND[/EVENT]" pairs to the downtime tracker. */
static void feed(struct bf_lr_downtime *d, const struct bf_lr_filter *f, const char *time,
		 const char *kind, const char *event)
{
	char line[256];
	struct bf_lr_rec r;

	snprintf(line, sizeof(line), "{\"time\":\"%s\",\"kind\":\"%s\"%s%s%s}", time, kind,
		 event ? ",\"event\":\"" : "", event ? event : "", event ? "\"" : "");
	parse_ok(line, &r);
	bf_lr_downtime_feed(d, f, &r);
	bf_lr_rec_free(&r);
}

static void test_downtime_stop_and_crash(void **state)
{
	struct bf_lr_filter f = { 0 };
	struct bf_lr_downtime *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	feed(d, &f, "2026-01-01T00:00:00Z", "agent", "start");	/* the log's first start: no interval */
	feed(d, &f, "2026-01-01T00:05:00Z", "capture", NULL);
	feed(d, &f, "2026-01-01T00:06:00Z", "agent", "stop");
	feed(d, &f, "2026-01-01T00:06:01Z", "checkpoint", NULL);	/* written at stop: still down */
	feed(d, &f, "2026-01-01T00:16:00Z", "agent", "start");
	feed(d, &f, "2026-01-01T00:20:00Z", "capture", NULL);
	feed(d, &f, "2026-01-01T00:19:00Z", "capture", NULL);	/* logged late, at its own time */
	feed(d, &f, "2026-01-01T01:20:00Z", "agent", "start");	/* no stop: a crash */
	assert_int_equal(d->intervals, 2);
	assert_int_equal(d->crashes, 1);
	assert_int_equal(d->n, 2);
	assert_int_equal(d->list[0].from_ns, at("2026-01-01T00:06:00Z"));
	assert_int_equal(d->list[0].to_ns, at("2026-01-01T00:16:00Z"));
	assert_false(d->list[0].crash);
	assert_int_equal(d->list[1].from_ns, at("2026-01-01T00:20:00Z"));
	assert_int_equal(d->list[1].to_ns, at("2026-01-01T01:20:00Z"));
	assert_true(d->list[1].crash);
	assert_int_equal(d->total_ns, (600 + 3600) * SEC);
	assert_false(d->stopped);
	free(d);
}

/* What the agent really writes: "starting" first, then records of its own start-up, then "start". */
static void test_downtime_starting(void **state)
{
	struct bf_lr_filter f = { 0 };
	struct bf_lr_downtime *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	feed(d, &f, "2026-01-01T00:00:00Z", "agent", "starting");
	feed(d, &f, "2026-01-01T00:00:01Z", "consent", "ledger-missing");
	feed(d, &f, "2026-01-01T00:00:01Z", "agent", "start");	/* the log's first run: no interval */
	feed(d, &f, "2026-01-01T00:05:00Z", "capture", NULL);	/* then the agent dies */
	feed(d, &f, "2026-01-01T01:00:00Z", "agent", "starting");
	feed(d, &f, "2026-01-01T01:00:01Z", "consent", "window-adopt");	/* start-up, not the old agent */
	feed(d, &f, "2026-01-01T01:00:02Z", "agent", "start");
	assert_int_equal(d->intervals, 1);
	assert_int_equal(d->crashes, 1);
	assert_int_equal(d->list[0].from_ns, at("2026-01-01T00:05:00Z"));
	assert_int_equal(d->list[0].to_ns, at("2026-01-01T01:00:00Z"));
	free(d);
}

static void test_downtime_clipped(void **state)
{
	struct bf_lr_filter f = { .has_since = true, .has_until = true };
	struct bf_lr_downtime *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	f.since_ns = at("2026-01-01T00:10:00Z");
	f.until_ns = at("2026-01-01T02:00:00Z");
	feed(d, &f, "2026-01-01T00:00:00Z", "agent", "stop");	/* before --since: still opens it */
	feed(d, &f, "2026-01-01T00:30:00Z", "agent", "start");
	feed(d, &f, "2026-01-01T01:00:00Z", "agent", "stop");
	feed(d, &f, "2026-01-01T03:00:00Z", "agent", "start");
	feed(d, &f, "2026-01-01T03:00:00Z", "agent", "stop");
	feed(d, &f, "2026-01-01T04:00:00Z", "agent", "start");	/* wholly after --until */
	assert_int_equal(d->intervals, 2);
	assert_int_equal(d->list[0].from_ns, f.since_ns);
	assert_int_equal(d->list[0].to_ns, at("2026-01-01T00:30:00Z"));
	assert_int_equal(d->list[1].to_ns, f.until_ns);
	assert_int_equal(d->total_ns, (1200 + 3600) * SEC);
	free(d);
}

/* Found by fuzz_logreview: times come from the file, and a broken log's downtime sum overflowed (UB). */
static void test_downtime_saturates(void **state)
{
	struct bf_lr_filter f = { 0 };
	struct bf_lr_downtime *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	feed(d, &f, "1970-01-01T00:00:01Z", "agent", "stop");
	feed(d, &f, "2200-01-01T00:00:00Z", "agent", "start");
	feed(d, &f, "2000-01-01T00:00:00Z", "agent", "stop");
	feed(d, &f, "2262-01-01T00:00:00Z", "agent", "start");
	assert_int_equal(d->intervals, 2);
	assert_int_equal(d->total_ns, INT64_MAX);
	free(d);
}

static void add_line(struct bf_lr_stats *s, const struct bf_lr_filter *f, const char *line)
{
	struct bf_lr_rec r;

	parse_ok(line, &r);
	assert_int_equal(bf_lr_stats_add(s, f, &r), 0);
	bf_lr_rec_free(&r);
}

static const char *const stats_log[] = {
	"{\"time\":\"2026-01-01T00:00:00Z\",\"kind\":\"agent\",\"event\":\"start\"}",
	"{\"time\":\"2026-01-01T00:01:00Z\",\"kind\":\"capture\",\"verdict\":\"allow\",\"app\":\"gatecam\","
	"\"camera\":\"front\",\"consent\":{\"id\":\"g1\",\"window\":{\"id\":1}}}",
	"{\"time\":\"2026-01-01T00:02:00Z\",\"kind\":\"capture\",\"verdict\":\"allow\",\"app\":\"gatecam\","
	"\"camera\":\"front\"}",
	CAP_DENY,
	"{\"time\":\"2026-01-01T00:11:00Z\",\"kind\":\"capture\",\"verdict\":\"deny\",\"enforced\":false,"
	"\"app\":\"gatecam\",\"camera\":\"front\",\"rule\":\"p:5\",\"consent\":{\"reason\":\"no window\"}}",
	EXPORT_V6,
	"{\"time\":\"2026-01-01T00:21:00Z\",\"kind\":\"export\",\"verdict\":\"deny\",\"rule\":\"default\","
	"\"dest\":{\"ip\":\"10.0.0.9\",\"port\":443},\"dest_set\":\"cloud\"}",
	"{\"time\":\"2026-01-01T00:22:00Z\",\"kind\":\"export\",\"event\":\"quota-hit\",\"verdict\":\"deny\","
	"\"quota\":{\"name\":\"gatecam/cloud\"},\"dest_set\":\"cloud\"}",
	IPC_DENY,
	WIN_REFUSE,
	"{\"time\":\"2026-01-01T00:41:00Z\",\"kind\":\"consent\",\"event\":\"window-open\"}",
	"{\"time\":\"2026-01-01T00:42:00Z\",\"kind\":\"consent\",\"event\":\"window-expire\"}",
	"{\"time\":\"2026-01-01T00:43:00Z\",\"kind\":\"lost\",\"count\":5}",
	"{\"time\":\"2026-01-01T00:44:00Z\",\"kind\":\"lost\",\"count\":7}",
	"{\"time\":\"2026-01-01T00:45:00Z\",\"kind\":\"checkpoint\",\"covers_seq\":14}",
	"{\"time\":\"2026-01-01T00:46:00Z\",\"kind\":\"agent\",\"event\":\"stop\"}",
};

static int64_t jpath(struct json_object *o, const char *a, const char *b)
{
	struct json_object *v = json_object_object_get(o, a);

	if (b)
		v = json_object_object_get(v, b);
	assert_non_null(v);
	return json_object_get_int64(v);
}

/* The first row of table NAME whose KEY is VAL. */
static struct json_object *row_of(struct json_object *o, const char *name, const char *key,
				  const char *val)
{
	struct json_object *arr = json_object_object_get(o, name);

	assert_non_null(arr);
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *row = json_object_array_get_idx(arr, i);

		if (strcmp(json_object_get_string(json_object_object_get(row, key)), val) == 0)
			return row;
	}
	fail_msg("no %s row with %s %s", name, key, val);
	return NULL;
}

static void test_stats_aggregate(void **state)
{
	struct bf_lr_filter f = { 0 };
	struct bf_lr_stats *s = calloc(1, sizeof(*s));
	struct json_object *o, *row;

	assert_non_null(s);
	for (size_t i = 0; i < sizeof(stats_log) / sizeof(stats_log[0]); i++)
		add_line(s, &f, stats_log[i]);
	o = bf_lr_stats_json(s, &f);
	assert_non_null(o);
	assert_int_equal(jpath(o, "records", NULL), 16);
	row = row_of(o, "captures", "camera", "front");
	assert_int_equal(jpath(row, "allowed", NULL), 2);
	assert_int_equal(jpath(row, "denied", NULL), 2);
	assert_int_equal(jpath(row, "denied_not_enforced", NULL), 1);
	assert_int_equal(jpath(row_of(o, "denials_by_rule", "rule", "p:5"), "count", NULL), 2);
	assert_int_equal(jpath(row_of(o, "denials_by_rule", "rule", "default"), "count", NULL), 1);
	assert_int_equal(json_object_array_length(json_object_object_get(o, "denials_by_rule")), 3);
	assert_int_equal(jpath(row_of(o, "exports", "dest_set", "cloud"), "denied", NULL), 1);
	assert_int_equal(jpath(row_of(o, "exports", "dest_set", "dns"), "allowed", NULL), 1);
	assert_int_equal(jpath(row_of(o, "export_denials_by_ip", "ip", "10.0.0.9"), "count", NULL), 1);
	assert_int_equal(jpath(row_of(o, "kinds", "kind", "capture"), "count", NULL), 4);
	assert_int_equal(jpath(o, "consent", "windows_opened"), 1);
	assert_int_equal(jpath(o, "consent", "windows_refused"), 1);
	assert_int_equal(jpath(o, "consent", "windows_expired"), 1);
	assert_int_equal(jpath(o, "consent", "captures_under_window"), 1);
	assert_int_equal(jpath(o, "consent", "captures_without_window"), 1);
	assert_int_equal(jpath(o, "consent", "captures_denied_by_consent"), 1);
	assert_int_equal(jpath(o, "lost", "events"), 12);
	assert_int_equal(jpath(o, "lost", "records"), 2);
	assert_int_equal(jpath(o, "quota_hits", "total"), 1);
	assert_int_equal(jpath(o, "checkpoints", NULL), 1);
	assert_non_null(json_object_object_get(json_object_object_get(o, "downtime"), "down_at_end"));
	json_object_put(o);
	bf_lr_stats_free(s);
	free(s);
}

static void test_stats_range(void **state)
{
	struct bf_lr_filter f = { .has_since = true, .has_until = true };
	struct bf_lr_stats *s = calloc(1, sizeof(*s));
	struct json_object *o;

	assert_non_null(s);
	f.since_ns = at("2026-01-01T00:10:00Z");
	f.until_ns = at("2026-01-01T00:21:00Z");
	for (size_t i = 0; i < sizeof(stats_log) / sizeof(stats_log[0]); i++)
		add_line(s, &f, stats_log[i]);
	o = bf_lr_stats_json(s, &f);
	assert_non_null(o);
	assert_int_equal(jpath(o, "records", NULL), 3);
	assert_int_equal(jpath(row_of(o, "kinds", "kind", "capture"), "count", NULL), 2);
	assert_int_equal(jpath(o, "lost", "events"), 0);
	assert_null(json_object_object_get(json_object_object_get(o, "downtime"), "down_at_end"));
	json_object_put(o);
	bf_lr_stats_free(s);
	free(s);
}

static void test_top_ips_and_others(void **state)
{
	struct bf_lr_filter f = { 0 };
	struct bf_lr_stats *s = calloc(1, sizeof(*s));
	struct json_object *o;
	char line[256];

	assert_non_null(s);
	for (int i = 0; i < 12; i++)
		for (int j = 0; j <= i; j++) {
			snprintf(line, sizeof(line), "{\"time\":\"2026-01-01T00:00:00Z\",\"kind\":\"export\","
				 "\"verdict\":\"deny\",\"dest\":{\"ip\":\"10.0.0.%d\"}}", i);
			add_line(s, &f, line);
		}
	o = bf_lr_stats_json(s, &f);
	assert_int_equal(json_object_array_length(json_object_object_get(o, "export_denials_by_ip")), 10);
	/* the most denied first; the two least denied (1 + 2) summed */
	assert_string_equal(json_object_get_string(json_object_object_get(json_object_array_get_idx(
				    json_object_object_get(o, "export_denials_by_ip"), 0), "ip")), "10.0.0.11");
	assert_int_equal(jpath(o, "export_denials_by_ip_others", "count"), 3);
	json_object_put(o);
	bf_lr_stats_free(s);
	free(s);
}

static void test_map_cap(void **state)
{
	struct bf_lr_map m = { 0 };
	const struct bf_lr_entry **v;
	char key[32];

	for (int i = 0; i < BF_LR_MAP_CAP + 5; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(bf_lr_map_add(&m, key, i % 2 ? "x" : NULL, 1, 1), 0);
	}
	assert_int_equal(bf_lr_map_add(&m, "k0", NULL, 0, 4), 0);	/* known keys still count */
	assert_int_equal(bf_lr_map_add(&m, "k0", "other", 0, 1), 0);	/* a new pair: others */
	assert_int_equal(m.n, BF_LR_MAP_CAP);
	assert_true(m.capped);
	assert_int_equal(m.others[1], 5);
	assert_int_equal(m.others[0], 1);
	assert_int_equal(bf_lr_map_sorted(&m, &v), 0);
	assert_string_equal(v[0]->k1, "k0");
	assert_int_equal(v[0]->n[0], 4);
	assert_null(v[BF_LR_MAP_CAP]);
	free(v);
	bf_lr_map_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_record),
		cmocka_unit_test(test_parse_not_records),
		cmocka_unit_test(test_getline),
		cmocka_unit_test(test_scan_counts_not_records),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_parse_reltime),
		cmocka_unit_test(test_set_kinds),
		cmocka_unit_test(test_filter_time_kind_verdict_app),
		cmocka_unit_test(test_filter_camera_dest),
		cmocka_unit_test(test_net_camera_record),
		cmocka_unit_test(test_filter_consent_subject),
		cmocka_unit_test(test_row_cells),
		cmocka_unit_test(test_downtime_stop_and_crash),
		cmocka_unit_test(test_downtime_clipped),
		cmocka_unit_test(test_downtime_saturates),
		cmocka_unit_test(test_downtime_starting),
		cmocka_unit_test(test_stats_aggregate),
		cmocka_unit_test(test_stats_range),
		cmocka_unit_test(test_top_ips_and_others),
		cmocka_unit_test(test_map_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
