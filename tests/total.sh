#!/bin/bash
# total.sh - add up the closing lines of several test logs into the one closing line `make check` ends with.
# usage: tests/total.sh LOG...   (a log without a closing line counts as one failure)
p=0 f=0 s=0 parts=
for log in "$@"; do
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" 2>/dev/null | tail -1)
	[ -n "$line" ] || { line="0 passed, 1 failed"; }
	read -r lp lf ls < <(sed -E 's/^([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?.*/\1 \2 \4/' <<< "$line")
	p=$((p + lp)) f=$((f + lf)) s=$((s + ${ls:-0}))
	parts="$parts${parts:+; }$(basename "$log" .log): $line"
done
echo "($parts)"
if [ "$s" -gt 0 ]; then echo "$p passed, $f failed, $s skipped"; else echo "$p passed, $f failed"; fi
[ "$f" -eq 0 ]
