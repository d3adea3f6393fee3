#!/bin/bash
# test_restart.sh - SIGKILL the agent: denial stays; a restart adopts the pins with no unchecked window. With --no-protect: a protected agent cannot be SIGKILLed (tests/kernel/test_admin.sh, tests/vm/test_protect.sh).
. "$(dirname "$0")/lib.sh"
bf_setup

other=$(helper_copy bf_open intruder)
policy "$TMP/p.policy" <<EOP
camera lobby path "$TMP/video0"
capture deny any lobby
EOP
agent_start "$TMP/p.policy" --no-protect || { fail "agent start"; exit 1; }
kill -9 "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null; AGENT_PID=
check "agent is gone" test -z "$(pgrep -f "pin-dir $PIN" || true)"
expect "killed agent: 1,000 opens, 0 succeed" "ok=0 EPERM=1000 ENXIO=0 other=0" "$(in_cg "$other" "$TMP/video0" 1000)"
check "programs still pinned" test -e "$PIN/links/bf_dev"
if "$CLI" status --control "$CTL" --pin-dir "$PIN" > "$TMP/status.out"; then
	fail "status exits 1 while the agent is down"
else
	check "status says the pins still enforce" grep -q "still enforce" "$TMP/status.out"
fi

# Hammer the camera while the agent restarts: not one open may slip through.
# Bursts run until told to stop, so they provably span the swap of programs;
# a fixed count finished before the new agent took over and proved nothing.
( while [ ! -e "$TMP/stop" ]; do in_cg "$other" "$TMP/video0" 100; sleep 0.01; done ) > "$TMP/hammer.out" &
hammer=$!
sleep 0.2
before=$(wc -l < "$TMP/hammer.out")
agent_start "$TMP/p.policy" --no-protect || { fail "agent restart"; exit 1; }
at_start=$(wc -l < "$TMP/hammer.out")
sleep 0.3
touch "$TMP/stop"
wait $hammer
check "the hammer ran before the restart began" test "$before" -gt 0
check "and went on after the new agent took over" test "$(wc -l < "$TMP/hammer.out")" -gt "$at_start"
expect "opens during the restart: none succeed" "0" "$(awk -F'[ =]' '{ s += $2 } END { print s + 0 }' "$TMP/hammer.out")"
expect "restart adopted the pinned links" "true" \
	"$(jq -r 'select(.kind == "agent" and .event == "start") | .adopted' "$LOG" | tail -1)"
check "status exits 0 again" "$CLI" status --control "$CTL" --pin-dir "$PIN"
"$AGENT" --policy "$TMP/p.policy" --cgroup "$CG" --pin-dir "$PIN" --log "$TMP/second.jsonl" \
	--control "$TMP/second.sock" 2> "$TMP/second.err"
expect "a second agent on the same pin dir is refused" "1" "$?"
check "and says why" grep -q "another biofenced is already using $PIN" "$TMP/second.err"
check "the first agent still serves" "$CLI" status --control "$CTL"

# The denials made while no agent ran were queued in the pinned ring buffer.
total=$(( 1000 + $(awk -F'[ =]' '{ s += $4 } END { print s + 0 }' "$TMP/hammer.out") ))
# The agent drains its backlog at its own pace: wait for the books to close.
for _ in $(seq 100); do
	logged=$(count '.kind == "capture"')
	lost=$(jq -s '[.[] | select(.kind == "lost") | .count] | add // 0' "$LOG")
	[ $((logged + lost)) -ge "$total" ] && break
	sleep 0.1
done
expect "every denial is logged or counted lost" "$total" "$((logged + lost))"
# The restarted agent says it is back before anything else, and logs what happened
# while it was down only after its start record names the policy in force.
expect "the restarted agent's first record says it is starting" "agent starting" \
	"$(jq -rs '[.[] | select(.event == "start")][0].seq as $s | [.[] | select(.seq > $s)][0] | "\(.kind) \(.event)"' "$LOG")"
expect "decisions made while it was down are logged after its start" "true" \
	"$(jq -s '([.[] | select(.event == "start")][1].seq) < ([.[] | select(.kind == "capture")] | map(.seq) | min)' "$LOG")"

"$CLI" detach --pin-dir "$PIN" >/dev/null
if "$CLI" status --control "$CTL" > "$TMP/status.out"; then
	fail "status exits 1 once the pins are detached under the agent"
else
	check "status says the programs were detached" grep -q "DETACHED" "$TMP/status.out"
fi
agent_stop
agent_start "$TMP/p.policy" --no-protect || { fail "agent restart after detach"; exit 1; }
agent_stop
expect "stopping the agent leaves the pins" "yes" "$([ -e "$PIN/links/bf_dev" ] && echo yes)"
expect "still enforcing after a clean stop" "ok=0 EPERM=1 ENXIO=0 other=0" "$(in_cg "$other" "$TMP/video0")"
check "detach removes every pin" "$CLI" detach --pin-dir "$PIN"
check "pin dir gone" test ! -e "$PIN"
expect "after detach the camera opens (ENXIO)" "ok=0 EPERM=0 ENXIO=1 other=0" "$(in_cg "$other" "$TMP/video0")"
