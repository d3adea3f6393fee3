#!/bin/bash
# test_resolve.sh - identities follow the host: upgraded exes, broken sha256 pins, late cgroups and units, users, prior holders.
. "$(dirname "$0")/lib.sh"
bf_setup

mkdir "$TMP/bin"
cp "$HELPERS/bf_open" "$TMP/bin/recognizer"
cp "$HELPERS/bf_open" "$TMP/bin/pinned"
printf '\n# a different build\n' >> "$TMP/bin/pinned"
pin=$(sha256sum "$TMP/bin/pinned" | cut -d' ' -f1)
plain=$(helper_copy bf_open plain)
unit=bft-$$-late.service
mknod "$TMP/full" c 1 7
chmod 666 "$TMP/full"
policy "$TMP/p.policy" <<EOP
camera lobby path "$TMP/video0"
camera desk  path "$TMP/full"
app recognizer exe "$TMP/bin/recognizer"
app pinned     exe "$TMP/bin/pinned" sha256 "$pin"
app kiosk      cgroup "/$ID/kiosk"
app svc        unit "$unit"
app ops        user "nobody"
capture allow recognizer lobby
capture allow pinned lobby
capture allow kiosk lobby
capture allow svc lobby
capture allow ops lobby
capture allow any desk
export deny any any
EOP

# A process that holds a camera before the agent starts, then tries to send
# once the agent has logged it (or after 60 s): an agent start under TCG with
# a busy host took longer than the 8 s it used to hold.
in_cg "$HELPERS/bf_net" --camera "$TMP/full" --sleep 60 --until "$TMP/holder.go" tcp4 127.0.0.3 4444 \
	> "$TMP/holder.out" &
holder=$!
sleep 0.3
agent_start "$TMP/p.policy" || { fail "agent start"; exit 1; }
check "start record lists the cgroup app as unresolved" \
	jq -s -e 'map(select(.event == "start"))[0].unresolved | any(test("kiosk"))' "$LOG"
check "the prior holder is logged at start" \
	wait_for ".kind == \"capture\" and .event == \"held_at_start\" and .device == \"1:7\"" 1 20
touch "$TMP/holder.go"
wait $holder
expect "the prior holder is tainted: its send is refused" "net=EPERM" "$(tail -1 "$TMP/holder.out")"

expect "recognizer allowed" "ok=0 EPERM=0 ENXIO=1 other=0" "$(in_cg "$TMP/bin/recognizer" "$TMP/video0")"
expect "pinned binary with a matching digest allowed" "ok=0 EPERM=0 ENXIO=1 other=0" "$(in_cg "$TMP/bin/pinned" "$TMP/video0")"

# Package upgrade: a new file renamed over the old path (a new inode).
cp "$HELPERS/bf_open" "$TMP/bin/recognizer.new" && mv "$TMP/bin/recognizer.new" "$TMP/bin/recognizer"
# The pinned binary is replaced by a build with another digest.
cp "$HELPERS/bf_open" "$TMP/bin/pinned.new" && mv "$TMP/bin/pinned.new" "$TMP/bin/pinned"
check "the upgrade is noticed and logged" wait_for '.event == "resolve" and .app == "recognizer" and .can_match == true' 1 5
check "the broken pin is logged: the app loses its rights" \
	wait_for '.event == "resolve" and .app == "pinned" and .can_match == false and (.why | test("does not match"))' 1 5
expect "upgraded recognizer allowed without a restart" "ok=0 EPERM=0 ENXIO=1 other=0" "$(in_cg "$TMP/bin/recognizer" "$TMP/video0")"
expect "pinned app with a wrong digest refused" "ok=0 EPERM=1 ENXIO=0 other=0" "$(in_cg "$TMP/bin/pinned" "$TMP/video0")"

# A cgroup and a unit that did not exist at start.
expect "outside the kiosk cgroup: refused" "ok=0 EPERM=1 ENXIO=0 other=0" "$(in_cg "$plain" "$TMP/video0")"
mkdir "$CG/kiosk" "$CG/$unit"
check "the late cgroup is resolved" wait_for '.event == "resolve" and .app == "kiosk" and .can_match == true' 1 5
check "the late unit is resolved" wait_for '.event == "resolve" and .app == "svc" and .can_match == true' 1 5
in_kiosk=$(sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$CG/kiosk" "$plain" "$TMP/video0")
expect "a process in the late cgroup is allowed" "ok=0 EPERM=0 ENXIO=1 other=0" "$in_kiosk"
mkdir "$CG/$unit/worker"
in_unit=$(sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$CG/$unit/worker" "$plain" "$TMP/video0")
expect "a process in a child of the unit's cgroup is allowed" "ok=0 EPERM=0 ENXIO=1 other=0" "$in_unit"

# The user key: the same binary as nobody is allowed, as root refused.
as_nobody=$(in_cg setpriv --reuid=nobody --regid=nogroup --clear-groups "$plain" "$TMP/video0")
expect "user key: nobody allowed" "ok=0 EPERM=0 ENXIO=1 other=0" "$as_nobody"
expect "user key: root refused" "ok=0 EPERM=1 ENXIO=0 other=0" "$(in_cg "$plain" "$TMP/video0")"
agent_stop
