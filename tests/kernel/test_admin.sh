#!/bin/bash
# test_admin.sh - the admin path, with and without self-protection: status says whether biofence protects itself; biofence stop, biofence detach through the agent and biofenced --detach work and are logged.
. "$(dirname "$0")/lib.sh"
bf_setup

other=$(helper_copy bf_open intruder)
policy "$TMP/p.policy" <<EOP
camera lobby path "$TMP/video0"
capture deny any lobby
EOP
open_cam() { in_cg "$other" "$TMP/video0"; }
prot() { "$CLI" status --json --control "$CTL" --pin-dir "$PIN" | jq -r '.status.backends.protection'; }

agent_start "$TMP/p.policy" || { fail "agent start"; exit 1; }
protection=$(prot)
lsm=$("$CLI" status --json --control "$CTL" | jq -r '.status.backends.lsm' | cut -d: -f1)
if [ "$lsm" = enforcing ]; then
	protected=1
	expect "BPF LSM here: status says self-protection is on" "on" "${protection%% *}"
else
	protected=
	expect "no BPF LSM here: status says so, loudly" "NOT PROTECTED: BPF LSM is not in force" \
		"$(cut -d'(' -f1 <<< "$protection" | sed 's/ $//')"
	check "... and lists it under what is not enforced" sh -c \
		"'$CLI' status --control '$CTL' | grep -q 'self-protection: NOT PROTECTED'"
fi
expect "the start record says the same" "$protection" \
	"$(jq -rs '[.[] | select(.kind == "agent" and .event == "start")][-1].backends.protection' "$LOG")"
check "status counts protection refusals" sh -c \
	"'$CLI' status --json --control '$CTL' | jq -e '.status.counters.protect_denials == 0'"

# --- biofence stop: the agent ends, logged with who asked; the pins keep enforcing ---
check "biofence stop answers" "$CLI" stop --control "$CTL"
wait "$AGENT_PID"; AGENT_PID=
check "the stop is logged with who asked" wait_for \
	'.kind == "agent" and .event == "stop" and (.reason | startswith("biofence stop (pid "))' 1
expect "stopped: still enforcing" "ok=0 EPERM=1 ENXIO=0 other=0" "$(open_cam)"
check "the pins stay" test -e "$PIN/links/bf_dev"

# --- a restart adopts the pins and protects itself as before ---
agent_start "$TMP/p.policy" || { fail "agent restart"; exit 1; }
expect "restart adopted the pinned links" "true" \
	"$(jq -rs '[.[] | select(.kind == "agent" and .event == "start")][-1].adopted' "$LOG")"
expect "the restarted agent's protection is as before" "$protection" "$(prot)"
"$AGENT" --detach --pin-dir "$PIN" --log "$TMP/offline.jsonl" 2> "$TMP/offline.err"
expect "biofenced --detach while an agent runs is refused" "1" "$?"
check "... and says to ask the agent" grep -q "an agent is running on $PIN" "$TMP/offline.err"

# --- biofence detach through the agent: the pins go, logged, the agent stops ---
"$CLI" detach --pin-dir "$PIN" --control "$CTL" > "$TMP/detach.out" 2>&1
expect "biofence detach through the agent succeeds" "0" "$?"
check "... and says the agent did it" grep -q "the agent detached" "$TMP/detach.out"
wait "$AGENT_PID"; AGENT_PID=
check "the detach is logged with who asked and how many links" wait_for \
	'.kind == "agent" and .event == "detach" and .by.via == "control socket" and .by.uid == 0 and .links > 0 and (.result | startswith("ok"))' 1
check "the stop record says enforcement ended" wait_for \
	'.kind == "agent" and .event == "stop" and (.enforcement | startswith("ended"))' 1
check "the pin dir is gone" test ! -e "$PIN"
expect "after detach the camera opens (ENXIO)" "ok=0 EPERM=0 ENXIO=1 other=0" "$(open_cam)"

# --- no agent: biofenced --detach (the agent's executable), logged ---
agent_start "$TMP/p.policy" || { fail "agent start again"; exit 1; }
agent_stop
if [ -n "$protected" ]; then
	"$CLI" detach --pin-dir "$PIN" --control "$CTL" 2> "$TMP/cli-detach.err"
	expect "protected, no agent: biofence detach cannot unlink the pins" "1" "$?"
	check "... and names biofenced --detach" grep -q "biofenced --detach --pin-dir $PIN" "$TMP/cli-detach.err"
	check "the pins are still there" test -e "$PIN/links/bf_dev"
fi
check "biofenced --detach removes the pins" "$AGENT" --detach --pin-dir "$PIN" --log "$LOG"
check "the offline detach is logged" wait_for \
	'.kind == "agent" and .event == "detach" and .by.via == "biofenced --detach" and .links > 0' 1
check "the pin dir is gone again" test ! -e "$PIN"
expect "and the camera opens (ENXIO)" "ok=0 EPERM=0 ENXIO=1 other=0" "$(open_cam)"

# --- an upgrade: a new biofenced (another inode) is a stranger until the agent trusts it ---
if [ -n "$protected" ]; then
	install -m 0755 "$AGENT" "$TMP/biofenced-new"
	install -m 0755 "$AGENT" "$TMP/biofenced-other"
	agent_start "$TMP/p.policy" || { fail "agent start for the upgrade"; exit 1; }
	agent_stop
	"$TMP/biofenced-other" --policy "$TMP/p.policy" --cgroup "$CG" --pin-dir "$PIN" --log "$TMP/other.jsonl" \
		--control "$TMP/other.sock" > /dev/null 2> "$TMP/other.err"
	expect "an untrusted new biofenced cannot take over the protected pins" "1" "$?"
	expect "... and they still enforce" "ok=0 EPERM=1 ENXIO=0 other=0" "$(open_cam)"
	agent_start "$TMP/p.policy" || { fail "agent start before the upgrade"; exit 1; }
	check "biofence trust names the new binary" "$CLI" trust "$TMP/biofenced-new" --control "$CTL"
	check "the trust is logged" wait_for \
		".kind == \"agent\" and .event == \"trust\" and .path == \"$TMP/biofenced-new\" and .exe_inode != null" 1
	chmod 0666 "$TMP/biofenced-other"
	"$CLI" trust "$TMP/biofenced-other" --control "$CTL" > /dev/null 2>&1
	expect "trust refuses an executable others may write" "1" "$?"
	check "... logged as refused" wait_for '.kind == "agent" and .event == "trust" and (.result | startswith("refused"))' 1
	agent_stop
	saved=$AGENT AGENT=$TMP/biofenced-new
	agent_start "$TMP/p.policy" || { fail "the trusted new biofenced starts"; AGENT=$saved; exit 1; }
	expect "the trusted new biofenced adopts the pins" "true" \
		"$(jq -rs '[.[] | select(.kind == "agent" and .event == "start")][-1].adopted' "$LOG")"
	expect "... and protects them" "on" "$(prot | cut -d' ' -f1)"
	check "... and detaches them when asked" "$CLI" detach --pin-dir "$PIN" --control "$CTL"
	wait "$AGENT_PID"; AGENT_PID=
	AGENT=$saved
fi
check "the log's chain is intact across agent and offline records" "$CLI" log verify "$LOG"
