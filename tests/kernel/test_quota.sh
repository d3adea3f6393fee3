#!/bin/bash
# test_quota.sh - export quotas: a tainted app sends up to its quota to a destination set, the rest is dropped, one record per period.
. "$(dirname "$0")/lib.sh"
bf_setup

net=$(helper_copy bf_net gatecam)
# 10 datagrams of 1000 bytes are 10 x 1028 bytes on the wire (IPv4 + UDP headers):
# a 10000-byte quota lets 9 through and drops the 10th.
policy "$TMP/p.policy" <<EOP
camera cam path "$TMP/video0"
app gatecam exe "$net"
dest upload 127.0.0.2 udp 5555
dest other  127.0.0.3 udp 5555
capture allow gatecam cam
export allow gatecam upload quota 10000B/hour
export allow gatecam other
EOP
agent_start "$TMP/p.policy" || { fail "agent start"; exit 1; }

bulk() { in_cg "$net" --camera "$TMP/video0" --count "$1" --size 1000 udpbulk "$2" 5555 | tail -2 | tr '\n' ' ' | sed 's/ $//'; }
expect "up to the quota goes out, the next datagram is refused" "sent=9 net=EPERM" "$(bulk 20 127.0.0.2)"
expect "a new process of the same app shares the used-up quota" "sent=0 net=EPERM" "$(bulk 3 127.0.0.2)"
expect "another destination set without a quota is not limited" "sent=20 net=ok" "$(bulk 20 127.0.0.3)"
check "the hit is logged" wait_for '.kind == "export" and .event == "quota-hit" and .quota.name == "gatecam/upload" and .enforced == true and .quota.bytes_per_period == 10000' 1
sleep 0.3
expect "... once per period, not per packet" "1" "$(count '.event == "quota-hit"')"
st=$("$CLI" status --json --control "$CTL" --pin-dir "$PIN")
expect "status shows the quota's use" "gatecam/upload 9252 3600" \
	"$(jq -r '.status.quotas[] | "\(.name) \(.sent_this_period) \(.period_s)"' <<< "$st")"
check "status counts the drops" jq -e '.status.counters.quota_drops >= 2' <<< "$st"
check "biofence status says it in words" sh -c "'$CLI' status --control '$CTL' --pin-dir '$PIN' | grep -q 'quota gatecam/upload: 9252 of 10000 bytes sent this period (3600 s)'"

# The count belongs to the (app, destination set), not to the tables: a reload keeps it.
check "reload" "$CLI" reload --control "$CTL"
expect "after a reload the quota is still used up" "sent=0 net=EPERM" "$(bulk 1 127.0.0.2)"
# ... and so does a restart (the counts are pinned with the maps).
agent_stop
agent_start "$TMP/p.policy" || fail "agent restart"
expect "after a restart the quota is still used up" "sent=0 net=EPERM" "$(bulk 1 127.0.0.2)"

# A short period: the quota comes back when it ends.
sed -i 's|quota 10000B/hour|quota 3000B/second|' "$TMP/p.policy"
check "reload with a 3000-byte-per-second quota" "$CLI" reload --control "$CTL"
sleep 1.1
expect "a new period: 2 datagrams fit, the third does not" "sent=2 net=EPERM" "$(bulk 5 127.0.0.2)"
sleep 1.1
expect "and the next period again" "sent=2 net=EPERM" "$(bulk 5 127.0.0.2)"
check "each period's hit is logged" wait_for '.event == "quota-hit"' 3

# Audit mode: counted and told, nothing dropped.
sed -i '1i mode audit' "$TMP/p.policy"
check "reload into audit mode" "$CLI" reload --control "$CTL"
sleep 1.1
expect "audit mode: nothing is dropped" "sent=5 net=ok" "$(bulk 5 127.0.0.2)"
check "audit mode: the hit is logged as not enforced" wait_for '.event == "quota-hit" and .enforced == false' 1
agent_stop
