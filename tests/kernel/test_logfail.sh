#!/bin/bash
# test_logfail.sh - a full disk under the audit log: captures refused (deny-capture) or let through (continue), the loss reported once space returns.
. "$(dirname "$0")/lib.sh"
bf_setup
# A small filesystem of our own for the log; unmounted on any exit, before the harness cleans up.
mkdir "$TMP/logfs"
mount -t tmpfs -o size=512k tmpfs "$TMP/logfs" || { fail "mount a small tmpfs"; exit 1; }
trap 'rc=$?; umount -l "$TMP/logfs" 2>/dev/null; (exit $rc); bf_cleanup' EXIT
LOG=$TMP/logfs/audit.jsonl

allowed=$(helper_copy bf_open recognizer)
policy "$TMP/p.policy" <<EOP
camera lobby path "$TMP/video0"
app recognizer exe "$allowed"
capture allow recognizer lobby
EOP
agent_start "$TMP/p.policy" || { fail "agent start"; exit 1; }
open_cam() { in_cg "$allowed" "$TMP/video0" "$@"; }
expect "a log with room: the app opens the camera" "ok=0 EPERM=0 ENXIO=1 other=0" "$(open_cam)"

# Fill the filesystem, then make records until one no longer fits (the log's last
# page may still hold a small one): the agent notices at once and says so in status.
failing() { "$CLI" status --json --control "$CTL" --pin-dir "$PIN" | jq -e '.status.log_state != "ok"' > /dev/null; }
fill() {
	dd if=/dev/zero of="$TMP/logfs/fill" bs=4k 2>/dev/null; sync
	for i in $(seq 20); do failing && return 0; open_cam > /dev/null; sleep 0.1; done
	return 1
}
check "the log fills up and the agent notices" fill
expect "log full (deny-capture, the default): the camera is refused" "ok=0 EPERM=5 ENXIO=0 other=0" "$(open_cam 5)"
check "status says the log is failing, loudly" sh -c "'$CLI' status --control '$CTL' --pin-dir '$PIN' | grep -q 'AUDIT LOG FAILING since .*No space left on device.*camera opens are refused'"
rm -f "$TMP/logfs/fill"
check "space back: the failure is reported" wait_for '.event == "log-failure" and .policy == "deny-capture" and .error == "No space left on device"' 1 5
# A slow machine may see the disk fill, a small record still fit, and fill
# again: several episodes, each closed by its own record. What an inspector
# adds up is what counts: every loss and every refusal reported.
losses() { jq -rs '[.[] | select(.event == "log-failure")] | "\(map(.records_lost) | add) \(map(.captures_refused) | add)"' "$LOG"; }
for i in $(seq 50); do read -r lost refused <<< "$(losses)"; [ "${refused:-0}" -ge 5 ] && break; sleep 0.1; done
expect "... with the records lost and the captures refused meanwhile" "true" \
	"$([ "${lost:-0}" -ge 1 ] && [ "${refused:-0}" -ge 5 ] && echo true || echo "lost=$lost refused=$refused")"
# The kernel is told after the record is written: a slow machine may need a moment.
reopen() { for i in $(seq 30); do [ "$(open_cam)" = "ok=0 EPERM=0 ENXIO=1 other=0" ] && break; sleep 0.1; done; open_cam; }
expect "space back: the app opens the camera again" "ok=0 EPERM=0 ENXIO=1 other=0" "$(reopen)"
# One read of the log: the agent may append between two.
expect "seq stays gapless across the failure" "1..N, no gap" "$(jq -rs 'if map(.seq) == [range(1; length + 1)] then "1..N, no gap" else map(.seq) | tostring end' "$LOG")"
check "the chain holds across the failure" "$CLI" log verify "$LOG"
agent_stop

# on-log-failure continue: captures go on, unrecorded, and the loss is counted.
echo "on-log-failure continue" >> "$TMP/p.policy"
agent_start "$TMP/p.policy" || { fail "agent start (continue)"; exit 1; }
check "the log fills up again" fill
expect "log full (continue): the camera still opens" "ok=0 EPERM=0 ENXIO=3 other=0" "$(open_cam 3)"
rm -f "$TMP/logfs/fill"
check "space back: the loss is reported" wait_for '.event == "log-failure" and .policy == "continue" and .records_lost >= 1 and .captures_refused == 0' 1 5
agent_stop
