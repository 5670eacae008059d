#!/usr/bin/env bash
# Scenario 1: exact accounting.  A known mix (210 UDP flows, 20 TCP
# connections, ICMP echo; IPv4 and IPv6) crosses a veth pair; tcflowd
# watches the receiving side (both directions).  Every flow's packets and
# bytes in the JSON records must equal a packet capture of the same
# interface, and the UDP flows must equal what the generator sent.
# HOOK=socket runs the same with the socket filter (scenario 8),
# COUNTING=ring with every packet a ring record (scenario 75).
. "$(dirname "$0")/lib.sh"
need_root
HOOK=${HOOK:-auto}
COUNTING=${COUNTING:-map}

pair
# one skb per wire packet, so the capture counts what tcflowd counts
ns a ethtool -K a0 tso off gso off gro off >/dev/null 2>&1
ns b ethtool -K b0 tso off gso off gro off >/dev/null 2>&1
start_sink b 9000
if [ "$HOOK" = socket ]; then
	# Linux charges the socket filter to net.core.optmem_max, 20480 bytes
	# by default before 6.9 (one value, the host's; not visible in other
	# namespaces); since 6.9 it is per namespace, and the program must
	# attach at the old default there too
	if ns b test -e /proc/sys/net/core/optmem_max; then
		ns b sh -c 'echo 20480 >/proc/sys/net/core/optmem_max'
		limit=$(ns b cat /proc/sys/net/core/optmem_max)
	else
		limit=$(cat /proc/sys/net/core/optmem_max)
	fi
	diag "the socket filter is charged to optmem_max = $limit"
	[ "$limit" -le 20480 ]
	ok $? "optmem_max for the socket filter at most 20480 (it is $limit)"
fi

start_capture b b0

config "$T/c.conf" "[capture]" "interfaces = b0" "hook = $HOOK" \
	"counting = $COUNTING" "[flows]" "fetch_interval_ms = 100"
start_tcflowd b "$T/c.conf"

ns a ping -q -c 5 -i 0.05 192.0.2.2 >/dev/null
ns a ping -q -c 5 -i 0.05 2001:db8::2 >/dev/null
udp4=$(ns a "$GEN" udp -d 192.0.2.2 -p 9000 -f 150 -n 5 -s 100 -b 20000 -g 2000)
udp6=$(ns a "$GEN" udp -d 2001:db8::2 -p 9000 -f 60 -n 4 -s 200 -b 21000 -g 2000)
tcp4=$(ns a "$GEN" tcp -d 192.0.2.2 -p 9000 -c 12 -B 50000 -b 30000)
tcp6=$(ns a "$GEN" tcp -d 2001:db8::2 -p 9000 -c 8 -B 20000 -b 31000)
is "$udp4 $udp6 $tcp4 $tcp6" "sent 750 sent 240 sent 600000 sent 160000" \
	"generator sent everything"
# past tcp_end_timeout_s (2 s): the TCP flows end by FIN, not by SIGTERM
sleep 2.5
drops=$(stop_capture)
stop_tcflowd
is "$TCFLOWD_RC" 0 "tcflowd exits 0 on SIGTERM"

python3 "$FLOWS_PY" json "$T/flows.json" ours >"$T/got"
python3 "$FLOWS_PY" pcap "$T/cap.pcapng" 192.0.2.2,2001:db8::2 ours >"$T/want"
diff "$T/want" "$T/got" >"$T/diff" && [ "${drops:-0}" -eq 0 ]
ok $? "every flow's packets and bytes equal the capture ($(wc -l <"$T/want") flows; capture drops: ${drops:-dumpcap printed no summary})"
sed 's/^/#   /' "$T/diff" | head -20

is "$(python3 "$FLOWS_PY" json "$T/flows.json" proto=17 dir=0 dport=9000 | wc -l)" 210 \
	"210 UDP flows"
is "$(python3 "$FLOWS_PY" total "$T/flows.json" packets proto=17 dport=9000)" 990 \
	"UDP packets: 150 x 5 + 60 x 4"
is "$(python3 "$FLOWS_PY" total "$T/flows.json" bytes proto=17 dport=9000)" \
	$((750 * (20 + 8 + 100) + 240 * (40 + 8 + 200))) "UDP bytes, IP lengths"
is "$(python3 "$FLOWS_PY" json "$T/flows.json" proto=6 dir=0 dport=9000 | wc -l)" 20 \
	"20 TCP connections, one flow each way"
is "$(python3 "$FLOWS_PY" total "$T/flows.json" packets proto=1 dir=0)" 5 "5 ICMP echo requests in"
is "$(python3 "$FLOWS_PY" total "$T/flows.json" packets proto=1 dir=1)" 5 "5 ICMP echo replies out"
is "$(python3 "$FLOWS_PY" total "$T/flows.json" packets proto=58 dir=0 dport=$((128 << 8)))" 5 \
	"5 ICMPv6 echo requests in"
is "$(python3 "$FLOWS_PY" json "$T/flows.json" proto=6 dir=0 dport=9000 tcp_control_bits=27 | wc -l)" 20 \
	"TCP flags: every connection saw FIN|SYN|PSH|ACK (27)"
is "$(grep '"protocol_identifier":6,' "$T/flows.json" | grep -c '"flow_end_reason":3')" 40 \
	"all 40 TCP flows (20 connections, both ways) ended by FIN: reason 3"
grep -q 'ring_full=0 no_map=0' "$T/tcflowd.log"
ok $? "nothing lost in the kernel"
if [ "$COUNTING" = ring ]; then
	# every counted packet a ring record, or (ring full) in the map
	ring=$(sed -n 's/.* ring_records=\([0-9]*\).*/\1/p' "$T/tcflowd.log" | tail -n1)
	busy=$(sed -n 's/.* ring_busy=\([0-9]*\).*/\1/p' "$T/tcflowd.log" | tail -n1)
	counted=$(sed -n 's/.* counted=\([0-9]*\).*/\1/p' "$T/tcflowd.log" | tail -n1)
	ok "$([ "${ring:-0}" -gt 1000 ] && [ "${counted:--1}" = "${busy:--2}" ]; echo $?)" \
		"counting = ring: $ring ring records; the map counted only what the full ring left ($counted = ring_busy $busy)"
fi
done_testing
