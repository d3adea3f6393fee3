#!/bin/bash
# test_v4l2.sh - real capture from vivid (VM lane): the named app streams frames, others are refused at open, consent windows, cameras by by-path link and by v4l2 identity, a camera plugged back at another minor.
#
# Run in the guest: tools/vm-run --kernel 6.12 tests/vm/test_v4l2.sh tests/kernel/lib.sh \
#     build/biofenced build/biofence build/tests/helpers
# The guest loads vivid from /modules (tools/vm-init); this test reloads it with other parameters.
if [ ! -e /dev/video0 ]; then
	# In the VM a missing vivid is a broken lane, not a reason to skip.
	if [ -n "${BF_KERNEL_PKG:-}" ]; then echo "FAIL: test_v4l2: vivid did not load in the VM"; exit 1; fi
	echo "SKIP: test_v4l2: no V4L2 driver (runs in the VM lane)"
	exit 0
fi
. "$(dirname "$0")/../kernel/lib.sh"
bf_setup
# Our links under /dev go too, whatever happens; lib's cleanup keeps the exit code.
trap 'rc=$?; [ -n "${MADE_V4L:-}" ] && rm -rf /dev/v4l; (exit $rc); bf_cleanup' EXIT

FRAMES=5
app=$(helper_copy bf_v4l2 recognizer)
other=$(helper_copy bf_v4l2 intruder)
capture() { in_cg "$app" "$1" "$FRAMES"; }
intrude() { in_cg "$other" "$1" "$FRAMES"; }
# cat reads a capture node as a stream: bounded, so an allowed open cannot hang the test.
cat_refused() { in_cg timeout 5 cat "$1" 2>&1 >/dev/null | grep -q 'Operation not permitted'; }
reload() { "$CLI" reload --control "$CTL" >/dev/null; }
# The first capture record at or after seq $1 matching $2 (jq), as one line of JSON.
record_after() { jq -c "select(.seq >= $1 and .kind == \"capture\" and ($2))" "$LOG" | head -1; }
last_seq() { jq -s 'map(.seq) | max // 0' "$LOG"; }

# vivid's nodes, as udev's 60-persistent-v4l.rules names them: by-path is
# $ID_PATH-video-index$attr{index} with path_id's "platform-vivid.0"; vivid
# has no serial, so udev makes no by-id link for it.
udev_links() {
	local d parent link
	rm -rf /dev/v4l/by-path
	mkdir -p /dev/v4l/by-path
	MADE_V4L=1
	for d in /sys/class/video4linux/video*; do
		[ -e "$d" ] || continue
		parent=$(readlink -f "$d/device")
		[ "$(basename "$(readlink "$parent/subsystem")")" = platform ] || continue
		link=/dev/v4l/by-path/platform-$(basename "$parent")-video-index$(cat "$d/index")
		ln -sfn "../../$(basename "$d")" "$link"
	done
}

# vivid_load PARAMS...: reload vivid and wait for its nodes (they appear asynchronously).
vivid_load() {
	local want=$1 i=0
	shift
	rmmod vivid 2>/dev/null
	insmod /modules/vivid.ko "$@" || return 1
	while [ "$(ls /sys/class/video4linux | wc -l)" -lt "$want" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -e "/dev/video$((want - 1))" ]
}

# --- 1. The named app captures; everything else is refused at open -------------
policy "$TMP/p.policy" <<EOP
camera cam path "/dev/video0"
app recognizer exe "$app"
capture allow recognizer cam
capture deny any any
EOP
agent_start "$TMP/p.policy" --consent "$TMP/consent.jsonl" || { fail "agent start"; exit 1; }
expect "the named app captures $FRAMES frames, each with data" "open=ok frames=$FRAMES data=$FRAMES" "$(capture /dev/video0)"
expect "another executable (the same binary, another inode) gets EPERM at open" "open=EPERM" "$(intrude /dev/video0)"
check "cat gets EPERM at open" cat_refused /dev/video0
expect "outside the guarded cgroup nothing is judged" "open=ok frames=2 data=2" "$("$other" /dev/video0 2)"
check "the capture is logged: app, camera, device" \
	wait_for '.kind == "capture" and .verdict == "allow" and .app == "recognizer" and .camera == "cam" and .device == "81:0"' 1 10
check "both refusals are logged" wait_for '.kind == "capture" and .verdict == "deny" and .device == "81:0"' 2 10

# A descriptor in other hands: the app opens the camera, then becomes another
# executable (exec, the fd inherited). Under BPF LSM every use that moves
# frames is judged as an open by its holder now, so the new holder cannot stream.
expect "the LSM backend enforces here" "enforcing" \
	"$("$CLI" status --json --control "$CTL" --pin-dir "$PIN" | jq -r '.status.backends.lsm' | cut -d: -f1)"
expect "an inherited camera fd in another executable's hands cannot stream" "open=ok reqbufs=EPERM" \
	"$(in_cg "$app" --exec "$other" /dev/video0 "$FRAMES")"
check "that refusal is logged: the use, the hook, the holder" \
	wait_for '.kind == "capture" and .event == "use" and .use == "VIDIOC_REQBUFS" and .hook == "lsm/file_ioctl" and .verdict == "deny" and .comm == "intruder"' 1 10
expect "the app itself, with the same inherited fd, streams" "open=ok frames=$FRAMES data=$FRAMES" \
	"$(in_cg "$app" --exec "$app" /dev/video0 "$FRAMES")"
# Passed over a unix socket (SCM_RIGHTS): judged on receipt, as an open by the receiver.
expect "a camera fd sent to another executable over SCM_RIGHTS is withheld on receipt" "recv=refused" \
	"$(in_cg "$app" --pass "$other" /dev/video0 "$FRAMES")"
check "that refusal is logged: the receipt, the hook, the receiver" \
	wait_for '.kind == "capture" and .event == "use" and .use == "receive" and .hook == "lsm/file_receive" and .verdict == "deny" and .comm == "intruder"' 1 10
expect "the app, sent the same fd, receives it and streams" "recv=ok open=ok frames=$FRAMES data=$FRAMES" \
	"$(in_cg "$app" --pass "$app" /dev/video0 "$FRAMES")"
check "... and that receipt is logged as allowed (the receiver is tainted from then on)" \
	wait_for '.kind == "capture" and .event == "use" and .use == "receive" and .verdict == "allow"' 1 10

# --- 2. Consent: the app streams while a window is open, not before or after ----
policy "$TMP/p.policy" <<EOP
camera cam path "/dev/video0"
app recognizer exe "$app"
capture allow recognizer cam consent entry window 30s
capture deny any any
# Long enough that a holder is still alive to try again after its window.
window-grace 20s
EOP
check "reload to a consent-gated rule" reload
"$CLI" consent grant --control "$CTL" --id g1 --subject p-1 --purpose entry --cameras cam \
	--expires +1d --notice v1 >/dev/null 2>&1
expect "no window: the app gets EPERM" "open=EPERM" "$(capture /dev/video0)"
win=$("$CLI" window open --control "$CTL" --consent g1 --app recognizer --camera cam --for 30s --json | jq -r .window.id)
expect "window open: the app captures $FRAMES frames with data" "open=ok frames=$FRAMES data=$FRAMES" "$(capture /dev/video0)"
expect "window open: another executable is still refused" "open=EPERM" "$(intrude /dev/video0)"
check "the allow record names the grant and the window" \
	wait_for ".kind == \"capture\" and .verdict == \"allow\" and .consent.id == \"g1\" and .consent.window.id == $win" 1 10
check "window close" "$CLI" window close "$win" --control "$CTL"
expect "window closed: the app gets EPERM again" "open=EPERM" "$(capture /dev/video0)"
win=$("$CLI" window open --control "$CTL" --consent g1 --app recognizer --camera cam --for 2s --json | jq -r .window.id)
expect "a 2 s window: the app captures" "open=ok frames=$FRAMES data=$FRAMES" "$(capture /dev/video0)"
sleep 2.5
expect "the window ran out: the app gets EPERM" "open=EPERM" "$(capture /dev/video0)"
# A descriptor opened inside a window stops streaming when the window ends,
# not when it is closed: frames before, EPERM after.
win=$("$CLI" window open --control "$CTL" --consent g1 --app recognizer --camera cam --for 3s --json | jq -r .window.id)
out=$(in_cg "$app" --again 4 /dev/video0 "$FRAMES")
expect "an fd opened in a 3 s window streams, then cannot dequeue once it ran out" \
	"open=ok frames=$FRAMES data=$FRAMES then frames=0 data=0 dqbuf=EPERM" "${out% mapped=*}"
# The path that remains, said in the README: memory mapped inside the window
# still holds the frames it held; no hook sees a read of mapped memory.
expect "what remains: the buffers mapped inside the window still hold their last frames" \
	"yes" "$([[ ${out##* mapped=} =~ ^[1-9][0-9]*$ ]] && echo yes || echo "no: $out")"
check "the refused dequeue is logged, once a second at most" \
	wait_for ".kind == \"capture\" and .event == \"use\" and .use == \"VIDIOC_DQBUF\" and .verdict == \"deny\" and .consent.reason == \"window expired\"" 1 10
check "that refusal says the window expired" \
	wait_for ".kind == \"capture\" and .consent.reason == \"window expired\" and .consent.last_window.window.id == $win" 1 10

# --- 3. A camera by its udev by-path link ---------------------------------------
udev_links
BYPATH=/dev/v4l/by-path/platform-vivid.0-video-index0
expect "the by-path link udev would make points at video0" "/dev/video0" "$(readlink -f "$BYPATH")"
policy "$TMP/p.policy" <<EOP
camera lobby path "$BYPATH"
app recognizer exe "$app"
capture allow recognizer lobby
capture deny any any
EOP
check "reload to a by-path camera" reload
seq=$(last_seq)
expect "by-path: the app captures" "open=ok frames=$FRAMES data=$FRAMES" "$(capture "$BYPATH")"
expect "by-path: another executable is refused" "open=EPERM" "$(intrude /dev/video0)"
check "by-path: cat is refused" cat_refused "$BYPATH"
check "by-path: the link resolved to the vivid node (81:0)" \
	wait_for ".seq > $seq and .kind == \"capture\" and .camera == \"lobby\" and .device == \"81:0\"" 3 10

# --- 4. A camera by its V4L2 identity (sysfs) -----------------------------------
expect "biofence cameras shows video0's identity in policy syntax" \
	'/dev/video0 81:0 v4l2 driver "vivid" card "vivid-000-vid-cap" bus "platform:vivid.0"' \
	"$("$CLI" cameras | grep '^/dev/video0 ')"
expect "QUERYCAP on the same node says vivid" 'driver="vivid" card="vivid" bus_info="platform:vivid-000"' \
	"$("$HELPERS/bf_v4l2" --info /dev/video0)"
policy "$TMP/p.policy" <<EOP
camera lobby v4l2 driver "vivid" card "vivid-000-vid-cap" bus "platform:vivid.0"
app recognizer exe "$app"
capture allow recognizer lobby
capture deny any any
EOP
check "reload to a camera by v4l2 identity" reload
check "the identity resolves: no camera left unresolved" \
	sh -c "'$CLI' status --json --control '$CTL' | jq -e '.status.unresolved | map(select(startswith(\"camera\"))) == []'"
expect "identity: the app captures" "open=ok frames=$FRAMES data=$FRAMES" "$(capture /dev/video0)"
expect "identity: another executable is refused" "open=EPERM" "$(intrude /dev/video0)"
check "identity: cat is refused" cat_refused /dev/video0
# vivid's other nodes have other names: they are not this camera.
expect "identity: vivid's output node (another card name) is not the camera" \
	'driver="vivid" card="vivid" bus_info="platform:vivid-000"' "$(in_cg "$other" --info /dev/video1)"

# --- 5. Hot-plug: the camera comes back at another minor ------------------------
# Two instances; the camera is the second. Reloaded with the first one given a
# second node, the second instance's capture node takes the next free minor.
check "vivid with two instances" vivid_load 2 n_devs=2 node_types=0x1,0x1
expect "the camera (vivid-001) is video1, 81:1" "81:1 vivid-001-vid-cap" \
	"$(cat /sys/class/video4linux/video1/dev /sys/class/video4linux/video1/name | tr '\n' ' ' | sed 's/ $//')"
policy "$TMP/p.policy" <<EOP
camera cam v4l2 driver "vivid" card "vivid-001-vid-cap"
app recognizer exe "$app"
capture allow recognizer cam
capture deny any any
EOP
check "reload to a camera by identity: the second vivid instance" reload
expect "before: the app captures from video1" "open=ok frames=$FRAMES data=$FRAMES" "$(capture /dev/video1)"
expect "before: another executable is refused on video1" "open=EPERM" "$(intrude /dev/video1)"
expect "before: video0 (vivid-000) is not the camera" "open=ok frames=2 data=2" "$(in_cg "$other" /dev/video0 2)"

seq=$(last_seq)
rmmod vivid
# Prompted by the kernel's uevent (no camera path here, so no inotify watch), not the 1 s tick.
check "unplugged: the camera has no device at once, from the uevent" \
	wait_for ".seq > $seq and .event == \"resolve\" and .camera == \"cam\" and .devices == [] and .previous == [\"81:1\"] and .can_match == false and (.trigger | startswith(\"uevent remove\"))" 1 10
check "vivid back, instance 0 with two nodes" vivid_load 3 n_devs=2 node_types=0x101,0x1
expect "the camera is now video2, 81:2; 81:1 is vivid-000's output" "81:2 vivid-001-vid-cap 81:1 vivid-000-vid-out" \
	"$(cat /sys/class/video4linux/video2/dev /sys/class/video4linux/video2/name /sys/class/video4linux/video1/dev /sys/class/video4linux/video1/name | tr '\n' ' ' | sed 's/ $//')"
check "plugged back: the camera is bound to its new number" \
	wait_for ".seq > $seq and .event == \"resolve\" and .camera == \"cam\" and .devices == [\"81:2\"] and .previous == [] and .can_match == true and (.trigger | startswith(\"uevent add\")) and .policy_seq > 0" 1 10
expect "QUERYCAP agrees: video2 is the same device (vivid-001)" 'driver="vivid" card="vivid" bus_info="platform:vivid-001"' \
	"$("$HELPERS/bf_v4l2" --info /dev/video2)"
seq=$(last_seq)
expect "after: the app captures from video2" "open=ok frames=$FRAMES data=$FRAMES" "$(capture /dev/video2)"
expect "after: another executable is refused on video2" "open=EPERM" "$(intrude /dev/video2)"
check "after: cat is refused on video2" cat_refused /dev/video2
expect "after: the stale number 81:1 is not the camera any more" \
	'driver="vivid" card="vivid" bus_info="platform:vivid-000"' "$(in_cg "$other" --info /dev/video1)"
check "after: the capture is logged on the new device" \
	wait_for ".seq > $seq and .kind == \"capture\" and .verdict == \"allow\" and .camera == \"cam\" and .device == \"81:2\"" 1 10
sleep 0.5
expect "after: no decision on 81:1 since the replug" "" "$(record_after "$seq" '.device == "81:1"')"
agent_stop

# Leave vivid as the guest started it.
vivid_load 10 >/dev/null 2>&1 || true
