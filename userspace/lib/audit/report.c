/* report.c - counts the audit log for the inspector's report and writes it as one self-contained HTML page (docs/report.md). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "audit/audit.h"
#include "audit/report.h"

static bool eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* Bytes of the well-formed UTF-8 character at s; 0 when it is not one (overlong, surrogate, cut). */
static size_t utf8_len(const unsigned char *s)
{
	uint32_t cp, min;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f, min = 0x80;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	/* a NUL fails the continuation test, so a cut string is never read past */
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void bf_rp_escape(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	while (*p) {
		size_t n = utf8_len(p);

		if (!n || (*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f) {
			fputs("\xef\xbf\xbd", out);
			p++;
			continue;
		}
		switch (*p) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		/* so that no scheme (http:, javascript:) appears in the page's bytes, even as text */
		case ':': fputs("&#58;", out); break;
		default: fwrite(p, 1, n, out);
		}
		p += n;
	}
}

static void esc(FILE *out, const char *s)
{
	bf_rp_escape(out, s);
}

/* RFC 3339 to the second: the inspector compares hours, not nanoseconds. */
static void fmt_time(int64_t ns, char buf[BF_RFC3339_BUFSZ])
{
	char *dot;

	if (ns < 0 || bf_format_rfc3339(buf, BF_RFC3339_BUFSZ, (uint64_t)ns)) {
		snprintf(buf, BF_RFC3339_BUFSZ, "-");
		return;
	}
	dot = strchr(buf, '.');
	if (dot)
		snprintf(dot, 2, "Z");
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static unsigned long long jnum(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? (unsigned long long)json_object_get_int64(v) : 0;
}

/* ---- pass 1 and 2: what the page counts beyond `log stats` ---- */

static int host_add(struct bf_report *rp, const char *host)
{
	if (!host)
		return 0;
	for (size_t i = 0; i < rp->n_hosts; i++)
		if (strcmp(rp->hosts[i], host) == 0)
			return 0;
	if (rp->n_hosts == BF_RP_HOSTS) {
		rp->hosts_unlisted++;
		return 0;
	}
	rp->hosts[rp->n_hosts] = strdup(host);
	return rp->hosts[rp->n_hosts++] ? 0 : -ENOMEM;
}

static const char *cam_name(const struct bf_lr_rec *r)
{
	return r->camera ? r->camera : r->device ? r->device : "(unnamed camera)";
}

static bool is_capture(const struct bf_lr_rec *r)
{
	return eq(r->kind, "capture") && (eq(r->verdict, "allow") || eq(r->verdict, "deny"));
}

/*
 * What the camera is, as its record says: a device node, or a network
 * camera's address and what it speaks. Both kinds share the table; the
 * column tells an inspector which one a row is. NULL if the record says neither.
 */
static char *cam_what(const struct bf_lr_rec *r)
{
	struct json_object *net;
	const char *ip, *speaks;
	char *s = NULL;

	if (json_object_object_get_ex(r->obj, "net", &net) && (ip = jstr(net, "ip"))) {
		speaks = jstr(r->obj, "speaks");
		if (asprintf(&s, "network %s%s%s", ip, speaks ? ", " : "", speaks ? speaks : "") < 0)
			return NULL;
	} else if (r->device && asprintf(&s, "device %s", r->device) < 0) {
		return NULL;
	}
	return s;
}

/* The row of r's camera; past BF_RP_CAMS rows, the others row. NULL only when out of memory. */
static struct bf_rp_cam *cam_row(struct bf_report *rp, const char *name, bool insert)
{
	for (size_t i = 0; i < rp->n_cams; i++)
		if (strcmp(rp->cams[i].name, name) == 0)
			return &rp->cams[i];
	if (insert && rp->n_cams < BF_RP_CAMS) {
		rp->cams[rp->n_cams].name = strdup(name);
		return rp->cams[rp->n_cams].name ? &rp->cams[rp->n_cams++] : NULL;
	}
	rp->cams_more = true;
	return &rp->cams[BF_RP_CAMS];
}

static void pol_free(struct bf_rp_policy *p)
{
	free(p->event);
	free(p->sha256);
	free(p->source);
	*p = (struct bf_rp_policy){ 0 };
}

/* A start names its policy in policy {source, sha256}; an applied reload at the top level. */
static bool policy_of(const struct bf_lr_rec *r, const char **sha, const char **src)
{
	struct json_object *pol;

	if (eq(r->event, "start") && json_object_object_get_ex(r->obj, "policy", &pol)) {
		*sha = jstr(pol, "sha256");
		*src = jstr(pol, "source");
	} else if (eq(r->event, "reload") && eq(jstr(r->obj, "result"), "applied")) {
		*sha = jstr(r->obj, "sha256");
		*src = jstr(r->obj, "policy");
	} else {
		return false;
	}
	return *sha != NULL;
}

static int policy_add(struct bf_report *rp, const struct bf_lr_rec *r)
{
	const char *sha, *src;
	struct bf_rp_policy *p;

	if (!policy_of(r, &sha, &src) || (rp->f.has_until && r->time_ns >= rp->f.until_ns))
		return 0;
	if (rp->f.has_since && r->time_ns < rp->f.since_ns) {
		p = &rp->prior;
		pol_free(p);
	} else if (rp->n_pol == BF_RP_POLICIES) {
		rp->pol_unlisted++;
		return 0;
	} else {
		p = &rp->pol[rp->n_pol++];
	}
	p->time_ns = r->time_ns;
	p->event = strdup(r->event);
	p->sha256 = strdup(sha);
	p->source = strdup(src ? src : "-");
	return p->event && p->sha256 && p->source ? 0 : -ENOMEM;
}

int bf_report_add(struct bf_report *rp, const struct bf_lr_rec *r)
{
	struct bf_rp_cam *c;
	int err = bf_lr_stats_add(&rp->st, &rp->f, r);

	if (!err && eq(r->kind, "agent"))
		err = policy_add(rp, r);
	if (err || !bf_lr_in_range(&rp->f, r->time_ns))
		return err;
	err = host_add(rp, jstr(r->obj, "host"));
	if (!err && is_capture(r)) {
		c = cam_row(rp, cam_name(r), true);
		if (!c)
			return -ENOMEM;
		if (!c->what && c != &rp->cams[BF_RP_CAMS])
			c->what = cam_what(r);	/* NULL when the record says neither: the cell stays empty */
		eq(r->verdict, "allow") ? c->allow++ : c->deny++;
	}
	if (!err && eq(r->kind, "lost") && rp->n_lost < BF_RP_LOST)
		rp->lost[rp->n_lost++] = (struct bf_rp_lost){ r->time_ns, r->count };
	return err;
}

/* Bucket widths a reader takes in at a glance, smallest first. */
static const int64_t steps_s[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200,
				   10800, 21600, 43200, 86400, 172800, 604800, 2592000 };

static void plan_prior(struct bf_report *rp)
{
	if (!rp->prior.sha256)
		return;
	if (rp->n_pol == BF_RP_POLICIES) {
		pol_free(&rp->pol[--rp->n_pol]);
		rp->pol_unlisted++;
	}
	memmove(&rp->pol[1], &rp->pol[0], rp->n_pol * sizeof(rp->pol[0]));
	rp->pol[0] = rp->prior;
	rp->pol[0].before_range = true;
	rp->prior = (struct bf_rp_policy){ 0 };
	rp->n_pol++;
}

void bf_report_plan(struct bf_report *rp)
{
	int64_t from = rp->f.has_since ? rp->f.since_ns : rp->st.any ? rp->st.first_ns : 0;
	int64_t to = rp->f.has_until ? rp->f.until_ns : rp->st.any ? rp->st.last_ns + 1 : from + 1;
	int64_t span, b = 0;

	if (to <= from)
		to = from + 1;
	span = to - from;
	/* one column more than the span needs: aligning t0 down can add one */
	for (size_t i = 0; !b && i < sizeof(steps_s) / sizeof(steps_s[0]); i++)
		if (span / (steps_s[i] * BF_NS_PER_SEC) + 2 <= BF_RP_BUCKETS)
			b = steps_s[i] * BF_NS_PER_SEC;
	if (!b)
		b = span / (BF_RP_BUCKETS - 2) + 1;
	rp->bucket_ns = b;
	rp->t0_ns = from - ((from % b) + b) % b;
	rp->end_ns = to;
	rp->n_buckets = (size_t)((to - rp->t0_ns + b - 1) / b);
	if (rp->n_buckets < 1)
		rp->n_buckets = 1;
	if (rp->n_buckets > BF_RP_BUCKETS)
		rp->n_buckets = BF_RP_BUCKETS;
	plan_prior(rp);
}

void bf_report_bucket(struct bf_report *rp, const struct bf_lr_rec *r)
{
	struct bf_rp_cam *c;
	size_t i;

	if (!is_capture(r) || !bf_lr_in_range(&rp->f, r->time_ns) || r->time_ns < rp->t0_ns)
		return;
	c = cam_row(rp, cam_name(r), false);
	i = (size_t)((r->time_ns - rp->t0_ns) / rp->bucket_ns);
	if (i >= rp->n_buckets)
		i = rp->n_buckets - 1;
	if (eq(r->verdict, "allow"))
		c->b_allow[i]++;
	else
		c->b_deny[i]++;
}

void bf_report_free(struct bf_report *rp)
{
	for (size_t i = 0; i < rp->n_hosts; i++)
		free(rp->hosts[i]);
	for (size_t i = 0; i < rp->n_cams; i++) {
		free(rp->cams[i].name);
		free(rp->cams[i].what);
	}
	for (size_t i = 0; i < rp->n_pol; i++)
		pol_free(&rp->pol[i]);
	pol_free(&rp->prior);
	bf_lr_stats_free(&rp->st);
}

/* ---- the page ---- */

static const char css[] =
	"body{font:14px/1.4 sans-serif;margin:24px;color:#222;max-width:1200px}"
	"h1{font-size:22px}h2{font-size:17px;border-bottom:1px solid #ccc;margin-top:28px}"
	"table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #ccc;padding:3px 8px;"
	"text-align:left;vertical-align:top}th{background:#f2f2f2}td.n{text-align:right}"
	".ok{color:#176a1d;font-weight:bold}.bad{color:#b00020;font-weight:bold}"
	".note{color:#555}code{font-size:12px;word-break:break-all}"
	"svg text{font:11px sans-serif;fill:#222}";

static void page_head(FILE *out)
{
	/* CSP: even if some markup slipped through, nothing could run or be fetched */
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		"style-src 'unsafe-inline'\">\n<title>biofence audit report</title>\n"
		"<style>%s</style>\n</head>\n<body>\n<h1>biofence audit report</h1>\n", css);
}

static void header_range(const struct bf_report *rp, FILE *out)
{
	char a[BF_RFC3339_BUFSZ], b[BF_RFC3339_BUFSZ];

	fputs("<tr><th>time range covered</th><td>", out);
	if (rp->st.any) {
		fmt_time(rp->st.first_ns, a);
		fmt_time(rp->st.last_ns, b);
		fprintf(out, "records from %s to %s", a, b);
	} else {
		fputs("no records in the range", out);
	}
	if (rp->f.has_since || rp->f.has_until) {
		fmt_time(rp->f.since_ns, a);
		fmt_time(rp->f.until_ns, b);
		fprintf(out, " (selected: from %s until %s)", rp->f.has_since ? a : "the start",
			rp->f.has_until ? b : "the end");
	}
	fputs("</td></tr>\n", out);
}

static void header_section(const struct bf_report *rp, FILE *out)
{
	char t[BF_RFC3339_BUFSZ];

	fputs("<section id=\"header\">\n<table>\n<tr><th>host</th><td>", out);
	for (size_t i = 0; i < rp->n_hosts; i++) {
		fputs(i ? ", " : "", out);
		esc(out, rp->hosts[i]);
	}
	if (!rp->n_hosts)
		fputs("none named", out);
	if (rp->hosts_unlisted)
		fprintf(out, " and %llu more", (unsigned long long)rp->hosts_unlisted);
	fputs("</td></tr>\n", out);
	header_range(rp, out);
	fmt_time(rp->generated_ns, t);
	fprintf(out, "<tr><th>generated</th><td>%s</td></tr>\n<tr><th>files read</th><td>", t);
	for (size_t i = 0; i < rp->n_files; i++) {
		fputs(i ? "<br>" : "", out);
		esc(out, rp->files[i]);
	}
	fprintf(out, "</td></tr>\n<tr><th>records</th><td>%llu in the range",
		(unsigned long long)rp->st.records);
	if (rp->st.not_records)
		fprintf(out, "; <span class=\"bad\">%llu lines were not records</span>",
			(unsigned long long)rp->st.not_records);
	fputs("</td></tr>\n</table>\n<p class=\"note\">Times are UTC.</p>\n</section>\n", out);
}

static void verify_signed(const struct bf_lv_report *v, FILE *out)
{
	if (v->checkpoints) {
		fprintf(out, "<p class=\"ok\">signed up to seq %llu (%llu checkpoint%s verified with the "
			"host key; the chain up to it is the host&#39;s)</p>\n",
			(unsigned long long)v->signed_seq, (unsigned long long)v->checkpoints,
			v->checkpoints == 1 ? "" : "s");
	} else if (v->unchecked) {
		fprintf(out, "<p class=\"bad\">NOT CHECKED: %llu signed checkpoint%s, but no public key "
			"was given (--pub)</p>\n", (unsigned long long)v->unchecked,
			v->unchecked == 1 ? "" : "s");
	} else {
		fputs("<p class=\"bad\">NOT SIGNED: no checkpoint in these files: the chain shows "
		      "changes, not who wrote it</p>\n", out);
	}
	if (v->prechain)
		fprintf(out, "<p class=\"note\">records %llu..%llu predate the chain: not verifiable</p>\n",
			(unsigned long long)v->prechain_first, (unsigned long long)v->prechain_last);
	if (v->continues)
		fprintf(out, "<p class=\"note\">the first record (seq %llu) links to a record not in the "
			"files given: the chain before it is not verified</p>\n",
			(unsigned long long)v->first_seq);
}

static void verify_break(const struct bf_lv_report *v, FILE *out)
{
	fputs("<p class=\"bad\">CHAIN BROKEN at ", out);
	esc(out, v->file ? v->file : "?");
	fprintf(out, ":%llu", (unsigned long long)v->line);
	if (v->seq)
		fprintf(out, " (seq %llu)", (unsigned long long)v->seq);
	fputs(": ", out);
	esc(out, bf_lv_kind_words(v->kind));
	fputs(": ", out);
	esc(out, v->detail);
	fputs("</p>\n", out);
	if (v->records)
		fprintf(out, "<p>before it: %llu record%s intact (seq %llu..%llu)</p>\n",
			(unsigned long long)v->records, v->records == 1 ? "" : "s",
			(unsigned long long)v->first_seq, (unsigned long long)v->last_seq);
}

static void verify_section(const struct bf_report *rp, FILE *out)
{
	const struct bf_lv_report *v = &rp->verify;

	fputs("<section id=\"verify\">\n<h2>Verification</h2>\n", out);
	if (rp->verify_err) {
		fputs("<p class=\"bad\">NOT VERIFIED: ", out);
		esc(out, v->file ? v->file : "?");
		if (rp->verify_err == -EFBIG)
			fprintf(out, ":%llu: a line too long to be a record", (unsigned long long)v->line);
		else
			fprintf(out, ": %s", strerror(-rp->verify_err));
		fputs("</p>\n", out);
	} else if (v->kind == BF_LV_INTACT) {
		fprintf(out, "<p class=\"ok\">chain intact: %llu record%s (seq %llu..%llu)</p>\n",
			(unsigned long long)v->records, v->records == 1 ? "" : "s",
			(unsigned long long)v->first_seq, (unsigned long long)v->last_seq);
	} else if (v->kind == BF_LV_EMPTY) {
		fputs("<p class=\"bad\">NOT VERIFIED: ", out);
		esc(out, bf_lv_kind_words(v->kind));
		fputs(": ", out);
		esc(out, v->detail);
		fputs("</p>\n", out);
	} else {
		verify_break(v, out);
	}
	if (!rp->verify_err)
		verify_signed(v, out);
	fputs("<p class=\"note\">The chain is verified over the whole files read, whatever range is "
	      "selected (biofence log verify gives the same result).</p>\n</section>\n", out);
}

/* ---- the timeline (inline SVG: no script, no font, no image) ---- */

#define TL_LABEL_W 180
/* The plot is this wide whatever the number of columns: few columns get wide marks. */
#define TL_PLOT_W 960
#define TL_ROW_H 30
#define TL_TOP 34
#define TL_AXIS_H 46
/* Camera names longer than this are cut in the chart; the table below has them whole. */
#define TL_NAME_MAX 24

static void svg_label(FILE *out, const char *name)
{
	char buf[TL_NAME_MAX * 4 + 4];
	size_t n = strlen(name);

	if (n <= TL_NAME_MAX) {
		esc(out, name);
		return;
	}
	/* cut on a character boundary, never inside one */
	n = TL_NAME_MAX;
	while (n && ((unsigned char)name[n] & 0xc0) == 0x80)
		n--;
	memcpy(buf, name, n);
	snprintf(buf + n, sizeof(buf) - n, "\xe2\x80\xa6");
	esc(out, buf);
}

/* Darker for more: the densest bucket in the chart is solid. */
static int cell_w(const struct bf_report *rp)
{
	return TL_PLOT_W / (int)(rp->n_buckets ? rp->n_buckets : 1);
}

static void svg_mark(FILE *out, int x, int y, int w, uint64_t n, uint64_t max, const char *fill,
		     const char *what, int64_t t_ns)
{
	char t[BF_RFC3339_BUFSZ];
	unsigned op = (unsigned)(35 + 65 * n / (max ? max : 1));

	fmt_time(t_ns, t);
	fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"11\" fill=\"%s\" "
		"fill-opacity=\"%s%u\"><title>%llu %s from %s</title></rect>\n", x, y, w - 2,
		fill, op >= 100 ? "" : "0.", op >= 100 ? 1 : op, (unsigned long long)n, what, t);
}

static void svg_row(const struct bf_report *rp, const struct bf_rp_cam *c, int y, uint64_t max,
		    FILE *out)
{
	fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%zu\" height=\"%d\" fill=\"#f4f4f4\"/>\n"
		"<text x=\"4\" y=\"%d\">", TL_LABEL_W, y + 2, (size_t)cell_w(rp) * rp->n_buckets, TL_ROW_H - 4,
		y + 19);
	svg_label(out, c->name ? c->name : "(other cameras)");
	fputs("</text>\n", out);
	for (size_t b = 0; b < rp->n_buckets; b++) {
		int x = TL_LABEL_W + (int)b * cell_w(rp) + 1;
		int64_t t = rp->t0_ns + (int64_t)b * rp->bucket_ns;

		if (c->b_allow[b])
			svg_mark(out, x, y + 3, cell_w(rp), c->b_allow[b], max, "#2e8b3a", "allowed", t);
		if (c->b_deny[b])
			svg_mark(out, x, y + 15, cell_w(rp), c->b_deny[b], max, "#c62828", "denied", t);
	}
}

/* Time labels under every few columns: the clock for short ranges, the date for long ones. */
static void svg_axis(const struct bf_report *rp, int y, FILE *out)
{
	size_t every = (rp->n_buckets + 5) / 6;
	char t[BF_RFC3339_BUFSZ];

	for (size_t b = 0; b <= rp->n_buckets; b += every ? every : 1) {
		int x = TL_LABEL_W + (int)b * cell_w(rp);

		fmt_time(rp->t0_ns + (int64_t)b * rp->bucket_ns, t);
		fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n"
			"<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%.*s</text>\n", x, y, x, y + 6,
			x, y + 18, rp->bucket_ns >= 86400 * BF_NS_PER_SEC ? 10 : 8,
			t + (rp->bucket_ns >= 86400 * BF_NS_PER_SEC ? 0 : 11));
	}
}

static void svg_legend(FILE *out)
{
	fprintf(out, "<rect x=\"%d\" y=\"8\" width=\"12\" height=\"12\" fill=\"#2e8b3a\"/>"
		"<text x=\"%d\" y=\"18\">capture allowed</text>\n"
		"<rect x=\"%d\" y=\"8\" width=\"12\" height=\"12\" fill=\"#c62828\"/>"
		"<text x=\"%d\" y=\"18\">capture denied</text>\n"
		"<text x=\"%d\" y=\"18\">(darker: more in that column)</text>\n",
		TL_LABEL_W, TL_LABEL_W + 16, TL_LABEL_W + 130, TL_LABEL_W + 146, TL_LABEL_W + 260);
}

static uint64_t tl_max(const struct bf_report *rp, size_t rows)
{
	uint64_t max = 0;

	for (size_t i = 0; i < rows; i++)
		for (size_t b = 0; b < rp->n_buckets; b++) {
			const struct bf_rp_cam *c = &rp->cams[i < rp->n_cams ? i : BF_RP_CAMS];

			max = c->b_allow[b] > max ? c->b_allow[b] : max;
			max = c->b_deny[b] > max ? c->b_deny[b] : max;
		}
	return max;
}

static void timeline_svg(const struct bf_report *rp, FILE *out)
{
	size_t rows = rp->n_cams + rp->cams_more;
	int w = TL_LABEL_W + TL_PLOT_W + 60;
	int h = TL_TOP + (int)rows * TL_ROW_H + TL_AXIS_H;
	uint64_t max = tl_max(rp, rows);

	fprintf(out, "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
		"aria-label=\"captures and denials per camera over time\">\n", w, h, w, h);
	svg_legend(out);
	for (size_t i = 0; i < rows; i++)
		svg_row(rp, &rp->cams[i < rp->n_cams ? i : BF_RP_CAMS], TL_TOP + (int)i * TL_ROW_H, max,
			out);
	svg_axis(rp, TL_TOP + (int)rows * TL_ROW_H + 4, out);
	fputs("</svg>\n", out);
}

static void timeline_table(const struct bf_report *rp, FILE *out)
{
	size_t rows = rp->n_cams + rp->cams_more;

	fputs("<table>\n<tr><th>camera</th><th>what it is</th><th>captures allowed</th>"
	      "<th>captures denied</th></tr>\n", out);
	for (size_t i = 0; i < rows; i++) {
		const struct bf_rp_cam *c = &rp->cams[i < rp->n_cams ? i : BF_RP_CAMS];

		fputs("<tr><td>", out);
		esc(out, c->name ? c->name : "(other cameras)");
		fputs("</td><td>", out);
		esc(out, c->what);
		fprintf(out, "</td><td class=\"n\">%llu</td><td class=\"n\">%llu</td></tr>\n",
			(unsigned long long)c->allow, (unsigned long long)c->deny);
	}
	fputs("</table>\n", out);
}

static void timeline_section(const struct bf_report *rp, FILE *out)
{
	char a[BF_RFC3339_BUFSZ];
	long long s = (long long)(rp->bucket_ns / BF_NS_PER_SEC);

	fputs("<section id=\"timeline\">\n<h2>Captures and denials per camera</h2>\n", out);
	if (!rp->n_cams && !rp->cams_more) {
		fputs("<p>No camera was opened or refused in the range.</p>\n</section>\n", out);
		return;
	}
	fmt_time(rp->t0_ns, a);
	fprintf(out, "<p class=\"note\">One column per %lld %s from %s; audit-mode denials (not "
		"enforced) count as denials.</p>\n", s >= 3600 ? s / 3600 : s >= 60 ? s / 60 : s,
		s >= 3600 ? "h" : s >= 60 ? "min" : "s", a);
	timeline_svg(rp, out);
	timeline_table(rp, out);
	fputs("</section>\n", out);
}

/* ---- the sections drawn from `log stats`' summary ---- */

/* A JSON array of objects as a table; a NAME_others member becomes a last "(others)" row. */
static void json_table(FILE *out, struct json_object *o, const char *name, const char *const *keys,
		       const char *const *heads, size_t ncol)
{
	struct json_object *arr = json_object_object_get(o, name), *row, *others;
	size_t n = arr ? json_object_array_length(arr) : 0;
	char key[96];

	snprintf(key, sizeof(key), "%s_others", name);
	others = json_object_object_get(o, key);
	if (!n && !others) {
		fputs("<p>none</p>\n", out);
		return;
	}
	fputs("<table>\n<tr>", out);
	for (size_t c = 0; c < ncol; c++)
		fprintf(out, "<th>%s</th>", heads[c]);
	fputs("</tr>\n", out);
	for (size_t r = 0; r < n + (others != NULL); r++) {
		row = r < n ? json_object_array_get_idx(arr, r) : others;
		fputs("<tr>", out);
		for (size_t c = 0; c < ncol; c++) {
			const char *v = jstr(row, keys[c]);

			fputs(v ? "<td>" : "<td class=\"n\">", out);
			if (v)
				esc(out, v);
			else if (r == n && !json_object_object_get_ex(row, keys[c], NULL))
				fputs(c ? "" : "(others)", out);
			else
				fprintf(out, "%llu", jnum(row, keys[c]));
			fputs("</td>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void exports_section(struct json_object *s, FILE *out)
{
	fputs("<section id=\"exports\">\n<h2>Exports by destination set</h2>\n", out);
	json_table(out, s, "exports", (const char *[]){ "dest_set", "allowed", "denied" },
		   (const char *[]){ "destination set", "allowed", "denied" }, 3);
	fprintf(out, "<h3>Most denied destination addresses (top %d)</h3>\n", BF_LR_TOP_IPS);
	json_table(out, s, "export_denials_by_ip", (const char *[]){ "ip", "count" },
		   (const char *[]){ "address", "denials" }, 2);
	fputs("</section>\n", out);
}

static void consent_bar(FILE *out, unsigned long long under, unsigned long long without)
{
	unsigned long long all = under + without;
	int w = all ? (int)(400 * under / all) : 0;

	if (!all)
		return;
	fprintf(out, "<svg width=\"460\" height=\"28\" viewBox=\"0 0 460 28\" role=\"img\" "
		"aria-label=\"share of allowed captures under a consent window\">\n"
		"<rect x=\"0\" y=\"4\" width=\"400\" height=\"16\" fill=\"#d9a441\"/>\n"
		"<rect x=\"0\" y=\"4\" width=\"%d\" height=\"16\" fill=\"#2e8b3a\"/>\n"
		"<text x=\"404\" y=\"17\">%llu%%</text>\n</svg>\n", w, 100 * under / all);
	fputs("<p class=\"note\">green: under a consent window; amber: allowed without one "
	      "(a plain allow rule)</p>\n", out);
}

static void consent_section(struct json_object *s, FILE *out)
{
	struct json_object *c = json_object_object_get(s, "consent");
	unsigned long long under = jnum(c, "captures_under_window");
	unsigned long long without = jnum(c, "captures_without_window");

	fprintf(out, "<section id=\"consent\">\n<h2>Consent coverage of captures</h2>\n<table>\n"
		"<tr><th>captures allowed under a consent window</th><td class=\"n\">%llu</td></tr>\n"
		"<tr><th>captures allowed without a window</th><td class=\"n\">%llu</td></tr>\n"
		"<tr><th>captures denied for want of consent</th><td class=\"n\">%llu</td></tr>\n"
		"<tr><th>windows opened</th><td class=\"n\">%llu</td></tr>\n"
		"<tr><th>windows refused</th><td class=\"n\">%llu</td></tr>\n"
		"<tr><th>windows expired</th><td class=\"n\">%llu</td></tr>\n"
		"<tr><th>windows closed early</th><td class=\"n\">%llu</td></tr>\n</table>\n", under,
		without, jnum(c, "captures_denied_by_consent"), jnum(c, "windows_opened"),
		jnum(c, "windows_refused"), jnum(c, "windows_expired"), jnum(c, "windows_closed"));
	consent_bar(out, under, without);
	fputs("</section>\n", out);
}

static void downtime_list(struct json_object *d, FILE *out)
{
	struct json_object *list = json_object_object_get(d, "list"), *e, *end;
	size_t n = list ? json_object_array_length(list) : 0;

	if (n)
		fputs("<table>\n<tr><th>from</th><th>to</th><th>seconds</th><th>cause</th></tr>\n", out);
	for (size_t i = 0; i < n; i++) {
		e = json_object_array_get_idx(list, i);
		fputs("<tr><td>", out);
		esc(out, jstr(e, "from"));
		fputs("</td><td>", out);
		esc(out, jstr(e, "to"));
		fprintf(out, "</td><td class=\"n\">%llu.%03llu</td><td>%s</td></tr>\n", jnum(e, "ms") / 1000,
			jnum(e, "ms") % 1000, eq(jstr(e, "cause"), "crash") ?
			"crash (no stop record)" : "stopped");
	}
	if (n)
		fputs("</table>\n", out);
	if (jnum(d, "unlisted"))
		fprintf(out, "<p>and %llu more, not listed</p>\n", jnum(d, "unlisted"));
	if (json_object_object_get_ex(d, "down_at_end", &end)) {
		fputs("<p class=\"bad\">stopped at ", out);
		esc(out, jstr(end, "since"));
		fputs(", no start after it in these records</p>\n", out);
	}
}

static void lost_section(const struct bf_report *rp, struct json_object *s, FILE *out)
{
	struct json_object *lost = json_object_object_get(s, "lost");
	struct json_object *d = json_object_object_get(s, "downtime");
	char t[BF_RFC3339_BUFSZ];

	fprintf(out, "<section id=\"lost\">\n<h2>Lost events and agent downtime</h2>\n"
		"<p>lost events: %llu (in %llu lost record%s)</p>\n", jnum(lost, "events"),
		jnum(lost, "records"), jnum(lost, "records") == 1 ? "" : "s");
	if (rp->n_lost)
		fputs("<table>\n<tr><th>reported at</th><th>events lost</th></tr>\n", out);
	for (size_t i = 0; i < rp->n_lost; i++) {
		fmt_time(rp->lost[i].time_ns, t);
		fprintf(out, "<tr><td>%s</td><td class=\"n\">%llu</td></tr>\n", t,
			(unsigned long long)rp->lost[i].count);
	}
	if (rp->n_lost)
		fputs("</table>\n", out);
	fprintf(out, "<p>agent downtime: %llu interval%s (%llu after a crash), %llu.%03llu s in "
		"total</p>\n", jnum(d, "intervals"), jnum(d, "intervals") == 1 ? "" : "s",
		jnum(d, "crashes"), jnum(d, "total_ms") / 1000, jnum(d, "total_ms") % 1000);
	downtime_list(d, out);
	fputs("</section>\n", out);
}

static void policy_section(const struct bf_report *rp, FILE *out)
{
	char t[BF_RFC3339_BUFSZ];

	fputs("<section id=\"policy\">\n<h2>Policies in force</h2>\n", out);
	if (!rp->n_pol) {
		fputs("<p>No agent start or applied reload in the range: the policy in force is not "
		      "known from these records.</p>\n</section>\n", out);
		return;
	}
	fputs("<table>\n<tr><th>from</th><th>by</th><th>policy</th><th>SHA-256</th></tr>\n", out);
	for (size_t i = 0; i < rp->n_pol; i++) {
		const struct bf_rp_policy *p = &rp->pol[i];

		fmt_time(p->time_ns, t);
		fprintf(out, "<tr><td>%s%s</td><td>agent ", t,
			p->before_range ? " (before the range, still in force at its start)" : "");
		esc(out, p->event);
		fputs("</td><td>", out);
		esc(out, p->source);
		fputs("</td><td><code>", out);
		esc(out, p->sha256);
		fputs("</code></td></tr>\n", out);
	}
	fputs("</table>\n", out);
	if (rp->pol_unlisted)
		fprintf(out, "<p>and %llu more, not listed</p>\n", (unsigned long long)rp->pol_unlisted);
	fputs("</section>\n", out);
}

int bf_report_html(const struct bf_report *rp, FILE *out)
{
	struct json_object *s = bf_lr_stats_json(&rp->st, &rp->f);

	if (!s)
		return -ENOMEM;
	page_head(out);
	header_section(rp, out);
	verify_section(rp, out);
	timeline_section(rp, out);
	exports_section(s, out);
	consent_section(s, out);
	lost_section(rp, s, out);
	policy_section(rp, out);
	fputs("<footer class=\"note\"><p>Written by biofence report from the audit log as read; "
	      "log content is shown escaped, never as markup.</p></footer>\n</body>\n</html>\n", out);
	json_object_put(s);
	return fflush(out) || ferror(out) ? -EIO : 0;
}
