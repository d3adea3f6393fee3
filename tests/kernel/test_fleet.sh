#!/bin/bash
# test_fleet.sh - out to the fleet: every record reaches a real rsyslog on loopback as RFC 5424 with its JSON intact; the metrics file stays whole and current.
. "$(dirname "$0")/lib.sh"
bf_setup
if ! command -v rsyslogd >/dev/null; then skip "rsyslogd is not installed (make deps)"; exit 0; fi

RS=$TMP/rsyslog
RECV=$RS/received.log
PROM=$TMP/textfile/biofence.prom
RS_PID= RS_JOB= RS_PORT=
mkdir -p "$RS" "$TMP/textfile"
devlog_before=$(ls -l /dev/log 2>&1)

# Only our own files: explicit config, work dir in temp, UDP on loopback, no imuxsock (never /dev/log),
# and only our messages kept, each as its header fields and the MSG, tab-separated (JSON holds no raw tab).
rsyslog_conf() {
	cat > "$RS/rsyslog.conf" <<EOC
global(workDirectory="$RS" maxMessageSize="64k")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="$1")
template(name="bfmsg" type="string" string="%pri%\t%hostname%\t%app-name%\t%procid%\t%msgid%\t%structured-data%\t%msg%\n")
if \$app-name == "biofenced" then {
	action(type="omfile" file="$RECV" template="bfmsg")
}
EOC
}

# In the test cgroup, so the harness's cleanup kills it whatever happens. A random free high port;
# another taker between our look and its bind just means another try.
rsyslog_start() {
	local try i port
	for try in 1 2 3 4 5 6 7 8; do
		port=$((20000 + RANDOM % 40000))
		ss -Hlun "sport = :$port" | grep -q . && continue
		rsyslog_conf "$port"
		in_cg rsyslogd -n -f "$RS/rsyslog.conf" -i "$RS/rsyslogd.pid" >> "$RS/rsyslogd.out" 2>&1 &
		RS_JOB=$!	# the job's shell; rsyslogd itself is named by its pid file
		for i in $(seq 50); do
			if ss -Hlunp "sport = :$port" | grep -q rsyslogd && [ -s "$RS/rsyslogd.pid" ]; then
				RS_PORT=$port
				RS_PID=$(cat "$RS/rsyslogd.pid")
				return 0
			fi
			kill -0 "$RS_JOB" 2>/dev/null || break
			sleep 0.1
		done
		rsyslog_stop
	done
	return 1
}

rsyslog_stop() {
	[ -s "$RS/rsyslogd.pid" ] && kill "$(cat "$RS/rsyslogd.pid")" 2>/dev/null
	wait "$RS_JOB" 2>/dev/null
	rm -f "$RS/rsyslogd.pid"
}

# metric NAME: its value in the metrics file (empty if absent).
metric() { awk -v n="$1" '$1 == n { print $2 }' "$PROM" 2>/dev/null; }

# The record with seq N exactly as the audit log holds it (seq is each line's first member).
raw_line() { grep -m1 "^{\"seq\":$1," "$LOG"; }

# received_field SEQ FIELD: a header field (1 pri .. 6 sd) of the message carrying record SEQ.
received_field() { awk -F'\t' -v s="{\"seq\":$1," -v f="$2" 'index($7, s) == 1 { print $f; exit }' "$RECV"; }

# wait_received N: until every one of the log's first N lines is in rsyslog's file, byte for byte.
log_lines_received() {
	[ -f "$RECV" ] || return 1
	[ -z "$(comm -23 <(head -n "$1" "$LOG" | sort) <(cut -f7- "$RECV" | sort))" ]
}
wait_received() {
	local i
	for i in $(seq 50); do log_lines_received "$1" && return 0; sleep 0.1; done
	return 1
}

# metrics_whole: the file parses (every non-comment line "name value") and holds all twelve metrics.
metrics_whole() {
	[ "$(grep -vc '^# \(HELP\|TYPE\) biofence_' "$1")" = 12 ] &&
		[ "$(grep -v '^#' "$1" | grep -Ec '^biofence_[a-z_]+ [0-9]+$')" = 12 ] &&
		[ "$(tail -n1 "$1" | cut -d' ' -f1)" = biofence_syslog_errors_total ]
}

# wait_metric NAME MIN [SECONDS]: until NAME >= MIN (the file is rewritten every 5 s).
wait_metric() {
	local i v
	for i in $(seq $((${3:-8} * 10))); do
		v=$(metric "$1")
		[ -n "$v" ] && [ "$v" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

rsyslog_start || { fail "rsyslogd started on loopback: $(cat "$RS/rsyslogd.out")"; exit 1; }
check "rsyslogd (its pid file, -i) runs in the test cgroup, for the cleanup to end it" grep -qx "$RS_PID" "$CG/cgroup.procs"

allowed=$(helper_copy bf_open recognizer)
other=$(helper_copy bf_open intruder)
policy "$TMP/p.policy" <<EOP
mode enforce
camera lobby path "$TMP/video0"
app recognizer exe "$allowed"
capture allow recognizer lobby
capture deny any any
EOP
if "$AGENT" --policy "$TMP/p.policy" --syslog 127.0.0.1 --cgroup "$CG" --pin-dir "$PIN" --log "$LOG" \
	--control "$CTL" 2>/dev/null; then
	fail "a --syslog target without a port is refused"
else
	pass "a --syslog target without a port is refused"
fi
check "...before anything was attached or logged" test ! -e "$PIN" -a ! -e "$LOG"
agent_start "$TMP/p.policy" --syslog "127.0.0.1:$RS_PORT" --metrics "$PROM" || { fail "agent start"; exit 1; }

# (a) syslog
check "the start record reached rsyslog" wait_received 1
expect "allowed exe opens the camera" "ok=0 EPERM=0 ENXIO=1 other=0" "$(in_cg "$allowed" "$TMP/video0")"
expect "other exe is refused" "ok=0 EPERM=1 ENXIO=0 other=0" "$(in_cg "$other" "$TMP/video0")"
check "allow and deny logged" wait_for '.kind == "capture"' 2
allow=$(jq -r 'select(.kind == "capture" and .verdict == "allow") | .seq' "$LOG")
deny=$(jq -r 'select(.kind == "capture" and .verdict == "deny") | .seq' "$LOG")
n=$(wc -l < "$LOG")
check "every record of the log reached rsyslog, byte for byte" wait_received "$n"
for s in "$allow" "$deny"; do
	msg=$(cut -f7- "$RECV" | grep -m1 "^{\"seq\":$s,")
	expect "record $s: jq parses the MSG; same seq and hash as the log" \
		"$(raw_line "$s" | jq -r '"\(.seq) \(.hash)"')" "$(jq -r '"\(.seq) \(.hash)"' <<< "$msg")"
done
expect "allow: PRI 85 (authpriv.notice); host, app, pid, msgid, no SD" \
	"85 $(raw_line "$allow" | jq -r .host) biofenced $AGENT_PID audit -" \
	"$(for f in 1 2 3 4 5 6; do received_field "$allow" $f; done | xargs)"
expect "deny: PRI 84 (authpriv.warning)" "84" "$(received_field "$deny" 1)"
expect "agent start: PRI 85" "85" "$(received_field 1 1)"
cut -f7- "$RECV" > "$TMP/from-rsyslog.jsonl"
check "what rsyslog stored verifies as the log's own hash chain" "$CLI" log verify "$TMP/from-rsyslog.jsonl"

# (b) metrics
check "the metrics file is there once the agent runs" test -f "$PROM"
check "it parses: every non-comment line is 'name value', all twelve metrics" metrics_whole "$PROM"
check "each metric has # HELP and # TYPE" \
	test "$(grep -c '^# HELP biofence_' "$PROM") $(grep -c '^# TYPE biofence_' "$PROM")" = "12 12"
expect "agent_up 1 and enforcing 1 while running" "1 1" "$(metric biofence_agent_up) $(metric biofence_enforcing)"
check "the capture denial is counted" wait_metric biofence_capture_denials_total 1
d0=$(metric biofence_capture_denials_total)
e0=$(metric biofence_events_total)
# A reader racing the 5 s rewrites: every read must be a whole file, and a rewrite must happen meanwhile.
(
	ino0=$(stat -c %i "$PROM") torn=0 reads=0 renamed=0
	end=$((SECONDS + 7))
	while [ $SECONDS -lt $end ]; do
		cp "$PROM" "$TMP/read.prom" 2>/dev/null && { metrics_whole "$TMP/read.prom" || torn=$((torn + 1)); }
		reads=$((reads + 1))
		[ "$(stat -c %i "$PROM")" != "$ino0" ] && renamed=1
		sleep 0.01
	done
	echo "$torn $renamed $reads" > "$TMP/reader.out"
) &
reader=$!
expect "a second denial" "ok=0 EPERM=1 ENXIO=0 other=0" "$(in_cg "$other" "$TMP/video0")"
check "the denial counter moves" wait_metric biofence_capture_denials_total $((d0 + 1))
check "so does the event counter" wait_metric biofence_events_total $((e0 + 1))
wait "$reader"
read -r torn renamed reads < "$TMP/reader.out"
expect "$reads reads racing the rewrites: none saw a partial file; it was replaced meanwhile" "0 1" "$torn $renamed"
expect "no syslog error while rsyslog listens" "0" "$(metric biofence_syslog_errors_total)"

# A collector that goes away costs copies, counted, never the audit log.
rsyslog_stop
check "rsyslogd is gone" sh -c "! kill -0 $RS_PID"
before=$(wc -l < "$LOG")
for i in 1 2 3; do in_cg "$other" "$TMP/video0" >/dev/null; sleep 0.1; done
check "the audit log has all three denials with rsyslog gone" wait_for '.kind == "capture" and .verdict == "deny"' 5
check "the failed sends are counted in the metrics" wait_metric biofence_syslog_errors_total 1
expect "...and in status" "true" \
	"$("$CLI" status --json --control "$CTL" --pin-dir "$PIN" | jq '.status.counters.syslog_errors >= 1')"
check "no audit record was lost to it" test "$(metric biofence_log_errors_total)" = 0 -a "$(wc -l < "$LOG")" -ge $((before + 3))

agent_stop
check "after a clean stop the file is whole" metrics_whole "$PROM"
expect "agent_up 0 after a clean stop" "0" "$(metric biofence_agent_up)"
expect "no temp file is left beside it" "biofence.prom" "$(ls "$TMP/textfile")"
expect "rsyslog never touched /dev/log" "$devlog_before" "$(ls -l /dev/log 2>&1)"
