/* fuzz_policy.c - libFuzzer harness: any bytes as a policy file through the parser and checker, described, and sent through the agent's wire form; and any bytes as that wire form. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/codec.h"
#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * What the unprivileged parser sends, the agent must rebuild exactly:
 * encode, decode, encode again, and the bytes must be the same.
 */
static void round_trip(const struct bf_policy *p)
{
	struct bf_wbuf a = { 0 }, b = { 0 };
	struct bf_policy *q = NULL;
	struct bf_rbuf r;

	bf_policy_encode(&a, p);
	if (a.err)
		abort();
	r = (struct bf_rbuf){ .p = a.p, .len = a.len };
	if (bf_policy_decode(&r, &q) != 0 || r.off != r.len)
		abort();
	bf_policy_encode(&b, q);
	if (b.err || a.len != b.len || memcmp(a.p, b.p, a.len) != 0)
		abort();
	bf_policy_free(q);
	bf_wbuf_free(&a);
	bf_wbuf_free(&b);
}

/* The same bytes as a message from a subverted parser: refused or rebuilt, never read out of bounds. */
static void hostile_wire(const uint8_t *data, size_t size)
{
	struct bf_rbuf r = { .p = data, .len = size };
	struct bf_policy *q = NULL;

	if (bf_policy_decode(&r, &q) == 0)
		round_trip(q);
	bf_policy_free(q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bf_diags d = { 0 };
	struct bf_policy *p = NULL;
	char *text = malloc(size + 1);
	static FILE *null;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (!null)
		null = fopen("/dev/null", "w");
	/* No exe or sha256 look-ups: the file system is not the input here. */
	if (bf_policy_parse_string("fuzz.policy", text, BF_PARSE_NO_FS_CHECKS, &p, &d) == 0 && p) {
		bf_policy_describe(p, null);
		for (size_t i = 0; i < p->n_cameras; i++)
			bf_policy_describe_camera(p, (int)i, null);
		round_trip(p);
	}
	hostile_wire(data, size);
	bf_policy_free(p);
	bf_diags_free(&d);
	free(text);
	return 0;
}
