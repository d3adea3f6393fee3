#!/bin/bash
# test_hotplug.sh - a camera path that comes, goes and comes back at another number: the rule follows it at once, each change logged.
. "$(dirname "$0")/lib.sh"
bf_setup

# No V4L2 driver here: two free minors of major 81 stand in for one camera
# plugged in twice (ENXIO = let through, EPERM = refused). vivid, real
# frames and uevents are tests/vm/test_v4l2.sh's, in the VM lane.
m1=${CAM_MINOR:-0}
m2=${CAM_MINOR2:-$((m1 + 1))}
allowed=$(helper_copy bf_open recognizer)
other=$(helper_copy bf_open intruder)
mkdir "$TMP/v4l"
mknod "$TMP/video-a" c 81 "$m1"
mknod "$TMP/video-b" c 81 "$m2"
policy "$TMP/p.policy" <<EOP
camera lobby path "$TMP/v4l/lobby"
app recognizer exe "$allowed"
capture allow recognizer lobby
capture deny any any
EOP
agent_start "$TMP/p.policy" || { fail "agent start"; exit 1; }
check "absent at start: the camera is unresolved" \
	jq -s -e 'map(select(.event == "start"))[0].unresolved | any(test("camera lobby: path"))' "$LOG"
expect "absent: 81:$m1 is no camera, anyone opens it" "ok=0 EPERM=0 ENXIO=1 other=0" "$(in_cg "$other" "$TMP/video-a")"

# "Plugged in": the link appears, as udev makes it after the device.
ln -s ../video-a "$TMP/v4l/lobby"
check "plugged in: bound to 81:$m1 and logged" wait_for \
	".event == \"resolve\" and .camera == \"lobby\" and .devices == [\"81:$m1\"] and .previous == [] and .can_match == true" 1 3
expect "the app opens it" "ok=0 EPERM=0 ENXIO=1 other=0" "$(in_cg "$allowed" "$TMP/v4l/lobby")"
expect "another exe is refused" "ok=0 EPERM=1 ENXIO=0 other=0" "$(in_cg "$other" "$TMP/video-a")"

# Unplugged: the link goes; the rule has no device, so the old number is nobody's camera.
rm "$TMP/v4l/lobby"
check "unplugged: no device, logged with the reason" wait_for \
	".event == \"resolve\" and .camera == \"lobby\" and .devices == [] and .previous == [\"81:$m1\"] and .can_match == false and (.why | test(\"No such file\"))" 1 3
expect "unplugged: the old number is not the camera" "ok=0 EPERM=0 ENXIO=1 other=0" "$(in_cg "$other" "$TMP/video-a")"

# Back at another number: the rule moves with it.
ln -s ../video-b "$TMP/v4l/lobby"
check "plugged back at 81:$m2: bound to it" wait_for \
	".event == \"resolve\" and .camera == \"lobby\" and .devices == [\"81:$m2\"] and .previous == [] and .policy_seq > 0" 1 3
expect "the app opens the camera at its new number" "ok=0 EPERM=0 ENXIO=1 other=0" "$(in_cg "$allowed" "$TMP/v4l/lobby")"
expect "another exe is refused at the new number" "ok=0 EPERM=1 ENXIO=0 other=0" "$(in_cg "$other" "$TMP/video-b")"
expect "and the stale number stays free" "ok=0 EPERM=0 ENXIO=1 other=0" "$(in_cg "$other" "$TMP/video-a")"
# inotify on the link's directory, not only the one-second pass (which may win a race now and then).
check "changes are noticed by inotify" \
	jq -s -e "[.[] | select(.event == \"resolve\" and .camera == \"lobby\") | .trigger] | any(startswith(\"inotify $TMP/v4l\"))" "$LOG"
expect "three changes, three records" "3" "$(count '.event == "resolve" and .camera == "lobby"')"
agent_stop
