#!/bin/bash
# test_reload.sh - a bad policy on reload is refused and the old one keeps enforcing; a good one replaces it whole.
. "$(dirname "$0")/lib.sh"
bf_setup

rec=$(helper_copy bf_open recognizer)
nvr=$(helper_copy bf_open nvr)
policy "$TMP/p.policy" <<EOP
camera lobby path "$TMP/video0"
app recognizer exe "$rec"
capture allow recognizer lobby
EOP
agent_start "$TMP/p.policy" || { fail "agent start"; exit 1; }
expect "before reload: recognizer allowed" "ok=0 EPERM=0 ENXIO=1 other=0" "$(in_cg "$rec" "$TMP/video0")"
expect "before reload: nvr refused" "ok=0 EPERM=1 ENXIO=0 other=0" "$(in_cg "$nvr" "$TMP/video0")"
sha_before=$(jq -r 'select(.event == "start") | .policy.sha256' "$LOG")

# Broken edit: an unknown keyword and an undefined app, reported in one pass.
policy "$TMP/p.policy" <<EOP
camera lobby path "$TMP/video0"
app recognizer exe "$rec"
capture allow recognizer lobby
captur allow nvr lobby
capture allow nvr lobby
EOP
out=$("$CLI" reload --control "$CTL" 2>&1); rc=$?
expect "biofence reload exits 1 on a bad policy" "1" "$rc"
check "reload names FILE:LINE:COL of the unknown keyword" grep -q "p.policy:4:1: unknown keyword \"captur\"" <<< "$out"
check "and of the undefined app, in the same pass" grep -q "p.policy:5:15: undefined app \"nvr\"" <<< "$out"
check "refusal is logged with the diagnostics" \
	wait_for '.kind == "agent" and .event == "reload" and .result == "refused" and (.diagnostics | length) == 2' 1
expect "old policy still enforcing: recognizer allowed" "ok=0 EPERM=0 ENXIO=1 other=0" "$(in_cg "$rec" "$TMP/video0")"
expect "old policy still enforcing: nvr refused" "ok=0 EPERM=1 ENXIO=0 other=0" "$(in_cg "$nvr" "$TMP/video0")"
expect "status still reports the old digest" "$sha_before" \
	"$("$CLI" status --json --control "$CTL" | jq -r .status.policy.sha256)"

# SIGHUP with a world-writable policy: refused the same way.
chmod 0666 "$TMP/p.policy"
kill -HUP "$AGENT_PID"
check "a world-writable policy is refused on SIGHUP" \
	wait_for '.kind == "agent" and .event == "reload" and .trigger == "SIGHUP" and .result == "refused" and (.diagnostics | any(test("world-writable")))' 1
chmod 0644 "$TMP/p.policy"

# A good edit replaces the tables as a whole: nvr in, recognizer out.
policy "$TMP/p.policy" <<EOP
camera lobby path "$TMP/video0"
app nvr exe "$nvr"
capture allow nvr lobby
EOP
kill -HUP "$AGENT_PID"
check "a valid policy is applied on SIGHUP" \
	wait_for '.kind == "agent" and .event == "reload" and .result == "applied"' 1
expect "new policy: nvr allowed" "ok=0 EPERM=0 ENXIO=1 other=0" "$(in_cg "$nvr" "$TMP/video0")"
expect "new policy: recognizer refused" "ok=0 EPERM=1 ENXIO=0 other=0" "$(in_cg "$rec" "$TMP/video0")"
check "the agent is still serving" "$CLI" status --control "$CTL"
out=$("$CLI" reload --control "$CTL" 2>&1)
check "biofence reload applies a valid policy" grep -q "^reloaded: $TMP/p.policy" <<< "$out"
check "decision records name the new rule line" \
	wait_for ".kind == \"capture\" and .verdict == \"allow\" and .app == \"nvr\" and .rule == \"$TMP/p.policy:3\"" 1

# Garbage on the control socket gets an error reply; the agent carries on.
reply=$(printf 'this is not json\n{"cmd":"selfdestruct"}\n' | timeout 5 socat -t 2 - UNIX-CONNECT:"$CTL" 2>&1)
check "bad request gets an error reply" grep -q '"code":"bad-json"' <<< "$reply"
check "unknown command gets an error reply" grep -q '"code":"unknown-cmd"' <<< "$reply"
check "the agent survives a bad request" "$CLI" status --control "$CTL"
agent_stop

# At start: a group-writable policy is refused and nothing is attached.
chmod 0664 "$TMP/p.policy"
"$AGENT" --policy "$TMP/p.policy" --cgroup "$CG" --pin-dir "$PIN.2" --log "$LOG" --control "$CTL" 2> "$TMP/err"
expect "agent refuses a group-writable policy at start" "1" "$?"
check "the refusal names the file" grep -q "p.policy:1:1: refusing .*group-writable" "$TMP/err"
if [ -e "$PIN.2" ]; then
	fail "nothing was pinned: $PIN.2 exists"
	"$CLI" detach --pin-dir "$PIN.2" >/dev/null 2>&1
else
	pass "nothing was pinned"
fi
