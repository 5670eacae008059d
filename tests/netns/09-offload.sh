#!/usr/bin/env bash
# Scenario 9: offloads on (the veth default).  A 100 MB TCP transfer
# crosses the veth as TSO/GRO super-frames; the receiver's interface
# counters count skbs.  tcflowd on the receiver's ingress must count the
# segments that were on the wire: the sender's TcpOutSegs + TcpRetransSegs
# (its only TCP traffic), and their IP bytes: payload plus each segment's
# headers.
. "$(dirname "$0")/lib.sh"
need_root

quiet_pair
start_sink b 9000
config "$T/c.conf" "[capture]" "interfaces = b0" "direction = ingress" \
	"[flows]" "fetch_interval_ms = 200"
start_tcflowd b "$T/c.conf"
rx0=$(rx_packets b b0)
ns a nstat -n >/dev/null			# reset the history: deltas from here
bytes=$((100 * 1000 * 1000))
out=$(ns a "$GEN" tcp -d 192.0.2.2 -p 9000 -c 1 -B $bytes -b 9100 -R)
sent=$(echo "$out" | head -n1)
rbytes=$(echo "$out" | sed -n 's/^retrans_bytes //p')
ns a nstat -z TcpOutSegs TcpRetransSegs >"$T/nstat"
segs=$(awk '/^Tcp(OutSegs|RetransSegs)/ { n += $2 } END { print n }' "$T/nstat")
retrans=$(awk '/^TcpRetransSegs/ { print $2 }' "$T/nstat")
sleep 0.3
stop_tcflowd
rx=$(( $(rx_packets b b0) - rx0 ))
is "$sent" "sent $bytes" "100 MB sent"
got=$(python3 "$FLOWS_PY" total "$T/flows.json" packets proto=6 source_transport_port=9100)
diag "receiver saw $rx skbs carrying $got segments; sender sent $segs segments"
ok "$([ "$rx" -lt "$got" ]; echo $?)" "offloads were on: fewer skbs ($rx) than segments"
is "$got" "$segs" "packets: exactly the sender's segments (TcpOutSegs + TcpRetransSegs)"
# headers: 20 (IPv4) + 32 (TCP with timestamps) a segment, the SYN has 8
# more; retransmitted payload was on the wire twice (TCP_INFO says how much)
diag "$retrans segments ($rbytes bytes of payload) were retransmitted"
is "$(python3 "$FLOWS_PY" total "$T/flows.json" bytes proto=6 source_transport_port=9100)" \
	$((bytes + rbytes + 52 * segs + 8)) \
	"bytes: payload (and payload sent again) + each segment's IP and TCP headers"
done_testing
