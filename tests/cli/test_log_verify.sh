#!/bin/bash
# test_log_verify.sh - biofence log verify through the binary: logs written here per docs/audit-chain.md, tampered, and the exit codes and messages.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CLI=${BF_BUILD:-$ROOT/build}/biofence
TEST=test_log_verify
TMP=$(mktemp -d /tmp/bf-cli-logverify.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
pass() { echo "PASS: $TEST: $1"; }
fail() { echo "FAIL: $TEST: $1"; }
expect() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: want '$2', got '$3'"; fi; }
has() { if grep -qF -- "$2" "$3"; then pass "$1"; else fail "$1: no '$2' in $(cat "$3")"; fi; }

ZEROS=0000000000000000000000000000000000000000000000000000000000000000

# One record line for seq $1 with prev $2; H gets its hash. The hash is the
# SHA-256 of the body ending in prev; the hash member then replaces its "}".
rec() {
	local body="{\"seq\":$1,\"time\":\"2026-01-01T00:00:0$(($1 % 10))Z\",\"host\":\"gate1\",\"kind\":\"capture\",\"prev\":\"$2\"}"
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
verify() { "$CLI" log verify "$@" > "$TMP/out" 2> "$TMP/err"; }

A=$TMP/a.log
B=$TMP/b.log
mklog "$A" 5 "$ZEROS"
HEAD_A=$LAST
mklog "$B" 5 "$HEAD_A"
HEAD_B=$LAST

# --- intact ---
verify "$A"
expect "intact log exits 0" 0 $?
expect "intact log: the summary, that nothing vouches for who wrote it, nor for its end" \
	"$A: 5 records, chain intact (seq 1..5)|NOT SIGNED: no checkpoint in these files: the chain shows changes, not who wrote it|note: the end cannot be vouched for: no head file $A.head and no agent stop record at the end, so records cut off at the end would not show (--head SEQ:HASH from biofence status checks the live end)" "$(paste -sd'|' "$TMP/out")"
expect "intact log: nothing on stderr (not a tty, no --progress)" "" "$(cat "$TMP/err")"
verify "$A" "$B"
expect "two linked files exit 0" 0 $?
expect "two linked files: one summary" "$A $B: 10 records, chain intact (seq 1..5)" "$(head -n 1 "$TMP/out")"
verify --head "5:$HEAD_B" "$A" "$B"
expect "--head at the log's end exits 0" 0 $?

# --- the end cut off: only --head can tell ---
head -n 4 "$B" > "$TMP/b-cut.log"
verify "$A" "$TMP/b-cut.log"
expect "last record gone, no --head: exits 0" 0 $?
verify --head "5:$HEAD_B" "$A" "$TMP/b-cut.log"
expect "last record gone, --head: exits 1" 1 $?
expect "last record gone, --head: says where the log ends" \
	"$TMP/b-cut.log:4: seq 4: the end of the log was truncated: the log ends at seq 4, the head is seq 5" \
	"$(head -n 1 "$TMP/out")"
verify --head "5:$HEAD_A" "$A" "$B"
expect "--head with another hash exits 1" 1 $?
has "--head with another hash: a mismatch" "$B:5: seq 5: the log's last record is not the head the agent reports" "$TMP/out"

# --- an edit ---
sed '3s/gate1/gate9/' "$A" > "$TMP/edit.log"
verify "$TMP/edit.log"
expect "edited record exits 1" 1 $?
expect "edited record: FILE:LINE, seq and kind" \
	"$TMP/edit.log:3: seq 3: the record was edited: its \"hash\" is not the SHA-256 of its bytes" \
	"$(head -n 1 "$TMP/out")"
has "edited record: what held before it" "before it: 2 records intact (seq 1..2)" "$TMP/out"

# --- a deletion, a reordering ---
sed '3d' "$A" > "$TMP/del.log"
verify "$TMP/del.log"
expect "deleted record exits 1" 1 $?
expect "deleted record: FILE:LINE, seq and kind" \
	"$TMP/del.log:3: seq 4: records were deleted: seq 4 where 3 was expected: records 3..3 are gone" \
	"$(head -n 1 "$TMP/out")"
for n in 1 2 4 3 5; do sed -n "${n}p" "$A"; done > "$TMP/swap.log"
verify "$TMP/swap.log"
expect "swapped records exit 1" 1 $?
has "swapped records: a reordering at line 3" \
	"$TMP/swap.log:3: seq 4: a record was inserted or the records were reordered" "$TMP/out"

# --- a cut mid-record ---
cp "$A" "$TMP/cut.log"
truncate -s -20 "$TMP/cut.log"
verify "$TMP/cut.log"
expect "cut mid-record exits 1" 1 $?
expect "cut mid-record: the last line" \
	"$TMP/cut.log:5: the file was truncated mid-record: the last line has no newline: the file ends inside a record" \
	"$(head -n 1 "$TMP/out")"

# --- the link between files ---
head -n 4 "$A" > "$TMP/a-cut.log"
verify "$TMP/a-cut.log" "$B"
expect "earlier file's end gone exits 1" 1 $?
has "earlier file's end gone: blames the next file's first line" \
	"$B:1: seq 1: records at the end of the earlier file are missing (truncated)" "$TMP/out"

# --- a log from before the chain ---
{
	printf '{"seq":1,"kind":"capture"}\n{"seq":2,"kind":"capture"}\n'
	p=$ZEROS
	for i in 3 4 5; do rec "$i" "$p"; p=$H; done
} > "$TMP/old.log"
verify "$TMP/old.log"
expect "pre-chain prefix exits 0" 0 $?
expect "pre-chain prefix: summary and note" \
	"$TMP/old.log: 3 records, chain intact (seq 3..5)|note: records 1..2 predate the chain: not verifiable" \
	"$(head -n 2 "$TMP/out" | paste -sd'|')"

# --- progress ---
verify --progress "$A"
expect "--progress exits 0" 0 $?
has "--progress: updates on stderr" "verify: 100% ($A)" "$TMP/err"

# --- unreadable files ---
verify "$TMP/none.log"
expect "missing file exits 1" 1 $?
expect "missing file: the errno text" "biofence log verify: $TMP/none.log: No such file or directory" \
	"$(cat "$TMP/err")"
verify "$TMP"
expect "a directory exits 1" 1 $?
has "a directory: the errno text" "Is a directory" "$TMP/err"

# --- usage ---
verify --log "$A" "$A"
expect "--log and FILEs: usage error 2" 2 $?
has "--log and FILEs: says so" "give the log's files or --log, not both" "$TMP/err"
verify --head 5 "$A"
expect "--head without a hash: 2" 2 $?
has "--head without a hash: says the form" "--head \"5\" is not SEQ:HASH" "$TMP/err"
verify --frob "$A"
expect "unknown option: 2" 2 $?
"$CLI" log > /dev/null 2>&1
expect "log without a verb: 2" 2 $?
"$CLI" log frob > /dev/null 2>&1
expect "log with an unknown verb: 2" 2 $?
"$CLI" log verify --help > "$TMP/out" 2>&1
expect "log verify --help: 0" 0 $?
"$CLI" --help > "$TMP/out" 2>&1
has "biofence --help lists log verify" "biofence log verify [--head SEQ:HASH] [--pub FILE] [--progress] [--log LOG | FILE...]" "$TMP/out"
