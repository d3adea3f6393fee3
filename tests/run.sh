#!/bin/bash
# run.sh - run the unit and kernel tests and print one closing line "N passed, N failed[, N skipped]".
# usage: tests/run.sh [unit|kernel|guest]   (guest: the kernel tests and tests/vm/, in the VM lane)
# BF_BUILD: the build directory (default build/): make OUT=build-x ..., then BF_BUILD=build-x tests/run.sh unit.
set -u
cd "$(dirname "$0")/.."
what=${1:-all}
passed=0 failed=0 skipped=0
out=$(mktemp /tmp/bf-run.XXXXXX)
trap 'rm -f "$out"' EXIT

run_unit() {
	local t=$1 p f
	"$t" > "$out" 2>&1
	local rc=$?
	cat "$out"
	# A binary may run several cmocka groups: add up every group's summary.
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' "$out" | awk '{ s += $1 } END { print s + 0 }')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s)\..*/\1/p' "$out" | awk '{ s += $1 } END { print s + 0 }')
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	# A crash before cmocka's summary still has to count as a failure.
	if [ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
		echo "FAIL: $t exited $rc"
		failed=$((failed + 1))
	fi
}

# Shell tests (CLI and kernel) print PASS:/FAIL:/SKIP: lines.
run_kernel() {
	local t=$1 t0=$SECONDS
	timeout 300 bash "$t" > "$out" 2>&1
	local rc=$?
	cat "$out"
	# Where a lane's minutes go (make check must stay under 15): not a result line.
	echo "time: $t $((SECONDS - t0))s"
	passed=$((passed + $(grep -c '^PASS: ' "$out")))
	failed=$((failed + $(grep -c '^FAIL: ' "$out")))
	skipped=$((skipped + $(grep -c '^SKIP: ' "$out")))
	if [ $rc -ne 0 ]; then
		echo "FAIL: $t exited $rc"
		failed=$((failed + 1))
	fi
}

if [ "$what" = all ] || [ "$what" = unit ]; then
	# One binary per source, mirroring the tree; a source whose binary is missing is a failure.
	for src in $(find tests/unit -name 'test_*.c' | sort); do
		t=${BF_BUILD:-build}/${src%.c}
		if [ -x "$t" ]; then
			run_unit "$t"
		else
			echo "FAIL: $t: not built"
			failed=$((failed + 1))
		fi
	done
fi
if [ "$what" = all ] || [ "$what" = unit ]; then
	for t in tests/cli/test_*.sh; do
		[ -f "$t" ] && run_kernel "$t"
	done
fi
# In the VM lane, tests that exercise no kernel feature stay on the host (tests/vm/host-only says why).
host_only() {
	[ "$what" = guest ] || return 1
	local why
	why=$(awk -F'\t' -v t="$(basename "$1")" '$1 == t { print $2 }' tests/vm/host-only)
	[ -n "$why" ] || return 1
	echo "SKIP: $1: host only: $why"
	skipped=$((skipped + 1))
}
# A lane resumed after the emulator hung its guest (tests/vm/check.sh) skips,
# silently, the tests its earlier boots finished: build/vm-done.list names them.
done_before() {
	[ "$what" = guest ] && [ -s build/vm-done.list ] && grep -qxF -- "$1" build/vm-done.list
}
if [ "$what" = all ] || [ "$what" = kernel ] || [ "$what" = guest ]; then
	for t in tests/kernel/test_*.sh; do
		[ -f "$t" ] && ! done_before "$t" && ! host_only "$t" && run_kernel "$t"
	done
fi
if [ "$what" = guest ]; then
	for t in tests/vm/test_*.sh; do
		[ -f "$t" ] && ! done_before "$t" && run_kernel "$t"
	done
fi
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
