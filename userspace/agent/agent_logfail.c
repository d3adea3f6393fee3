/* agent_logfail.c - an audit log that cannot be written: captures refused if the policy says so, losses counted, told once it can. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "agent_logfail.h"
#include "agent_sink.h"
#include "log.h"
#include "util.h"

#define RETRY_NS 1000000000ull	/* how often a failing log is tried again */

static uint64_t logfail_denials(struct bf_agent *ag)
{
	uint64_t st[BF_STAT_N] = {};

	ag->kern->stats(&ag->ld, st);
	return st[BF_STAT_LOGFAIL_DENY];
}

/* First notice: the kernel learns it at once; the policy in force decides what it does about it. */
static void start_failure(struct bf_agent *ag, int err)
{
	bool cont = ag->policy.cur->policy->log_failure_continue;
	int r = ag->kern->set_log_failed(&ag->ld, true);

	ag->log.failed = true;
	ag->log.logfail_denials_at_start = logfail_denials(ag);
	if (r)
		log_errno(r, "telling the kernel the audit log failed");
	log_warnx("audit log %s cannot be written (%s): %s", ag->opt.log, strerror(-err),
		  cont ? "captures go on UNRECORDED (on-log-failure continue)" :
			 "camera opens are REFUSED until it can be written (on-log-failure deny-capture)");
}

/* The record that closes the gap: how long, how much was lost, what was refused meanwhile. */
static struct json_object *failure_record(struct bf_agent *ag, uint64_t since, uint64_t unwritten,
					  int err)
{
	struct json_object *rec = agent_log_begin(&ag->log, "log-failure");
	char when[BF_RFC3339_BUFSZ];

	bf_format_rfc3339(when, sizeof(when), since);
	bf_json_add_str(rec, "since", when);
	bf_format_rfc3339(when, sizeof(when), bf_audit_now_ns());
	bf_json_add_str(rec, "until", when);
	bf_json_add_str(rec, "error", strerror(-err));
	bf_json_add_u64(rec, "records_lost", unwritten);
	bf_json_add_str(rec, "policy", ag->policy.cur->policy->log_failure_continue ?
				       "continue" : "deny-capture");
	bf_json_add_u64(rec, "captures_refused", logfail_denials(ag) - ag->log.logfail_denials_at_start);
	return rec;
}

void agent_check_log(struct bf_agent *ag, uint64_t now)
{
	uint64_t since, unwritten;
	int err, r;

	if (!bf_audit_failing(ag->log.audit, &since, &unwritten, &err))
		return;
	if (!ag->log.failed)
		start_failure(ag, err);
	if (now - ag->log.retry_ns < RETRY_NS)
		return;
	ag->log.retry_ns = now;
	if (bf_audit_emit_recovery(ag->log.audit, failure_record(ag, since, unwritten, err)))
		return;
	ag->log.failed = false;
	r = ag->kern->set_log_failed(&ag->ld, false);
	if (r)
		log_errno(r, "telling the kernel the audit log works again");
	log_info("audit log %s can be written again; %llu records were lost meanwhile", ag->opt.log,
		 (unsigned long long)unwritten);
}

struct json_object *agent_log_state(struct bf_agent *ag)
{
	uint64_t since, unwritten;
	char when[BF_RFC3339_BUFSZ], buf[256];
	int err;

	if (!bf_audit_failing(ag->log.audit, &since, &unwritten, &err))
		return json_object_new_string("ok");
	bf_format_rfc3339(when, sizeof(when), since);
	snprintf(buf, sizeof(buf), "FAILING since %s (%s): %llu records lost; %s", when, strerror(-err),
		 (unsigned long long)unwritten, ag->policy.cur->policy->log_failure_continue ?
		 "captures go on unrecorded" : "camera opens are refused");
	return json_object_new_string(buf);
}
