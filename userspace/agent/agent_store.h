/* agent_store.h - template stores as the agent sees them: records, status, warnings (agent_store.c). */
#ifndef BF_AGENT_STORE_H
#define BF_AGENT_STORE_H

#include <stdint.h>

#include <json-c/json.h>

#include "agent.h"

/* The details of a "store" record (BF_KIND_STORE): what was done to which store, by which hook. */
void agent_add_store_event(struct bf_agent *ag, struct json_object *rec, const struct bf_loaded *ld,
			   const void *data, uint64_t objs);
/* "template stores" under backends: what guards them here, or NOT ENFORCED and why. */
const char *agent_store_backend(const struct bf_agent *ag, const struct bf_loaded *ld, char *buf,
				size_t len);
/* What stays open about the stores of LD, added to ARR (status's "not enforced"). */
void agent_store_gaps(const struct bf_agent *ag, const struct bf_loaded *ld, struct json_object *arr);
/* After LD was installed: each store that is not guarded, said in the log (once per install). */
void agent_store_installed(const struct bf_agent *ag, const struct bf_loaded *ld);

#endif /* BF_AGENT_STORE_H */
