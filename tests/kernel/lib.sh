# lib.sh - kernel test harness: a throwaway cgroup, pin dir and temp dir per test, the real agent, cleanup on any exit.
# Sourced by tests/kernel/test_*.sh. Results are lines "PASS: name", "FAIL: name: why", "SKIP: name: why".

set -u
umask 022

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BF_BUILD:-$ROOT/build}
AGENT=$BUILD/biofenced
CLI=$BUILD/biofence
HELPERS=$BUILD/tests/helpers
CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
TEST=$(basename "$0" .sh)
ID=bft-${TEST#test_}-$$-${RANDOM}
CG=$CG2/$ID
PIN=/sys/fs/bpf/$ID
# Two camera minors no driver owns, so an allowed open ends in ENXIO and a
# denied one in EPERM, which tells them apart exactly. On this host that is
# 81:0 and 81:1; in the VM lane vivid owns the low minors of major 81.
CAM_MINOR=0
while [ -e "/sys/dev/char/81:$CAM_MINOR" ] || [ -e "/sys/dev/char/81:$((CAM_MINOR + 1))" ]; do
	CAM_MINOR=$((CAM_MINOR + 1))
done
CAM_MINOR2=$((CAM_MINOR + 1))
TMP=
AGENT_PID=
LOG=
CTL=

pass() { echo "PASS: $TEST: $1"; }
fail() { echo "FAIL: $TEST: $1"; }
skip() {
	# Under CI a kernel feature that is missing is a failure, not a shrug;
	# except in the VM lane, whose older kernels lack features by design
	# (tests/vm/suite.sh lists every skip and its reason per kernel).
	if [ "${CI:-}" = "true" ] && [ -z "${BF_GUEST:-}" ]; then echo "FAIL: $TEST: $1 (skipped, and CI=true)"; else echo "SKIP: $TEST: $1"; fi
}
# jq -e over a whole log judges by the last input line, not the last output:
# checks over a log use jq -s (slurp) instead.
# check NAME COMMAND...: PASS if the command succeeds (its own output is discarded,
# never redirect a check: that would swallow the PASS/FAIL line with it).
check() {
	local name=$1; shift
	if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name"; fi
}
# expect NAME WANT GOT
expect() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: want '$2', got '$3'"; fi
}

# agent_gone PID: exited (a zombie not yet reaped counts as gone).
agent_gone() {
	[ ! -e "/proc/$1" ] || [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

bf_cleanup() {
	local rc=$?
	set +e
	[ -n "$SINK_PIDS" ] && kill $SINK_PIDS 2>/dev/null && wait $SINK_PIDS 2>/dev/null
	netcam_down
	# A self-protecting agent refuses SIGKILL and the CLI's unlinks: the
	# admin path first (the agent removes its pins and stops), then the rest.
	if [ -n "$AGENT_PID" ] && ! agent_gone "$AGENT_PID"; then
		"$CLI" detach --pin-dir "$PIN" --control "$CTL" >/dev/null 2>&1
		kill -9 "$AGENT_PID" 2>/dev/null
		for _ in $(seq 50); do agent_gone "$AGENT_PID" && break; sleep 0.1; done
		agent_gone "$AGENT_PID" && wait "$AGENT_PID" 2>/dev/null
	fi
	if [ -d "$PIN" ]; then
		"$CLI" detach --pin-dir "$PIN" --control "$CTL" >/dev/null 2>&1 ||
			"$AGENT" --detach --pin-dir "$PIN" --log "$TMP/cleanup-detach.jsonl" >/dev/null 2>&1
	fi
	rm -rf "$PIN" 2>/dev/null
	# Children first: a cgroup with live processes or children cannot go.
	if [ -d "$CG" ]; then
		find "$CG" -depth -type d | while read -r d; do
			[ -e "$d/cgroup.kill" ] && echo 1 > "$d/cgroup.kill" 2>/dev/null
			for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
		done
		sleep 0.2
		find "$CG" -depth -type d -exec rmdir {} \; 2>/dev/null
	fi
	[ -n "$TMP" ] && rm -rf "$TMP"
	exit $rc
}

bf_setup() {
	if [ "$(id -u)" -ne 0 ]; then skip "needs root"; exit 0; fi
	if [ -z "$CG2" ]; then skip "no cgroup2 mount"; exit 0; fi
	trap bf_cleanup EXIT
	trap 'exit 1' INT TERM
	mkdir "$CG"
	TMP=$(mktemp -d "/tmp/$ID.XXXXXX")
	chmod 755 "$TMP"
	LOG=$TMP/audit.jsonl
	CTL=$TMP/control.sock
	mknod "$TMP/video0" c 81 "$CAM_MINOR"
	chmod 666 "$TMP/video0"
}

# Run a command inside the test cgroup (the only place our programs judge).
in_cg() {
	sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$CG" "$@"
}

# Write a policy file from stdin, root-owned and 0644 as the agent demands.
policy() {
	cat > "$1"
	chmod 0644 "$1"
}

# wait_for JQ-FILTER COUNT [SECONDS]: wait until the log has COUNT records matching.
wait_for() {
	local filter=$1 want=$2 secs=${3:-5} n=0 i=0
	while [ $i -lt $((secs * 10)) ]; do
		n=$(count "$filter")
		[ "$n" -ge "$want" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

count() {
	[ -f "$LOG" ] || { echo 0; return; }
	jq -c "select($1)" "$LOG" 2>/dev/null | wc -l
}

# agent_start POLICY [ARGS...]: start the agent on the test cgroup; wait for its start record.
agent_start() {
	local pol=$1; shift
	local starts
	starts=$(count '.kind == "agent" and .event == "start"')
	"$AGENT" --policy "$pol" --cgroup "$CG" --pin-dir "$PIN" --log "$LOG" --control "$CTL" "$@" \
		>> "$TMP/agent.out" 2>> "$TMP/agent.err" &
	AGENT_PID=$!
	if ! wait_for '.kind == "agent" and .event == "start"' $((starts + 1)) 10; then
		echo "agent did not start:" >&2
		cat "$TMP/agent.err" >&2
		return 1
	fi
}

# Through the control socket: where BPF LSM runs the agent protects itself
# from signals (biofenced(8), --no-protect). SIGTERM if it does not answer.
agent_stop() {
	[ -n "$AGENT_PID" ] || return 0
	"$CLI" stop --control "$CTL" >/dev/null 2>&1 || kill -TERM "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID" 2>/dev/null
	AGENT_PID=
}

# A copy of a helper under a new name: a distinct inode, a distinct identity.
helper_copy() {
	cp "$HELPERS/$1" "$TMP/$2"
	chmod 755 "$TMP/$2"
	echo "$TMP/$2"
}

# netcam_up: a network camera's own namespace (ID) behind a veth pair:
# the camera side is NC_CAM and NC_CAM6, this side NC_HOST and NC_HOST6.
# Returns 2 when no namespace can be made here. netcam_serve CMD... runs
# CMD in it, in the background. bf_cleanup takes it all down.
NC_NS= NC_PIDS=
netcam_up() {
	local n=$((RANDOM % 250 + 1))
	NC_CAM=198.18.$n.2 NC_HOST=198.18.$n.1 NC_CAM6=fd00:bf:$n::2 NC_HOST6=fd00:bf:$n::1
	NC_VH=bfn$$h NC_VC=bfn$$c
	ip netns add "$ID" 2>/dev/null || return 2
	NC_NS=$ID
	ip link add "$NC_VH" type veth peer name "$NC_VC" &&
		ip link set "$NC_VC" netns "$NC_NS" &&
		ip addr add "$NC_HOST/24" dev "$NC_VH" && ip -6 addr add "$NC_HOST6/64" dev "$NC_VH" nodad &&
		ip link set "$NC_VH" up &&
		ip -n "$NC_NS" addr add "$NC_CAM/24" dev "$NC_VC" &&
		ip -n "$NC_NS" -6 addr add "$NC_CAM6/64" dev "$NC_VC" nodad &&
		ip -n "$NC_NS" link set "$NC_VC" up && ip -n "$NC_NS" link set lo up
}
netcam_serve() {
	ip netns exec "$NC_NS" "$@" > "$TMP/netcam.$RANDOM.out" 2>&1 &
	NC_PIDS="$NC_PIDS $!"
}
netcam_down() {
	[ -n "$NC_NS" ] || return 0
	# Every process in the namespace (the camera's servers) goes with it.
	for p in $(ip netns pids "$NC_NS" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	[ -n "$NC_PIDS" ] && wait $NC_PIDS 2>/dev/null
	ip link del "$NC_VH" 2>/dev/null
	ip netns del "$NC_NS" 2>/dev/null
	NC_NS=
}

# sinks_up: the two listeners a tainted app's sends are judged against, on
# the host's loopback outside the test cgroup: a third party at
# 127.0.0.2:THIRD (what it gets lands in TMP/third.out) and the app's
# controller at 127.0.0.1:CTLP (TMP/ctl.out). bf_cleanup stops them.
SINK_PIDS=
sinks_up() {
	THIRD=$((20000 + RANDOM % 20000))
	CTLP=$((THIRD + 1))
	socat -u "TCP4-LISTEN:$THIRD,bind=127.0.0.2,fork,reuseaddr" "OPEN:$TMP/third.out,creat,append" 2>/dev/null &
	SINK_PIDS="$SINK_PIDS $!"
	socat -u "TCP4-LISTEN:$CTLP,bind=127.0.0.1,fork,reuseaddr" "OPEN:$TMP/ctl.out,creat,append" 2>/dev/null &
	SINK_PIDS="$SINK_PIDS $!"
}

# dns_serve ZONE-LINE...: a test DNS server answering the zone lines given
# ("NAME TTL A ADDR"), in the test cgroup (the harness's cleanup stops it),
# at DNS_IP; ZONE is its zone file (rewrite it to change the answers).
# AGENT_NS is then the agent run in a mount namespace of its own whose
# /etc/resolv.conf points there: the host's resolver is never touched.
dns_serve() {
	DNS_IP=127.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 1)).53
	ZONE=$TMP/zone
	printf '%s\n' "$@" > "$ZONE"
	in_cg "$HELPERS/bf_dns" "$DNS_IP" 53 "$ZONE" > "$TMP/dns.out" 2> "$TMP/dns.err" &
	for _ in $(seq 50); do grep -q ready "$TMP/dns.out" 2>/dev/null && break; sleep 0.05; done
	printf 'nameserver %s\noptions timeout:1 attempts:1\n' "$DNS_IP" > "$TMP/resolv.conf"
	AGENT_NS=$TMP/agent-ns
	cat > "$AGENT_NS" <<EOW
#!/bin/sh
exec unshare -m sh -c 'mount --bind "$TMP/resolv.conf" /etc/resolv.conf && exec "\$0" "\$@"' "$AGENT" "\$@"
EOW
	chmod 755 "$AGENT_NS"
}
