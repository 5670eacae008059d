#!/usr/bin/env bash
# Scenario 77: counting = auto switches between the maps and the ring with
# the flows in the cache, and every packet is in the records exactly, across
# both switches.  ring_from_flows = 200: 300 flows x 4 packets are counted
# in the maps, and the fetch after them switches to the ring; the same 300
# flows send 4 more (ring records, while the maps still hold their first
# 4); once they time out the cache is empty and counting goes back to the
# maps for 50 new flows.  Then the defaults, from 4096 flows.
. "$(dirname "$0")/lib.sh"
need_root
quiet_pair

# finish: stop (its stats line is the run's last), and the UDP flows of
# the run in $T/got
finish() {
	sleep 0.3
	stop_tcflowd
	python3 "$FLOWS_PY" json "$T/flows.json" proto=17 >"$T/got"
}

config "$T/c.conf" "[capture]" "interfaces = b0" "direction = ingress" \
	"counting = auto" "ring_from_flows = 200" \
	"[flows]" "fetch_interval_ms = 100" "idle_timeout_s = 1" "kernel_epoch_s = 60"
start_tcflowd b "$T/c.conf"
one=$(ns a "$GEN" udp -d "$SINK" -p 9000 -f 300 -n 4 -s 50 -b 10000)
wait_for 10 log_has "counting through the ring: [0-9]* flows"
ok $? "300 flows in the cache: counting through the ring"
two=$(ns a "$GEN" udp -d "$SINK" -p 9000 -f 300 -n 4 -s 50 -b 10000)
wait_for 10 log_has "counting in the maps: [0-9]* flows"
ok $? "the flows timed out: counting in the maps again"
three=$(ns a "$GEN" udp -d "$SINK" -p 9000 -f 50 -n 4 -s 50 -b 20000)
finish
is "$one $two $three" "sent 1200 sent 1200 sent 200" "generator sent 300 x 4, 300 x 4, 50 x 4"
is "$(wc -l <"$T/got")" 350 "350 flows"
is "$(awk '$4 < 20000 && $7 != 8' "$T/got" | wc -l)" 0 \
	"each of the 300 flows: exactly 8 packets (4 in the maps, 4 through the ring)"
is "$(awk '$4 >= 20000 && $7 != 4' "$T/got" | wc -l)" 0 "each of the 50 later flows: exactly 4"
is "$(python3 "$FLOWS_PY" total "$T/flows.json" bytes proto=17)" $((2600 * (20 + 8 + 50))) \
	"bytes exact"
# the fetch that switches may come while the first 1200 are still being
# sent (a slow guest): the tail of them then goes through the ring too
ring=$(last_stat ring_records) counted=$(last_stat counted)
is "$((ring + counted))" 2600 "ring records + map-counted packets: all 2600"
ok "$([ "$ring" -ge 1200 ] && [ "$counted" -ge 200 ]; echo $?)" \
	"the ring took the 1200 sent while it counted ($ring), the maps the 50 later flows' 200 and the first ones ($counted)"
# the switch to the ring ends the maps' epoch (kernel_epoch_s = 60): what
# they counted is drained once, and the new map takes only what a full
# ring leaves, instead of a read in place of every flow at each fetch
is "$(grep -c 'counting through the ring: .*; the maps are drained' "$T/tcflowd.log")" 1 \
	"the switch to the ring drains the maps once"
is "$(last_stat kernel_epochs)" 2 \
	"... an epoch of its own: 2 epochs (1 without the switch's)"
grep -q 'ring_full=0 no_map=0' "$T/tcflowd.log"
ok $? "nothing lost in the kernel"

# The defaults count the same way (counting = auto, ring_from_flows =
# 4096): 5000 flows x 4 packets are counted in the maps, the fetch after
# them switches to the ring, and 4 more packets of each go through it.
mv "$T/flows.json" "$T/flows-200.json"
mv "$T/tcflowd.log" "$T/tcflowd-200.log"
config "$T/d.conf" "[capture]" "interfaces = b0" "direction = ingress" \
	"[flows]" "fetch_interval_ms = 100" "idle_timeout_s = 30"
start_tcflowd b "$T/d.conf"
# gen takes 4096 flows at most (a socket each): two of 2500
five() {
	ns a "$GEN" udp -d "$SINK" -p 9000 -f 2500 -n 4 -s 50 -b 30000 &&
		ns a "$GEN" udp -d "$SINK" -p 9000 -f 2500 -n 4 -s 50 -b 32500
}
one=$(five)
wait_for 10 log_has "counting through the ring: [0-9]* flows"
ok $? "defaults, 5000 flows in the cache: counting through the ring"
two=$(five)
finish
is "$(echo $one $two)" "sent 10000 sent 10000 sent 10000 sent 10000" \
	"generator sent 5000 x 4, twice"
is "$(wc -l <"$T/got")" 5000 "5000 flows"
is "$(awk '$7 != 8' "$T/got" | wc -l)" 0 "each exactly 8 packets"
is "$(python3 "$FLOWS_PY" total "$T/flows.json" bytes proto=17)" $((40000 * 78)) \
	"bytes exact"
ring=$(last_stat ring_records) counted=$(last_stat counted)
is "$((ring + counted))" 40000 "ring records + map-counted packets: all 40000"
ok "$([ "$ring" -ge 20000 ]; echo $?)" \
	"the ring took at least the second 20000 ($ring)"

# A burst of new flows switches without waiting for the fetch: with 10 s
# fetches, 2500 new flows would all be in the maps at the first one, read
# there and drained again at the switch.  The daemon looks at the
# kernel's count of new entries every 100 ms between fetches, and once
# the maps took ring_from_flows = 1000 since the swap it fetches at once
# and switches.  Exact all the same.
mv "$T/flows.json" "$T/flows-defaults.json"
mv "$T/tcflowd.log" "$T/tcflowd-defaults.log"
config "$T/e.conf" "[capture]" "interfaces = b0" "direction = ingress" \
	"ring_from_flows = 1000" \
	"[flows]" "fetch_interval_ms = 10000" "idle_timeout_s = 30" "kernel_epoch_s = 60"
start_tcflowd b "$T/e.conf"
started=$(date +%s%N)
one=$(ns a "$GEN" udp -d "$SINK" -p 9000 -f 2500 -n 4 -s 50 -b 40000)
wait_for 5 log_has "counting through the ring: [0-9]* flows"
ok $? "2500 new flows: counting through the ring before the first 10 s fetch"
# (the bound: the first fetch is 10 s after the start; 5 s more than
# the 100 ms poll leaves room for a slow guest)
switched=$(date +%s%N)
ok "$([ $(( (switched - started) / 1000000 )) -lt 9000 ]; echo $?)" \
	"... $(( (switched - started) / 1000000 )) ms after the start, not at the 10 s fetch"
two=$(ns a "$GEN" udp -d "$SINK" -p 9000 -f 2500 -n 4 -s 50 -b 40000)
finish
is "$one $two" "sent 10000 sent 10000" "generator sent 2500 x 4, twice"
is "$(wc -l <"$T/got")" 2500 "2500 flows"
is "$(awk '$7 != 8' "$T/got" | wc -l)" 0 "each exactly 8 packets"
ring=$(last_stat ring_records) counted=$(last_stat counted) inserts=$(last_stat inserts)
is "$((ring + counted))" 20000 "ring records + map-counted packets: all 20000"
ok "$([ "$inserts" -ge 1000 ] && [ "$inserts" -le 2500 ]; echo $?)" \
	"the maps took at least ring_from_flows new entries, at most the 2500 flows ($inserts)"
done_testing
