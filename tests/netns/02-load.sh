#!/usr/bin/env bash
# Scenario 2: loss-free under load.  2 million UDP packets over 500 flows,
# as fast as the generator can send them, while tcflowd fetches every
# 100 ms: first with its kernel entries persisting (each fetch reads the
# active map in place while the programs write it on the other CPU, one
# swap and drain at the end), then swapping and draining at every fetch
# (kernel_epoch_s = 0), then with every packet a ring record (counting =
# ring; what a full ring cannot take goes to the map).  The packets in the records must equal, exactly,
# the packets that reached the interface (its rx counter).
. "$(dirname "$0")/lib.sh"
need_root

quiet_pair
ns b ethtool -K b0 gro off >/dev/null 2>&1

# load WHAT EPOCH [COUNTING]: one run; checks exactness, leaves the stats line
load() {
	local start end sent rx0 rx1 got
	rm -f "$T/flows.json" "$T/tcflowd.log"
	config "$T/c.conf" "[capture]" "interfaces = b0" "direction = ingress" \
		"counting = ${3:-map}" "[flows]" "fetch_interval_ms = 100" \
		"kernel_epoch_s = $2"
	rx0=$(rx_packets b b0)
	start_tcflowd b "$T/c.conf"
	start=$(date +%s.%N)
	sent=$(ns a "$GEN" flood -d "$SINK" -p 9000 -f 500 -n 2000000 -s 18 -b 10000)
	end=$(date +%s.%N)
	sleep 0.3
	stop_tcflowd
	rx1=$(rx_packets b b0)
	is "$sent" "sent 2000000" "$1: generator sent 2,000,000 packets"
	diag "$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.0f packets/s offered", 2000000 / (e - s) }')"
	got=$(python3 "$FLOWS_PY" total "$T/flows.json" packets)
	is "$got" "$((rx1 - rx0))" "$1: records hold exactly the packets the interface received"
	is "$(python3 "$FLOWS_PY" json "$T/flows.json" proto=17 | wc -l)" 500 "$1: 500 flows"
	grep -q 'ring_full=0 no_map=0' "$T/tcflowd.log"
	ok $? "$1: nothing lost in the kernel"
	diag "$(grep -c . "$T/flows.json") records, $((rx1 - rx0)) packets received"
}

load "persistent entries" 3600
reads=$(last_stat kernel_reads)
is "$(last_stat kernel_epochs)" 1 "persistent entries: one swap, at the stop"
[ "${reads:-0}" -gt 0 ]
ok $? "persistent entries: the fetches read the map in place ($reads reads)"

load "a swap every fetch" 0
is "$(last_stat kernel_reads)" 0 "a swap every fetch: no read in place"

load "through the ring" 3600 ring
ring=$(last_stat ring_records)
[ "${ring:-0}" -gt 0 ] && [ "$(last_stat counted)" = "$(last_stat ring_busy)" ]
ok $? "through the ring: $ring ring records; the map took only what the full ring left ($(last_stat ring_busy))"
done_testing
