#!/usr/bin/env bash
# Scenario 2: loss-free under load.  2 million UDP packets over 500 flows,
# as fast as the generator can send them, while tcflowd swaps and drains
# its maps every 100 ms.  The packets in the records must equal, exactly,
# the packets that reached the interface (its rx counter).
. "$(dirname "$0")/lib.sh"
need_root

quiet_pair
ns b ethtool -K b0 gro off >/dev/null 2>&1
config "$T/c.conf" "[capture]" "interfaces = b0" "direction = ingress" \
	"[flows]" "fetch_interval_ms = 100"
rx0=$(rx_packets b b0)
start_tcflowd b "$T/c.conf"
start=$(date +%s.%N)
sent=$(ns a "$GEN" flood -d "$SINK" -p 9000 -f 500 -n 2000000 -s 18 -b 10000)
end=$(date +%s.%N)
sleep 0.3
stop_tcflowd
rx1=$(rx_packets b b0)
is "$sent" "sent 2000000" "generator sent 2,000,000 packets"
diag "$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.0f packets/s offered", 2000000 / (e - s) }')"
got=$(python3 "$FLOWS_PY" total "$T/flows.json" packets)
is "$got" "$((rx1 - rx0))" "records hold exactly the packets the interface received"
is "$(python3 "$FLOWS_PY" json "$T/flows.json" proto=17 | wc -l)" 500 "500 flows"
grep -q 'ring_full=0 no_map=0' "$T/tcflowd.log"
ok $? "nothing lost in the kernel"
fetches=$(grep -c . "$T/flows.json")
diag "$fetches records, $((rx1 - rx0)) packets received"
done_testing
