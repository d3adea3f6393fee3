#!/bin/bash
# fresh.sh - prove the README's first command on a pristine Debian 12 root: mmdebstrap, a fresh clone, one `make check`.
#
# usage: tests/fresh.sh [check|run]   (make check-fresh runs both, each in its own pristine root)
#
# Builds a minbase bookworm root with only `make` added, from this host's own
# apt sources; clones the committed HEAD of this repository into it; bind-mounts
# /proc, /sys, /sys/fs/cgroup, /sys/fs/bpf, /dev and /dev/pts; runs
# `make TARGET` once in a chroot as root with CI=true. check passes only if
# its closing line says 0 failed; run passes when the agent says it enforces
# (on a throwaway child cgroup and pin dir through RUN_FLAGS, never the
# host's root cgroup), then is stopped and detached. Every mount is undone and
# the root removed on success and on failure. Not part of `make check`: it
# downloads a system.
set -uo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
TARGET=${1:-check}
[ "$(id -u)" -eq 0 ] || { echo "fresh: must run as root (mmdebstrap, chroot, mounts)" >&2; exit 2; }
./tools/deps.sh mmdebstrap git || exit 2

ROOT=$(mktemp -d /var/tmp/bf-fresh.XXXXXX)
MOUNTS=()
RUN_CG= RUN_PIN=
cleanup() {
	local rc=$? i
	set +e
	# make run's throwaway scope: its pins detached (the agent's own CLI), its cgroup removed.
	if [ -n "$RUN_PIN" ] && [ -e "$RUN_PIN" ]; then
		chroot "$ROOT" /root/biofence/build/biofence detach --pin-dir "$RUN_PIN" || rm -rf "$RUN_PIN"
	fi
	[ -n "$RUN_CG" ] && [ -d "$RUN_CG" ] && { echo 1 > "$RUN_CG/cgroup.kill"; sleep 0.3; rmdir "$RUN_CG"; }
	# Whatever the run left running inside the root (rsyslogd, qemu, agents) goes first.
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$ROOT" ] && kill -9 "${p#/proc/}" 2>/dev/null
	done
	sleep 0.5
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		umount -R "${MOUNTS[$i]}" 2>/dev/null || umount -R -l "${MOUNTS[$i]}"
	done
	# Never remove through a mount that is still there.
	if grep -q " $ROOT" /proc/mounts; then
		echo "fresh: mounts remain under $ROOT; not removing it" >&2
	else
		rm -rf --one-file-system "$ROOT"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

sources=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
	[ -s "$f" ] && sources+=("$f")
done
start=$(date +%s)
echo "fresh: mmdebstrap bookworm (minbase + make) into $ROOT from ${sources[*]}"
mmdebstrap --quiet --variant=minbase --include=make bookworm "$ROOT" "${sources[@]}" || exit 1
echo "fresh: root ready in $(($(date +%s) - start))s; cloning $(git rev-parse --short HEAD)"
git clone --quiet --no-local "$REPO" "$ROOT/root/biofence" || exit 1
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"

# bind PATH [--rbind]: the cgroup tree is bound with what is mounted below it
# (a host may mount cgroup2 at /sys/fs/cgroup/unified under a tmpfs).
bind() {
	mkdir -p "$ROOT$1"
	mount "${2:---bind}" "$1" "$ROOT$1" && MOUNTS+=("$ROOT$1")
}
# The root itself a mount point, as on a booted system: unshare -m (used by a
# test to give the agent its own resolv.conf) changes / 's propagation, which
# needs / to be a mount.
mount --bind "$ROOT" "$ROOT" && MOUNTS+=("$ROOT") || exit 1
bind /proc && bind /sys && bind /sys/fs/cgroup --rbind && bind /sys/fs/bpf && bind /dev && bind /dev/pts || exit 1

echo "fresh: make $TARGET, the first run, as the README says"
if [ "$TARGET" = run ]; then
	# The agent on the shipped default policy, scoped to a child cgroup of the cgroup2 mount.
	cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	id=bf-fresh-run-$$
	flags="--cgroup $cg2/$id --pin-dir /sys/fs/bpf/$id --log /tmp/$id/audit.jsonl --control /tmp/$id/c.sock"
	mkdir "$cg2/$id" || exit 1
	RUN_CG=$cg2/$id RUN_PIN=/sys/fs/bpf/$id
	chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		/bin/bash -c "mkdir -p /tmp/$id && cd /root/biofence && exec timeout -s INT 900 make run RUN_FLAGS='$flags'" \
		> "$REPO/build/fresh-run.log" 2>&1 &
	pid=$!
	ok=
	for i in $(seq 900); do
		grep -q '^biofenced: enforcing policy' "$REPO/build/fresh-run.log" && { ok=1; break; }
		kill -0 $pid 2>/dev/null || break
		sleep 1
	done
	pkill -INT -f "biofenced --policy policies/default.policy --echo $flags"
	wait $pid
	cat "$REPO/build/fresh-run.log" | grep -v '^{' | tail -15
	chroot "$ROOT" /root/biofence/build/biofence detach --pin-dir "$RUN_PIN"
	echo "fresh: make run $([ -n "$ok" ] && echo reached || echo 'did NOT reach') 'enforcing' after $(($(date +%s) - start))s"
	[ -n "$ok" ] && [ ! -e "$RUN_PIN" ]
	exit
fi
chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root CI=true \
	/bin/bash -c "cd /root/biofence && make $TARGET" 2>&1 | tee "$REPO/build/fresh.log"
rc=${PIPESTATUS[0]}
closing=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$REPO/build/fresh.log" | tail -1)
echo "fresh: make $TARGET exited $rc after $(($(date +%s) - start))s; closing line: ${closing:-none}"
case $closing in
*" passed, 0 failed"*) [ "$rc" -eq 0 ] && exit 0 ;;
esac
exit 1
