/* fuzz_ledger.c - libFuzzer harness: any bytes as a consent ledger, parsed as the agent reads it, then every grant checked. */
#include <stdint.h>
#include <stdlib.h>

#include "consent/consent.h"
#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bf_diags d = { 0 };
	struct bf_ledger l = { 0 };

	if (bf_ledger_parse("fuzz.jsonl", (const char *)data, size, &l, &d) == 0) {
		/* Every grant (and its guardian chain) as a window-open would check it. */
		for (size_t i = 0; i < l.n_grants; i++)
			bf_consent_check(&l, l.grants[i].id, "entry", "lobby", (int64_t)i << 40, NULL);
	}
	bf_ledger_free(&l);
	bf_diags_free(&d);
	return 0;
}
