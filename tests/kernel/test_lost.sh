#!/bin/bash
# test_lost.sh - a full ring buffer loses events, but never silently: logged plus lost equals attempts.
. "$(dirname "$0")/lib.sh"
bf_setup

other=$(helper_copy bf_open intruder)
policy "$TMP/p.policy" <<EOP
camera lobby path "$TMP/video0"
capture deny any lobby
EOP
# One page: room for a couple of dozen events.
agent_start "$TMP/p.policy" --ringbuf-size 4096 --no-protect || { fail "agent start"; exit 1; }
kill -STOP "$AGENT_PID"
attempts=500
expect "$attempts opens refused while the agent is stopped" "ok=0 EPERM=$attempts ENXIO=0 other=0" \
	"$(in_cg "$other" "$TMP/video0" $attempts)"
kill -CONT "$AGENT_PID"
# A stop and continue interrupts the agent's wait; it must carry on.
check "a lost record appears" wait_for '.kind == "lost"' 1 5
sleep 1.2
logged=$(count '.kind == "capture"')
lost=$(jq -s '[.[] | select(.kind == "lost") | .count] | add // 0' "$LOG")
check "some events were really lost (the buffer overflowed)" test "$lost" -gt 0
check "some events were delivered" test "$logged" -gt 0
expect "logged + lost == attempts" "$attempts" "$((logged + lost))"
expect "status counts the same loss" "$lost" \
	"$("$CLI" status --json --control "$CTL" | jq -r .status.counters.lost)"
check "the lost record says why" jq -s -e 'map(select(.kind == "lost")) | length > 0 and all(.reason | test("ring buffer full"))' "$LOG"

# A restarted agent does not report the same loss twice.
agent_stop
agent_start "$TMP/p.policy" --ringbuf-size 4096 || { fail "agent restart"; exit 1; }
sleep 1.5
expect "no duplicate lost record after restart" "$lost" \
	"$(jq -s '[.[] | select(.kind == "lost") | .count] | add // 0' "$LOG")"
agent_stop
