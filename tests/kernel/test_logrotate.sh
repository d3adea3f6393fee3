#!/bin/bash
# test_logrotate.sh - the shipped logrotate config (dist/logrotate.d/biofence), run by the real logrotate
# while camera opens keep the agent writing: the rotated set verifies as one chain, seq is gapless in
# every file, and no record is lost.
. "$(dirname "$0")/lib.sh"
command -v logrotate > /dev/null || { skip "logrotate is not installed (apt-get install logrotate)"; exit 0; }
bf_setup

CONF=$TMP/logrotate.conf
# The shipped config, its path made this test's log: nothing else changed.
sed "s#^/var/log/biofence/audit.jsonl {#$LOG {#" "$ROOT/dist/logrotate.d/biofence" > "$CONF"
chmod 0644 "$CONF"
check "the config names this test's log" grep -qxF "$LOG {" "$CONF"
check "logrotate parses the shipped config" logrotate -d -s "$TMP/lr.state" "$CONF"

allowed=$(helper_copy bf_open recognizer)
policy "$TMP/p.policy" <<EOP
camera lobby path "$TMP/video0"
app recognizer exe "$allowed"
capture allow recognizer lobby
EOP
agent_start "$TMP/p.policy" || { fail "agent start"; exit 1; }

# Camera opens all along: one capture record each, before, during and after every rotation.
OPENS=60
(
	for ((i = 0; i < OPENS; i++)); do
		in_cg "$allowed" "$TMP/video0" > /dev/null 2>&1
		sleep 0.1
	done
) &
producer=$!
wait_for '.kind == "capture"' 5 10 || fail "captures before the first rotation"
before=$(jq -r .hash "$LOG")

# logrotate -f three times, each after the agent has moved to the new file (in real use rotations are
# days apart; back to back, the rotation that gzips .1 must come after the agent has left it).
rotate() {
	local n=$1
	logrotate -f -s "$TMP/lr.state" "$CONF" 2>> "$TMP/lr.err" || return 1
	wait_for '.event == "log-rotated"' 1 5
}
for r in 1 2 3; do
	check "rotation $r: logrotate runs, the agent follows into a new file" rotate "$r"
	sleep 1
done
wait "$producer"
# the last opens' records reach the log
wait_for '.kind == "capture"' 1 5
sleep 1
agent_stop

# What logrotate left: .3.gz .2.gz compressed, .1 plain (delaycompress), the live file.
for f in "$LOG.3.gz" "$LOG.2.gz" "$LOG.1" "$LOG"; do
	check "$(basename "$f") is there" test -s "$f"
done
check "no copy or stray file: only the log, its rotations and its head" \
	sh -c "[ -z \"\$(ls '$TMP' | grep '^audit.jsonl' | grep -vxE 'audit\\.jsonl(\\.[0-9]+(\\.gz)?|\\.head)?')\" ]"
expect "the files the log commands find, oldest first" \
	"$LOG.3.gz $LOG.2.gz $LOG.1 $LOG" \
	"$("$CLI" log verify --log "$LOG" | head -n 1 | sed 's/: [0-9]* records.*//')"

# The rotated set is one chain, its end vouched for by the head the agent wrote at stop.
check "biofence log verify over the rotated set: intact" "$CLI" log verify --log "$LOG"
"$CLI" log verify --log "$LOG" > "$TMP/verify.out" 2>&1
check "... and its end is the agent's head" grep -q "^end: the log ends at the head the agent wrote to $LOG.head" "$TMP/verify.out"
check "the same by naming the files" "$CLI" log verify "$LOG.3.gz" "$LOG.2.gz" "$LOG.1" "$LOG"

# Gapless: each file runs seq 1..N, and each new file links to the last hash of the one before.
gapless=0
prev_hash=
for f in "$LOG.3.gz" "$LOG.2.gz" "$LOG.1" "$LOG"; do
	zcat -f "$f" | jq -es '[.[].seq] == [range(1; length + 1)]' > /dev/null || gapless=1
	if [ -n "$prev_hash" ]; then
		[ "$(zcat -f "$f" | head -n 1 | jq -r .prev)" = "$prev_hash" ] || gapless=1
	fi
	prev_hash=$(zcat -f "$f" | tail -n 1 | jq -r .hash)
done
expect "seq is gapless in every file, and the files link" 0 "$gapless"

# Not one record lost: every capture made, every record seen before rotating, every rotation noted.
all=$TMP/all.jsonl
zcat -f "$LOG.3.gz" "$LOG.2.gz" "$LOG.1" "$LOG" > "$all"
expect "one capture record per open, none lost in the rotations" "$OPENS" \
	"$(jq -c 'select(.kind == "capture")' "$all" | wc -l)"
expect "three log-rotated records" 3 "$(jq -c 'select(.event == "log-rotated")' "$all" | wc -l)"
missing=0
for h in $before; do grep -qF "\"hash\":\"$h\"" "$all" || missing=$((missing + 1)); done
expect "every record written before the first rotation is still there" 0 "$missing"
expect "log show over the set: every record" "$(wc -l < "$all")" \
	"$("$CLI" log show --json --log "$LOG" | wc -l)"
check "log stats reads the set too" sh -c "'$CLI' log stats --json --log '$LOG' | jq -e '.records == $(wc -l < "$all")'"
[ -s "$TMP/lr.err" ] && { echo "logrotate said:"; cat "$TMP/lr.err"; }
exit 0
