#!/bin/bash
# test_log_show.sh - biofence log show and log stats through the binary, over sample logs written here (no hashes needed).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CLI=${BF_BUILD:-$ROOT/build}/biofence
TEST=test_log_show
TMP=$(mktemp -d /tmp/bf-cli-logshow.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
pass() { echo "PASS: $TEST: $1"; }
fail() { echo "FAIL: $TEST: $1"; }
expect() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: want '$2', got '$3'"; fi; }
has() { if grep -qF -- "$2" "$3"; then pass "$1"; else fail "$1: no '$2' in $(cat "$3")"; fi; }
hasnt() { if ! grep -qF -- "$2" "$3"; then pass "$1"; else fail "$1: '$2' in $(cat "$3")"; fi; }

A=$TMP/audit.log.1
B=$TMP/audit.log
H='"host":"gate1"'
{
	printf '{"seq":1,"time":"2026-01-01T00:00:00Z",%s,"kind":"agent","event":"start","version":"1"}\n' "$H"
	printf '{"seq":2,"time":"2026-01-01T00:01:00Z",%s,"kind":"capture","verdict":"allow","enforced":true,"rule":"/etc/p.policy:3","pid":42,"comm":"cam","app":"gatecam","camera":"frontcam","device":"81:0","consent":{"id":"g1","subject":"p-g1","purpose":"entry","window":{"id":7}}}\n' "$H"
	printf '{"seq":3,"time":"2026-01-01T00:02:00Z",%s,"kind":"capture","verdict":"deny","enforced":false,"rule":"/etc/p.policy:5","pid":43,"comm":"intruder","app":"other","camera":"backcam","device":"81:1"}\n' "$H"
	printf 'this line is not a record\n'
	printf '{"seq":4,"time":"2026-01-01T00:03:00Z",%s,"kind":"export","verdict":"deny","enforced":true,"rule":"/etc/p.policy:7","pid":42,"comm":"cam","app":"gatecam","dest":{"ip":"127.0.0.3","port":4444,"proto":"tcp"},"dest_set":"upload"}\n' "$H"
	printf '{"seq":5,"time":"2026-01-01T00:04:00Z",%s,"kind":"consent","event":"window-open","app":"gatecam","camera":"frontcam","rule":"/etc/p.policy:2","consent":{"id":"g1","subject":"p-g1","purpose":"entry","window":{"id":7}}}\n' "$H"
	printf '{"seq":6,"time":"2026-01-01T00:05:00Z",%s,"kind":"lost","count":12,"reason":"ring buffer full"}\n' "$H"
	printf '{"seq":7,"time":"2026-01-01T00:06:00Z",%s,"kind":"agent","event":"stop","reason":"signal 15"}\n' "$H"
} > "$A"
{
	printf '{"seq":1,"time":"2026-01-01T00:16:00Z",%s,"kind":"agent","event":"start"}\n' "$H"
	printf '{"seq":2,"time":"2026-01-01T00:17:00Z",%s,"kind":"export","event":"quota-hit","verdict":"deny","enforced":true,"quota":{"name":"gatecam/upload"},"app":"gatecam","dest_set":"upload","pid":1}\n' "$H"
	printf '{"seq":3,"time":"2026-01-01T00:18:00Z",%s,"kind":"checkpoint","key":"ab","covers_seq":2}\n' "$H"
	printf '{"seq":4,"time":"2026-01-01T01:18:00Z",%s,"kind":"agent","event":"start"}\n' "$H"
	printf '{"seq":5,"time":"2026-01-01T01:19:00Z",%s,"kind":"ipc","verdict":"deny","enforced":true,"rule":"default","app":"gatecam","unix":{"address":"@upload"},"pid":5,"comm":"cam"}\n' "$H"
	printf '{"seq":6,"time":"2026-01-01T01:20:00Z",%s,"kind":"export","verdict":"deny","enforced":true,"rule":"/etc/p.policy:7","app":"gatecam","dest":{"ip":"10.9.9.9","port":443,"proto":"tcp"},"dest_set":"upload"}\n' "$H"
	printf '{"seq":7,"time":"2026-01-01T01:21:00Z"\n'
} > "$B"

show() { "$CLI" log show "$@" > "$TMP/out" 2> "$TMP/err"; }
# the seq of each line shown with --json, space-separated
seqs() { show --json "$@"; sed 's/^{"seq":\([0-9]*\),.*/\1/' "$TMP/out" | paste -sd' '; }

# --- the table ---
show "$A" "$B"
expect "show exits 0" 0 $?
expect "the header names the columns" "TIME KIND VERDICT APP OBJECT PID/COMM RULE" "$(head -n 1 "$TMP/out" | tr -s ' ')"
expect "one row per record, both files" 13 "$(($(wc -l < "$TMP/out") - 1))"
has "a capture: camera and device, pid/comm, rule" "frontcam (81:0)" "$TMP/out"
expect "an audit-mode denial says so" "deny(audit)" "$(grep intruder "$TMP/out" | awk '{print $3}')"
has "an export: ip:port/proto and the set" "127.0.0.3:4444/tcp (upload)" "$TMP/out"
has "a consent window: id, camera, consent, subject" "window 7 frontcam consent g1 (p-g1)" "$TMP/out"
has "a unix address" "@upload" "$TMP/out"
has "a lost record says how many" "12 events lost" "$TMP/out"
has "the kind shows the event" "agent/stop" "$TMP/out"
expect "columns are aligned" 1 "$(sed -n '2,14p' "$TMP/out" | awk '{print index($0, $2)}' | sort -u | wc -l)"
expect "lines that are not records are counted on stderr, first one named" \
	"biofence log show: 2 lines were not records (the first: $A:4)" "$(cat "$TMP/err")"

# --- --json: the records as written ---
show --json "$A" "$B"
expect "--json prints the records byte for byte" "$(grep -h '^{"seq":[0-9]*,"time":"[^"]*",' "$A" "$B" | grep -v ':21:00Z"$')" "$(cat "$TMP/out")"
has "--json still counts what is not a record" "2 lines were not records" "$TMP/err"

# --- each filter ---
expect "--kind" "2 3" "$(seqs --kind capture "$A")"
expect "--kind, two kinds" "4 6 2 6" "$(seqs --kind export,lost "$A" "$B")"
expect "--verdict deny" "3 4 2 5 6" "$(seqs --verdict deny "$A" "$B")"
expect "--verdict allow" "2" "$(seqs --verdict allow "$A" "$B")"
expect "--app" "3" "$(seqs --app other "$A" "$B")"
expect "--camera by name" "2 5" "$(seqs --camera frontcam "$A")"
expect "--camera by device" "3" "$(seqs --camera 81:1 "$A")"
expect "--dest by set" "4 2 6" "$(seqs --dest upload "$A" "$B")"
expect "--dest by ip" "6" "$(seqs --dest 10.9.9.9 "$A" "$B")"
expect "--dest by unix address" "5" "$(seqs --dest @upload "$B")"
expect "--consent" "2 5" "$(seqs --consent g1 "$A" "$B")"
expect "--subject" "2 5" "$(seqs --subject p-g1 "$A" "$B")"
expect "--since is inclusive" "4 5 6 7" "$(seqs --since 2026-01-01T00:03:00Z "$A")"
expect "--until is exclusive" "1 2" "$(seqs --until 2026-01-01T00:02:00Z "$A")"
expect "--since with an offset (+01:00)" "3 4 5 6" "$(seqs --since 2026-01-01T01:18:00+01:00 "$B")"
expect "filters combine" "4 6" "$(seqs --kind export --verdict deny --app gatecam --dest upload --since 2026-01-01T00:00:00Z "$A" "$B" | cut -d' ' -f1,3)"

# --- relative times, against records stamped from now ---
R=$TMP/recent.log
for ago in 3 90 300; do
	printf '{"seq":%d,"time":"%s",%s,"kind":"capture","verdict":"allow"}\n' "$ago" \
		"$(date -u -d "-$ago minutes" +%Y-%m-%dT%H:%M:%SZ)" "$H"
done > "$R"
expect "--since -2h" "3 90" "$(seqs --since -2h "$R")"
expect "--since -30m" "3" "$(seqs --since -30m "$R")"
expect "--since -7d" "3 90 300" "$(seqs --since -7d "$R")"
expect "--until -1h" "90 300" "$(seqs --until -1h "$R")"

show --kind agent --since 2030-01-01T00:00:00Z "$A"
expect "nothing matches: said in words" "no records match" "$(cat "$TMP/out")"

# --- usage and read errors ---
show --kind captures "$A"
expect "an unknown kind exits 2" 2 $?
has "... and names it" 'unknown kind "captures"' "$TMP/err"
show --verdict maybe "$A"
expect "a bad verdict exits 2" 2 $?
show --since yesterday "$A"
expect "a bad time exits 2" 2 $?
has "... and says what a time is" "is not RFC 3339, now or -N[smhdw]" "$TMP/err"
show --json --log "$A" "$A"
expect "--log and FILEs exits 2" 2 $?
show --json --log "$TMP/missing.log"
expect "--log naming no file exits 1" 1 $?
has "... naming it" "$TMP/missing.log: No such file or directory" "$TMP/err"
show "$TMP/missing.log"
expect "an unreadable file exits 1" 1 $?
has "... with the reason" "$TMP/missing.log: No such file or directory" "$TMP/err"
show --json - < "$A"
expect "- reads stdin" 7 "$(wc -l < "$TMP/out")"
"$CLI" log --help > "$TMP/out" 2>&1
has "log --help lists show" "biofence log show" "$TMP/out"
"$CLI" log show --help > "$TMP/out" 2>&1
expect "log show --help exits 0" 0 $?

# --- stats ---
"$CLI" log stats "$A" "$B" > "$TMP/out" 2> "$TMP/err"
expect "stats exits 0" 0 $?
has "stats: the range" "records: 13, 2026-01-01T00:00:00.000000000Z .. 2026-01-01T01:20:00.000000000Z" "$TMP/out"
expect "stats: captures per camera and app" "backcam other 0 1 1|frontcam gatecam 1 0 0" \
	"$(sed -n '/^captures by camera/,/^denials/p' "$TMP/out" | sed '1,2d;$d' | tr -s ' ' | sed 's/^ //' | paste -sd'|')"
expect "stats: denials by rule" "/etc/p.policy:7 2" "$(grep '/etc/p.policy:7' "$TMP/out" | tr -s ' ' | sed 's/^ //')"
has "stats: the crash is downtime from the last record" \
	"2026-01-01T00:18:00.000000000Z .. 2026-01-01T01:18:00.000000000Z  1:00:00.000  crash (no stop record)" "$TMP/out"
has "stats: the stop to the start" "2026-01-01T00:06:00.000000000Z .. 2026-01-01T00:16:00.000000000Z  0:10:00.000  stopped" "$TMP/out"
has "stats: downtime total" "agent downtime: 2 intervals (1 after a crash), 1:10:00.000 in total" "$TMP/out"
has "stats: lost" "lost events: 12 (in 1 lost record)" "$TMP/out"
has "stats: quota hits" "quota hits: 1" "$TMP/out"
has "stats: consent" "consent windows: 1 opened, 0 refused, 0 expired, 0 closed early" "$TMP/out"
has "stats: checkpoints" "checkpoints: 1" "$TMP/out"
has "stats: not records on stderr" "2 lines were not records" "$TMP/err"

"$CLI" log stats --json "$A" "$B" > "$TMP/out" 2> /dev/null
expect "stats --json is one object with the same counts" "13 2 12 2 3600000 1 1" \
	"$(jq -r '"\(.records) \(.not_records) \(.lost.events) \(.downtime.intervals) \(.downtime.list[1].ms) \(.quota_hits.total) \(.consent.captures_under_window)"' "$TMP/out")"
expect "stats --json: export denials by set and ip" "upload 0 2|10.9.9.9 1|127.0.0.3 1" \
	"$(jq -r '(.exports[] | "\(.dest_set) \(.allowed) \(.denied)"), (.export_denials_by_ip[] | "\(.ip) \(.count)")' "$TMP/out" | paste -sd'|')"
"$CLI" log stats --json --since 2026-01-01T00:10:00Z --until 2026-01-01T01:00:00Z "$A" "$B" > "$TMP/out" 2> /dev/null
expect "stats --since/--until: counts, and downtime clipped to the range" "3 2 2880000" \
	"$(jq -r '"\(.records) \(.downtime.intervals) \(.downtime.total_ms)"' "$TMP/out")"
"$CLI" log stats --json "$A" > "$TMP/out" 2> /dev/null
expect "stats: stopped at the end of the files" "2026-01-01T00:06:00.000000000Z" "$(jq -r '.downtime.down_at_end.since' "$TMP/out")"
"$CLI" log stats --kind capture "$A" > /dev/null 2>&1
expect "stats takes no --kind: exits 2" 2 $?
