/* report.h - the inspector's one-page HTML report over the audit log (docs/report.md): what it counts and how the page is built. */
#ifndef BF_REPORT_H
#define BF_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "audit/logreview.h"
#include "audit/logverify.h"

/* Timeline rows: one per camera up to this many, the rest in one "(other cameras)" row. */
#define BF_RP_CAMS 32
/* Timeline columns at most: readable at 1280 px, whatever the range. */
#define BF_RP_BUCKETS 48
/* Distinct hosts named in the header; more are counted. */
#define BF_RP_HOSTS 16
/* Policy changes and lost records listed one by one; more are counted. */
#define BF_RP_POLICIES 200
#define BF_RP_LOST 200

struct bf_rp_cam {
	char *name;
	char *what;	/* "device 81:0" or "network 192.168.50.21, rtsp": from its first record */
	uint64_t allow, deny;
	uint64_t b_allow[BF_RP_BUCKETS], b_deny[BF_RP_BUCKETS];
};

/* A policy put in force: an agent start or an applied reload. */
struct bf_rp_policy {
	int64_t time_ns;
	char *event, *sha256, *source;
	bool before_range;		/* the one in force when the range begins */
};

struct bf_rp_lost {
	int64_t time_ns;
	uint64_t count;
};

/*
 * Everything the page shows. Zero it (it is large: calloc), set f, then
 * bf_report_add every record, bf_report_plan, bf_report_bucket every record
 * again, and fill the caller's part before bf_report_html.
 */
struct bf_report {
	struct bf_lr_filter f;
	struct bf_lr_stats st;		/* the same counts as `log stats` */
	char *hosts[BF_RP_HOSTS];
	size_t n_hosts;
	uint64_t hosts_unlisted;
	struct bf_rp_cam cams[BF_RP_CAMS + 1];	/* [BF_RP_CAMS]: the other cameras */
	size_t n_cams;
	bool cams_more;
	struct bf_rp_policy pol[BF_RP_POLICIES];
	size_t n_pol;
	uint64_t pol_unlisted;
	struct bf_rp_policy prior;	/* the latest before --since, moved to pol[0] by plan */
	struct bf_rp_lost lost[BF_RP_LOST];
	size_t n_lost;
	int64_t t0_ns, bucket_ns, end_ns;
	size_t n_buckets;
	/* The caller's part: */
	const char *const *files;
	size_t n_files;
	int verify_err;			/* bf_logverify_signed's return */
	struct bf_lv_report verify;
	int64_t generated_ns;
};

/* Pass 1: counts r (only the range applies; downtime and policy see every record). 0 or -ENOMEM. */
int bf_report_add(struct bf_report *rp, const struct bf_lr_rec *r);
/* Between the passes: the timeline's buckets from the range (or the records' first..last). */
void bf_report_plan(struct bf_report *rp);
/* Pass 2: r into its camera's bucket when it is a capture in range. */
void bf_report_bucket(struct bf_report *rp, const struct bf_lr_rec *r);
/* The page. 0, -ENOMEM, or -EIO when out could not take it. */
int bf_report_html(const struct bf_report *rp, FILE *out);
void bf_report_free(struct bf_report *rp);

/*
 * s HTML-escaped into out, as text or an attribute value: & < > " ' and :
 * become references (the colon so that no URL scheme is ever in the page's
 * bytes); bytes that are not UTF-8 and control characters (other than tab
 * and newline) become U+FFFD, so no log content can become markup.
 */
void bf_rp_escape(FILE *out, const char *s);

#endif /* BF_REPORT_H */
