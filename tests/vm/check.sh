#!/bin/bash
# check.sh - the VM lane, host side: boot Debian 12's kernel KERNEL, run tests/vm/suite.sh in it (resumed after an emulator hang), summarize.
# usage: tests/vm/check.sh [KERNEL]   (6.1 by default, or 6.12; see tools/vm-run)
# Exits non-zero on any failure, on a missing closing line and on timeout (124).
set -uo pipefail
cd "$(dirname "$0")/../.."
KERNEL=${1:-6.1}
# The tree the guest suite needs, with its repository-relative paths.
FILES=(build/biofenced build/biofence build/tests/helpers build/tests/attacks
	tests/run.sh tests/kernel tests/vm tests/attacks tests/helpers/rtsp_camera.py policies
	build/gst-registry.bin)
log=build/check-vm-$KERNEL.log
mkdir -p build
# GStreamer's plugin registry, made here: the guest runs the host's
# GStreamer (/host/usr), and scanning its plugins under TCG takes minutes.
rm -f build/gst-registry.bin
GST_REGISTRY=build/gst-registry.bin /usr/bin/python3 -c 'import gi; gi.require_version("Gst", "1.0")
from gi.repository import Gst; Gst.init(None)' || echo "check-vm: no GStreamer registry (is python3-gi installed?)"
touch build/gst-registry.bin
start=$(date +%s)
# vm-run's own checks boot two short jobs: beside the lane, at a lower priority, so that they
# cost the lane little (their boots are the only CPU they take); their lines follow the lane's.
echo "check-vm: tools/vm-run itself, on $KERNEL, beside the lane"
nice -n 10 tests/vm/selftest.sh "$KERNEL" > "$log.self" 2>&1 &
self_pid=$!
echo "check-vm: Debian 12 kernel $KERNEL under qemu (TCG); the guest's output follows"
# 126: QEMU, not biofence, hung the guest (tools/vm-run, docs/vm-lane.md).
# The lane then resumes in a fresh boot after the last test the guest
# finished (build/vm-done.list; tests/run.sh skips those), saying so, at
# most RESUMES times; the test the hang cut short runs again from its
# start. What each boot finished is counted once: its lines up to its last
# "time:" line (a test's output is printed only when it ends).
done_list=build/vm-done.list
: > "$done_list"
: > "$log.guest"
part_p=0 part_f=0 part_s=0
RESUMES=${BF_VM_RESUMES:-3}
for attempt in $(seq 0 "$RESUMES"); do
	tools/vm-run --kernel "$KERNEL" --timeout "${BF_VM_TIMEOUT:-900}" tests/vm/suite.sh "${FILES[@]}" \
		"$done_list" 2>&1 | tee "$log.run"
	rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 126 ] || [ "$attempt" -eq "$RESUMES" ]; then
		cat "$log.run" >> "$log.guest"
		[ "$rc" -eq 126 ] && echo "check-vm: $KERNEL: the emulator hung the guest $((RESUMES + 1)) times: the lane FAILS"
		break
	fi
	last=$(grep -n '^time: ' "$log.run" | tail -1 | cut -d: -f1)
	if [ -n "$last" ]; then
		head -n "$last" "$log.run" > "$log.done"
		part_p=$((part_p + $(grep -c '^PASS: ' "$log.done")))
		part_f=$((part_f + $(grep -c '^FAIL: ' "$log.done")))
		part_s=$((part_s + $(grep -c '^SKIP: ' "$log.done")))
		sed -n 's/^time: \([^ ]*\) .*/\1/p' "$log.done" >> "$done_list"
		sed -n 's/^SKIP: \(tests\/[^:]*\): host only: .*/\1/p' "$log.done" >> "$done_list"
		cat "$log.done" >> "$log.guest"
	fi
	cp build/vm/klog-*"$KERNEL"*.log build/ 2>/dev/null
	echo "check-vm: $KERNEL: RESUMING in a new boot after $(grep -c . "$done_list") finished tests: the emulator hung the guest kernel (kernel log: build/vm/klog-*.log)" |
		tee -a "$log.guest"
done
rm -f "$log.run" "$log.done"
wait "$self_pid"
cat "$log.self"
# A failure in a boot the emulator later hung is a failure of the lane.
[ "$part_f" -eq 0 ] || [ "$rc" -ne 0 ] || rc=1
secs=$(($(date +%s) - start))
closing=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log.guest" | tail -1)
cat "$log.self" "$log.guest" > "$log"
self_pass=$(grep -c '^PASS: ' "$log.self") self_fail=$(grep -c '^FAIL: ' "$log.self")
[ "$self_fail" -eq 0 ] || rc=1
echo "check-vm: $KERNEL: skipped here, and why:"
grep '^SKIP: ' "$log.guest" | sed 's/^/  /'
echo "check-vm: $KERNEL: $(grep -m1 '^guest: ' "$log.guest" | cut -d, -f1 | sed 's/^guest: /kernel /'), ${secs}s wall"
if [ -z "$closing" ]; then
	echo "check-vm: $KERNEL: no closing line from the guest (vm-run exit $rc)"
	[ "$rc" -eq 0 ] && rc=1
fi
# The lane's one closing line: the guest's counts plus vm-run's own.
if [ -n "$closing" ]; then
	read -r p f sk < <(sed -E 's/^([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?.*/\1 \2 \4/' <<< "$closing")
	sk=$(( ${sk:-0} + part_s ))
	closing="$((p + self_pass + part_p)) passed, $((f + self_fail + part_f)) failed"
	[ "$sk" -gt 0 ] && closing="$closing, $sk skipped"
fi
echo "$closing" | tee -a "$log"
rm -f "$log.self" "$log.guest"
exit "$rc"
