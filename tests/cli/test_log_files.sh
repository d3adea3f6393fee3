#!/bin/bash
# test_log_files.sh - the log commands as the system's own tools: without FILEs they read the agent's log
# and its rotations (--log, default /var/log/biofence/audit.jsonl), verify reads LOG.head by itself, and
# log keygen makes its directory and keeps an existing key unless --force.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CLI=${BF_BUILD:-$ROOT/build}/biofence
TEST=test_log_files
TMP=$(mktemp -d /tmp/bf-cli-logfiles.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
pass() { echo "PASS: $TEST: $1"; }
fail() { echo "FAIL: $TEST: $1"; }
expect() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: want '$2', got '$3'"; fi; }
has() { if grep -qF -- "$2" "$3"; then pass "$1"; else fail "$1: no '$2' in $(cat "$3")"; fi; }

ZEROS=0000000000000000000000000000000000000000000000000000000000000000

# rec SEQ PREV [KIND [EVENT]]: one chained record line (docs/audit-chain.md); H gets its hash.
rec() {
	local ev=""
	[ -n "${4:-}" ] && ev=",\"event\":\"$4\""
	local body="{\"seq\":$1,\"time\":\"2026-01-01T00:00:0$(($1 % 10))Z\",\"host\":\"gate1\",\"kind\":\"${3:-capture}\"$ev,\"prev\":\"$2\"}"
	H=$(printf '%s' "$body" | sha256sum | cut -c1-64)
	printf '%s,"hash":"%s"}\n' "${body%\}}" "$H"
}
# mklog FILE N PREV: N records from seq 1 linked to PREV; LAST gets the last hash.
mklog() {
	local f=$1 n=$2 p=$3 i
	: > "$f"
	for ((i = 1; i <= n; i++)); do
		rec "$i" "$p" >> "$f"
		p=$H
	done
	LAST=$p
}
run() { "$CLI" "$@" > "$TMP/out" 2> "$TMP/err"; }

# A log as logrotate leaves it: audit.jsonl.3.gz (compressed), .2, .1, and the live file.
D=$TMP/var/log/biofence
mkdir -p "$D"
L=$D/audit.jsonl
mklog "$D/audit.jsonl.3" 5 "$ZEROS"
mklog "$D/audit.jsonl.2" 5 "$LAST"
mklog "$D/audit.jsonl.1" 5 "$LAST"
HEAD_1=$LAST
mklog "$L" 5 "$LAST"
HEAD_L=$LAST
gzip "$D/audit.jsonl.3"
# not log files: they must not be read
echo junk > "$D/audit.jsonl.bak"
echo junk > "$D/audit.jsonl.1.tmp"
echo junk > "$D/audit.jsonl-old"
echo junk > "$D/other.jsonl.1"
printf '5 %s\n' "$HEAD_L" > "$L.head"

# --- which files: --log LOG, oldest first ---
run log verify --log "$L"
expect "verify --log: exits 0 over the rotated set" 0 $?
expect "verify --log: the files oldest first, 20 records" \
	"$D/audit.jsonl.3.gz $D/audit.jsonl.2 $D/audit.jsonl.1 $L: 20 records, chain intact (seq 1..5)" \
	"$(head -n 1 "$TMP/out")"
has "verify --log: the end is the head the agent wrote" "end: the log ends at the head the agent wrote to $L.head (seq 5)" "$TMP/out"
run log show --json --log "$L"
expect "show --log: every record of the set" 20 "$(wc -l < "$TMP/out")"
expect "show --log: the first is the oldest file's first" "$(zcat "$D/audit.jsonl.3.gz" | head -n 1)" "$(head -n 1 "$TMP/out")"
expect "show --log: nothing on stderr (no stray file read)" "" "$(cat "$TMP/err")"
run log stats --json --log "$L"
expect "stats --log: exits 0" 0 $?
has "stats --log: counts the set" '"records":20' <(tr -d ' \n' < "$TMP/out")
run report --html "$TMP/r.html" --log "$L"
expect "report --log: exits 0" 0 $?
has "report --log: verified the set" "(20 records, chain intact)" "$TMP/out"
# both plain and compressed: the rotation is read once, plain
zcat "$D/audit.jsonl.3.gz" > "$D/audit.jsonl.3"
run log verify --log "$L"
expect "FILE.3 and FILE.3.gz: read once" \
	"$D/audit.jsonl.3 $D/audit.jsonl.2 $D/audit.jsonl.1 $L: 20 records, chain intact (seq 1..5)" \
	"$(head -n 1 "$TMP/out")"
rm "$D/audit.jsonl.3"

# --- the head file makes a cut-off end visible ---
cp "$L" "$TMP/full"
head -n 4 "$TMP/full" > "$L"
run log verify --log "$L"
expect "last record cut, LOG.head there: exits 1" 1 $?
expect "last record cut, LOG.head there: truncated, no --head needed" \
	"$L:4: seq 4: the end of the log was truncated: the log ends at seq 4, the head file says the agent wrote seq 5" \
	"$(head -n 1 "$TMP/out")"
# the same through FILE: FILE.head beside the last file given
run log verify "$D/audit.jsonl.1" "$L"
expect "FILE...: FILE.head is read too: exits 1" 1 $?
has "FILE...: truncated" "the end of the log was truncated" "$TMP/out"
run report --html "$TMP/r4.html" --log "$L"
has "report: the head file shows the cut too" "chain NOT intact" "$TMP/out"
cp "$TMP/full" "$L"

# the agent rewrites LOG.head every 1000 records: records after it are allowed, and said so
mklog "$TMP/x" 3 "$HEAD_1"
printf '3 %s\n' "$LAST" > "$L.head"
run log verify --log "$L"
expect "head before the end: exits 0" 0 $?
has "head before the end: what it vouches for" \
	"note: the end is vouched for up to the head in $L.head (seq 3 of $L) only: the 2 records after it could have been cut off unseen" "$TMP/out"
# a head written at rotation names the last record of the file before: the live file links to it
printf '5 %s\n' "$HEAD_1" > "$L.head"
run log verify "$L"
expect "head in the rotated file, only the live file given: exits 0" 0 $?
has "head in the rotated file: vouched up to it" "note: the end is vouched for up to the head in $L.head (seq 5) only: the 5 records after it" "$TMP/out"
# a head whose seq is there with another hash: the end was replaced
printf '5 %s\n' "$(printf other | sha256sum | cut -c1-64)" > "$L.head"
run log verify --log "$L"
expect "head hash not in the log: exits 1" 1 $?
has "head hash not in the log: a mismatch" "the log's last record is not the head the agent reports: seq 5 in the log has hash" "$TMP/out"
echo "not a head" > "$L.head"
run log verify --log "$L"
expect "a malformed head file: exits 1" 1 $?
has "a malformed head file: says so" "head file $L.head: not \"SEQ HASH\" as the agent writes it" "$TMP/err"
# --head SEQ:HASH still means what it meant: the log must end exactly there
run log verify --head "5:$HEAD_L" --log "$L"
expect "--head wins over a bad head file: exits 0" 0 $?
rm "$L.head"

# --- no head file: a stop record at the end vouches for it, else it is said that nothing does ---
run log verify --log "$L"
expect "no head file: exits 0" 0 $?
has "no head file, no stop: the end cannot be vouched for" \
	"note: the end cannot be vouched for: no head file $L.head and no agent stop record at the end" "$TMP/out"
{ rec 6 "$HEAD_L" agent stop; } >> "$L"
STOP=$H
rec 7 "$STOP" checkpoint >> "$L"
run log verify --log "$L"
expect "ends with stop and its checkpoint: exits 0" 0 $?
has "ends with stop: said" "end: the log ends with the agent's stop record (no head file $L.head)" "$TMP/out"

# --- the default: the agent's log, no "which files?" ---
if [ -e /var/log/biofence/audit.jsonl ] || ls /var/log/biofence/audit.jsonl.[0-9]* > /dev/null 2>&1; then
	run log stats
	rc=$?
	if [ $rc -ne 2 ]; then pass "no FILE: reads /var/log/biofence (exit $rc)"; else fail "no FILE: usage error"; fi
else
	run log verify
	expect "no FILE, no system log: exits 1" 1 $?
	expect "no FILE, no system log: names the agent's log" \
		"biofence log verify: /var/log/biofence/audit.jsonl: No such file or directory" "$(cat "$TMP/err")"
	run log show
	expect "show, no FILE, no system log: exits 1" 1 $?
	run report --html "$TMP/r2.html"
	expect "report, no FILE, no system log: exits 1" 1 $?
	has "report, no FILE: names the agent's log" "biofence report: /var/log/biofence/audit.jsonl" "$TMP/err"
fi
run log verify --log "$TMP/nowhere/audit.jsonl"
expect "--log in a missing directory: exits 1" 1 $?
run report --html "$TMP/r3.html" --log "$L" "$L"
expect "report --log and FILE: 2" 2 $?

# --- keygen: the directory is made, a key is kept unless --force ---
K=$TMP/etc/biofence/log.key
run log keygen --key "$K"
expect "keygen in a missing directory: exits 0" 0 $?
expect "keygen: the directory is made 0700" 700 "$(stat -c %a "$TMP/etc/biofence")"
expect "keygen: the private key 0600" 600 "$(stat -c %a "$K")"
OLD_ID=$(sed -n 's/^key \([0-9a-f]*\):.*/\1/p' "$TMP/out")
cp "$K.pub" "$TMP/old.pub"
run log keygen --key "$K"
expect "keygen over a key: exits 1" 1 $?
has "keygen over a key: kept, and how to replace it" "a key is already there and is kept" "$TMP/err"
cmp -s "$K.pub" "$TMP/old.pub"
expect "keygen over a key: unchanged" 0 $?
run log keygen --key "$K" --force
expect "keygen --force: exits 0" 0 $?
has "keygen --force: where the old key went" "old key $OLD_ID moved aside: $K.$OLD_ID, $K.$OLD_ID.pub" "$TMP/out"
cmp -s "$K.$OLD_ID.pub" "$TMP/old.pub"
expect "keygen --force: the old public key kept" 0 $?
if cmp -s "$K.pub" "$TMP/old.pub"; then fail "keygen --force: a new key"; else pass "keygen --force: a new key"; fi
