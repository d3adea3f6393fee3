#!/bin/bash
# test_open.sh - camera opens under BPF LSM (VM lane): lsm/file_open judges them by device a second time, so with the device program detached (self-protection off) a non-app is still refused, logged, and an app still opens and is tainted.
#
# Run in the guest: tools/vm-run --kernel 6.1 tests/vm/test_open.sh tests/kernel/lib.sh \
#     build/biofenced build/biofence build/tests/helpers
. "$(dirname "$0")/../kernel/lib.sh"
bf_setup

POKE=$HELPERS/bf_bpfpoke
app=$(helper_copy bf_open recognizer)
other=$(helper_copy bf_open intruder)
policy "$TMP/p.policy" <<EOP
camera lobby path "$TMP/video0"
app recognizer exe "$app"
capture allow recognizer lobby
capture deny any lobby
EOP
one_line() { tr '\n' ' ' | sed 's/ $//'; }

# Without self-protection, root can detach the device program: the case this gate is for.
agent_start "$TMP/p.policy" --no-protect || { fail "agent start"; exit 1; }
capture=$("$CLI" status --json --control "$CTL" | jq -r '.status.backends.capture')
if ! grep -q 'lsm/file_open' <<< "$capture"; then
	if [ -n "${BF_GUEST:-}" ]; then fail "the VM lane runs BPF LSM: capture is $capture"; exit 1; fi
	skip "needs BPF LSM: capture is $capture"
	exit 0
fi
pass "status: capture opens are judged by cgroup/dev and again by lsm/file_open ($capture)"

expect "a non-app is refused (cgroup/dev)" "ok=0 EPERM=1 ENXIO=0 other=0" "$(in_cg "$other" "$TMP/video0")"
check "... and logged by the device program" \
	wait_for '.kind == "capture" and .verdict == "deny" and .hook == null' 1 10
sleep 1
expect "... once: file_open never runs after the device check refused" 1 \
	"$(count '.kind == "capture" and .verdict == "deny"')"
expect "root detaches biofence's device program (self-protection is off)" "open=ok detach=ok" \
	"$("$POKE" link-pin "$PIN/links/bf_dev" | one_line | cut -d' ' -f1-2)"
expect "a non-app is still refused, by lsm/file_open" "ok=0 EPERM=1 ENXIO=0 other=0" \
	"$(in_cg "$other" "$TMP/video0")"
check "... and logged, naming the hook" \
	wait_for '.kind == "capture" and .verdict == "deny" and .enforced == true and .event == "use" and .use == "open" and .hook == "lsm/file_open"' 1 10
expect "the app still opens (ENXIO: no driver behind the node, past every check)" \
	"ok=0 EPERM=0 ENXIO=1 other=0" "$(in_cg "$app" "$TMP/video0")"
