#!/bin/bash
# test_logchain.sh - the real agent's audit log is one hash chain: across restarts and a rotation by rename.
. "$(dirname "$0")/lib.sh"
bf_setup

allowed=$(helper_copy bf_open recognizer)
policy "$TMP/p.policy" <<EOP
camera lobby path "$TMP/video0"
app recognizer exe "$allowed"
capture allow recognizer lobby
EOP
agent_start "$TMP/p.policy" || { fail "agent start"; exit 1; }
in_cg "$allowed" "$TMP/video0" 3 > /dev/null
check "decisions logged" wait_for '.kind == "capture"' 3

# prev of each record is the hash of the one before it (jq reads the members; verify checks the bytes).
links() { jq -rs '[range(1; length) as $i | select(.[$i].prev != .[$i - 1].hash)] | length' "$@"; }
expect "every record links to the one before" "0" "$(links "$LOG")"
expect "the first record starts a chain" "0000000000000000000000000000000000000000000000000000000000000000" "$(head -1 "$LOG" | jq -r .prev)"
check "every line ends with its hash" sh -c "! grep -vqE ',\"hash\":\"[0-9a-f]{64}\"}\$' '$LOG'"

# Rotation by rename: the agent notices within a second and starts a new file linked to the old.
mv "$LOG" "$LOG.1"
check "a new log file appears" wait_for '.event == "log-rotated"' 1 5
expect "the new file starts at seq 1" "1" "$(head -1 "$LOG" | jq .seq)"
expect "... and links to the old file's last record" "$(tail -1 "$LOG.1" | jq -r .hash)" "$(head -1 "$LOG" | jq -r .prev)"
in_cg "$allowed" "$TMP/video0" > /dev/null
check "decisions go to the new file" wait_for '.kind == "capture"' 1

# A restart continues the chain from the file's last record.
agent_stop
agent_start "$TMP/p.policy" || fail "agent restart"
expect "the restarted agent links to the last record" "0" "$(links "$LOG")"
st=$("$CLI" status --json --control "$CTL" --pin-dir "$PIN")
expect "status names the head: the last record's hash" "$(tail -1 "$LOG" | jq -r '"\(.seq) \(.hash)"')" \
	"$(jq -r '.status.log_head | "\(.seq) \(.hash)"' <<< "$st")"
agent_stop
check "the head file beside the log names the last record" \
	sh -c "test \"\$(cut -d' ' -f2 '$LOG.head')\" = \"\$(tail -1 '$LOG' | jq -r .hash)\""
