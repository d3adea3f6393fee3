#!/bin/bash
# test_confine.sh - the running agent is confined (four capabilities, no_new_privs, a seccomp allowlist, writes only in its directories), says so, and still reloads and enforces.
. "$(dirname "$0")/lib.sh"
bf_setup

rec=$(helper_copy bf_open recognizer)
nvr=$(helper_copy bf_open nvr)
# The recognizer may capture; EXTRA adds rules.
write_policy() {
	policy "$TMP/p.policy" <<EOP
camera lobby path "$TMP/video0"
app recognizer exe "$rec"
app nvr exe "$nvr"
capture allow recognizer lobby
${1:-}
EOP
}
write_policy
agent_start "$TMP/p.policy" || { fail "agent start"; exit 1; }

field() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$AGENT_PID/status"; }
# CAP_DAC_READ_SEARCH (2), CAP_KILL (5), CAP_SYS_PTRACE (19), CAP_BPF (39).
want=$(printf '%016x' $(( (1 << 2) | (1 << 5) | (1 << 19) | (1 << 39) )))
expect "the agent keeps four capabilities" "$want" "$(field CapEff)"
expect "... and can never get another back (bounding set)" "$want" "$(field CapBnd)"
expect "no_new_privs is set" "1" "$(field NoNewPrivs)"
expect "a seccomp filter is loaded" "2" "$(field Seccomp)"
# Every thread: the resolver's too, with no capability at all.
threads=$(ls "/proc/$AGENT_PID/task" | wc -l)
filtered=0
for t in /proc/$AGENT_PID/task/*; do [ "$(awk '$1 == "Seccomp:" { print $2 }' "$t/status")" = 2 ] && filtered=$((filtered + 1)); done
expect "every thread runs under the filter" "$threads" "$filtered"
check "the resolver thread keeps no capability" grep -q "^CapEff:.0000000000000000" /proc/$AGENT_PID/task/*/status

st=$("$CLI" status --json --control "$CTL" --pin-dir "$PIN")
expect "status says the agent is confined" "true" "$(jq -r .status.confinement.active <<< "$st")"
expect "status names the capabilities" "cap_dac_read_search,cap_kill,cap_sys_ptrace,cap_bpf=ep" \
	"$(jq -r .status.confinement.capabilities <<< "$st")"
check "status names the writable directories: the log's and the pins" \
	jq -e --arg t "$TMP" --arg p "$PIN" '.status.confinement.writable | index($t) != null and index($p) != null' <<< "$st"
check "status text says it" grep -q "^confined: capabilities cap_dac_read_search,cap_kill,cap_sys_ptrace,cap_bpf=ep, no_new_privs" \
	<<< "$("$CLI" status --control "$CTL" --pin-dir "$PIN")"
check "the start record says it" wait_for '.event == "start" and .confinement.active == true and (.confinement.seccomp | startswith("allowlist of "))' 1

# What the agent sees of the filesystem: read-only but for its directories.
# --root: the agent's own root too, or under a chroot (make check-fresh) the
# namespace's root would be the host's, not the agent's view.
nsenter -t "$AGENT_PID" -m --root sh -c "touch /etc/$ID" 2> "$TMP/ns.err"
check "in the agent's mount namespace /etc is read-only" grep -q "Read-only file system" "$TMP/ns.err"
check "... and outside it nothing changed" test ! -e "/etc/$ID"
check "... its log directory is writable" nsenter -t "$AGENT_PID" -m --root sh -c "touch $TMP/ns-ok && rm $TMP/ns-ok"

# Under all of it, it enforces, and a reload is compiled and installed.
expect "the confined agent enforces: nvr refused" "ok=0 EPERM=1 ENXIO=0 other=0" "$(in_cg "$nvr" "$TMP/video0")"
write_policy "capture allow nvr lobby"
check "biofence reload works under the filter" "$CLI" reload --control "$CTL"
expect "the reloaded policy is in force: nvr allowed" "ok=0 EPERM=0 ENXIO=1 other=0" "$(in_cg "$nvr" "$TMP/video0")"
write_policy
kill -HUP "$AGENT_PID"
check "SIGHUP reloads under the filter too" wait_for '.event == "reload" and .trigger == "SIGHUP" and .result == "applied"' 1
expect "... and its policy is in force: nvr refused again" "ok=0 EPERM=1 ENXIO=0 other=0" "$(in_cg "$nvr" "$TMP/video0")"
check "the agent is still running" kill -0 "$AGENT_PID"

# Privilege separation: policy files, host names and control requests are read by processes with nothing to lose.
st=$("$CLI" status --json --control "$CTL" --pin-dir "$PIN")
for role in parser resolver requests; do
	hp=$(jq -r ".status.helpers.$role.pid" <<< "$st")
	hf() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$hp/status"; }
	expect "the $role runs apart, a child of the agent" "$AGENT_PID" "$(hf PPid)"
	expect "... with no capability" "0000000000000000" "$(hf CapEff)"
	expect "... and none to regain (bounding set)" "0000000000000000" "$(hf CapBnd)"
	expect "... no_new_privs" "1" "$(hf NoNewPrivs)"
	expect "... under a seccomp filter of its own" "2" "$(hf Seccomp)"
	expect "... and status says it is confined" "true" "$(jq -r ".status.helpers.$role.confined" <<< "$st")"
	# The parser reads root's policy files; the others read nothing of root's.
	uid=0; [ "$role" = parser ] || uid=$(id -u nobody 2>/dev/null || echo 65534)
	expect "... as uid $uid" "$uid" "$(hf Uid)"
	nsenter -t "$hp" -m --root sh -c "touch $TMP/$role-w" 2> "$TMP/$role.err"
	check "... even the agent's log directory is read-only to it" grep -q "Read-only file system" "$TMP/$role.err"
done
parser=$(jq -r .status.helpers.parser.pid <<< "$st")
expect "the parser read every policy so far (start, reload, SIGHUP), none failed" "3 0" \
	"$(jq -r '"\(.status.helpers.parser.requests) \(.status.helpers.parser.failures)"' <<< "$st")"
check "status text names the helpers" grep -q "^helpers: parser pid $parser (confined, 3 requests, 0 failed)" \
	<<< "$("$CLI" status --control "$CTL" --pin-dir "$PIN")"
check "the start record names them" wait_for '.event == "start" and .helpers.parser.confined == true and
	.helpers.resolver.confined == true and .helpers.requests.confined == true' 1
check "every control request so far was parsed by the requests helper" \
	jq -e '.status.helpers.requests.requests >= 3 and .status.helpers.requests.failures == 0' <<< "$st"

# A parser gone (here: killed) refuses the reload, loudly; the policy in force stays.
kill -KILL "$parser"
write_policy "capture allow nvr lobby"
"$CLI" reload --control "$CTL" > "$TMP/reload.out" 2>&1
check "with the parser gone, a reload is refused" test $? -ne 0
check "... saying why" grep -q "the parser's zygote is gone" "$TMP/reload.out"
check "... and recorded" wait_for '.event == "reload" and .result == "refused" and (.diagnostics[0] | test("zygote is gone"))' 1
check "... and the log says reloads wait for a restart" grep -q "reloads are refused until biofenced restarts" "$TMP/agent.err"

# The requests helper gone: control requests are parsed in the agent then, and say so; a revoke still gets through.
kill -KILL "$(jq -r .status.helpers.requests.pid <<< "$st")"
check "with the requests helper gone, status still answers" "$CLI" status --control "$CTL" --pin-dir "$PIN"
check "... and the log says requests are parsed in the agent until it restarts" \
	grep -q "control requests are parsed in the agent until it restarts" "$TMP/agent.err"
expect "... the policy in force stays: nvr refused" "ok=0 EPERM=1 ENXIO=0 other=0" "$(in_cg "$nvr" "$TMP/video0")"
expect "status shows the parser gone" "false" \
	"$("$CLI" status --json --control "$CTL" --pin-dir "$PIN" | jq -r .status.helpers.parser.running)"
check "the agent is still running" kill -0 "$AGENT_PID"
agent_stop
check "and stops cleanly (exit 0, its stop record written)" wait_for '.event == "stop"' 1
check "no helper is left behind" test ! -e "/proc/$(jq -r .status.helpers.resolver.pid <<< "$st")/status"

# --no-confine: said, loudly, in status and the start record.
agent_start "$TMP/p.policy" --no-confine || { fail "agent start --no-confine"; exit 1; }
expect "--no-confine: status says not confined, and why" "false --no-confine" \
	"$("$CLI" status --json --control "$CTL" --pin-dir "$PIN" | jq -r '"\(.status.confinement.active) \(.status.confinement.why_not)"')"
check "... and the log on stderr says NOT CONFINED" grep -q "NOT CONFINED (--no-confine)" "$TMP/agent.err"
check "... and status text says so" grep -q "^confined: NO (--no-confine)" <<< "$("$CLI" status --control "$CTL" --pin-dir "$PIN")"
expect "--no-confine: every capability kept" "$(awk '$1 == "CapBnd:" { print $2 }' /proc/self/status)" "$(field CapEff)"
agent_stop
