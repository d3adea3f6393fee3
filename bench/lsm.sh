#!/bin/bash
# lsm.sh - `make bench-vm`, guest side: kernel-timed ns per run of biofence's BPF LSM programs beside an empty LSM program on the same hook, one table.
#
# Runs only in the VM lane's guest (tools/vm-run): an LSM program runs for
# every process on the machine, so the empty ones are never attached to a
# host. Two phases, one boot:
#
#   empty     build/bench/lsm_bench attach-empty: bench_lsm_HOOK on each hook
#             biofence uses (bpf/bench_empty_lsm.bpf.c, each `return ret;`);
#             every workload runs; the links are removed.
#   biofence  biofenced guards a throwaway child cgroup with a realistic
#             policy (a camera, the app allowed it, a destination the app
#             may send to); the same workloads run inside that cgroup.
#
# Each workload is one process (lsm_bench run) that does 1000 warm-up calls,
# then CALLS calls in batches of 250 with BPF_STATS_RUN_TIME on, and
# reports, for every LSM program pinned under the phase's PIN/links, each
# batch's run_time_ns over its run_cnt. Under TCG the absolute times mean
# little (an emulated CPU, and the accounting's own clock reads are in
# every run); the ratio biofence / empty on the same hook in the same boot
# is the figure. "Tainted": the process opened the policy's camera first (a
# node of major 81 at a minor no driver owns, so the open ends in ENXIO
# after the device check allowed it, which taints), checked in the agent's
# pinned bf_taint before the calls start.
#
# ROUNDS rounds, each phase once per round, in alternating order (empty
# first in odd rounds, biofence first in even ones), so a slow spell of the
# host lands on both columns. A cell is the median of every batch of every
# round: a vCPU the host takes away mid-batch (another VM on a 2-core host)
# stays in run_time_ns and spoils that batch only. The ratio cell gives the
# ratio of the two medians and, in brackets, the lowest and highest
# per-round ratio: a wide bracket says the host was busy, not that the
# code changed.
#
# Tunables (environment, in the guest): BENCH_LSM_CALLS per row per round
# (100000), BENCH_LSM_ROUNDS (3).

set -u
umask 022

ROOT=$(cd "$(dirname "$0")/.." && pwd)
AGENT=$(command -v biofenced)
CLI=$(command -v biofence)
LB=$ROOT/build/bench/lsm_bench
CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
ID=bflsm-$$-$RANDOM
CG=
PIN=/sys/fs/bpf/$ID
PIN_EMPTY=$PIN/empty
PIN_AGENT=$PIN/agent
# The template store's directory, on the guest's root filesystem (not /tmp's tmpfs).
STORE_FS=/var/lib/$ID
TMP=
AGENT_PID=
CALLS=${BENCH_LSM_CALLS:-100000}
ROUNDS=${BENCH_LSM_ROUNDS:-3}
ADDR=127.0.0.2
PORT=9999

die() { echo "bench-lsm: $*" >&2; exit 1; }

cleanup() {
	local rc=$?
	set +e
	trap - EXIT INT TERM
	if [ -n "$AGENT_PID" ]; then
		kill -9 "$AGENT_PID" 2>/dev/null
		wait "$AGENT_PID" 2>/dev/null
	fi
	[ -d "$PIN_AGENT" ] && "$CLI" detach --pin-dir "$PIN_AGENT" >/dev/null 2>&1
	[ -d "$PIN_EMPTY" ] && "$LB" detach "$PIN_EMPTY" >/dev/null 2>&1
	rm -rf "$PIN" 2>/dev/null
	if [ -n "$CG" ] && [ -d "$CG" ]; then
		[ -e "$CG/cgroup.kill" ] && echo 1 > "$CG/cgroup.kill" 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "$CG" 2>/dev/null && break; sleep 0.1; done
		[ -d "$CG" ] && echo "bench-lsm: could not remove $CG" >&2
	fi
	[ -n "$TMP" ] && rm -rf "$TMP"
	rm -rf "$STORE_FS"
	exit $rc
}

# Run a command inside the bench cgroup, the scope the agent guards.
in_cg() {
	sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$CG" $TASKSET_BENCH "$@"
}

# The rows: id, workload, lsm_bench options, the hooks shown (each must run at
# least once per call in both phases), what the row is.
ROWS=(
	"file	file-rw	-	file_permission	write()+read() 64 B, regular file (tmpfs), untainted"
	"open	file-open	-	file_open	open()+close() of a regular file, untainted, no template store on its filesystem"
	"open-s	file-open	store	file_open	open()+close() of a regular file beside a template store (walked to its filesystem's root), untainted"
	"pipe	pipe-rw	-	file_permission	write()+read() 64 B, pipe, untainted"
	"pipe-t	pipe-rw	taint	file_permission	write()+read() 64 B, pipe, tainted"
	"mmap	file-mmap	-	mmap_file	mmap()+munmap() of a regular file, untainted"
	"ioctl	pipe-ioctl	-	file_ioctl	ioctl(FIONREAD) on a pipe (not V4L2), untainted"
	"send	udp-send	-	socket_sendmsg	send() on a connected UDP socket, untainted"
	"send-t	udp-send	taint	socket_sendmsg	send() on a connected UDP socket, tainted, allowed dest"
	"conn	udp-connect	-	socket_connect	connect() of a UDP socket, untainted"
	"conn-t	udp-connect	taint	socket_connect	connect() of a UDP socket, tainted, allowed dest"
	"ustr	unix-stream	-	socket_sendmsg socket_recvmsg	send()+recv() on a unix stream socketpair, untainted"
	"udg	unix-dgram	-	unix_may_send socket_sendmsg socket_recvmsg	send()+recv() on a unix datagram socketpair, untainted"
	"scm	scm-rights	-	socket_sendmsg socket_recvmsg file_receive	SCM_RIGHTS of a regular file's fd, untainted"
	"sock	socket	-	socket_create socket_post_create	socket(AF_INET, SOCK_DGRAM)+close(), untainted"
)

# run_rows PHASE PIN ROUND: every row once, its output kept as TMP/PHASE.ROW.ROUND.
run_rows() {
	local phase=$1 pin=$2 r=$3 line id work opt hooks what args out
	for line in "${ROWS[@]}"; do
		IFS=$'\t' read -r id work opt hooks what <<< "$line"
		args=(--dir "$TMP" --addr "$ADDR" --port "$PORT")
		# Beside the template store: its filesystem, where every open walks towards the root.
		[ "$opt" = store ] && args=(--dir "$STORE_FS" --addr "$ADDR" --port "$PORT")
		# In the empty phase the camera open changes nothing, and is made all the same.
		[ "$opt" = taint ] && args+=(--camera "$TMP/video0")
		[ "$opt" = taint ] && [ "$phase" = biofence ] && args+=(--taint-map "$PIN_AGENT/maps/bf_taint")
		out=$(in_cg "$TMP/bench" "${args[@]}" run "$pin" "$work" "$CALLS") ||
			die "$phase $id: the workload failed: $out"
		case $opt in
		taint) grep -qx 'camera=ENXIO' <<< "$out" || die "$phase $id: the camera open was not allowed: $out" ;;
		esac
		printf '%s\n' "$out" > "$TMP/$phase.$id.$r"
	done
	echo "bench-lsm: round $r/$ROUNDS: $phase done" >&2
}

# vals PHASE ID HOOK ROUND: HOOK's per-batch ns/run in that round, one a
# line; fails unless HOOK ran at least once per call.
vals() {
	awk -v h="$3" -v c="$CALLS" -v what="$1 $2 $3 round $4" '
		/^hook=/ { split($1, a, "="); split($2, n, "="); split($4, v, "=")
			if (a[2] == h) { runs = n[2]; list = v[2] } }
		END {
			if (runs < c) { printf "bench-lsm: %s ran %d times for %d calls\n", what, runs, c > "/dev/stderr"; exit 1 }
			k = split(list, x, ",")
			for (i = 1; i <= k; i++) print x[i]
		}' "$TMP/$1.$2.$4"
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { printf "%.1f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# cells ID HOOK: "EMPTY BIOFENCE RATIO (LO-HI)": the medians of every
# round's batches pooled, their ratio, and the range of the per-round ratios.
cells() {
	local r e b lo= hi= q
	: > "$TMP/pool.e"; : > "$TMP/pool.b"
	for r in $(seq "$ROUNDS"); do
		vals empty "$1" "$2" "$r" > "$TMP/round.e" || return 1
		vals biofence "$1" "$2" "$r" > "$TMP/round.b" || return 1
		cat "$TMP/round.e" >> "$TMP/pool.e"
		cat "$TMP/round.b" >> "$TMP/pool.b"
		q=$(awk -v e="$(median < "$TMP/round.e")" -v b="$(median < "$TMP/round.b")" 'BEGIN { printf "%.2f", b / e }')
		lo=$(awk -v a="${lo:-$q}" -v q="$q" 'BEGIN { print (q < a ? q : a) }')
		hi=$(awk -v a="${hi:-$q}" -v q="$q" 'BEGIN { print (q > a ? q : a) }')
	done
	e=$(median < "$TMP/pool.e")
	b=$(median < "$TMP/pool.b")
	echo "$e $b $(awk -v e="$e" -v b="$b" 'BEGIN { printf "%.2fx", b / e }') ($lo-$hi)"
}

[ "$(id -u)" -eq 0 ] || die "needs root"
# BF_KERNEL_PKG is set by tools/vm-init: the guest of tools/vm-run, thrown away after.
[ -n "${BF_KERNEL_PKG:-}" ] || die "runs only in the VM lane's guest ('make bench-vm'): LSM programs run for the whole machine"
grep -qw bpf /sys/kernel/security/lsm 2>/dev/null || die "BPF LSM is not active here: $(cat /sys/kernel/security/lsm 2>/dev/null)"
[ -n "$CG2" ] || die "no cgroup2 mount"
for b in "$AGENT" "$CLI" "$LB"; do [ -x "$b" ] || die "$b is missing"; done
CG=$CG2/$ID
TASKSET_BENCH=
TASKSET_AGENT=
ncpu=$(nproc)
# The workload and the agent on their own vCPUs, as bench/run.sh does.
if [ "$ncpu" -ge 2 ] && command -v taskset > /dev/null; then
	TASKSET_BENCH="taskset -c $((ncpu - 1))"
	TASKSET_AGENT="taskset -c 0"
fi

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir "$CG" || die "cannot make $CG"
TMP=$(mktemp -d "/tmp/$ID.XXXXXX") || die "mktemp failed"
chmod 755 "$TMP"
# A minor of major 81 no driver owns (vivid has the low ones), as tests/kernel/lib.sh picks.
minor=0
while [ -e "/sys/dev/char/81:$minor" ]; do minor=$((minor + 1)); done
mknod "$TMP/video0" c 81 "$minor" || die "mknod failed"
chmod 666 "$TMP/video0"
cp "$LB" "$TMP/bench"
chmod 755 "$TMP/bench"
cat > "$TMP/bench.policy" <<EOF
# generated by bench/lsm.sh: a camera, the app allowed it, one destination it may send to,
# a template store on the root filesystem, not /tmp's: opens in /tmp take the fast path
camera cam path "$TMP/video0"
app bench exe "$TMP/bench"
dest local $ADDR udp $PORT
capture allow bench cam
export allow bench local
export deny any any
template-store bench "$STORE_FS/store"
EOF
mkdir -p "$STORE_FS/store"
chmod 0644 "$TMP/bench.policy"

phase_empty() {
	"$LB" attach-empty "$PIN_EMPTY" || die "attach-empty failed"
	run_rows empty "$PIN_EMPTY" "$1"
	"$LB" detach "$PIN_EMPTY" || die "detach $PIN_EMPTY failed"
	[ -n "$(ls "$PIN_EMPTY" 2>/dev/null)" ] && die "$PIN_EMPTY still holds pins"
	return 0
}

# phase_biofence ROUND: the agent started afresh on the same policy, its log kept per round.
phase_biofence() {
	local log=$TMP/audit.$1.jsonl args h
	args=(--policy "$TMP/bench.policy" --cgroup "$CG" --pin-dir "$PIN_AGENT" --log "$log"
		--control "$TMP/ctl.sock" --consent "$TMP/consent.jsonl")
	# A newer agent keeps other processes from reading its programs; the bench must.
	"$AGENT" --help 2>&1 | grep -q -- '--no-protect' && args+=(--no-protect)
	$TASKSET_AGENT "$AGENT" "${args[@]}" > "$TMP/agent.out" 2> "$TMP/agent.err" &
	AGENT_PID=$!
	for _ in $(seq 600); do
		grep -qs '"kind":"agent".*"event":"start"' "$log" && break
		kill -0 "$AGENT_PID" 2>/dev/null || break
		sleep 0.1
	done
	grep -qs '"kind":"agent".*"event":"start"' "$log" || { cat "$TMP/agent.err" >&2; die "biofenced did not start"; }
	for h in file_permission socket_sendmsg socket_recvmsg socket_connect file_ioctl; do
		[ -e "$PIN_AGENT/links/bf_lsm_$h" ] ||
			{ cat "$TMP/agent.err" >&2; die "biofenced runs no lsm/$h here (links: $(ls "$PIN_AGENT/links" | tr '\n' ' '))"; }
	done
	run_rows biofence "$PIN_AGENT" "$1"
	kill -TERM "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID" 2>/dev/null
	AGENT_PID=
	"$CLI" detach --pin-dir "$PIN_AGENT" > /dev/null || die "detach $PIN_AGENT failed"
}

start=$(date +%s)
echo "bench-lsm: $ROUNDS rounds x $CALLS calls per row, cgroup $CG" >&2
for r in $(seq "$ROUNDS"); do
	if [ $((r % 2)) = 1 ]; then
		phase_empty "$r"; phase_biofence "$r"
	else
		phase_biofence "$r"; phase_empty "$r"
	fi
done
denied=$(cat "$TMP"/audit.*.jsonl | grep -c '"verdict":"deny"')
elapsed=$(( $(date +%s) - start ))

# --- the table ----------------------------------------------------------------
echo
echo "command: make bench-vm (guest kernel package $BF_KERNEL_PKG)"
echo "guest: kernel $(uname -r) under qemu TCG, $(nproc) vCPUs; lsm: $(cat /sys/kernel/security/lsm)"
echo "method: kernel-timed ns per program run (BPF_STATS_RUN_TIME: run_time_ns / run_cnt per batch of 250 calls; one process per row: 1000 warm-up calls, then $CALLS calls); $ROUNDS rounds, phases alternating; a cell is the median over every batch of every round; ratio of the medians (lowest-highest per-round ratio); empty = bench_lsm_HOOK (return ret), biofence = bf_lsm_HOOK, same boot, ${elapsed} s"
echo
echo "| hook | workload | ns/run empty | ns/run biofence | ratio |"
echo "|---|---|---:|---:|---:|"
for line in "${ROWS[@]}"; do
	IFS=$'\t' read -r id work opt hooks what <<< "$line"
	for h in $hooks; do
		c=$(cells "$id" "$h") || exit 1
		read -r e b q <<< "$c"
		printf "| %s | %s | %s | %s | %s |\n" "$h" "$what" "$e" "$b" "$q"
	done
done
echo
echo "policy: $(grep -v '^#' "$TMP/bench.policy" | tr '\n' ';' | sed 's/;$//; s/;/; /g')"
echo "audit records with a deny verdict during the biofence phase: $denied (expected 0: every call measured is allowed)"
# What every agent start pays the verifier on this kernel, LSM programs included (bench/verstat.c).
if [ -x build/bench/verstat ]; then
	build/bench/verstat "/sys/fs/bpf/bf-verstat-$$" | awk '/^load |^total / { printf "verifier: %s\n", $0 }'
	rm -rf "/sys/fs/bpf/bf-verstat-$$"
fi
exit 0
