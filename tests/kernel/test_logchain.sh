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
check "biofence log keygen makes the host key" "$CLI" log keygen --key "$TMP/log.key"
expect "... and never replaces it" "1" "$("$CLI" log keygen --key "$TMP/log.key" >/dev/null 2>&1; echo $?)"
agent_start "$TMP/p.policy" --log-key "$TMP/log.key" || { fail "agent start"; exit 1; }
check "the start record says checkpoints are signed" wait_for '.event == "start" and (.log_checkpoints | startswith("signed with key"))' 1
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
check "a clean stop ends with a signed checkpoint" sh -c "tail -1 '$LOG' | jq -e '.kind == \"checkpoint\" and (.sig | length) == 88'"
agent_start "$TMP/p.policy" --log-key "$TMP/log.key" || fail "agent restart"
expect "the restarted agent links to the last record" "0" "$(links "$LOG")"
in_cg "$allowed" "$TMP/video0" > /dev/null
wait_for '.kind == "capture"' 2
st=$("$CLI" status --json --control "$CTL" --pin-dir "$PIN")
head_arg=$(jq -r '.status.log_head | "\(.seq):\(.hash)"' <<< "$st")
check "verify with the agent's head: intact" "$CLI" log verify --pub "$TMP/log.key.pub" --head "$head_arg" "$LOG.1" "$LOG"
expect "status names the head: the last record's hash" "$(tail -1 "$LOG" | jq -r '"\(.seq) \(.hash)"')" \
	"$(jq -r '.status.log_head | "\(.seq) \(.hash)"' <<< "$st")"
agent_stop
check "the head file beside the log names the last record" \
	sh -c "test \"\$(cut -d' ' -f2 '$LOG.head')\" = \"\$(tail -1 '$LOG' | jq -r .hash)\""

# An inspector's view of the real log: intact and signed, then each kind of tampering.
check "the whole log verifies, rotation and restart included" "$CLI" log verify --pub "$TMP/log.key.pub" "$LOG.1" "$LOG"
check "... and says the chain is signed by the host" \
	sh -c "'$CLI' log verify --pub '$TMP/log.key.pub' '$LOG.1' '$LOG' | grep -q '^signed: [0-9]* checkpoints\\? verified'"
v() { "$CLI" log verify --pub "$TMP/log.key.pub" "$@" 2>&1; }
cp "$LOG" "$TMP/edit.log"; sed -i '2s/"kind":"/"kind":"x/' "$TMP/edit.log"
check "an edited record is found" sh -c "'$CLI' log verify --pub '$TMP/log.key.pub' '$LOG.1' '$TMP/edit.log' | grep -q 'edit.log:2: .*edited'"
cp "$LOG" "$TMP/del.log"; sed -i '3d' "$TMP/del.log"
expect "a deleted record is found" "1" "$(v "$LOG.1" "$TMP/del.log" >/dev/null; echo $?)"
cp "$LOG" "$TMP/forged.log"
n=$(grep -n '"kind":"checkpoint"' "$TMP/forged.log" | tail -1 | cut -d: -f1)
# Re-sign nothing, re-hash everything: a forger who can rewrite the chain still cannot sign.
python_free_rehash() {
	local prev=$(sed -n "$((n - 1))p" "$1" | jq -r .hash) line body h
	line=$(sed -n "${n}p" "$1" | jq -c '.sig = ("A" * 86 + "==") | del(.hash) | .prev = "'"$prev"'"')
	h=$(printf '%s' "$line" | sha256sum | cut -c1-64)
	sed -i "${n}s/.*/${line%\}},\"hash\":\"$h\"}/" "$1"
	sed -i "$((n + 1)),\$d" "$1"
}
python_free_rehash "$TMP/forged.log"
check "a checkpoint with a forged signature is found, though its chain holds" \
	sh -c "'$CLI' log verify --pub '$TMP/log.key.pub' '$LOG.1' '$TMP/forged.log' | grep -q 'forged.log:$n: .*checkpoint was forged'"
"$CLI" log keygen --key "$TMP/other.key" > /dev/null
check "another key does not vouch for this log" \
	sh -c "'$CLI' log verify --pub '$TMP/other.key.pub' '$LOG.1' '$LOG' | grep -q 'not by the host key'"
head -n -2 "$LOG" > "$TMP/short.log"
final=$(tr ' ' ':' < "$LOG.head")
check "the final head (kept beside the log) matches the whole log" "$CLI" log verify --pub "$TMP/log.key.pub" --head "$final" "$LOG.1" "$LOG"
check "a cut tail is found against that head" \
	sh -c "'$CLI' log verify --pub '$TMP/log.key.pub' --head '$final' '$LOG.1' '$TMP/short.log' | grep -q 'end of the log was truncated'"
