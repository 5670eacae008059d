#!/usr/bin/env bash
# Scenario 4: a router.  h1 -- r -- h2, r forwarding, tcflowd on both of
# r's interfaces.  The records carry the right ingress and egress interface
# indexes and directions, and exact counts at both hooks.  (Next hops and
# prefix lengths: scenario 16.)
. "$(dirname "$0")/lib.sh"
need_root

router3
start_sink h2 9000
ns h1 ping -q -c 1 198.51.100.1 >/dev/null	# neighbours resolved
ns h1 ping -q -c 1 2001:db8:2::1 >/dev/null

config "$T/c.conf" "[capture]" "interfaces = r1 r2" "[flows]" "fetch_interval_ms = 100"
start_tcflowd r "$T/c.conf"
ns h1 "$GEN" udp -d 198.51.100.1 -p 9000 -f 3 -n 10 -s 100 -b 5000 >/dev/null
ns h1 "$GEN" udp -d 2001:db8:2::1 -p 9000 -f 2 -n 7 -s 300 -b 6000 >/dev/null
sleep 0.3
stop_tcflowd

# the interfaces and packets of one flow direction's records
rec() { python3 "$FLOWS_PY" ifaces "$T/flows.json" "$@"; }
is "$(rec source_transport_port=5000 interface_name=r1)" "$r1/$r2/0 10" \
	"IPv4 in on r1: ingress_interface r1, egress r2 (from the route), direction ingress, 10 packets"
is "$(rec source_transport_port=5000 interface_name=r2)" "$r1/$r2/1 10" \
	"IPv4 out on r2: egress_interface r2, ingress_interface r1 (forwarded), direction egress"
is "$(rec source_transport_port=6000 interface_name=r1)" "$r1/$r2/0 7" \
	"IPv6 in on r1: ingress_interface r1, egress r2 (from the route)"
is "$(rec source_transport_port=6000 interface_name=r2)" "$r1/$r2/1 7" \
	"IPv6 out on r2: egress r2, ingress r1"
is "$(python3 "$FLOWS_PY" total "$T/flows.json" bytes interface_name=r2 proto=17)" \
	$((30 * (20 + 8 + 100) + 14 * (40 + 8 + 300))) "bytes out on r2 exact"
is "$(python3 "$FLOWS_PY" json "$T/flows.json" proto=17 interface_name=r2 minimum_ttl=63 | wc -l)" 5 \
	"TTL and hop limit after forwarding are 63 on the egress hook (5 flows)"
done_testing
