#!/bin/bash
# test_check.sh - biofence check and biofenced -n on the shipped policies and on broken ones, as a policy author runs them.
set -u
umask 022
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CLI=${BF_BUILD:-$ROOT/build}/biofence
AGENT=${BF_BUILD:-$ROOT/build}/biofenced
TEST=test_check
TMP=$(mktemp -d /tmp/bfcheck.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
pass() { echo "PASS: $TEST: $1"; }
fail() { echo "FAIL: $TEST: $1"; }
expect() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: want '$2', got '$3'"; fi; }
has() { if grep -qF -- "$2" "$3"; then pass "$1"; else fail "$1: no '$2' in $(cat "$3")"; fi; }

"$CLI" check "$ROOT/policies/default.policy" > "$TMP/out" 2>&1
expect "default.policy is valid" 0 $?
has "default.policy summary says every camera is denied" "any other process is denied every camera" "$TMP/out"
has "summary names the rule location" "default.policy:16]" "$TMP/out"

# The example names /opt/gate/bin/recognizer, absent here: exactly that error.
"$CLI" check "$ROOT/policies/examples/gate.policy" > "$TMP/out" 2>&1
expect "gate.policy on a host without the recognizer is invalid" 1 $?
has "and says exactly why, with line and column" "gate.policy:15:20: exe \"/opt/gate/bin/recognizer\" does not exist" "$TMP/out"
expect "and nothing else is wrong with it" 1 "$(grep -c ': exe \|: error\|:[0-9]*:[0-9]*: ' "$TMP/out")"

# With the recognizer present (and pinned), the example is valid and explained.
cp /bin/true "$TMP/recognizer"
sum=$(sha256sum "$TMP/recognizer" | cut -d' ' -f1)
sed "s|^app recognizer exe \"/opt/gate/bin/recognizer\"|app recognizer exe \"$TMP/recognizer\" sha256 \"$sum\"|" \
	"$ROOT/policies/examples/gate.policy" > "$TMP/gate.policy"
"$CLI" check "$TMP/gate.policy" > "$TMP/out" 2>&1
expect "gate.policy with the recognizer installed is valid" 0 $?
has "summary: recognizer may open lobby" "recognizer" "$TMP/out"
has "summary: third parties denied" "DENIED: any process trying to send to any destination" "$TMP/out"
has "summary notes units that do not exist on this host" "note: app nvr cannot match on this host now" "$TMP/out"

# Many mistakes, one pass, every one with FILE:LINE:COL.
cat > "$TMP/bad.policy" <<EOP
mode enforce
camra lobby path "/dev/video0"
app rec exe "$TMP/recognizer" sha256 "$(printf '%064d' 0)"
app rec unit "x.service"
dest far 10.0.0.1/24 tcp 443
dest near 10.0.0.0/24 tcp 70000
include "$TMP/nowhere.policy"
capture allow ghost lobby
EOP
"$CLI" check "$TMP/bad.policy" > "$TMP/out" 2>&1
expect "a broken policy exits 1" 1 $?
has "unknown keyword" "bad.policy:2:1: unknown keyword \"camra\"" "$TMP/out"
has "sha256 that does not match the file" "bad.policy:3:" "$TMP/out"
has "duplicate name" "bad.policy:4:5: duplicate app \"rec\"" "$TMP/out"
has "bad CIDR" "bad.policy:5:10:" "$TMP/out"
has "port out of range" "bad.policy:6:27: port out of range" "$TMP/out"
has "unreadable include" "bad.policy:7:9: cannot read include" "$TMP/out"
has "undefined name" "bad.policy:8:15: undefined app \"ghost\"" "$TMP/out"
has "undefined camera too" "bad.policy:8:21: undefined camera \"lobby\"" "$TMP/out"

# biofenced -n checks the way the agent loads: a world-writable file is refused.
cp "$TMP/gate.policy" "$TMP/ww.policy" && chmod 0666 "$TMP/ww.policy"
"$AGENT" -n --policy "$TMP/ww.policy" > "$TMP/out" 2>&1
expect "biofenced -n refuses a world-writable policy" 1 $?
has "naming the file" "ww.policy:1:1: refusing" "$TMP/out"
chmod 0644 "$TMP/ww.policy"
"$AGENT" -n --policy "$TMP/ww.policy" > "$TMP/out" 2>&1
expect "biofenced -n accepts it once fixed" 0 $?
