/* agent_options.h - biofenced's command line (agent_options.c). */
#ifndef BF_AGENT_OPTIONS_H
#define BF_AGENT_OPTIONS_H

#include <stdio.h>

#include "agent.h"

/* What the command line asks for. */
enum agent_mode {
	AGENT_RUN,      /* enforce */
	AGENT_CHECK,    /* -n: check the policy and exit */
	AGENT_HELP,     /* -h: usage on stdout */
	AGENT_VERSION,  /* -V */
	AGENT_DETACH,   /* --detach: remove the pins of an agent that no longer runs, logged */
};

/*
 * ARGV into O (defaults for what it does not name) and *MODE. 0, or
 * -EINVAL with the reason (and the usage) on stderr. Never exits.
 */
int agent_parse_options(int argc, char **argv, struct bf_options *o, enum agent_mode *mode);
/* The usage text or the version line, for AGENT_HELP / AGENT_VERSION. */
void agent_print_info(FILE *out, enum agent_mode mode);

#endif /* BF_AGENT_OPTIONS_H */
