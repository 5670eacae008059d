#!/usr/bin/env bash
# Scenario 3: a kernel map of 64 flows and 500 flows in one fetch interval:
# the flows that do not fit go through the overflow ring, and the totals
# stay exact, per flow.
. "$(dirname "$0")/lib.sh"
need_root

quiet_pair
config "$T/c.conf" "[capture]" "interfaces = b0" "direction = ingress" \
	"kernel_flows = 64" "[flows]" "fetch_interval_ms = 2000"
start_tcflowd b "$T/c.conf"
sent=$(ns a "$GEN" udp -d "$SINK" -p 9000 -f 500 -n 4 -s 50 -b 10000)
sleep 0.2
kill -USR1 "$TCFLOWD_PID"
sleep 0.2
stop_tcflowd
is "$sent" "sent 2000" "generator sent 500 flows x 4 packets"
is "$(python3 "$FLOWS_PY" json "$T/flows.json" proto=17 | wc -l)" 500 "500 flows"
is "$(python3 "$FLOWS_PY" json "$T/flows.json" proto=17 | awk '$7 != 4' | wc -l)" 0 \
	"every flow has exactly its 4 packets"
is "$(python3 "$FLOWS_PY" total "$T/flows.json" bytes proto=17)" $((2000 * (20 + 8 + 50))) \
	"bytes exact"
ring=$(sed -n 's/.*ring_records=\([0-9]*\).*/\1/p' "$T/tcflowd.log" | tail -n1)
ok "$([ "${ring:-0}" -gt 0 ]; echo $?)" "the overflow ring was used ($ring records)"
grep -q 'ring_full=0 no_map=0' "$T/tcflowd.log"
ok $? "nothing lost in the kernel"
done_testing
