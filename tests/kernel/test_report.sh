#!/bin/bash
# test_report.sh - biofence report --html on a log the real agent wrote, rendered by headless Chromium with no network: content, escaping, a screenshot.
. "$(dirname "$0")/lib.sh"
bf_setup

CHROMIUM=$(command -v chromium || true)
if [ -z "$CHROMIUM" ]; then skip "no chromium (make deps installs it)"; exit 0; fi
# Everything Chromium writes (profile, crash reports, dconf, temp files) stays under $TMP.
CR=$TMP/chromium
mkdir -p "$CR/home" "$CR/tmp"

mknod "$TMP/video1" c 81 "$CAM_MINOR2"
chmod 666 "$TMP/video1"
recognizer=$(helper_copy bf_open recognizer)
intruder=$(helper_copy bf_open intruder)
net=$(helper_copy bf_net gatecam)

write_policy() {
	policy "$TMP/p.policy" <<EOP
mode enforce
camera lobby path "$TMP/video0"
camera gate path "$TMP/video1"
app recognizer exe "$recognizer"
app gatecam exe "$net"
dest ctl4 127.0.0.2 tcp 4444
capture allow recognizer lobby
capture allow recognizer gate consent entry window 3s
capture allow gatecam lobby
export allow gatecam ctl4
export deny any any
capture deny any any
$1
EOP
}
write_policy ""
agent_start "$TMP/p.policy" --consent "$TMP/consent.jsonl" || { fail "agent start"; exit 1; }
ctl() { printf '%s\n' "$1" | socat -t 5 - "UNIX-CONNECT:$CTL"; }
rfc() { date -u -d "@$(( $(date +%s) + $1 ))" +%Y-%m-%dT%H:%M:%SZ; }

# lobby: allowed and denied; gate: 1 denied without a window, 1 allowed under one.
in_cg "$recognizer" "$TMP/video0" >/dev/null
in_cg "$intruder" "$TMP/video0" >/dev/null
in_cg "$recognizer" "$TMP/video1" >/dev/null
ctl "{\"cmd\":\"consent-grant\",\"grant\":{\"id\":\"g1\",\"subject\":\"p-1\",\"purpose\":\"entry\",\"cameras\":[\"gate\"],\"granted\":\"$(rfc -60)\",\"expires\":\"$(rfc 3600)\",\"notice\":\"v1\"}}" >/dev/null
ctl '{"cmd":"window-open","consent":"g1","app":"recognizer","camera":"gate","for":"2s"}' >/dev/null
in_cg "$recognizer" "$TMP/video1" >/dev/null
# exports: one to the named destination, one refused
in_cg "$net" --camera "$TMP/video0" tcp4 127.0.0.2 4444 >/dev/null
in_cg "$net" --camera "$TMP/video0" tcp4 127.0.0.3 9999 >/dev/null
check "the agent logged the captures and exports" wait_for '.kind == "capture" or .kind == "export"' 6
# a second policy by reload, then a stop and start: a downtime interval
write_policy "# reloaded"
"$CLI" reload --control "$CTL" >/dev/null
check "the reload is logged" wait_for '.event == "reload" and .result == "applied"' 1
agent_stop
sleep 0.2
agent_start "$TMP/p.policy" --consent "$TMP/consent.jsonl" || { fail "agent restart"; exit 1; }
agent_stop

# The file's name is hostile on purpose: it is shown in the page and must stay text.
evil="$TMP/a<b>bold<i>&\"q\".jsonl"
cp "$LOG" "$evil"
OUT=$TMP/report.html
check "biofence report --html writes the page" "$CLI" report --html "$OUT" "$evil"
expect "the page is 0644" "644" "$(stat -c %a "$OUT" 2>/dev/null)"
expect "no temporary file is left beside it" "0" "$(find "$TMP" -maxdepth 1 -name 'report.html.tmp.*' | wc -l)"
expect "the page names nothing on the network" "0" "$(grep -ciE 'https?://|<script|src=' "$OUT")"

# unshare -n: a fresh network namespace with only a down loopback, so no fetch could succeed.
chromium_run() {
	HOME=$CR/home XDG_CONFIG_HOME=$CR/home XDG_CACHE_HOME=$CR/home TMPDIR=$CR/tmp \
		timeout 60 unshare -n "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--user-data-dir="$CR/profile" --no-first-run --disable-extensions "$@" 2>>"$CR/err"
}
t0=$(date +%s%N)
chromium_run --dump-dom "file://$OUT" > "$TMP/dom.html"
dom_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "chromium rendered the page (DOM dumped)" grep -q '</html>' "$TMP/dom.html"
# The DOM's text: tags dropped, references decoded, runs of space folded, so rows read as "lobby 1 1".
text=$(sed 's/<[^>]*>/ /g; s/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&#39;/'"'"'/g; s/&amp;/\&/g' \
	"$TMP/dom.html" | tr -s ' \n\t' ' ')
has() { grep -qF -- "$1" <<< "$text"; }
check "the verify result: chain intact" has "chain intact"
check "the verify result: not signed (no key)" has "NOT SIGNED"
# lobby's allowed: the recognizer once, and gatecam once per bf_net run
check "lobby, a device: 3 allowed, 1 denied" has " lobby device 81:$CAM_MINOR 3 1 "
check "gate, a device: 1 allowed (under a window), 1 denied" has " gate device 81:$CAM_MINOR2 1 1 "
check "exports: ctl4 allowed 1, denied 0" has " ctl4 1 0 "
check "the refused address is among the top denied" has " 127.0.0.3 1 "
check "consent: 1 capture under a window" has "captures allowed under a consent window 1 "
check "consent: 1 window opened" has "windows opened 1 "
stop=$(jq -r 'select(.event == "stop") | .time' "$LOG" | head -1)
start=$(jq -r 'select(.event == "starting") | .time' "$LOG" | sed -n 2p)	# downtime ends when the agent is back
check "downtime: the stop before the restart is listed" has " $stop $start "
check "downtime: the final stop is shown" has "stopped at "
for sha in $(jq -r 'select(.kind == "agent") | (.policy.sha256? // .sha256 // empty)' "$LOG" | sort -u); do
	check "policy digest ${sha:0:12} is listed" has "$sha"
done
check "the hostile file name is shown as text" has "a<b>bold<i>&\"q\".jsonl"
expect "and never became markup" "0" "$(grep -cE '<(b|i)>' "$TMP/dom.html")"
expect "no script element in the DOM" "0" "$(grep -ci '<script' "$TMP/dom.html")"
check "the timeline is an inline SVG with both cameras" grep -qE '<svg[^>]*aria-label="captures and denials' "$TMP/dom.html"

chromium_run --screenshot="$TMP/shot.png" --window-size=1280,2000 "file://$OUT" >/dev/null
expect "the screenshot is a PNG" "89504e470d0a1a0a" "$(od -An -tx1 -N8 "$TMP/shot.png" 2>/dev/null | tr -d ' \n')"
# A blank page of the same size as a baseline: the report's pixels must compress far worse.
echo '<!DOCTYPE html><html><body></body></html>' > "$TMP/blank.html"
chromium_run --screenshot="$TMP/blank.png" --window-size=1280,2000 "file://$TMP/blank.html" >/dev/null
shot=$(stat -c %s "$TMP/shot.png" 2>/dev/null || echo 0)
blank=$(stat -c %s "$TMP/blank.png" 2>/dev/null || echo 0)
check "the screenshot is not blank ($shot bytes, a blank page $blank)" \
	test "$blank" -gt 0 -a "$shot" -gt $((blank * 4)) -a "$shot" -gt 20000
echo "report test: chromium $("$CHROMIUM" --version 2>/dev/null | awk '{ print $2 }'), dump-dom ${dom_ms} ms"
