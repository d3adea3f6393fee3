#!/bin/bash
# test_dest_names.sh - destinations by DNS name: resolved by the agent, refreshed at their TTL, kept through a failure.
. "$(dirname "$0")/lib.sh"
bf_setup

# The agent runs in its own mount namespace whose /etc/resolv.conf points at
# a test DNS server (lib.sh dns_serve): the host's resolver setup is never touched.
dns_serve "door.bft.test 2 A 127.0.0.2"
AGENT=$AGENT_NS

net=$(helper_copy bf_net gatecam)
policy "$TMP/p.policy" <<EOP
camera cam path "$TMP/video0"
app gatecam exe "$net"
dns-ttl-min 1s
dest door  host "door.bft.test" udp 5555
dest ghost host "ghost.bft.test" udp 5555
capture allow gatecam cam
export allow gatecam door
export allow gatecam ghost
export deny  any any
EOP
agent_start "$TMP/p.policy" || { fail "agent start"; exit 1; }

t() { in_cg "$net" --camera "$TMP/video0" udp4 "$1" 5555 | tail -1; }
expect "the name's address is allowed" "net=ok" "$(t 127.0.0.2)"
expect "another address is refused" "net=EPERM" "$(t 127.0.0.3)"
st=$("$CLI" status --json --control "$CTL" --pin-dir "$PIN")
expect "status shows what the name resolved to" '["127.0.0.2"]' "$(jq -c '.status.dns.door.addresses' <<< "$st")"
check "status says the unknown name does not resolve" jq -e '.status.unresolved | map(select(startswith("dest ghost: host ghost.bft.test"))) | length == 1' <<< "$st"

# The name moves: after its TTL (2 s) the agent asks again and swaps the tables.
echo "door.bft.test 2 A 127.0.0.3" > "$ZONE.new" && mv "$ZONE.new" "$ZONE"
check "the change is logged" wait_for '.event == "dns" and .dest_set == "door" and .addresses == ["127.0.0.3"] and .previous == ["127.0.0.2"]' 1 6
expect "the new address is allowed" "net=ok" "$(t 127.0.0.3)"
expect "the old one is refused" "net=EPERM" "$(t 127.0.0.2)"

# A failing resolver: the last good addresses stay, and the failure is said.
echo "door.bft.test 2 SERVFAIL" > "$ZONE.new" && mv "$ZONE.new" "$ZONE"
check "the failure is logged" wait_for '.event == "dns" and .dest_set == "door" and (.why // "" | contains("kept"))' 1 8
expect "the last good address is still allowed" "net=ok" "$(t 127.0.0.3)"
echo "door.bft.test 2 A 127.0.0.4" > "$ZONE.new" && mv "$ZONE.new" "$ZONE"
check "recovered: the new answer is taken" wait_for '.event == "dns" and .dest_set == "door" and .addresses == ["127.0.0.4"] and .why == null' 1 8
expect "... and enforced" "net=ok" "$(t 127.0.0.4)"
check "biofence check names the unresolvable host (agent's resolver not involved)" \
	sh -c "unshare -m sh -c 'mount --bind $TMP/resolv.conf /etc/resolv.conf && exec $CLI check $TMP/p.policy' | grep -q 'host ghost.bft.test does not resolve'"
agent_stop
check "the host's own resolv.conf was never touched" sh -c "! grep -q '$DNS_IP' /etc/resolv.conf"
# bf_dns logs one line per query. About 12 s at a 1-2 s TTL, both families, two names:
# a hot loop would ask thousands of times.
check "the TTL was honoured, not a hot loop (fewer than 100 queries)" test "$(grep -c '^query ' "$TMP/dns.err")" -lt 100
