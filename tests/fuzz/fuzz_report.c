/* fuzz_report.c - libFuzzer harness: any bytes as an audit log, counted and bucketed in the report's two passes, then rendered as the HTML page. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef void (*each_fn)(struct bf_report *rp, const struct bf_lr_rec *r);

static void add(struct bf_report *rp, const struct bf_lr_rec *r)
{
	bf_report_add(rp, r);
}

static void each_record(const char *buf, size_t size, struct bf_report *rp, each_fn fn)
{
	const char *p = buf, *end = buf + size, *nl;

	for (; p < end; p = nl + 1) {
		struct bf_lr_rec r;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (bf_lr_parse(p, (size_t)(nl - p), &r) == 0) {
			fn(rp, &r);
			bf_lr_rec_free(&r);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct bf_report *rp = calloc(1, sizeof(*rp));
	const char *files[1] = { "fuzz.jsonl" };

	if (!rp)
		return 0;
	if (!null)
		null = fopen("/dev/null", "w");
	rp->files = files;
	rp->n_files = 1;
	rp->generated_ns = 1796675845LL * 1000000000LL;
	each_record((const char *)data, size, rp, add);
	bf_report_plan(rp);
	each_record((const char *)data, size, rp, bf_report_bucket);
	bf_report_html(rp, null);
	bf_report_free(rp);
	free(rp);
	return 0;
}
