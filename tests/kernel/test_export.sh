#!/bin/bash
# test_export.sh - a process that opened a camera reaches only named destinations: TCP, UDP, IPv6, IPv4-mapped, fork, exec.
. "$(dirname "$0")/lib.sh"
bf_setup

net=$(helper_copy bf_net gatecam)
policy "$TMP/p.policy" <<EOP
camera cam path "$TMP/video0"
app gatecam exe "$net"
dest ctl4   127.0.0.2 tcp 4444
dest udp4   127.0.0.2 udp 5555
dest ctl6   ::1 tcp 6666
dest wide   127.0.0.0/8 tcp 7777, 7778
dest narrow 127.0.0.9 tcp 7777
capture allow gatecam cam
export deny  gatecam narrow
export allow gatecam ctl4
export allow gatecam udp4
export allow gatecam ctl6
export allow gatecam wide
export deny  any any
EOP
agent_start "$TMP/p.policy" || { fail "agent start"; exit 1; }

t() { in_cg "$net" --camera "$TMP/video0" "$@" | tail -1; }
expect "tcp4 to the named destination goes through" "net=ECONNREFUSED" "$(t tcp4 127.0.0.2 4444)"
expect "tcp4 to another address is refused" "net=EPERM" "$(t tcp4 127.0.0.3 4444)"
expect "tcp4 to another port is refused" "net=EPERM" "$(t tcp4 127.0.0.2 4445)"
expect "udp sendto to the named destination goes through" "net=ok" "$(t udp4 127.0.0.2 5555)"
expect "udp sendto elsewhere is refused" "net=EPERM" "$(t udp4 127.0.0.3 5555)"
expect "tcp to a udp-only destination is refused" "net=EPERM" "$(t tcp4 127.0.0.2 5555)"
if ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
	expect "tcp6 to ::1 named port goes through" "net=ECONNREFUSED" "$(t tcp6 ::1 6666)"
	expect "tcp6 to ::1 other port is refused" "net=EPERM" "$(t tcp6 ::1 6667)"
else
	skip "no ::1 on lo"
fi
expect "IPv4-mapped IPv6 judged as IPv4: allowed" "net=ECONNREFUSED" "$(t tcp6 ::ffff:127.0.0.2 4444)"
expect "IPv4-mapped IPv6 judged as IPv4: refused" "net=EPERM" "$(t tcp6 ::ffff:127.0.0.3 4444)"
expect "IPv4-mapped udp6 sendto allowed" "net=ok" "$(t udp6 ::ffff:127.0.0.2 5555)"
expect "overlapping CIDRs: the /8 set allows 127.0.0.8:7778" "net=ECONNREFUSED" "$(t tcp4 127.0.0.8 7778)"
expect "overlapping CIDRs: the earlier deny of 127.0.0.9 wins" "net=EPERM" "$(t tcp4 127.0.0.9 7777)"
expect "forked child of a tainted process is refused" "child net=EPERM" "$(t --fork tcp4 127.0.0.3 4444)"
expect "forked child still reaches the named destination" "child net=ECONNREFUSED" "$(t --fork tcp4 127.0.0.2 4444)"
expect "exec keeps the taint" "net=EPERM" "$(t --exec tcp4 127.0.0.3 4444)"

thr=$(helper_copy bf_thread gatecam-threads)
sed -i "s|^app gatecam exe \"$net\"|&\napp gatecam2 exe \"$thr\"|; s|^capture allow gatecam cam|&\ncapture allow gatecam2 cam|" "$TMP/p.policy"
"$CLI" reload --control "$CTL" >/dev/null
expect "taint outlives the thread that opened the camera" "thread net=EPERM" \
	"$(in_cg "$thr" "$TMP/video0" 127.0.0.3 4444 | tail -1)"

untainted=$(in_cg "$net" tcp4 127.0.0.3 4444 | tail -1)
expect "an untainted process is unaffected" "net=ECONNREFUSED" "$untainted"
other=$(helper_copy bf_net other)
expect "a refused camera open does not taint" "camera=EPERM net=ECONNREFUSED" \
	"$(in_cg "$other" --camera "$TMP/video0" tcp4 127.0.0.3 4444 | tr '\n' ' ' | sed 's/ $//')"

# 17 tainted sends above (2 of them on ::1, when present); each appears once.
want=15
ip -6 addr show dev lo 2>/dev/null | grep -q '::1' && want=17
wait_for '.kind == "export"' $want 5
sleep 0.3
expect "each tainted send is logged once" "$want" "$(count '.kind == "export"')"
expect "untainted sends are not logged" "0" "$(count '.kind == "export" and .comm == "other"')"
rec=$(jq -c 'select(.kind == "export" and .verdict == "deny" and .dest.ip == "127.0.0.3" and .call == "connect")' "$LOG" | head -1)
expect "export record: dest, set, rule, app" "127.0.0.3 4444 tcp null $TMP/p.policy:14 gatecam true" \
	"$(jq -r '"\(.dest.ip) \(.dest.port) \(.dest.proto) \(.dest_set) \(.rule) \(.app) \(.enforced)"' <<< "$rec")"
check "export record carries the taint origin" jq -e ".taint.origin_pid > 0 and .taint.device == \"81:$CAM_MINOR\"" <<< "$rec"
# udpv6_sendmsg hands a mapped destination to the IPv4 path, so sendmsg4 judges it.
rec=$(jq -c 'select(.kind == "export" and .verdict == "allow" and .dest.port == 5555)' "$LOG" | tail -1)
expect "mapped udp6 send logged as the IPv4 address, set udp4" "127.0.0.2 udp udp4 sendmsg" \
	"$(jq -r '"\(.dest.ip) \(.dest.proto) \(.dest_set) \(.call)"' <<< "$rec")"
# Every tainted process above has exited: exit must have cleared every taint. Read
# read-only: bpftool opens the pin read-write, which self-protection refuses.
check "exit clears the taint of every process" \
	test "$("$HELPERS/bf_bpfpoke" map-count "$PIN/maps/bf_taint")" -eq 0
agent_stop
