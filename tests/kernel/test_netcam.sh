#!/bin/bash
# test_netcam.sh - network cameras: pulling a camera's stream over TCP or UDP is a capture, judged on connect and send, and taints.
#
# The camera lives in a network namespace of its own behind a veth pair
# (198.18.N.2 and fd00:bf:N::2, the host side .1), streaming numbered
# frames (tests/helpers/bf_stream); the apps pull them from the test
# cgroup. A third party and the one allowed destination listen on the
# host's loopback, outside the cgroup.
. "$(dirname "$0")/lib.sh"
bf_setup

netcam_up
case $? in
0) ;;
2) skip "cannot make a network namespace (ip netns add)"; exit 0 ;;
*) fail "could not wire the camera's namespace (veth $NC_VH/$NC_VC)"; exit 1 ;;
esac
V4=${NC_CAM%.2}
V6=${NC_CAM6%::2}
STREAM=$HELPERS/bf_stream
netcam_serve "$STREAM" serve tcp "$NC_CAM" 8554
netcam_serve "$STREAM" serve udp "$NC_CAM" 8555
netcam_serve "$STREAM" serve tcp "$NC_CAM6" 8554
netcam_serve "$STREAM" serve tcp "$NC_CAM" 8556
netcam_serve "$STREAM" serve tcp "$NC_CAM" 8557 40
# The camera also pushes RTP-like datagrams unasked, ten a second, to two ports on this side.
PUSH1=$((20000 + RANDOM % 20000))
PUSH2=$((PUSH1 + 2))
netcam_serve "$STREAM" push udp "$NC_HOST" "$PUSH1"
netcam_serve "$STREAM" push udp "$NC_HOST" "$PUSH2"
# A camera named by host name: the agent resolves it against a test DNS
# server (lib.sh dns_serve), in a mount namespace of its own.
dns_serve "cam.bft.test 60 A $NC_CAM"
# The third party, and the controller the app may send to.
sinks_up
# The namespace answers once its servers listen: pulled from outside the cgroup, unjudged.
for _ in $(seq 50); do
	"$STREAM" pull tcp "$V4.2" 8554 2>/dev/null | grep -q "frames=5" && break
	sleep 0.1
done
expect "the camera streams to a process outside biofence's scope" "pull=ok frames=5" \
	"$("$STREAM" pull tcp "$V4.2" 8554)"

puller=$(helper_copy bf_stream puller)
intruder=$(helper_copy bf_stream intruder)
opener=$(helper_copy bf_open opener)
prober=$(helper_copy bf_net prober)
onvifapp=$(helper_copy bf_net onvifapp)
policy "$TMP/p.policy" <<EOP
mode enforce
camera gate  net $V4.2, $V6::2 tcp 8554, 8557 rtsp
camera gateu net $V4.2 udp 8555
camera lobby path "$TMP/video0"
camera named net host "cam.bft.test" tcp 8556 http
camera pushcam net $NC_CAM udp rtsp
camera onvifcam net $NC_CAM tcp 80 onvif
app onvifapp exe "$onvifapp"
app puller exe "$puller"
dest ctl 127.0.0.1 tcp $CTLP
capture allow puller gate
capture allow puller gateu
capture allow puller named
capture allow puller pushcam
capture allow onvifapp onvifcam
capture deny any any
export allow puller ctl
export deny any any
EOP
check "biofence check accepts device and network cameras together" "$CLI" check "$TMP/p.policy"
AGENT=$AGENT_NS agent_start "$TMP/p.policy" --consent "$TMP/consent.jsonl" || { fail "agent start"; exit 1; }

st=$("$CLI" status --json --control "$CTL" --pin-dir "$PIN")
# Where BPF LSM runs, a receive on a socket connected to a camera is judged too.
LSM=
jq -e '.status.backends.lsm | startswith("enforcing")' <<< "$st" >/dev/null && LSM=1
G="cgroup/connect4, connect6, sendmsg4, sendmsg6, ingress, recvmsg4, recvmsg6${LSM:+; lsm/socket_recvmsg, socket_sendmsg}"
expect "status lists the network cameras and what guards them" "gate: $G; gateu: $G; named: $G; pushcam: $G; onvifcam: $G" \
	"$(jq -r '.status.network_cameras | to_entries | map("\(.key): \(.value.guarded_by)") | join("; ")' <<< "$st")"
# Here-strings, not <(...): the VM lane's guest has no /dev/fd.
check "status text names the camera's address and protocol" \
	grep -q "gate (network camera $V4.2, $V6::2 tcp ports 8554, 8557, speaks rtsp), guarded by" \
	<<< "$("$CLI" status --control "$CTL" --pin-dir "$PIN")"

pull() { in_cg "$@" | tr '\n' ' ' | sed 's/ $//'; }
expect "status shows what the camera's host name resolved to" "[\"$NC_CAM\"]" \
	"$(jq -c '.status.dns["camera named"].addresses' <<< "$st")"
expect "a camera named by host name: the app pulls from its address" "pull=ok frames=5" \
	"$(pull "$puller" pull tcp "$NC_CAM" 8556)"
expect "... and another program is refused" "pull=EPERM" "$(pull "$intruder" pull tcp "$NC_CAM" 8556)"
expect "the app pulls the stream over TCP" "pull=ok frames=5" "$(pull "$puller" pull tcp "$V4.2" 8554)"
expect "another program's connect to the camera is refused" "pull=EPERM" "$(pull "$intruder" pull tcp "$V4.2" 8554)"
expect "the app pulls over IPv6" "pull=ok frames=5" "$(pull "$puller" pull tcp "$V6::2" 8554)"
expect "another program's IPv6 connect is refused" "pull=EPERM" "$(pull "$intruder" pull tcp "$V6::2" 8554)"
expect "the app pulls over UDP (a request sent, frames back)" "pull=ok frames=5" \
	"$(pull "$puller" pull udp "$V4.2" 8555)"
expect "another program's UDP request to the camera is refused" "pull=EPERM" \
	"$(pull "$intruder" pull udp "$V4.2" 8555)"
expect "a port the camera is not named for is no capture (the camera's other services)" "pull=ECONNREFUSED" \
	"$(pull "$intruder" pull tcp "$V4.2" 8080)"
expect "the device camera in the same policy is still enforced" "ok=0 EPERM=1 ENXIO=0 other=0" \
	"$(pull "$opener" "$TMP/video0")"

# ONVIF WS-Discovery: probing the camera network for cameras is a capture path of an onvif camera.
expect "another program's WS-Discovery probe (239.255.255.250:3702) is refused" "net=EPERM" \
	"$(in_cg "$prober" udp4 239.255.255.250 3702 | tail -1)"
case $(in_cg "$onvifapp" udp4 239.255.255.250 3702 | tail -1) in
net=ok | net=ENETUNREACH) pass "the onvif camera's app may probe (let through; no multicast route here is not biofence's)" ;;
*) fail "the onvif camera's app should be let through to probe" ;;
esac
check "the refused probe is a capture record naming the onvif camera" \
	wait_for '.kind == "capture" and .camera == "onvifcam" and .net.ip == "239.255.255.250" and .net.port == 3702 and .speaks == "onvif" and .verdict == "deny" and .comm == "prober"' 1

# What a camera pushes unasked (RTP to a port the client bound): judged on arrival by the socket's owner.
expect "another program listening where the camera pushes receives nothing" "listen=ok frames=0" \
	"$(pull "$intruder" listen udp "$NC_HOST" "$PUSH1")"
expect "the app receives the pushed frames, and is tainted by them" "listen=ok send=EPERM" \
	"$(pull "$puller" listen udp "$NC_HOST" "$PUSH2" --then-send 127.0.0.2 "$THIRD" | sed 's/ frames=[1-9][0-9]*//')"
check "the dropped datagrams are a deny record, at cgroup_skb/ingress, naming the receiver" \
	wait_for ".kind == \"capture\" and .camera == \"pushcam\" and .call == \"receive\" and .hook == \"cgroup_skb/ingress\" and .verdict == \"deny\" and .comm == \"intruder\" and .net.ip == \"$NC_CAM\"" 1
check "the app's receipt is an allow record" \
	wait_for '.kind == "capture" and .camera == "pushcam" and .call == "receive" and .verdict == "allow" and .comm == "puller"' 1
# The app binds where the camera pushes and hands the socket to a child
# running another program (fork, exec, the descriptor kept): the ingress
# judges the owner, the app, so the frames arrive and taint the app; what
# the child reads with recvfrom taints the child (cgroup/recvmsg4).
denials() { "$CLI" status --json --control "$CTL" --pin-dir "$PIN" | jq -r '.status.counters.capture_denials'; }
d0=$(denials)
handed=$(pull "$puller" listen udp "$NC_HOST" "$PUSH2" --then-send 127.0.0.2 "$THIRD" --hand-to "$intruder")
case $handed in
"listen=ok frames="[1-9]*" send=EPERM") pass "a socket handed to another program: its reads taint it, its send to a third party is refused ($handed)" ;;
*) fail "a socket handed to another program: want frames and send=EPERM, got '$handed'" ;;
esac
check "... and its reads are recorded as a capture the rules deny, not enforced, at cgroup/recvmsg4" \
	wait_for '.kind == "capture" and .camera == "pushcam" and .call == "recvfrom" and .hook == "cgroup/recvmsg4" and .verdict == "deny" and .enforced == false and .comm == "intruder"' 1
expect "... which status does not count as a capture denial: nothing was refused" "$d0" "$(denials)"

# What the pulled frames may reach: the export rules, as after a device open.
expect "having pulled, the app may not send the frames to a third party" "pull=ok frames=5 send=EPERM" \
	"$(pull "$puller" pull tcp "$V4.2" 8554 --then-send 127.0.0.2 "$THIRD")"
expect "having pulled, the app sends them to its controller" "pull=ok frames=5 send=ok bytes=5000" \
	"$(pull "$puller" pull tcp "$V4.2" 8554 --then-send 127.0.0.1 "$CTLP")"
expect "a child of the app, having pulled, may not send to a third party" "pull=ok frames=5 send=EPERM" \
	"$(pull "$puller" pull udp "$V4.2" 8555 --fork --then-send 127.0.0.2 "$THIRD")"
sleep 0.3
expect "the third party received nothing" "0" "$(stat -c %s "$TMP/third.out" 2>/dev/null || echo 0)"
expect "the controller received the frames" "5000" "$(stat -c %s "$TMP/ctl.out" 2>/dev/null || echo 0)"

# The records an inspector reads: camera, address, protocol, call, verdict; the taint names the camera.
check "an allowed pull is a capture record with the camera's address and protocol" \
	wait_for ".kind == \"capture\" and .camera == \"gate\" and .net.ip == \"$V4.2\" and .net.port == 8554 and .net.proto == \"tcp\" and .speaks == \"rtsp\" and .call == \"connect\" and .verdict == \"allow\" and .comm == \"puller\"" 1
check "a refused pull is a deny record naming the program" \
	wait_for ".kind == \"capture\" and .camera == \"gate\" and .verdict == \"deny\" and .enforced == true and .comm == \"intruder\" and (.device | not)" 1
check "a refused UDP request is a deny record with the sendmsg call" \
	wait_for ".kind == \"capture\" and .camera == \"gateu\" and .net.proto == \"udp\" and .call == \"sendmsg\" and .verdict == \"deny\" and .comm == \"intruder\"" 1
check "an IPv6 pull names the IPv6 address" \
	wait_for ".kind == \"capture\" and .camera == \"gate\" and .net.ip == \"$V6::2\" and .family == \"inet6\" and .verdict == \"allow\"" 1
check "the refused send's taint names the network camera" \
	wait_for ".kind == \"export\" and .verdict == \"deny\" and .dest.ip == \"127.0.0.2\" and .taint.device == \"net\" and .taint.camera == \"gate\"" 1

# Consent: the app may pull only inside a window opened for it on this camera, ended in kernel time.
ctl() { printf '%s\n' "$1" | socat -t 5 - "UNIX-CONNECT:$CTL"; }
rfc() { date -u -d "@$(( $(date +%s) + $1 ))" +%Y-%m-%dT%H:%M:%SZ; }
sed -i 's/^capture allow puller gate$/capture allow puller gate consent entry window 2s/' "$TMP/p.policy"
expect "a consent rule for a network camera loads" "true" "$(ctl '{"cmd":"reload"}' | jq .ok)"
expect "no window: the app's pull is refused" "pull=EPERM" "$(pull "$puller" pull tcp "$V4.2" 8554)"
check "... and the record says why" \
	wait_for '.kind == "capture" and .camera == "gate" and .verdict == "deny" and .consent.reason == "no window" and .comm == "puller"' 1
ctl "{\"cmd\":\"consent-grant\",\"grant\":{\"id\":\"g1\",\"subject\":\"p-g1\",\"purpose\":\"entry\",\"cameras\":[\"gate\"],\"granted\":\"$(rfc -60)\",\"expires\":\"$(rfc 3600)\",\"notice\":\"v3\"}}" >/dev/null
r=$(ctl '{"cmd":"window-open","consent":"g1","app":"puller","camera":"gate","for":"2s"}')
expect "a window opens on the network camera" "true" "$(jq .ok <<< "$r")"
expect "inside the window the app pulls" "pull=ok frames=5" "$(pull "$puller" pull tcp "$V4.2" 8554)"
check "... recorded with the window" \
	wait_for ".kind == \"capture\" and .camera == \"gate\" and .verdict == \"allow\" and .consent.window.id == $(jq .window.id <<< "$r")" 1
sleep 2.3
expect "after the window the app's pull is refused again" "pull=EPERM" "$(pull "$puller" pull tcp "$V4.2" 8554)"
# A stream pulled inside a window, read one frame per 100 ms (40 frames, 4 s) past its 2 s end.
r=$(ctl '{"cmd":"window-open","consent":"g1","app":"puller","camera":"gate","for":"2s"}')
slow=$(pull "$puller" pull tcp "$V4.2" 8557 --slow 100)
if [ -n "$LSM" ]; then
	case $slow in
	"pull=ok frames="*" recv=EPERM") pass "the stream stops when its window ends (lsm/socket_recvmsg): $slow" ;;
	*) fail "the stream should stop when its window ends: got '$slow'" ;;
	esac
	check "... and the refused receive is recorded, with the hook" \
		wait_for '.kind == "capture" and .camera == "gate" and .call == "recvmsg" and .hook == "lsm/socket_recvmsg" and .verdict == "deny" and .consent.reason == "window expired"' 1
else
	# No hook judges a receive here: status says so (NOT ENFORCED), and so does this.
	expect "without BPF LSM the stream goes on past its window, as status says" "pull=ok frames=40" "$slow"
	check "... status says a stream outlives its window here" \
		grep -q "a stream connected inside a consent window goes on after the window closes" \
		<<< "$("$CLI" status --control "$CTL" --pin-dir "$PIN")"
fi
check "... and the record says the window expired" \
	wait_for '.kind == "capture" and .camera == "gate" and .verdict == "deny" and .consent.reason == "window expired"' 1

# Audit mode: a pull is let through, and the record says it would have been refused.
sed -i 's/^mode enforce/mode audit/' "$TMP/p.policy"
"$CLI" reload --control "$CTL" >/dev/null
expect "in audit mode another program's pull goes through" "pull=ok frames=5" \
	"$(pull "$intruder" pull tcp "$V4.2" 8554)"
check "... and is recorded as a denial not enforced" \
	wait_for ".kind == \"capture\" and .camera == \"gate\" and .comm == \"intruder\" and .verdict == \"deny\" and .enforced == false" 1
agent_stop
exit 0
