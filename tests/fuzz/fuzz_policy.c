/* fuzz_policy.c - libFuzzer harness: any bytes as a policy file, through the parser and checker, then described as `biofence check` does. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	}
	bf_policy_free(p);
	bf_diags_free(&d);
	free(text);
	return 0;
}
