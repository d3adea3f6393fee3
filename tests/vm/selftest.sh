#!/bin/bash
# selftest.sh - tools/vm-run as a user meets it: a script's output and exit code come back, a hung guest ends in 124.
# usage: tests/vm/selftest.sh [KERNEL]   (run by tests/vm/check.sh before the suite; PASS:/FAIL: lines)
set -u
cd "$(dirname "$0")/../.."
KERNEL=${1:-6.1}
TMP=$(mktemp -d /tmp/bf-vmself.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
pass() { echo "PASS: vm-run: $1"; }
fail() { echo "FAIL: vm-run: $1"; }

# A job with a file beside it: output streamed back, files in /job, exit code passed through.
mkdir -p "$TMP/sub"
echo "camera lobby class video" > "$TMP/sub/p.policy"
cat > "$TMP/job.sh" <<'EOF'
echo "kernel $(uname -r)"
echo "file $(cat sub/p.policy)"
echo "agent $(command -v biofenced) $(command -v biofence)"
echo "lsm $(cat /sys/kernel/security/lsm)"
[ -c /dev/video0 ] && echo "camera /dev/video0"
biofence check sub/p.policy > /dev/null && echo "policy valid"
exit 7
EOF
out=$(cd "$TMP" && BF_VM_QUIET=1 "$OLDPWD/tools/vm-run" --kernel "$KERNEL" --timeout 300 job.sh sub/p.policy 2>&1)
rc=$?
[ $rc -eq 7 ] && pass "the script's exit code comes back (7)" || fail "exit code: want 7, got $rc: $out"
grep -q "^kernel [0-9.]*[-+]" <<< "$out" && pass "its output streams back ($(grep '^kernel ' <<< "$out"))" ||
	fail "no output from the guest: $out"
grep -q '^file camera lobby class video$' <<< "$out" && pass "FILEs keep their relative paths in /job" || fail "FILE not in /job: $out"
grep -q '^agent /usr/local/bin/biofenced /usr/local/bin/biofence$' <<< "$out" && pass "biofenced and biofence are on PATH" ||
	fail "agent not on PATH: $out"
grep -q '^lsm .*bpf' <<< "$out" && pass "BPF LSM is in the guest kernel's LSM list" || fail "no bpf in the LSM list: $out"
grep -q '^camera /dev/video0$' <<< "$out" && pass "vivid is loaded: /dev/video0" || fail "no /dev/video0: $out"
grep -q '^policy valid$' <<< "$out" && pass "the CLI runs in the guest" || fail "biofence check failed in the guest: $out"

# A job that never ends: the VM is killed at the limit, 124, nothing left behind. Its kernel
# command line carries a mark of this run, so that the lane's own emulator, which may be
# running beside it (tests/vm/check.sh), is not taken for a leftover.
mark=bfself=${TMP##*.}
echo "sleep 600" > "$TMP/hang.sh"
start=$(date +%s)
out=$(cd "$TMP" && BF_VM_QUIET=1 BF_VM_APPEND=$mark "$OLDPWD/tools/vm-run" --kernel "$KERNEL" --timeout 25 hang.sh 2>&1)
rc=$? secs=$(($(date +%s) - start))
[ $rc -eq 124 ] && pass "a job past --timeout ends in 124 (after ${secs}s)" || fail "timeout: want 124, got $rc: $out"
if pgrep -f "qemu-system-x86_64.*$mark" > /dev/null; then
	fail "a qemu was left running"
else
	pass "no qemu left running"
fi
