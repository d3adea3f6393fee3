#!/bin/bash
# test_netcam_streams.sh - real network cameras: GStreamer's RTSP server and ffmpeg's MJPEG-over-HTTP server, pulled by ffmpeg over RTSP/TCP, RTSP/UDP and HTTP, and RTP the camera pushes.
#
# The cameras live in a network namespace of their own (lib.sh netcam_up):
# an RTSP camera (tests/helpers/rtsp_camera.py: videotestsrc, RTP/JPEG) at
# NC_CAM, an MJPEG-over-HTTP camera (ffmpeg -f mpjpeg -listen 1) at a second
# address, and a camera pushing RTP/JPEG to two ports on this side. The app
# is a copy of ffmpeg the policy names; the intruder is another copy of the
# same binary. Frames are counted (ffmpeg -f framemd5: one line per frame).
. "$(dirname "$0")/lib.sh"
bf_setup

# The streaming programs are Debian's (make check installs them). In the VM
# lane they are the host's own /usr, shared read-only (tools/vm-run): RUN
# gives a command that /usr in a mount namespace of its own.
RUN=
if [ -n "${BF_GUEST:-}" ]; then
	if [ ! -x /host/usr/bin/ffmpeg ]; then
		fail "the host's /usr is not shared with the guest (tools/vm-run mounts it at /host/usr)"
		exit 1
	fi
	RUN=$TMP/hostusr
	cat > "$RUN" <<'EOW'
#!/bin/sh
exec unshare -m sh -c 'mount --bind /host/usr /usr && exec "$0" "$@"' "$@"
EOW
	chmod 755 "$RUN"
	# The plugin registry the host made: scanning every plugin under the emulator takes minutes.
	[ -f "$ROOT/build/gst-registry.bin" ] && export GST_REGISTRY="$ROOT/build/gst-registry.bin" GST_REGISTRY_UPDATE=no
fi
for need in /usr/bin/ffmpeg /usr/bin/python3; do
	[ -n "$RUN" ] && need=/host$need
	[ -x "$need" ] || { fail "$need is missing ('make check' installs ffmpeg, python3-gi and GStreamer's RTSP server)"; exit 1; }
done

netcam_up
case $? in
0) ;;
2) skip "cannot make a network namespace (ip netns add)"; exit 0 ;;
*) fail "could not wire the camera's namespace (veth $NC_VH/$NC_VC)"; exit 1 ;;
esac
DOOR=${NC_CAM%.2}.3
ip -n "$NC_NS" addr add "$DOOR/24" dev "$NC_VC"
FFQ=(-nostdin -hide_banner -loglevel error)
netcam_serve $RUN /usr/bin/python3 "$ROOT/tests/helpers/rtsp_camera.py" "$NC_CAM" 8554 /lobby
# ffmpeg's HTTP server serves one client and exits: served again at once, as a camera would.
netcam_serve sh -c "while :; do $RUN /usr/bin/ffmpeg ${FFQ[*]} -re -f lavfi -i testsrc=size=320x240:rate=10 \
	-c:v mjpeg -q:v 8 -f mpjpeg -listen 1 http://$DOOR:8080/door.mjpg; sleep 0.1; done"
# RTP/JPEG pushed unasked to two ports on this side, five frames a second
# (RFC 2435 carries 4:2:0 with the standard Huffman tables only).
PUSH1=$((20000 + RANDOM % 20000))
PUSH2=$((PUSH1 + 2))
netcam_serve $RUN /usr/bin/ffmpeg "${FFQ[@]}" -re -f lavfi -i testsrc=size=160x120:rate=5 \
	-pix_fmt yuvj420p -c:v mjpeg -huffman default -q:v 8 -f rtp "rtp://$NC_HOST:$PUSH1" \
	-pix_fmt yuvj420p -c:v mjpeg -huffman default -q:v 8 -f rtp "rtp://$NC_HOST:$PUSH2"
for p in "$PUSH1" "$PUSH2"; do
	printf 'v=0\no=- 0 0 IN IP4 %s\ns=push\nc=IN IP4 %s\nt=0 0\nm=video %s RTP/AVP 26\n' \
		"$NC_CAM" "$NC_HOST" "$p" > "$TMP/push$p.sdp"
done
# The third party, and the controller the app may send to.
sinks_up

cp /usr/bin/ffmpeg "$TMP/viewer" 2>/dev/null || cp /host/usr/bin/ffmpeg "$TMP/viewer"
cp "$TMP/viewer" "$TMP/intruder"
chmod 755 "$TMP/viewer" "$TMP/intruder"

# ff PROG ARGS...: run a copy of ffmpeg in the test cgroup, reading ARGS' input
# for at most 5 frames into framemd5 (FF_T seconds at most); prints "frames=N" and " EPERM" if it was refused.
ff() {
	local prog=$1 out err; shift
	out=$(in_cg timeout "${FF_T:-30}" $RUN "$TMP/$prog" "${FFQ[@]}" "$@" 2> "$TMP/ff.err")
	err=$(cat "$TMP/ff.err")
	printf 'frames=%s' "$(grep -c '^[0-9]' <<< "$out")"
	grep -q "Operation not permitted" <<< "$err" && printf ' EPERM'
	echo
}
RTSP=rtsp://$NC_CAM:8554/lobby
MJPG=http://$DOOR:8080/door.mjpg
N5=(-frames:v 5 -f framemd5 -)

# Before the agent: the cameras stream (to a process outside biofence's scope).
for _ in $(seq 100); do
	$RUN /usr/bin/ffmpeg "${FFQ[@]}" -rtsp_transport tcp -i "$RTSP" "${N5[@]}" 2>/dev/null | grep -q '^0,' && break
	sleep 0.2
done
expect "the RTSP camera streams (GStreamer's RTSP server, pulled over TCP)" "5" \
	"$($RUN /usr/bin/ffmpeg "${FFQ[@]}" -rtsp_transport tcp -i "$RTSP" "${N5[@]}" 2>/dev/null | grep -c '^[0-9]')"
expect "the MJPEG camera streams (ffmpeg's HTTP server)" "5" \
	"$($RUN /usr/bin/ffmpeg "${FFQ[@]}" -i "$MJPG" "${N5[@]}" 2>/dev/null | grep -c '^[0-9]')"

policy "$TMP/p.policy" <<EOP
mode enforce
# RTSP on tcp 8554, and its RTP over UDP from whatever ports the server picks.
camera lobby net $NC_CAM rtsp
camera door  net $DOOR tcp 8080 http
app viewer exe "$TMP/viewer"
dest ctl 127.0.0.1 tcp $CTLP
capture allow viewer lobby
capture allow viewer door
capture deny any any
export allow viewer ctl
export deny any any
EOP
check "biofence check accepts the cameras" "$CLI" check "$TMP/p.policy"
agent_start "$TMP/p.policy" || { fail "agent start"; exit 1; }

expect "the app pulls 5 frames over RTSP/TCP" "frames=5" "$(ff viewer -rtsp_transport tcp -i "$RTSP" "${N5[@]}")"
expect "a copy of the app's binary is refused over RTSP/TCP, no frame" "frames=0 EPERM" \
	"$(ff intruder -rtsp_transport tcp -i "$RTSP" "${N5[@]}")"
expect "the app pulls 5 frames over RTSP/UDP (RTP from the camera's ports)" "frames=5" \
	"$(ff viewer -rtsp_transport udp -i "$RTSP" "${N5[@]}")"
expect "the copy is refused over RTSP/UDP, no frame" "frames=0 EPERM" \
	"$(ff intruder -rtsp_transport udp -i "$RTSP" "${N5[@]}")"
expect "the app pulls 5 frames of MJPEG over HTTP" "frames=5" "$(ff viewer -i "$MJPG" "${N5[@]}")"
expect "the copy is refused over HTTP, no frame" "frames=0 EPERM" "$(ff intruder -i "$MJPG" "${N5[@]}")"
check "the refused RTSP pull is a deny record naming the camera, its address and rtsp" \
	wait_for ".kind == \"capture\" and .camera == \"lobby\" and .net.ip == \"$NC_CAM\" and .net.port == 8554 and .speaks == \"rtsp\" and .verdict == \"deny\" and .comm == \"intruder\"" 1
check "the refused HTTP pull is a deny record naming the camera and http" \
	wait_for ".kind == \"capture\" and .camera == \"door\" and .net.port == 8080 and .speaks == \"http\" and .verdict == \"deny\" and .comm == \"intruder\"" 1
check "the app's RTP over UDP is judged on arrival and allowed" \
	wait_for ".kind == \"capture\" and .camera == \"lobby\" and .net.proto == \"udp\" and .verdict == \"allow\" and .comm == \"viewer\"" 1

# What the frames may reach: the app pulls and forwards them (ffmpeg opens its output after its input).
fwd() { in_cg timeout 30 $RUN "$TMP/viewer" "${FFQ[@]}" "$@" -frames:v 5 -c:v copy -f mpjpeg "$FWD" 2>&1 |
	grep -q "Operation not permitted" && echo EPERM || echo ok; }
FWD=tcp://127.0.0.2:$THIRD
expect "having pulled over RTSP, the app may not send the frames to a third party" "EPERM" \
	"$(fwd -rtsp_transport tcp -i "$RTSP")"
expect "having pulled over HTTP, the same" "EPERM" "$(fwd -i "$MJPG")"
FWD=tcp://127.0.0.1:$CTLP
expect "having pulled, the app forwards the frames to its controller" "ok" "$(fwd -rtsp_transport udp -i "$RTSP")"
sleep 0.3
expect "the third party received nothing" "0" "$(stat -c %s "$TMP/third.out" 2>/dev/null || echo 0)"
expect "the controller received 5 JPEG frames" "5" "$(grep -ac 'Content-type: image/jpeg' "$TMP/ctl.out")"
check "the refused forward is an export deny whose taint names the network camera" \
	wait_for ".kind == \"export\" and .verdict == \"deny\" and .dest.ip == \"127.0.0.2\" and .taint.device == \"net\" and .comm == \"viewer\"" 2

# RTP the camera pushes unasked: a listener the policy does not name receives nothing.
expect "a copy of ffmpeg listening where the camera pushes gets no frame" "frames=0" \
	"$(FF_T=5 ff intruder -protocol_whitelist file,udp,rtp -i "$TMP/push$PUSH1.sdp" "${N5[@]}")"
check "... its datagrams are dropped at cgroup_skb/ingress, recorded" \
	wait_for ".kind == \"capture\" and .camera == \"lobby\" and .call == \"receive\" and .hook == \"cgroup_skb/ingress\" and .verdict == \"deny\" and .comm == \"intruder\"" 1
expect "the app listening where the camera pushes gets 5 frames" "frames=5" \
	"$(ff viewer -protocol_whitelist file,udp,rtp -i "$TMP/push$PUSH2.sdp" "${N5[@]}")"
FWD=tcp://127.0.0.2:$THIRD
expect "... and is tainted by them: its forward to a third party is refused" "EPERM" \
	"$(fwd -protocol_whitelist file,udp,rtp -i "$TMP/push$PUSH2.sdp")"
sleep 0.3
expect "the third party still received nothing" "0" "$(stat -c %s "$TMP/third.out" 2>/dev/null || echo 0)"
