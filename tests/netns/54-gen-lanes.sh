#!/usr/bin/env bash
# The generator's lanes mode (bench/peers sends with it): crafted UDP
# frames on two AF_PACKET lanes, chunk by chunk.  Every packet it reports
# reaches the far end of its lane, the flows are the ones it crafts
# (10.0.0.0 + flow, port 40000 -> 198.51.100.1 port 9000), and the flush
# burst is one other flow (192.0.2.99 -> port 9999) on the measured lane.
. "$(dirname "$0")/lib.sh"
need_root

ns_add g r
veth g m0 r m1
veth g c0 r c1
ns g sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ns r sysctl -qw net.ipv6.conf.all.disable_ipv6=1
mmac=$(ns r cat /sys/class/net/m1/address)
cmac=$(ns r cat /sys/class/net/c1/address)
m0=$(rx_packets r m1)
c0=$(rx_packets r c1)
out=$(ns g "$GEN" lanes -m m0 -M "$mmac" -c c0 -C "$cmac" -f 10 -s 64 -n 3000 -k 1000)
is "$(echo "$out" | grep -E '^(sent_measured|sent_control|chunks)=' | tr '\n' ' ')" \
	"sent_measured=3000 sent_control=3000 chunks=3 " "3000 packets a lane, in 3 chunks"
echo "$out" | grep -qE '^ratio=[0-9]+\.[0-9]{4}$'
ok $? "a chunk-pair ratio ($(echo "$out" | grep '^ratio='))"
is "$(ns g "$GEN" lanes -m m0 -M "$mmac" -x 20)" "flush_sent=20" "the flush burst: 20 packets"
is "$(( $(rx_packets r m1) - m0 ))" 3020 "the measured lane's far end received 3000 + 20"
is "$(( $(rx_packets r c1) - c0 ))" 3000 "the control lane's far end received 3000"

# the frames themselves, as tshark decodes them on arrival: wait until it
# says it captures (its start-up takes seconds on a busy machine), then
# flush frames one at a time until the capture sees them (it starts a
# moment after it says so), then a small run of every flow
ip netns exec "${P}r" timeout 90 tshark -n -l -i m1 -T fields -e ip.src -e udp.srcport \
	-e ip.dst -e udp.dstport -e ip.len >"$T/frames" 2>"$T/tshark.log" &
tshark_pid=$!
_pids="$_pids $tshark_pid"
for i in $(seq 450); do
	grep -q '^Capturing on' "$T/tshark.log" && break
	sleep 0.1
done
grep -q '^Capturing on' "$T/tshark.log"
ok $? "tshark captures on m1 (after $i waits of 0.1 s)"
for i in $(seq 100); do
	ns g "$GEN" lanes -m m0 -M "$mmac" -x 1 >/dev/null
	[ -s "$T/frames" ] && break
	sleep 0.1
done
is "$(head -n1 "$T/frames" | tr '\t' ' ')" "192.0.2.99 40000 198.51.100.1 9999 92" \
	"a flush frame: 192.0.2.99:40000 -> 198.51.100.1:9999, IP length 92"
# ... and, with -v, every pass after the first in another order, each
# flow still once a pass.  7 flows, 4 passes: the strides 1, 1299709,
# 15485863 and 32452843 are 1, 5, 1 and 3 mod 7 (so with this few flows
# the third pass comes in the first one's order)
ns g "$GEN" lanes -m m0 -M "$mmac" -c c0 -C "$cmac" -f 3 -s 64 -n 30 -k 10 >/dev/null
ns g "$GEN" lanes -m m0 -M "$mmac" -c c0 -C "$cmac" -f 7 -s 64 -n 28 -k 28 -v >/dev/null
for i in $(seq 100); do
	[ "$(grep -c '	9000	' "$T/frames")" -ge 58 ] && break
	sleep 0.1
done
kill "$tshark_pid" 2>/dev/null
wait "$tshark_pid" 2>/dev/null
grep '	9000	' "$T/frames" | head -n 30 >"$T/plain"
grep '	9000	' "$T/frames" | tail -n +31 >"$T/varied"
flows=$(sort "$T/plain" | uniq -c |
	awk '{ printf "%s %s:%s>%s:%s/%s;", $1, $2, $3, $4, $5, $6 }')
is "$flows" "10 10.0.0.0:40000>198.51.100.1:9000/92;10 10.0.0.1:40000>198.51.100.1:9000/92;10 10.0.0.2:40000>198.51.100.1:9000/92;" \
	"the measured lane: 3 flows of 10 frames each (IP length 92)"
is "$(cut -f1 "$T/plain" | cut -d. -f4 | head -n 6 | tr '\n' ' ')" \
	"0 1 2 0 1 2 " "... every pass through the flows in the same order"
is "$(cut -f1 "$T/varied" | cut -d. -f4 | tr '\n' ' ')" \
	"0 1 2 3 4 5 6 0 5 3 1 6 4 2 0 1 2 3 4 5 6 0 3 6 2 5 1 4 " \
	"-v: 4 passes over 7 flows, in strides 1, 5, 1 and 3"
done_testing
