#!/bin/bash
# test_consent.sh - consent-gated capture: windows opened by a broker, ended by the kernel on time, refused for every bad reason.
. "$(dirname "$0")/lib.sh"
bf_setup

# No V4L2 driver on a test VM: 1:7 (/dev/full's numbers) stands in for a camera
# whose open succeeds, so a process can hold it; 81:$CAM_MINOR2 has no driver (ENXIO = let through).
mknod "$TMP/cam0" c 1 7
mknod "$TMP/video1" c 81 "$CAM_MINOR2"
chmod 666 "$TMP/cam0" "$TMP/video1"
recognizer=$(helper_copy bf_open recognizer)
cp /usr/bin/socat "$TMP/doorctl"
chmod 755 "$TMP/doorctl"
LEDGER=$TMP/consent.jsonl

policy "$TMP/p.policy" <<EOP
mode enforce
camera lobby path "$TMP/cam0"
camera gate path "$TMP/video1"
app recognizer exe "$recognizer"
app doorctl exe "$TMP/doorctl"
broker doorctl
window-grace 1s
capture allow recognizer lobby consent entry window 3s
capture allow recognizer gate consent entry window 3s
capture deny any any
EOP
agent_start "$TMP/p.policy" --consent "$LEDGER" --no-protect || { fail "agent start"; exit 1; }
# Let uid 65534 connect, so that who may do what is decided by SO_PEERCRED, not the file mode.
chgrp nogroup "$CTL"

# ctl AS JSON: one request; AS is root, broker (doorctl as nobody) or other (socat as nobody).
ctl() {
	local as=$1 req=$2
	case $as in
	root) printf '%s\n' "$req" | socat -t 5 - "UNIX-CONNECT:$CTL" ;;
	broker) printf '%s\n' "$req" | setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$TMP/doorctl" -t 5 - "UNIX-CONNECT:$CTL" ;;
	other) printf '%s\n' "$req" | setpriv --reuid=65534 --regid=65534 --clear-groups \
		socat -t 5 - "UNIX-CONNECT:$CTL" ;;
	esac
}
open_cam() { in_cg "$recognizer" "$@"; }
day=$((24 * 3600))
rfc() { date -u -d "@$(( $(date +%s) + $1 ))" +%Y-%m-%dT%H:%M:%SZ; }

grant() {
	ctl root "{\"cmd\":\"consent-grant\",\"grant\":{\"id\":\"$1\",\"subject\":\"p-$1\",\"purpose\":\"entry\",\"cameras\":$2,\"granted\":\"$(rfc "$3")\",\"expires\":\"$(rfc "$4")\",\"notice\":\"v3\"}}"
}
expect "grant g1 (lobby) recorded" "true" "$(grant g1 '["lobby"]' -60 $day | jq .ok)"
expect "grant g2 (expired yesterday) recorded" "true" "$(grant g2 '["any"]' $((-2 * day)) $((-day)) | jq .ok)"
expect "grant g3 (any camera) recorded" "true" "$(grant g3 '["any"]' -60 $day | jq .ok)"
expect "ledger is 0600" "600" "$(stat -c %a "$LEDGER")"

# 1. Consent rule, no window: the named app is refused.
expect "no window: the allowed app gets EPERM" "ok=0 EPERM=1 ENXIO=0 other=0" "$(open_cam "$TMP/cam0")"
check "the denial says why: no window" wait_for '.kind == "capture" and .verdict == "deny" and .consent.reason == "no window" and .consent.purpose == "entry"' 1

# 2. Only root and brokers open windows.
r=$(ctl other '{"cmd":"window-open","consent":"g1","app":"recognizer","camera":"lobby"}')
expect "a non-broker client is refused" "forbidden" "$(jq -r .error.code <<< "$r")"
check "the refusal is logged with who asked" wait_for '.event == "window-refuse" and .error.code == "forbidden" and .by.uid == 65534 and .by.broker == false' 1

# 3. Bad requests, each refused with its own code and nothing opened.
refused() { ctl broker "$1" | jq -r '.error.code // "none"'; }
expect "camera outside the grant" "camera-not-covered" "$(refused '{"cmd":"window-open","consent":"g1","app":"recognizer","camera":"gate"}')"
expect "window longer than the rule allows" "window-too-long" "$(refused '{"cmd":"window-open","consent":"g1","app":"recognizer","camera":"lobby","for":"4s"}')"
expect "expired grant" "grant-expired" "$(refused '{"cmd":"window-open","consent":"g2","app":"recognizer","camera":"lobby"}')"
expect "unknown grant" "no-grant" "$(refused '{"cmd":"window-open","consent":"g9","app":"recognizer","camera":"lobby"}')"
expect "unknown app" "unknown-app" "$(refused '{"cmd":"window-open","consent":"g1","app":"nobody","camera":"lobby"}')"
expect "an app with no consent rule" "no-consent-rule" "$(refused '{"cmd":"window-open","consent":"g1","app":"doorctl","camera":"lobby"}')"
expect "zero length" "bad-window" "$(refused '{"cmd":"window-open","consent":"g1","app":"recognizer","camera":"lobby","for":"0s"}')"
expect "misspelt member" "bad-request" "$(refused '{"cmd":"window-open","consent":"g1","app":"recognizer","camera":"lobby","fro":"1s"}')"
expect "nothing opened by any of them" "0" "$(ctl root '{"cmd":"window-list"}' | jq '.windows | length')"
expect "every refusal logged once" "9" "$(count '.event == "window-refuse"')"

# 4. A broker opens a window: the app gets through until it ends, then EPERM again.
r=$(ctl broker '{"cmd":"window-open","consent":"g1","app":"recognizer","camera":"lobby","for":"2s"}')
win=$(jq -r .window.id <<< "$r")
expect "the broker's window opens" "true p-g1 entry v3" "$(jq -r '"\(.ok) \(.window.subject) \(.window.purpose) \(.window.notice)"' <<< "$r")"
expect "inside the window the app opens the camera" "ok=1 EPERM=0 ENXIO=0 other=0" "$(open_cam "$TMP/cam0")"
expect "the window covers lobby only: gate stays shut" "ok=0 EPERM=1 ENXIO=0 other=0" "$(open_cam "$TMP/video1")"
check "the allow record carries the consent" wait_for ".kind == \"capture\" and .verdict == \"allow\" and .consent.id == \"g1\" and .consent.subject == \"p-g1\" and .consent.window.id == $win and .consent.notice == \"v3\"" 1
check "the gate denial says the camera is not covered" wait_for '.kind == "capture" and (.consent.reason // "" | startswith("camera not covered"))' 1
sleep 2.2
expect "after the window: EPERM again" "ok=0 EPERM=1 ENXIO=0 other=0" "$(open_cam "$TMP/cam0")"
check "the denial says the window expired" wait_for ".kind == \"capture\" and .consent.reason == \"window expired\" and .consent.last_window.window.id == $win" 1
expect "the expiry is logged once" "1" "$(count ".event == \"window-expire\" and .consent.window.id == $win")"
expect "the open is logged once" "1" "$(count ".event == \"window-open\" and .consent.window.id == $win")"

# 5. Revoking a grant closes its windows at once.
r=$(ctl broker '{"cmd":"window-open","consent":"g3","app":"recognizer","camera":"gate","for":"3s"}')
win=$(jq -r .window.id <<< "$r")
expect "window under g3 lets the app open gate" "ok=0 EPERM=0 ENXIO=1 other=0" "$(open_cam "$TMP/video1")"
r=$(ctl broker '{"cmd":"consent-revoke","id":"g3"}')
expect "revoke closes the window" "g3 [$win]" "$(jq -r '"\(.revoked) \(.closed_windows | tojson)"' <<< "$r")"
expect "right after the revoke: EPERM" "ok=0 EPERM=1 ENXIO=0 other=0" "$(open_cam "$TMP/video1")"
check "the denial says the grant was revoked" wait_for '.kind == "capture" and .consent.reason == "grant revoked"' 1
expect "revoking again is refused" "already-revoked" "$(refused '{"cmd":"consent-revoke","id":"g3"}')"
expect "a revoked grant opens no window" "grant-revoked" "$(refused '{"cmd":"window-open","consent":"g3","app":"recognizer","camera":"lobby"}')"

# 6. A holder past its window and grace is terminated: one running as its own
# user, as a recognizer service does (the confined agent keeps CAP_KILL for it).
r=$(ctl broker '{"cmd":"window-open","consent":"g1","app":"recognizer","camera":"lobby","for":"1s"}')
win=$(jq -r .window.id <<< "$r")
# In a subshell that outlives it, so its death is ours to report, not bash's.
(in_cg setpriv --reuid=65534 --regid=65534 --clear-groups "$recognizer" "$TMP/cam0" 1 30 > "$TMP/holder.out"
 echo $? > "$TMP/holder.rc") 2>/dev/null &
holder=$!
check "the holder opened the camera" wait_for ".kind == \"capture\" and .verdict == \"allow\" and .consent.window.id == $win" 1
check "the holder is terminated after window + grace" wait_for ".event == \"holder-terminate\" and .consent.window.id == $win and .enforced == true" 1 6
wait "$holder"
expect "the holder died of SIGKILL" "137" "$(cat "$TMP/holder.rc")"
expect "it is logged once" "1" "$(count ".event == \"holder-terminate\" and .consent.window.id == $win")"

# 7. The kernel ends a window by itself: the agent is SIGKILLed during it.
r=$(ctl broker '{"cmd":"window-open","consent":"g1","app":"recognizer","camera":"lobby","for":"2s"}')
win=$(jq -r .window.id <<< "$r")
kill -9 "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null; AGENT_PID=
expect "agent dead, window open: the app gets through" "ok=1 EPERM=0 ENXIO=0 other=0" "$(open_cam "$TMP/cam0")"
sleep 2.2
expect "agent dead, window over: EPERM from the kernel alone" "ok=0 EPERM=1 ENXIO=0 other=0" "$(open_cam "$TMP/cam0")"
agent_start "$TMP/p.policy" --consent "$LEDGER" || fail "agent restart"
chgrp nogroup "$CTL"
check "the restarted agent adopts the window" wait_for ".event == \"window-adopt\" and .consent.window.id == $win" 1
check "and logs its expiry, at its end" wait_for ".event == \"window-expire\" and .consent.window.id == $win" 1
check "the denial while the agent was dead is logged, with its window" wait_for ".kind == \"capture\" and .consent.reason == \"window expired\" and .consent.last_window.window.id == $win" 1
expect "window ids never repeat across restarts" "0" "$(jq -s '[.[] | select(.event == "window-open") | .consent.window.id] | (length - (unique | length))' "$LOG")"

# 8. Status shows the ledger and the windows.
st=$("$CLI" status --json --control "$CTL" --pin-dir "$PIN")
expect "status: ledger ok, 3 grants, no window open" "ok 3 0" "$(jq -r '.status.consent | "\(.ledger_state) \(.grants) \(.windows_open)"' <<< "$st")"

# 9. The same through the command line (as root), end to end.
out=$("$CLI" consent grant --control "$CTL" --subject p-cli --purpose entry --cameras lobby --expires +1d --notice v3 2>&1)
gid=$(grep -o 'c-[0-9]\{8\}-[0-9]\{6\}-[0-9a-f]\{4\}' <<< "$out" | head -1)
check "biofence consent grant through the agent makes an id" test -n "$gid"
check "biofence consent list shows it active" sh -c "'$CLI' consent list --control '$CTL' | grep '$gid' | grep -q active"
wid=$("$CLI" window open --control "$CTL" --consent "$gid" --app recognizer --camera lobby --for 3s --json | jq -r .window.id)
expect "biofence window open: the app gets through" "ok=1 EPERM=0 ENXIO=0 other=0" "$(open_cam "$TMP/cam0")"
check "biofence window list shows it" sh -c "'$CLI' window list --control '$CTL' --json | jq -e '.windows[] | select(.id == $wid)'"
check "biofence window close ends it" "$CLI" window close "$wid" --control "$CTL"
expect "closed early: EPERM" "ok=0 EPERM=1 ENXIO=0 other=0" "$(open_cam "$TMP/cam0")"
check "the close is logged with who closed it" wait_for ".event == \"window-close\" and .consent.window.id == $wid and .reason == \"window closed\" and .by.uid == 0" 1
check "biofence consent revoke through the agent" "$CLI" consent revoke "$gid" --control "$CTL"
check "biofence consent show says revoked" sh -c "'$CLI' consent show '$gid' --control '$CTL' --json | jq -e '.grant.state == \"revoked\"'"

# 10. A reload carries open windows over; one that drops their rule ends them.
wid=$(ctl broker '{"cmd":"window-open","consent":"g1","app":"recognizer","camera":"lobby","for":"3s"}' | jq -r .window.id)
check "reload of the same policy" "$CLI" reload --control "$CTL"
expect "the window survives the reload" "ok=1 EPERM=0 ENXIO=0 other=0" "$(open_cam "$TMP/cam0")"
sed -i 's/lobby consent entry window 3s/lobby consent staff window 3s/' "$TMP/p.policy"
check "reload of a policy whose lobby rule has another purpose" "$CLI" reload --control "$CTL"
expect "the entry window no longer opens lobby" "ok=0 EPERM=1 ENXIO=0 other=0" "$(open_cam "$TMP/cam0")"
check "its end says the policy changed" wait_for ".event == \"window-close\" and .consent.window.id == $wid and (.reason | startswith(\"the policy in force has no consent rule\"))" 1
expect "a window refusal names the consent asked for" "p-g1" \
	"$(jq -rs '[.[] | select(.event == "window-refuse" and .error.code == "camera-not-covered")][0].consent.subject' "$LOG")"

# 11. Audit mode: nothing is stopped, everything is told.
sed -i -e 's/^mode enforce/mode audit/' -e 's/lobby consent staff window 3s/lobby consent entry window 3s/' "$TMP/p.policy"
check "reload into audit mode" "$CLI" reload --control "$CTL"
expect "audit mode: no window, the open goes through" "ok=1 EPERM=0 ENXIO=0 other=0" "$(open_cam "$TMP/cam0")"
check "... logged as a denial not enforced, with why" wait_for '.kind == "capture" and .verdict == "deny" and .enforced == false and .consent.reason == "no window"' 1
wid=$(ctl broker '{"cmd":"window-open","consent":"g1","app":"recognizer","camera":"lobby","for":"1s"}' | jq -r .window.id)
(in_cg "$recognizer" "$TMP/cam0" 1 4 > /dev/null; echo $? > "$TMP/holder2.rc") 2>/dev/null &
holder=$!
check "audit mode: a holder past its window is reported" wait_for ".event == \"holder-report\" and .consent.window.id == $wid and .enforced == false" 1 6
wait "$holder"
expect "... and left running to its own end" "0" "$(cat "$TMP/holder2.rc")"
sed -i 's/^mode audit/mode enforce/' "$TMP/p.policy"
check "reload back to enforce" "$CLI" reload --control "$CTL"

# 12. A ledger anyone can write is no record of consent.
chmod 0666 "$LEDGER"
sleep 1.2
expect "a world-writable ledger opens no window" "ledger-invalid" "$(refused '{"cmd":"window-open","consent":"g1","app":"recognizer","camera":"lobby"}')"
check "status says the ledger is unusable" sh -c "'$CLI' status --control '$CTL' --pin-dir '$PIN' | grep -q 'NO CAPTURE WINDOW CAN OPEN: .*world-writable'"
chmod 0600 "$LEDGER"
sleep 1.2
expect "fixed: windows open again" "true" "$(ctl broker '{"cmd":"window-open","consent":"g1","app":"recognizer","camera":"lobby","for":"1s"}' | jq .ok)"
check "the ledger going bad is logged, with why" wait_for '.event == "ledger-invalid" and (.diagnostics[0] | endswith("group- or world-writable: anyone could forge consent"))' 1
check "and its repair (the second ledger-ok, after the first grant's)" wait_for '.event == "ledger-ok"' 2

# 13. A damaged ledger fails closed: no window opens, and status says so.
echo '{"type":"grant",' >> "$LEDGER"
sleep 1.2
expect "window refused while the ledger is damaged" "ledger-invalid" "$(refused '{"cmd":"window-open","consent":"g1","app":"recognizer","camera":"lobby"}')"
check "the damage is logged with FILE:LINE" wait_for ".event == \"ledger-invalid\" and (.diagnostics[0] | startswith(\"$LEDGER:\"))" 1
agent_stop
# One read of the log: the agent may append between two.
expect "seq is gapless" "1..N, no gap" "$(jq -rs 'if map(.seq) == [range(1; length + 1)] then "1..N, no gap" else map(.seq) | tostring end' "$LOG")"
