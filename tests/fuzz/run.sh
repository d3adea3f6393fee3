#!/bin/bash
# run.sh - run every libFuzzer harness for SECONDS on its seed corpus, one at a time; PASS/FAIL lines and one closing line "N passed, N failed".
# usage: tests/fuzz/run.sh [SECONDS] [NAME...]   (NAME: policy, ledger, ctl, ...; default all)
# New inputs that reach new code go to a scratch copy of the corpus, never into the tree;
# a crash leaves its input in build/fuzz/crash-NAME-* and fails the harness.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BF_BUILD:-$ROOT/build}
SECS=${1:-60}
shift || true
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for c in "$ROOT"/tests/fuzz/fuzz_*.c; do n=${c##*/fuzz_}; names+=("${n%.c}"); done
fi
WORK=$(mktemp -d "/tmp/bf-fuzz.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
pass=0 fail=0
for n in "${names[@]}"; do
	bin=$BUILD/fuzz/fuzz_$n seeds=$ROOT/tests/fuzz/corpus/$n
	if [ ! -x "$bin" ]; then
		echo "FAIL: fuzz_$n: $bin is not built ('make fuzz' builds it)"; fail=$((fail + 1)); continue
	fi
	mkdir -p "$WORK/$n/corpus" "$WORK/$n/cwd"
	out=$WORK/$n/out
	# cwd: a policy's includes resolve there, and there is nothing to include.
	(cd "$WORK/$n/cwd" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		"$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$BUILD/fuzz/crash-$n-" \
		"$WORK/$n/corpus" "$seeds") > "$out" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out")
	cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$out" | tail -1)
	nseeds=$(find "$seeds" -type f 2>/dev/null | wc -l)
	if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
		echo "PASS: fuzz_$n: ${SECS} s, $runs inputs from $nseeds seeds, no crash ($cov)"
		pass=$((pass + 1))
	else
		echo "FAIL: fuzz_$n: exit $rc after ${runs:-?} inputs; the input is in $BUILD/fuzz/crash-$n-*:"
		grep -m 20 -E 'ERROR|SUMMARY|runtime error|#[0-9]+ 0x' "$out" | sed 's/^/    /'
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
