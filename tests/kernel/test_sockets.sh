#!/bin/bash
# test_sockets.sh - a process that opened a camera gets no raw socket, and one holding a packet socket is stopped.
. "$(dirname "$0")/lib.sh"
bf_setup

net=$(helper_copy bf_net gatecam)
policy "$TMP/p.policy" <<EOP
camera cam path "$TMP/video0"
app gatecam exe "$net"
dest local 127.0.0.2
capture allow gatecam cam
export allow gatecam local
EOP
agent_start "$TMP/p.policy" || { fail "agent start"; exit 1; }

t() { in_cg "$net" --camera "$TMP/video0" "$@"; }
expect "tainted: a raw socket is refused" "net=EPERM" "$(t raw4 127.0.0.3 0 | tail -1)"
expect "untainted: a raw socket is not judged" "net=ok" "$(in_cg "$net" raw4 127.0.0.3 0 | tail -1)"
check "the refusal is logged" wait_for ".kind == \"socket\" and .event == \"create\" and .verdict == \"deny\" and .socket.type == \"raw\" and .socket.family == \"inet\" and .taint.device == \"81:$CAM_MINOR\"" 1

# AF_PACKET has no cgroup hook. With BPF LSM the socket is never made; without it,
# the agent's scan finds the holder and kills it.
lsm=$("$CLI" status --json --control "$CTL" --pin-dir "$PIN" | jq -r '.status.backends.lsm')
if [[ $lsm == enforcing* ]]; then
	expect "lsm: tainted, a packet socket is refused when made (nothing left to kill)" "camera=ENXIO net=EPERM survived" "$(t --hold 8 packet 0 0 | tr '\n' ' ' | sed 's/ $//')"
	check "... and logged with its family and hook" wait_for '.kind == "socket" and .event == "create" and .verdict == "deny" and .enforced == true and .socket.family == "packet" and .hook == "lsm/socket_create"' 1
	terminations=0
else
	out=$(t --hold 8 packet 0 0)
	expect "tainted, packet socket after the camera: killed before its hold ends" "camera=ENXIO net=ok" "$(tr '\n' ' ' <<< "$out" | sed 's/ $//')"
	check "its termination is logged" wait_for '.kind == "socket" and .event == "terminate" and .enforced == true and .socket.family == "packet"' 1
	terminations=1
fi
# Made before the camera open, the socket predates the taint: the scan is what stops it.
# The kill may land before the helper says "camera=", so what is asserted is
# what cannot race: the socket was made, the hold never ended, SIGKILL ended it.
out=$(t --hold 8 packetfirst 0 0; echo "exit=$?")
expect "packet socket made before the camera open: made" "net=ok" "$(head -1 <<< "$out")"
expect "... then killed by SIGKILL before its hold ends" "exit=137" "$(grep -v '^camera=' <<< "$out" | tail -n +2 | tr '\n' ' ' | sed 's/ $//')"
check "its termination is logged" wait_for '.kind == "socket" and .event == "terminate"' $((terminations + 1))
if [ "$("$net" --hold 0 vsock 0 0 | head -1)" = "net=ok" ]; then
	if [[ $lsm == enforcing* ]]; then
		expect "lsm: tainted, a vsock socket is refused when made (nothing left to kill)" "camera=ENXIO net=EPERM survived" "$(t --hold 8 vsock 0 0 | tr '\n' ' ' | sed 's/ $//')"
		check "... and logged as vsock" wait_for '.kind == "socket" and .event == "create" and .socket.family == "vsock"' 1
	else
		out=$(t --hold 8 vsock 0 0)
		expect "tainted, vsock socket (no hook of any kind): killed" "camera=ENXIO net=ok" "$(tr '\n' ' ' <<< "$out" | sed 's/ $//')"
		check "... and logged as vsock" wait_for '.kind == "socket" and .event == "terminate" and .socket.family == "vsock"' 1
	fi
else
	skip "this kernel has no AF_VSOCK"
fi
expect "untainted, packet socket: left alone" "survived" "$(in_cg "$net" --hold 2 packet 0 0 | tail -1)"
check "a camera process with CAP_NET_RAW is named" wait_for '.kind == "socket" and .event == "cap-net-raw"' 1
expect "... once per process" "true" "$(jq -s '[.[] | select(.event == "cap-net-raw") | .pid] | length == (unique | length)' "$LOG")"
# The raw refusal, and under BPF LSM the packet and vsock ones.
if [[ $lsm == enforcing* ]]; then denials=$(jq -s '[.[] | select(.kind == "socket" and .event == "create" and .verdict == "deny")] | length' "$LOG"); else denials=1; fi
check "status counts the socket refusals" sh -c "'$CLI' status --json --control '$CTL' --pin-dir '$PIN' | jq -e '.status.counters.socket_denials == $denials'"
agent_stop

# Audit mode: reported, not killed.
sed -i '1i mode audit' "$TMP/p.policy"
agent_start "$TMP/p.policy" || { fail "agent start (audit)"; exit 1; }
expect "audit mode: the raw socket is let through" "net=ok" "$(t raw4 127.0.0.3 0 | tail -1)"
check "... and logged as a denial not enforced" wait_for '.kind == "socket" and .event == "create" and .verdict == "deny" and .enforced == false' 1
expect "audit mode: the packet holder survives" "survived" "$(t --hold 3 packet 0 0 | tail -1)"
check "... and is reported" wait_for '.kind == "socket" and .event == "report" and .enforced == false' 1
if [[ $lsm == enforcing* ]]; then
	check "... its creation reported by lsm/socket_create, not enforced" wait_for '.kind == "socket" and .event == "create" and .socket.family == "packet" and .enforced == false' 1
fi
agent_stop
