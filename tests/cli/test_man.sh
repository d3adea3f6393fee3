#!/bin/bash
# test_man.sh - the man pages render without a warning, the policies in biofence.policy(5) pass biofence check, and --help / --version of both binaries agree with the code, the pages and debian/changelog.
set -u
umask 022
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CLI=${BF_BUILD:-$ROOT/build}/biofence
AGENT=${BF_BUILD:-$ROOT/build}/biofenced
MAN=$ROOT/man
TEST=test_man
TMP=$(mktemp -d /tmp/bf-man-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
pass() { echo "PASS: $TEST: $1"; }
fail() { echo "FAIL: $TEST: $1"; }
expect() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: want '$2', got '$3'"; fi; }
# A short output is shown whole when it lacks the text; a man page is named.
has() {
	if grep -qF -- "$2" "$3"; then pass "$1"
	elif [ "$(wc -c < "$3")" -gt 1000 ]; then fail "$1: no '$2' in $3"
	else fail "$1: no '$2' in: $(cat "$3")"; fi
}
# Every render as a user in a UTF-8 terminal 80 columns wide would see it.
export MANWIDTH=80 LC_ALL=C.UTF-8
unset MANPAGER PAGER MANOPT

PAGES="biofenced.8 biofence.8 biofence.policy.5 biofence-audit.5"

# ---- rendering: a missing tool is a failure, never a skip ----
have_mandoc=0 have_man=0
if command -v mandoc > /dev/null; then have_mandoc=1; pass "mandoc is installed"; else
	fail "mandoc is not installed (apt-get install mandoc): the pages cannot be linted"; fi
if command -v man > /dev/null; then have_man=1; pass "man is installed"; else
	fail "man is not installed (apt-get install man-db groff-base): the pages cannot be rendered"; fi

for p in $PAGES; do
	f=$MAN/$p
	if [ ! -f "$f" ]; then
		fail "$p exists"
		continue
	fi
	if [ $have_mandoc = 1 ]; then
		mandoc -T lint -W warning "$f" > "$TMP/lint" 2>&1
		rc=$?
		if [ $rc -eq 0 ] && [ ! -s "$TMP/lint" ]; then pass "$p: mandoc -T lint -W warning is silent"
		else fail "$p: mandoc -T lint -W warning (exit $rc): $(cat "$TMP/lint")"; fi
	fi
	if [ $have_man = 1 ]; then
		man --warnings -l "$f" > "$TMP/render" 2> "$TMP/err"
		rc=$?
		if [ $rc -eq 0 ] && [ ! -s "$TMP/err" ] && [ -s "$TMP/render" ]; then
			pass "$p: man --warnings -l renders with nothing on stderr"
		else
			fail "$p: man --warnings -l (exit $rc, $(wc -c < "$TMP/render") bytes): $(cat "$TMP/err")"
		fi
	fi
	# .Dt names the file: man(1) and apropos find a page by both
	name=${p%.*} sect=${p##*.}
	expect "$p: .Dt matches the file name" ".Dt ${name^^} $sect" "$(grep -m1 '^\.Dt ' "$f")"
done

# ---- the policies in biofence.policy(5) ----
# Each whole policy is a literal block marked on the line before by '.\" policy-example';
# any other literal block must be marked '.\" not-a-policy', so no example goes unchecked.
pol=$MAN/biofence.policy.5
blocks=$(grep -c '^\.Bd -literal' "$pol")
marked=$(grep -B1 '^\.Bd -literal' "$pol" | grep -c '^\.\\" \(policy-example\|not-a-policy\)$')
expect "every literal block in biofence.policy(5) is marked policy-example or not-a-policy" "$blocks" "$marked"
awk -v dir="$TMP" '
/^\.\\" policy-example$/ { want = 1; next }
want && /^\.Bd -literal/ { n++; f = sprintf("%s/example%d.policy", dir, n); printf "" > f; inblk = 1; want = 0; next }
{ want = 0 }
inblk && /^\.Ed$/ { inblk = 0; close(f); next }
inblk { gsub(/\\e/, "\\"); gsub(/\\&/, ""); gsub(/\\-/, "-"); print >> f }
' "$pol"
n_ex=$(find "$TMP" -name 'example*.policy' | wc -l)
if [ "$n_ex" -ge 5 ]; then pass "biofence.policy(5) has $n_ex example policies"; else
	fail "biofence.policy(5) has $n_ex example policies, want at least 5"; fi
# "exe" must name a file that exists on this host (and "sha256" its digest): the examples
# name /opt/gate/..., so each exe becomes a copy of /bin/true, pinned to its real digest.
cp /bin/true "$TMP/exe"
sum=$(sha256sum "$TMP/exe" | cut -d' ' -f1)
for ex in "$TMP"/example*.policy; do
	e=$(basename "$ex")
	sed -i -e "s|exe \"[^\"]*\"|exe \"$TMP/exe\"|g" -e "s|sha256 \"[0-9a-fA-F]*\"|sha256 \"$sum\"|g" "$ex"
	"$CLI" check "$ex" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	if [ $rc -eq 0 ] && [ ! -s "$TMP/err" ]; then pass "$e: biofence check: valid, no diagnostic"
	else fail "$e: biofence check exit $rc: $(cat "$TMP/err") in: $(cat "$ex")"; fi
	"$AGENT" -n --policy "$ex" > "$TMP/out" 2>&1
	expect "$e: biofenced -n loads it too" 0 $?
done

# ---- --version: one constant, the same in both binaries and in debian/changelog ----
want=$(sed -n 's/^#define BF_VERSION "\(.*\)"$/\1/p' "$ROOT/userspace/lib/version.h")
if [ -n "$want" ]; then pass "userspace/lib/version.h defines BF_VERSION ($want)"; else
	fail "no BF_VERSION in userspace/lib/version.h"; fi
n_def=$(grep -rl '^#define BF_VERSION ' "$ROOT/userspace" "$ROOT/include" | wc -l)
expect "BF_VERSION is defined once" 1 "$n_def"
for b in biofence biofenced; do
	for opt in --version -V; do
		out=$("${BF_BUILD:-$ROOT/build}/$b" $opt 2> "$TMP/err")
		expect "$b $opt exits 0" 0 $?
		expect "$b $opt prints '$b VERSION'" "$b $want" "$out"
	done
done
for p in $PAGES; do
	expect "$p: .Os names this version" ".Os biofence $want" "$(grep -m1 '^\.Os' "$MAN/$p")"
done
if [ -f "$ROOT/debian/changelog" ]; then
	deb=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$ROOT/debian/changelog")
	up=${deb#*:}
	up=${up%-*}
	expect "debian/changelog's upstream version is the binaries' version" "$want" "$up"
else
	fail "debian/changelog is missing: the package version cannot be compared"
fi

# ---- biofenced --help and biofenced(8) list every option the code accepts ----
"$AGENT" --help > "$TMP/help" 2> "$TMP/err"
expect "biofenced --help exits 0" 0 $?
has "biofenced --help prints the usage on stdout" "usage: biofenced" "$TMP/help"
"$AGENT" -h > "$TMP/h" 2>&1
expect "biofenced -h exits 0" 0 $?
longs=$(grep -oE '\{ "[a-z-]+", (no|required|optional)_argument' "$ROOT/userspace/agent/agent_options.c" |
	sed -E 's/^\{ "([a-z-]+)".*/\1/')
[ -n "$longs" ] || fail "no long options found in userspace/agent/agent_options.c"
for o in $longs; do
	has "biofenced --help lists --$o" "--$o" "$TMP/help"
	has "biofenced(8) documents --$o" "Fl Fl $o" "$MAN/biofenced.8"
done
shorts=$(sed -n 's/.*getopt_long(argc, argv, "\([A-Za-z]*\)".*/\1/p' "$ROOT/userspace/agent/agent_options.c")
[ -n "$shorts" ] || fail "no short options found in userspace/agent/agent_options.c"
grep -oE '(^|[ ])Fl [A-Za-z]+' "$MAN/biofenced.8" | sed -E 's/^ ?Fl //' | grep -v '^Fl$' | tr -d '\n' > "$TMP/manshort"
for ((i = 0; i < ${#shorts}; i++)); do
	c=${shorts:i:1}
	has "biofenced --help lists -$c" "-$c" "$TMP/help"
	if grep -q -- "$c" "$TMP/manshort"; then pass "biofenced(8) documents -$c"; else
		fail "biofenced(8) documents -$c"; fi
done

# ---- biofence --help and biofence(8) list every command, subcommand and option ----
"$CLI" --help > "$TMP/help" 2> "$TMP/err"
expect "biofence --help exits 0" 0 $?
has "biofence --help prints the usage on stdout" "usage: biofence" "$TMP/help"
for h in -h help; do
	"$CLI" $h > /dev/null 2>&1
	expect "biofence $h exits 0" 0 $?
done
# Commands: the entries of the command table, { .name = "check", ... } in cli_commands.c.
cmds=$(grep -oE '\{ \.name = "[a-z]+"' "$ROOT/userspace/cli/cli_commands.c" | sed -E 's/.*"([a-z]+)".*/\1/')
[ -n "$cmds" ] || fail "no commands found in userspace/cli/cli_commands.c"
for c in $cmds; do
	has "biofence --help lists the command $c" "biofence $c" "$TMP/help"
	has "biofence(8) documents the command $c" "Cm $c" "$MAN/biofence.8"
done
# Subcommands: the verb tables beside the command table, NAME_verbs[] = { { "verb", handler }, ... }.
parents=$(sed -n 's/^static const struct cli_verb \([a-z]*\)_verbs\[\] = {$/\1/p' "$ROOT/userspace/cli/cli_commands.c")
[ -n "$parents" ] || fail "no verb tables found in userspace/cli/cli_commands.c"
for parent in $parents; do
	verbs=$(awk -v t="${parent}_verbs[] = {" 'index($0, t) { on = 1; next } on && /^};/ { on = 0 } on' \
		"$ROOT/userspace/cli/cli_commands.c" | grep -oE '\{ "[a-z]+", [a-z_]+ \}' | sed -E 's/\{ "([a-z]+)".*/\1/')
	[ -n "$verbs" ] || fail "no verbs found for $parent in cli_commands.c"
	for v in $verbs; do
		has "biofence --help lists $parent $v" "biofence $parent $v" "$TMP/help"
		has "biofence(8) documents $parent $v" ".It Cm $parent $v" "$MAN/biofence.8"
	done
done
# Options: getopt tables in biofence.c, cli_opt tables { "name", ARG, FLAG } in cli_*.c.
opts=$(grep -hoE '\{ "[a-z-]+", (no|required|optional)_argument|\{ "[a-z-]+", [^,{}]+, [^,{}]+ \}' \
	"$ROOT/userspace/cli/biofence.c" "$ROOT"/userspace/cli/cli_*.c | sed -E 's/^\{ "([a-z-]+)".*/\1/' | sort -u)
[ -n "$opts" ] || fail "no options found in userspace/cli/biofence.c and userspace/cli/cli_*.c"
for o in $opts; do
	[ "$o" = help ] && continue
	has "biofence --help lists --$o" "--$o" "$TMP/help"
	has "biofence(8) documents --$o" "Fl Fl $o" "$MAN/biofence.8"
done

# ---- every command biofence(8) names exists: "biofence CMD [VERB] --help" answers 0 ----
key_before=$(ls -la /etc/biofence 2>/dev/null)
named=$(awk '/^\.Sh COMMANDS/ { on = 1; next } /^\.S[hs] / { on = 0 }
	on && /^\.It Cm / { print ($4 ~ /^[a-z]+$/) ? $3 " " $4 : $3 }' "$MAN/biofence.8" | sort -u)
[ -n "$named" ] || fail "no commands found in biofence(8) COMMANDS"
while read -r c; do
	[ -n "$c" ] || continue
	# shellcheck disable=SC2086
	"$CLI" $c --help > "$TMP/out" 2> "$TMP/err"
	rc=$?
	if [ $rc -eq 0 ] && grep -q '^usage' "$TMP/out"; then pass "biofence $c --help (named in biofence(8)) prints its usage"
	else fail "biofence $c --help (named in biofence(8)): exit $rc: $(cat "$TMP/out" "$TMP/err")"; fi
done <<< "$named"
expect "no --help above made or changed a key in /etc/biofence" "$key_before" "$(ls -la /etc/biofence 2>/dev/null)"
"$CLI" nosuch --help > /dev/null 2>&1
expect "an unknown command is a usage error even with --help" 2 $?

# ---- the FILES the pages name are the code's defaults ----
for def in BF_DEFAULT_POLICY BF_DEFAULT_PIN_DIR BF_DEFAULT_LOG BF_DEFAULT_CONTROL BF_CONSENT_DEFAULT_PATH \
	BF_DEFAULT_LOG_KEY; do
	path=$(grep -rh "^#define $def " "$ROOT/userspace" | sed -E 's/.*"(.*)".*/\1/')
	if [ -z "$path" ]; then fail "$def is defined in userspace/"; continue; fi
	has "biofenced(8) FILES names $def ($path)" ".It Pa $path" "$MAN/biofenced.8"
	has "biofence(8) FILES names $def ($path)" ".It Pa $path" "$MAN/biofence.8"
done
