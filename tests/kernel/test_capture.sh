#!/bin/bash
# test_capture.sh - camera opens: the named exe gets through (ENXIO), others get EPERM, audit mode lets all through.
. "$(dirname "$0")/lib.sh"
bf_setup

allowed=$(helper_copy bf_open recognizer)
other=$(helper_copy bf_open intruder)
mknod "$TMP/null" c 1 3

policy "$TMP/p.policy" <<EOP
mode enforce
camera lobby path "$TMP/video0"
app recognizer exe "$allowed"
capture allow recognizer lobby
capture deny any any
EOP
agent_start "$TMP/p.policy" || { fail "agent start"; exit 1; }

expect "allowed exe opens the camera (ENXIO: no driver)" "ok=0 EPERM=0 ENXIO=1 other=0" "$(in_cg "$allowed" "$TMP/video0")"
expect "other exe is refused (EPERM)" "ok=0 EPERM=1 ENXIO=0 other=0" "$(in_cg "$other" "$TMP/video0")"
expect "cat is refused too" "1" "$(in_cg cat "$TMP/video0" 2>&1 | grep -c 'Operation not permitted')"
expect "a camera node with other minor is not a policy camera" "ok=0 EPERM=0 ENXIO=1 other=0" \
	"$(mknod "$TMP/video1" c 81 "$CAM_MINOR2" && in_cg "$other" "$TMP/video1")"
expect "non-camera devices pass" "ok=1 EPERM=0 ENXIO=0 other=0" "$(in_cg "$other" "$TMP/null")"
expect "outside the cgroup nothing is judged" "ok=0 EPERM=0 ENXIO=1 other=0" "$("$other" "$TMP/video0")"

check "allow record logged" wait_for '.kind == "capture" and .verdict == "allow"' 1
check "deny records logged (intruder and cat)" wait_for '.kind == "capture" and .verdict == "deny"' 2
sleep 0.3
expect "each decision logged once" "3" "$(count '.kind == "capture"')"
expect "capture records carry no export fields" "0" "$(count '.kind == "capture" and (has("dest") or has("taint") or has("call"))')"
expect "no record for the non-camera device or the unlisted minor" "0" "$(count ".device == \"1:3\" or .device == \"81:$CAM_MINOR2\"")"

rec=$(jq -c 'select(.kind == "capture" and .verdict == "allow")' "$LOG")
expect "allow record: app, camera, device, rule, enforced" \
	"recognizer lobby 81:$CAM_MINOR $TMP/p.policy:4 true read" \
	"$(jq -r '"\(.app) \(.camera) \(.device) \(.rule) \(.enforced) \(.access)"' <<< "$rec")"
check "allow record has every design field" \
	jq -e 'has("seq") and has("time") and has("host") and has("pid") and has("ppid") and has("uid") and has("comm") and has("exe") and has("cgroup")' <<< "$rec"
# Both processes exited long before the agent looked: exe and cgroup still named.
expect "a gone app process: exe from the policy, cgroup by id" "$allowed /$ID" \
	"$(jq -r '"\(.exe) \(.cgroup)"' <<< "$rec")"
rec=$(jq -c 'select(.kind == "capture" and .verdict == "deny" and .comm == "intruder")' "$LOG")
expect "a gone non-app process: cgroup by id, exe by inode" "/$ID $(stat -c %i "$other")" \
	"$(jq -r '"\(.cgroup) \(.exe_inode | split(":")[2])"' <<< "$rec")"
expect "deny record names the rule and no app" "null $TMP/p.policy:5 true" \
	"$(jq -r '"\(.app) \(.rule) \(.enforced)"' <<< "$rec")"
check "time is RFC 3339 with ns in UTC" \
	jq -e '.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z$")' <<< "$rec"
# One read of the log: the agent may append between two.
expect "seq is gapless from 1" "1..N, no gap" "$(jq -rs 'if map(.seq) == [range(1; length + 1)] then "1..N, no gap" else map(.seq) | tostring end' "$LOG")"

check "status exits 0 while enforcing" "$CLI" status --control "$CTL" --pin-dir "$PIN"
agent_stop

# Audit mode: nothing denied, would-be denials logged with enforced=false.
policy "$TMP/audit.policy" <<EOP
mode audit
camera lobby path "$TMP/video0"
app recognizer exe "$allowed"
capture allow recognizer lobby
EOP
agent_start "$TMP/audit.policy" || { fail "agent start (audit)"; exit 1; }
expect "audit mode: other exe gets through" "ok=0 EPERM=0 ENXIO=1 other=0" "$(in_cg "$other" "$TMP/video0")"
check "audit mode: logged as deny, enforced false" \
	wait_for '.kind == "capture" and .verdict == "deny" and .enforced == false and .comm == "intruder"' 1
if "$CLI" status --control "$CTL" --pin-dir "$PIN" >/dev/null; then fail "status exits 1 in audit mode"; else pass "status exits 1 in audit mode"; fi
agent_stop

# Per-rule audit is a trial: logged with what it would do, never deciding.
policy "$TMP/trial.policy" <<EOP
camera lobby path "$TMP/video0"
app recognizer exe "$allowed"
app intruder exe "$other"
capture deny  recognizer lobby audit
capture allow recognizer lobby
capture allow intruder lobby audit
capture deny  any any
EOP
agent_start "$TMP/trial.policy" || { fail "agent start (trial)"; exit 1; }
expect "a trial deny does not close the camera to its app" "ok=0 EPERM=0 ENXIO=1 other=0" "$(in_cg "$allowed" "$TMP/video0")"
expect "a trial allow does not open the camera to an intruder" "ok=0 EPERM=1 ENXIO=0 other=0" "$(in_cg "$other" "$TMP/video0")"
wait_for ".rule == \"$TMP/trial.policy:7\"" 1
expect "the trial deny is reported beside the deciding rule" "allow $TMP/trial.policy:5 $TMP/trial.policy:4 deny" \
	"$(jq -r "select(.rule == \"$TMP/trial.policy:5\") | \"\(.verdict) \(.rule) \(.audit_rule.rule) \(.audit_rule.verdict)\"" "$LOG")"
expect "the trial allow is reported beside the deciding rule" "deny $TMP/trial.policy:7 $TMP/trial.policy:6 allow" \
	"$(jq -r "select(.rule == \"$TMP/trial.policy:7\") | \"\(.verdict) \(.rule) \(.audit_rule.rule) \(.audit_rule.verdict)\"" "$LOG")"
agent_stop
