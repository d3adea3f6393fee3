#!/bin/bash
# test_consent.sh - biofence consent/window on the ledger file when no agent runs, and the requests they send when a (fake) agent answers.
set -u
umask 022
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CLI=${BF_BUILD:-$ROOT/build}/biofence
TEST=test_consent
TMP=$(mktemp -d /tmp/bf-cli-consent.XXXXXX)
AGENT_PID=
cleanup() {
	[ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
pass() { echo "PASS: $TEST: $1"; }
fail() { echo "FAIL: $TEST: $1"; }
skip() { echo "SKIP: $TEST: $1"; }
expect() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: want '$2', got '$3'"; fi; }
has() { if grep -qF -- "$2" "$3"; then pass "$1"; else fail "$1: no '$2' in $(cat "$3")"; fi; }
hasnt() { if grep -qF -- "$2" "$3"; then fail "$1: '$2' in $(cat "$3")"; else pass "$1"; fi; }
sum() { sha256sum "$1" 2>/dev/null | cut -d' ' -f1; }

# Nothing listens on NOSOCK: every consent command takes the offline path.
NOSOCK=$TMP/none.sock
LEDGER=$TMP/lib/consent.jsonl
off() { "$CLI" consent "$@" --control "$NOSOCK" --consent "$LEDGER"; }
grant() {
	off grant --subject p-7f3a --purpose entry --cameras lobby,gate --expires +180d --notice v3 "$@"
}
# The grant rows of "consent list": "ID STATE".
states() { off list 2>/dev/null | awk 'NR > 1 { print $1, $5 }'; }

# --- grant, id generated ---
grant > "$TMP/out" 2> "$TMP/err"
expect "grant without --id succeeds" 0 $?
ID1=$(sed -n 's/^granted //p' "$TMP/out")
if [[ $ID1 =~ ^c-[0-9]{8}-[0-9]{6}-[0-9a-f]{4}$ ]]; then pass "generated id printed: $ID1"; else fail "generated id printed: '$ID1'"; fi
expect "generated id is today's (UTC)" "c-$(date -u +%Y%m%d)" "${ID1:0:10}"
has "offline note names the socket and the ledger" \
	"biofence: no agent on $NOSOCK; working on the ledger $LEDGER directly (running windows are not affected)" "$TMP/err"
expect "ledger created 0600" 600 "$(stat -c %a "$LEDGER" 2>/dev/null)"
expect "its directory created 0700" 700 "$(stat -c %a "$TMP/lib" 2>/dev/null)"
expect "one record in the ledger" 1 "$(wc -l < "$LEDGER")"
expect "the record is the grant" "$ID1 lobby,gate v3" \
	"$(jq -r '[.id, (.cameras | join(",")), .notice] | join(" ")' "$LEDGER" 2>/dev/null)"

# +180d: 180 days from now, in the ledger's UTC form
exp=$(jq -r .expires "$LEDGER" 2>/dev/null)
delta=$(( $(date -u -d "${exp%.*}Z" +%s 2>/dev/null || echo 0) - $(date -u +%s) - 180 * 86400 ))
if [ "$delta" -le 0 ] && [ "$delta" -ge -60 ]; then pass "+180d expires 180 days from now ($exp)"; else fail "+180d gave $exp (off by ${delta}s)"; fi

# --- grant, explicit id; a duplicate is refused and changes nothing ---
grant --id c-2026-0001 > "$TMP/out" 2>&1
expect "grant with --id succeeds" 0 $?
has "and prints that id" "granted c-2026-0001" "$TMP/out"
before=$(sum "$LEDGER")
grant --id c-2026-0001 > "$TMP/out" 2>&1
expect "duplicate id refused with exit 1" 1 $?
has "duplicate id: says why" "biofence: exists: a grant with id \"c-2026-0001\" is already in $LEDGER" "$TMP/out"
has "duplicate id: the ledger's diagnostic names the refused record and the line it clashes with" "$LEDGER: refused record: duplicate grant id (first granted on line 2)" "$TMP/out"
expect "duplicate id: ledger byte-identical" "$before" "$(sum "$LEDGER")"

# --- refusals of the command line itself (exit 2), nothing written ---
off grant --subject p-1 --purpose entry --cameras lobby --expires +1d > "$TMP/out" 2>&1
expect "missing --notice refused with exit 2" 2 $?
has "missing --notice: says so" "--notice is required" "$TMP/out"
expect "missing --notice: ledger byte-identical" "$before" "$(sum "$LEDGER")"
for bad in tomorrow 2027-02-30T00:00:00Z +180 +1w 2027-05-22 +99999999999d; do
	off grant --subject p-1 --purpose entry --cameras lobby --expires "$bad" --notice v3 > "$TMP/out" 2>&1
	expect "--expires $bad refused with exit 2" 2 $?
	has "--expires $bad: names the option and value" "--expires \"$bad\"" "$TMP/out"
done
off grant --subject p-1 --purpose entry --cameras lobby,,gate --expires +1d --notice v3 > "$TMP/out" 2>&1
expect "empty camera name refused with exit 2" 2 $?
off grant --subject p-1 --purpose entry --cameras lobby --expires +1d --notice v3 --notice v4 > "$TMP/out" 2>&1
expect "an option given twice refused with exit 2" 2 $?
has "option twice: says which" "--notice given twice" "$TMP/out"
expect "usage errors: ledger byte-identical" "$before" "$(sum "$LEDGER")"

# --- refusals of the ledger's checks (exit 1), nothing written ---
off grant --subject "Zhang Wei" --purpose entry --cameras lobby --expires +1d --notice v3 > "$TMP/out" 2>&1
expect "subject with a space refused with exit 1" 1 $?
has "bad subject: code" "biofence: bad-request:" "$TMP/out"
has "bad subject: the ledger's reason" "\"subject\" has a character outside [A-Za-z0-9._:-]" "$TMP/out"
off grant --subject p-1 --purpose entry --cameras lobby --granted +2d --expires +1d --notice v3 > "$TMP/out" 2>&1
expect "expires before granted refused with exit 1" 1 $?
has "expires before granted: the reason" "\"expires\" is not after \"granted\"" "$TMP/out"
off grant --subject p-1 --purpose entry --cameras lobby --expires +1d --notice v3 --guardian nobody > "$TMP/out" 2>&1
expect "unknown guardian refused with exit 1" 1 $?
has "unknown guardian: says which" "the guardian's grant \"nobody\" is not in $LEDGER" "$TMP/out"
off grant --subject p-1 --purpose entry --cameras lobby --expires +1d --notice v3 --id "$(printf 'x%.0s' {1..200})" > "$TMP/out" 2>&1
expect "200-character id refused with exit 1, not cut short" 1 $?
has "long id: says so" "--id is longer than 127 characters" "$TMP/out"
expect "ledger refusals: ledger byte-identical" "$before" "$(sum "$LEDGER")"

# --- states: active, expired, pending, revoked ---
off grant --id c-old --subject p-2 --purpose entry --cameras any --notice v2 \
	--granted 2020-01-01T00:00:00Z --expires 2021-01-01T00:00:00Z > "$TMP/out" 2>&1
expect "grant entirely in the past accepted" 0 $?
has "and reported expired at once" "state     expired" "$TMP/out"
off grant --id c-later --subject p-3 --purpose entry --cameras gate --notice v3 \
	--granted +1d --expires +2d > /dev/null 2>&1
expect "grant starting tomorrow accepted" 0 $?
off grant --id c-kid --subject p-4 --purpose entry --cameras lobby --notice v3 \
	--guardian c-old --expires +1d > /dev/null 2>&1
expect "grant with an (expired) guardian accepted: the ledger only needs it on an earlier line" 0 $?
states > "$TMP/states"
has "list: generated grant active" "$ID1 active" "$TMP/states"
has "list: explicit grant active" "c-2026-0001 active" "$TMP/states"
has "list: past grant expired" "c-old expired" "$TMP/states"
has "list: future grant pending" "c-later pending" "$TMP/states"
off list > "$TMP/out" 2> /dev/null
expect "list exits 0" 0 $?
expect "list header" "ID SUBJECT PURPOSE CAMERAS STATE EXPIRES" "$(head -1 "$TMP/out" | tr -s ' ')"
tr -s ' ' < "$TMP/out" > "$TMP/rows"
has "list row: id, subject, purpose, cameras, state, expires" "c-old p-2 entry any expired 2021-01-01T00:00:00.000000000Z" "$TMP/rows"
off show c-kid > "$TMP/out" 2> /dev/null
expect "show exits 0" 0 $?
has "show: the guardian" "guardian  c-old" "$TMP/out"
has "show: a minor's grant is unusable while the guardian's is expired" \
	"note      not usable: the guardian's grant c-old is expired" "$TMP/out"

off revoke c-2026-0001 > "$TMP/out" 2> "$TMP/err"
expect "revoke succeeds" 0 $?
has "revoke says so" "revoked c-2026-0001" "$TMP/out"
has "revoke offline warns that windows are untouched" "(running windows are not affected)" "$TMP/err"
expect "revoke appended one record" revoke "$(tail -1 "$LEDGER" | jq -r .type 2>/dev/null)"
states > "$TMP/states"
has "list: revoked after revoke" "c-2026-0001 revoked" "$TMP/states"
has "list: the other grant untouched" "$ID1 active" "$TMP/states"
before=$(sum "$LEDGER")
off revoke c-2026-0001 > "$TMP/out" 2>&1
expect "second revoke refused with exit 1" 1 $?
has "second revoke: code" "biofence: already-revoked: grant \"c-2026-0001\" was already revoked" "$TMP/out"
has "second revoke: where the first one is" "grant already revoked on line" "$TMP/out"
off revoke c-nope > "$TMP/out" 2>&1
expect "revoke of an unknown id refused with exit 1" 1 $?
has "revoke unknown: code" "biofence: no-grant: no grant with id \"c-nope\"" "$TMP/out"
off revoke c-later --time 2020-06-01T00:00:00Z > "$TMP/out" 2>&1
expect "revoke dated before the grant refused with exit 1" 1 $?
has "revoke before grant: the reason" "\"time\" is before the grant's \"granted\"" "$TMP/out"
off revoke c-later --time soon > "$TMP/out" 2>&1
expect "revoke with a bad --time refused with exit 2" 2 $?
expect "refused revokes: ledger byte-identical" "$before" "$(sum "$LEDGER")"
off show c-2026-0001 > "$TMP/out" 2> /dev/null
has "show: a revoked grant says when" "revoked   20" "$TMP/out"
off show c-nope > "$TMP/out" 2>&1
expect "show of an unknown id refused with exit 1" 1 $?
has "show unknown: code and id" "biofence: no-grant: no grant with id \"c-nope\" in $LEDGER" "$TMP/out"
off show > "$TMP/out" 2>&1
expect "show without an id is a usage error" 2 $?

# --- --json: one object, parsed by jq ---
off list --json > "$TMP/out" 2> /dev/null
expect "list --json exits 0" 0 $?
expect "list --json parses, all grants" "true 5" "$(jq -r '"\(.ok) \(.grants | length)"' "$TMP/out" 2>&1)"
expect "list --json states, in ledger order" "active revoked expired pending active" \
	"$(jq -r '[.grants[].state] | join(" ")' "$TMP/out" 2>&1)"
off show c-old --json > "$TMP/out" 2> /dev/null
expect "show --json parses" "c-old expired any" "$(jq -r '"\(.grant.id) \(.grant.state) \(.grant.cameras[0])"' "$TMP/out" 2>&1)"
off grant --subject p-9 --purpose entry --cameras lobby --expires +1h --notice v3 --json > "$TMP/out" 2> /dev/null
expect "grant --json parses" "true active" "$(jq -r '"\(.ok) \(.grant.state)"' "$TMP/out" 2>&1)"
expect "grant --json id is the one written" "$(jq -r .grant.id "$TMP/out" 2>&1)" "$(tail -1 "$LEDGER" | jq -r .id 2>&1)"
off show c-nope --json > "$TMP/out" 2> /dev/null
expect "an error with --json is the error reply on stdout" "false no-grant" \
	"$(jq -r '"\(.ok) \(.error.code)"' "$TMP/out" 2>&1)"

# --- a damaged ledger: refused whole, with FILE:LINE ---
echo 'this is not json' >> "$LEDGER"
bad_line=$(wc -l < "$LEDGER")
before=$(sum "$LEDGER")
off list > "$TMP/out" 2>&1
expect "list of a damaged ledger exits 1" 1 $?
has "damaged ledger: code" "biofence: ledger-invalid: the ledger $LEDGER is damaged" "$TMP/out"
has "damaged ledger: FILE:LINE: reason" "$LEDGER:$bad_line: not valid JSON" "$TMP/out"
off show "$ID1" > "$TMP/out" 2>&1
expect "show on a damaged ledger exits 1" 1 $?
grant > "$TMP/out" 2>&1
expect "grant on a damaged ledger exits 1" 1 $?
has "grant on a damaged ledger: FILE:LINE" "$LEDGER:$bad_line: not valid JSON" "$TMP/out"
off revoke "$ID1" > "$TMP/out" 2>&1
expect "revoke on a damaged ledger exits 1" 1 $?
expect "damaged ledger: byte-identical after the refusals" "$before" "$(sum "$LEDGER")"

# --- no ledger yet ---
"$CLI" consent list --control "$NOSOCK" --consent "$TMP/none/consent.jsonl" > "$TMP/out" 2> /dev/null
expect "list without a ledger file exits 0" 0 $?
has "and says there are none" "no grants" "$TMP/out"
"$CLI" consent revoke c-1 --control "$NOSOCK" --consent "$TMP/none/consent.jsonl" > "$TMP/out" 2>&1
expect "revoke without a ledger file exits 1" 1 $?
if [ -e "$TMP/none" ]; then fail "a refused revoke created the ledger's directory"; else pass "a refused revoke creates nothing"; fi

# --- windows need the agent: no fallback ---
"$CLI" window list --control "$NOSOCK" > "$TMP/out" 2>&1
expect "window list without an agent exits 1" 1 $?
has "window list without an agent: says so" "biofence: no-agent: no agent answers on $NOSOCK" "$TMP/out"
"$CLI" window open --consent c-1 --app rec --camera lobby --control "$NOSOCK" > "$TMP/out" 2>&1
expect "window open without an agent exits 1" 1 $?
"$CLI" window open --consent c-1 --camera lobby --control "$NOSOCK" > "$TMP/out" 2>&1
expect "window open without --app is a usage error" 2 $?
has "and says which option" "--app is required" "$TMP/out"
"$CLI" window close seven --control "$NOSOCK" > "$TMP/out" 2>&1
expect "window close with a non-numeric id is a usage error" 2 $?
"$CLI" window list --app x --control "$NOSOCK" > "$TMP/out" 2>&1
expect "window list with another command's option is a usage error" 2 $?
"$CLI" consent frobnicate > "$TMP/out" 2>&1
expect "unknown consent subcommand is a usage error" 2 $?

if ! command -v socat > /dev/null; then
	skip "socat not installed: stale socket and fake-agent tests"
	exit 0
fi

# --- a stale socket (agent died): connection refused, also offline ---
STALE=$TMP/stale.sock
timeout 5 socat UNIX-LISTEN:"$STALE",unlink-close=0 /dev/null > /dev/null 2>&1 &
sp=$!
for _ in $(seq 50); do [ -S "$STALE" ] && break; sleep 0.1; done
kill "$sp" 2> /dev/null; wait "$sp" 2> /dev/null
"$CLI" consent list --control "$STALE" --consent "$TMP/none/consent.jsonl" > "$TMP/out" 2> "$TMP/err"
expect "stale socket: list works on the file" 0 $?
has "stale socket: offline note" "biofence: no agent on $STALE; working on the ledger" "$TMP/err"

# --- a fake agent: what is sent, and how replies are shown ---
SOCK=$TMP/agent.sock
cat > "$TMP/agent.sh" <<EOF
#!/bin/bash
IFS= read -r line
printf '%s\n' "\$line" >> "$TMP/requests"
cat "$TMP/reply"
EOF
chmod +x "$TMP/agent.sh"
socat UNIX-LISTEN:"$SOCK",fork EXEC:"$TMP/agent.sh" > /dev/null 2>&1 &
AGENT_PID=$!
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
reply() { printf '%s\n' "$1" > "$TMP/reply"; }
last() { tail -1 "$TMP/requests" 2>/dev/null; }
on() { "$CLI" "$@" --control "$SOCK"; }

reply '{"ok":true,"window":{"id":7,"consent":"c-1","subject":"p-7f3a","purpose":"entry","notice":"v3","app":"rec","camera":"lobby","rule":"/etc/p:31","start":"2026-11-22T10:00:00.000000000Z","end":"2026-11-22T10:00:10.000000000Z"}}'
on window open --consent c-1 --app rec --camera lobby --for 10s > "$TMP/out" 2>&1
expect "window open through the agent exits 0" 0 $?
expect "window-open request, for as typed" '{"cmd":"window-open","consent":"c-1","app":"rec","camera":"lobby","for":"10s"}' "$(last | jq -c .)"
has "window open: human output" "window 7 open: app rec may open camera lobby until 2026-11-22T10:00:10.000000000Z" "$TMP/out"
on window close 7 > /dev/null 2>&1
expect "window-close request, id a number" '{"cmd":"window-close","id":7}' "$(last | jq -c .)"
reply '{"ok":true,"windows":[{"id":7,"consent":"c-1","app":"rec","camera":"lobby","end":"2262-01-01T00:00:00Z"},{"id":12,"consent":"c-long-id","app":"recognizer","camera":"gate","end":"2020-01-01T00:00:00Z"}]}'
on window list > "$TMP/out" 2>&1
expect "window list exits 0" 0 $?
expect "window list header" "ID APP CAMERA CONSENT END REMAINING" "$(head -1 "$TMP/out" | tr -s ' ')"
expect "window list: an ended window has 0 s left" "12 recognizer gate c-long-id 2020-01-01T00:00:00Z 0" "$(sed -n 3p "$TMP/out" | tr -s ' ')"
on window list --json > "$TMP/out" 2>&1
expect "window list --json is the reply" 12 "$(jq -r '.windows[1].id' "$TMP/out" 2>&1)"

reply '{"ok":false,"error":{"code":"window-too-long","message":"for 1h is longer than the rule'"'"'s window 30s"}}'
on window open --consent c-1 --app rec --camera lobby --for 1h > "$TMP/out" 2>&1
expect "an agent refusal exits 1" 1 $?
has "an agent refusal: CODE: message" "biofence: window-too-long: for 1h is longer than the rule's window 30s" "$TMP/out"

rm -f "$TMP/agent-ledger.jsonl"
reply '{"ok":true,"grant":{"id":"c-20261122-100000-3f2a","subject":"p-7f3a","purpose":"entry","cameras":["lobby"],"granted":"2026-11-22T10:00:00.000000000Z","expires":"2027-05-21T10:00:00.000000000Z","notice":"v3","state":"active"}}'
"$CLI" consent grant --subject p-7f3a --purpose entry --cameras lobby,gate --expires +180d --notice v3 \
	--control "$SOCK" --consent "$TMP/agent-ledger.jsonl" > "$TMP/out" 2> "$TMP/err"
expect "grant through the agent exits 0" 0 $?
has "grant through the agent: prints the agent's id" "granted c-20261122-100000-3f2a" "$TMP/out"
expect "grant through the agent: nothing on stderr (no note about the file)" "" "$(cat "$TMP/err")"
if [ -e "$TMP/agent-ledger.jsonl" ]; then fail "grant through the agent wrote --consent FILE"; else pass "grant through the agent leaves --consent FILE alone"; fi
expect "consent-grant request: members, no id or granted" "consent-grant cameras,expires,notice,purpose,subject lobby,gate" \
	"$(last | jq -r '"\(.cmd) \(.grant | keys | join(",")) \(.grant.cameras | join(","))"')"
if last | jq -e '.grant.expires | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$")' > /dev/null; then pass "consent-grant sends +180d as absolute UTC"; else fail "consent-grant expires: $(last)"; fi
on consent grant --subject p --purpose entry --cameras any --expires 2027-01-01T08:00:00+08:00 --granted 2026-01-01T00:00:00Z \
	--notice v3 --guardian c-g --id c-x > /dev/null 2>&1
expect "consent-grant request: explicit members, times normalised to UTC" \
	"c-x 2026-01-01T00:00:00.000000000Z 2027-01-01T00:00:00.000000000Z c-g" \
	"$(last | jq -r '.grant | "\(.id) \(.granted) \(.expires) \(.guardian)"')"

reply '{"ok":true,"revoked":"c-1","closed_windows":[7,9]}'
on consent revoke c-1 > "$TMP/out" 2>&1
expect "revoke through the agent exits 0" 0 $?
has "revoke through the agent: closed windows" "revoked c-1; closed windows 7, 9" "$TMP/out"
expect "consent-revoke request" '{"cmd":"consent-revoke","id":"c-1"}' "$(last | jq -c .)"
on consent revoke c-1 --time 2026-11-22T09:00:00Z > /dev/null 2>&1
expect "consent-revoke request with --time" '2026-11-22T09:00:00.000000000Z' "$(last | jq -r .time)"

reply '{"ok":false,"error":{"code":"bad-request","message":"grant refused","diagnostics":["/var/lib/biofence/consent.jsonl:4: \"purpose\" cannot be \"any\": consent is given for one purpose"]}}'
on consent grant --subject p --purpose any --cameras lobby --expires +1d --notice v3 > "$TMP/out" 2>&1
expect "agent refusal with diagnostics exits 1" 1 $?
has "agent refusal: code" "biofence: bad-request: grant refused" "$TMP/out"
has "agent refusal: each diagnostic on its own line" "/var/lib/biofence/consent.jsonl:4: \"purpose\" cannot be" "$TMP/out"

reply '{"ok":true,"grants":[{"id":"c-1","subject":"p-1","purpose":"entry","cameras":["lobby","gate"],"expires":"2027-01-01T00:00:00.000000000Z","state":"active"}]}'
on consent list > "$TMP/out" 2>&1
expect "list through the agent" "c-1 p-1 entry lobby,gate active 2027-01-01T00:00:00.000000000Z" "$(sed -n 2p "$TMP/out" | tr -s ' ')"
expect "consent-list request" '{"cmd":"consent-list"}' "$(last | jq -c .)"
reply '{"ok":true,"grant":{"id":"c-1","state":"revoked","revoked":"2026-11-22T10:00:00Z","windows":[7,9]}}'
on consent show c-1 > "$TMP/out" 2>&1
has "show through the agent: windows" "windows   7, 9" "$TMP/out"
expect "consent-show request" '{"cmd":"consent-show","id":"c-1"}' "$(last | jq -c .)"

# --- an agent that takes the request and never answers (flooded, hung): a withdrawal is still recorded ---
L2=$TMP/lib2/consent.jsonl
"$CLI" consent grant --control "$NOSOCK" --consent "$L2" --id c-fl --subject p-9 --purpose entry \
	--cameras lobby --expires +1d --notice v3 > /dev/null 2>&1
: > "$TMP/reply"
"$CLI" consent revoke c-fl --control "$SOCK" --consent "$L2" > "$TMP/out" 2> "$TMP/err"
expect "revoke when the agent does not answer: recorded anyway, exit 0" 0 $?
has "... saying the agent closes the windows when it next reads the ledger" \
	"the withdrawal is written to the ledger $L2 directly" "$TMP/err"
expect "... the ledger's last record is the revoke" "revoke c-fl" "$(tail -1 "$L2" | jq -r '"\(.type) \(.id)"')"
