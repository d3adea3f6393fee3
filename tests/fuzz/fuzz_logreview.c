/* fuzz_logreview.c - libFuzzer harness: the first line as `log show`/`stats` filter options, the rest as audit records, through parse, match, row and stats. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/logreview.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* "KINDS VERDICT SINCE UNTIL APP CAMERA", each "-" for none, as the CLI's options would set them. */
static void set_filter(struct bf_lr_filter *f, char *line)
{
	char *tok[6] = { 0 }, *save = NULL, *t = strtok_r(line, " ", &save);
	const char *bad;

	for (int i = 0; t && i < 6; i++, t = strtok_r(NULL, " ", &save))
		tok[i] = strcmp(t, "-") == 0 ? NULL : t;
	if (tok[0])
		bf_lr_set_kinds(f, tok[0], &bad);
	f->verdict = tok[1];
	if (tok[2] && bf_lr_parse_time(tok[2], 1796675845LL * 1000000000LL, &f->since_ns) == 0)
		f->has_since = true;
	if (tok[3] && bf_lr_parse_time(tok[3], 1796675845LL * 1000000000LL, &f->until_ns) == 0)
		f->has_until = true;
	f->app = tok[4];
	f->camera = tok[5];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bf_lr_filter f = { 0 };
	struct bf_lr_stats *st = calloc(1, sizeof(*st));
	char *buf = malloc(size + 1), *p, *end, *nl;
	struct json_object *js;

	if (!buf || !st)
		goto out;
	memcpy(buf, data, size);
	buf[size] = '\0';
	end = buf + size;
	nl = memchr(buf, '\n', size);
	if (!nl)
		goto out;
	*nl = '\0';
	set_filter(&f, buf);
	for (p = nl + 1; p < end; p = nl + 1) {
		struct bf_lr_rec r;
		struct bf_lr_row row;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (bf_lr_parse(p, (size_t)(nl - p), &r) != 0)
			continue;
		if (bf_lr_in_range(&f, r.time_ns) && bf_lr_match(&f, &r))
			bf_lr_row(&r, &row);
		bf_lr_stats_add(st, &f, &r);
		bf_lr_rec_free(&r);
	}
	js = bf_lr_stats_json(st, &f);
	json_object_put(js);
out:
	if (st)
		bf_lr_stats_free(st);
	free(st);
	free(buf);
	return 0;
}
