#!/bin/bash
# test_protect.sh - self-protection under BPF LSM (VM lane): root that is not the agent cannot write biofence's maps, take its programs or links, unpin, unmount, kill or ptrace it; each refusal is logged; the admin path still detaches.
#
# Run in the guest: tools/vm-run --kernel 6.1 tests/vm/test_protect.sh tests/kernel/lib.sh \
#     build/biofenced build/biofence build/tests/helpers
. "$(dirname "$0")/../kernel/lib.sh"
bf_setup
# A bind mount of the bpffs, outside $TMP (whose rm -rf must never reach the pins): unmounted
# once the agent has detached, so after lib's own cleanup has asked it to.
BIND=/tmp/$ID-bpfbind
trap 'rc=$?; set +e; "$CLI" detach --pin-dir "$PIN" --control "$CTL" >/dev/null 2>&1; sleep 0.3
	umount "$BIND" 2>/dev/null; rmdir "$BIND" 2>/dev/null; (exit $rc); bf_cleanup' EXIT

POKE=$HELPERS/bf_bpfpoke
other=$(helper_copy bf_open intruder)
policy "$TMP/p.policy" <<EOP
camera lobby path "$TMP/video0"
capture deny any lobby
EOP
open_cam() { in_cg "$other" "$TMP/video0"; }
# refused EVENT: the log has a "protect" record of EVENT (jq string), refused and enforced.
refused() { wait_for ".kind == \"protect\" and .event == \"$1\" and .verdict == \"deny\" and .enforced == true" 1 10; }
one_line() { tr '\n' ' ' | sed 's/ $//'; }

agent_start "$TMP/p.policy" || { fail "agent start"; exit 1; }
protection=$("$CLI" status --json --control "$CTL" | jq -r '.status.backends.protection')
if [ "${protection%% *}" != on ]; then
	# The lane runs BPF LSM on both kernels: no protection there is a failure, not a skip.
	if [ -n "${BF_GUEST:-}" ]; then fail "self-protection is on in the VM lane: $protection"; exit 1; fi
	skip "self-protection needs BPF LSM: $protection"
	exit 0
fi
pass "self-protection is on: $protection"

# --- maps: read-only stays open to all; write is the agent's alone ---
expect "a map read-only: opens, reads, cannot write" "open_ro=ok lookup=ok update_ro=EPERM" \
	"$("$POKE" map-read "$PIN/maps/bf_active" | one_line)"
expect "a map opened for write from its pin: EPERM" "open=EPERM" "$("$POKE" map-write "$PIN/maps/bf_active" | one_line)"
expect "the rules table too" "open=EPERM" "$("$POKE" map-write "$PIN/maps/bf_capture_rules" | one_line)"
expect "a map by id for write: EPERM" "by_id=EPERM" "$("$POKE" map-id-write "$PIN/maps/bf_taint" | one_line)"
check "the map refusals are logged" refused map-write

# --- programs and links: no fd by id; a link pin cannot be opened or used ---
progs=$("$POKE" progs)
check "every biofence program refuses an fd by id ($progs)" test "$(sed 's/refused=\([0-9]*\).*/\1/' <<< "$progs")" -ge 10
check "... logged" refused prog-fd
links=$("$POKE" links)
check "every biofence link refuses an fd by id ($links)" test "$(sed 's/refused=\([0-9]*\).*/\1/' <<< "$links")" -ge 10
check "... logged" refused link-fd
expect "a link pin by its path: EPERM" "open=EPERM" "$("$POKE" link-pin "$PIN/links/bf_dev" | one_line)"
check "... logged" refused pin-get
# Spelt relative, the path is not recognised; what the fd is for is still refused.
expect "a link pin by a relative path: the fd cannot detach or replace the link" \
	"open=ok detach=EPERM update=EPERM" "$(cd "$PIN/links" && "$POKE" link-pin bf_dev | one_line)"
check "... logged" refused link-detach
expect "an fmod_ret program (could make any LSM hook return 0): refused at load" "load=EPERM" \
	"$("$POKE" fmod-ret | one_line)"
check "... logged" refused fmod-ret-load

# --- pins: no unlink, rmdir, rename; the bpffs cannot be unmounted ---
check "rm of a link pin fails" sh -c "! rm -f '$PIN/links/bf_dev' 2>/dev/null"
check "rm of a map pin fails" sh -c "! rm -f '$PIN/maps/bf_taint' 2>/dev/null"
check "rm -rf of the pin dir fails" sh -c "! rm -rf '$PIN' 2>/dev/null"
check "mv of a pin out fails" sh -c "! mv '$PIN/links/bf_dev' /sys/fs/bpf/$ID-moved 2>/dev/null"
check "mv of the pin dir fails" sh -c "! mv '$PIN' /sys/fs/bpf/$ID-moved 2>/dev/null"
check "every pin is still there" test -e "$PIN/links/bf_dev" -a -e "$PIN/maps/bf_taint"
check "... logged" refused pin-unlink
mkdir -p "$BIND"
if mount --bind /sys/fs/bpf "$BIND" 2>/dev/null; then
	check "unmounting the pins' bpffs (a bind mount of it) fails" sh -c "! umount '$BIND' 2>/dev/null"
	check "... logged" refused umount
else
	skip "no bind mount in this guest: umount not tried"
fi

# --- the agent's process: no signal that ends or stops it, no ptrace ---
for sig in KILL TERM INT STOP QUIT USR1; do
	check "kill -$sig of the agent fails" sh -c "! kill -$sig $AGENT_PID 2>/dev/null"
done
check "... logged, with the signal" wait_for ".kind == \"protect\" and .event == \"signal\" and .signal == 9 and .target_pid == $AGENT_PID" 1 10
check "kill -HUP still reloads" sh -c "kill -HUP $AGENT_PID"
check "... and the reload is logged" wait_for '.kind == "agent" and .event == "reload"' 1 10
expect "ptrace attach and /proc/PID/mem: refused" "attach=EPERM mem=EACCES" "$("$POKE" ptrace "$AGENT_PID" | one_line)"
check "... logged" refused ptrace
check "the agent is alive and serving" "$CLI" status --control "$CTL"

# --- nothing of that changed the enforcement ---
expect "still enforcing: a camera open by an app not allowed is EPERM" "ok=0 EPERM=1 ENXIO=0 other=0" "$(open_cam)"
check "status counts the refusals" sh -c \
	"'$CLI' status --json --control '$CTL' | jq -e '.status.counters.protect_denials >= 15'"
# By inode and comm: the path is read from /proc after the fact, and the poker is gone by then.
check "refusal records name the process" wait_for '.kind == "protect" and .uid == 0 and .exe_inode != null and .comm == "bf_bpfpoke" and .pid > 0' 1

# --- the admin path: biofence detach through the agent, logged ---
"$CLI" detach --pin-dir "$PIN" --control "$CTL" > "$TMP/detach.out" 2>&1
expect "biofence detach through the agent works under protection" "0" "$?"
wait "$AGENT_PID"; AGENT_PID=
check "the detach is logged with who asked" wait_for \
	'.kind == "agent" and .event == "detach" and .by.via == "control socket" and .links > 0' 1
check "the pins are gone" test ! -e "$PIN"
expect "enforcement has stopped (ENXIO)" "ok=0 EPERM=0 ENXIO=1 other=0" "$(open_cam)"
if grep -q " $BIND " /proc/mounts; then
	check "with the agent gone, the bind mount unmounts" umount "$BIND"
fi
