#!/bin/bash
# test_dns.sh - DNS is an exit like any other: a tainted process queries only the resolver an export rule names.
. "$(dirname "$0")/lib.sh"
bf_setup

net=$(helper_copy bf_net gatecam)
policy "$TMP/p.policy" <<EOP
camera cam path "$TMP/video0"
app gatecam exe "$net"
dest local-resolver 127.0.0.53 udp 53
capture allow gatecam cam
export allow gatecam local-resolver
export deny  any any
EOP
agent_start "$TMP/p.policy" || { fail "agent start"; exit 1; }

t() { in_cg "$net" --camera "$TMP/video0" "$@" | tail -1; }
expect "a query to the named resolver goes out" "net=ok" "$(t udp4 127.0.0.53 53)"
expect "a query to any other resolver is refused" "net=EPERM" "$(t udp4 127.0.0.54 53)"
expect "DNS over TCP to the named resolver is refused (only udp 53 is named)" "net=EPERM" "$(t tcp4 127.0.0.53 53)"
expect "port 53 elsewhere is no exception" "net=EPERM" "$(t udp4 10.1.2.3 53)"
expect "an untainted process resolves as it likes" "net=ok" "$(in_cg "$net" udp4 127.0.0.54 53 | tail -1)"
check "the refused query is logged with its resolver" wait_for '.kind == "export" and .verdict == "deny" and .dest.ip == "127.0.0.54" and .dest.port == 53 and .dest.proto == "udp"' 1
agent_stop
