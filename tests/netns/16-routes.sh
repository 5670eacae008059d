#!/usr/bin/env bash
# Routes: h1 -- r -- h2, tcflowd on r's two interfaces.  r reaches h2's
# subnet directly (connected routes) and 10.9.0.0/16 and 2001:db8:9::/48
# through h2 (static routes via a next hop); the routes back to h1's
# second prefixes are static too (/25, /56).  Records seen on r's ingress
# hook carry the egress interface, next hop and both prefix lengths, IPv4
# and IPv6, in JSON and through IPFIX to nfcapd.  The static routes then
# move to another next hop: flows started after the change carry it.  A
# source rule then sends some sources through another table: their
# records carry that table's next hop.  A destination r has no route to is
# exported without a route and counted.
. "$(dirname "$0")/lib.sh"
need_root

router3
addr h1 lo 203.0.113.1/32 2001:db8:7::1/128
addr h2 e2 198.51.100.2/24 2001:db8:2::2/64
addr h2 lo 10.9.0.1/32 2001:db8:9::1/128
for n in 10.9.0.0/16 10.10.0.0/16; do
	ns h1 ip route add $n via 192.0.2.254
done
ns h1 ip -6 route add 2001:db8:9::/48 via 2001:db8:1::fe
ns r ip route add 10.9.0.0/16 via 198.51.100.1
ns r ip route add 203.0.113.0/25 via 192.0.2.1
ns r ip -6 route add 2001:db8:9::/48 via 2001:db8:2::1
ns r ip -6 route add 2001:db8:7::/56 via 2001:db8:1::1
start_sink h2 9000
for a in 198.51.100.1 198.51.100.2 2001:db8:2::1 2001:db8:2::2; do
	ns r ping -q -c 1 -W 2 $a >/dev/null	# neighbours resolved
done
ns h1 ping -q -c 1 -W 2 198.51.100.1 >/dev/null
ns h1 ping -q -c 1 -W 2 2001:db8:2::1 >/dev/null

start_nfcapd r "$T/nfcapd" 4739
config "$T/c.conf" "[capture]" "interfaces = r1 r2" \
	"[flows]" "fetch_interval_ms = 100" "idle_timeout_s = 1" \
	"[collector nfcapd]" "protocol = ipfix" "address = 127.0.0.1" "port = 4739"
start_tcflowd r "$T/c.conf"

# before the change: connected and static, IPv4 and IPv6, two sources
ns h1 "$GEN" udp -d 198.51.100.1 -p 9000 -n 5 -s 50 -b 5000 >/dev/null
ns h1 "$GEN" udp -S 203.0.113.1 -d 10.9.0.1 -p 9000 -n 6 -s 50 -b 5100 >/dev/null
ns h1 "$GEN" udp -d 2001:db8:2::1 -p 9000 -n 7 -s 50 -b 5200 >/dev/null
ns h1 "$GEN" udp -S 2001:db8:7::1 -d 2001:db8:9::1 -p 9000 -n 8 -s 50 -b 5300 >/dev/null
# and one r cannot route (it answers with ICMP unreachable)
ns h1 "$GEN" udp -d 10.10.0.1 -p 9000 -n 3 -s 50 -b 5600 >/dev/null
for i in $(seq 50); do	# out at the idle timeout
	[ "$(python3 "$FLOWS_PY" total "$T/flows.json" packets port=9000 interface_name=r2)" = 26 ] &&
		break
	sleep 0.1
done

ns r ip route replace 10.9.0.0/16 via 198.51.100.2
ns r ip -6 route replace 2001:db8:9::/48 via 2001:db8:2::2
ns h1 "$GEN" udp -S 203.0.113.1 -d 10.9.0.1 -p 9000 -n 4 -s 50 -b 5400 >/dev/null
ns h1 "$GEN" udp -S 2001:db8:7::1 -d 2001:db8:9::1 -p 9000 -n 4 -s 50 -b 5500 >/dev/null
sleep 1.5	# out at the idle timeout, before the rule below exists
# policy routing: packets from 203.0.113.0/25 use table 100, via .1 again
ns r ip route add 10.9.0.0/16 via 198.51.100.1 table 100
ns r ip rule add from 203.0.113.0/25 lookup 100 pref 100
ns h1 "$GEN" udp -S 203.0.113.1 -d 10.9.0.1 -p 9000 -n 2 -s 50 -b 5700 >/dev/null
ns h1 "$GEN" udp -d 10.9.0.1 -p 9000 -n 2 -s 50 -b 5800 >/dev/null
sleep 0.5
stop_tcflowd
is "$TCFLOWD_RC" 0 "tcflowd exits 0"

# rec PORT IF: "packets egress next-hop dst-len src-len in-name out-name"
rec() { python3 - "$T/flows.json" "$@" <<'PY'
import json, sys
path, port, ifname = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows, pk = set(), 0
for line in open(path):
    r = json.loads(line)
    if r["source_transport_port"] != port or r["interface_name"] != ifname:
        continue
    v = "ipv4" if "source_ipv4_address" in r else "ipv6"
    rows.add((r["egress_interface"], r.get("ip_next_hop_%s_address" % v, "-"),
              r.get("destination_%s_prefix_length" % v, "-"),
              r.get("source_%s_prefix_length" % v, "-"),
              r.get("ingress_interface_name", "-"),
              r.get("egress_interface_name", "-")))
    pk += r["packet_delta_count"]
print(pk, " | ".join(" ".join(str(x) for x in row) for row in sorted(rows)))
PY
}
is "$(rec 5000 r1)" "5 $r2 0.0.0.0 24 24 r1 r2" \
	"IPv4 connected, on the ingress hook: egress r2, no next hop, /24, from a /24"
is "$(rec 5100 r1)" "6 $r2 198.51.100.1 16 25 r1 r2" \
	"IPv4 static: egress r2, next hop 198.51.100.1, /16, from a /25"
is "$(rec 5200 r1)" "7 $r2 :: 64 64 r1 r2" \
	"IPv6 connected: egress r2, no next hop, /64, from a /64"
is "$(rec 5300 r1)" "8 $r2 2001:db8:2::1 48 56 r1 r2" \
	"IPv6 static: egress r2, next hop 2001:db8:2::1, /48, from a /56"
is "$(rec 5100 r2)" "6 $r2 198.51.100.1 16 25 r1 r2" \
	"IPv4 static on the egress hook: the same route, ingress r1"
is "$(rec 5400 r1)" "4 $r2 198.51.100.2 16 25 r1 r2" \
	"IPv4: after the route change, the new next hop 198.51.100.2"
is "$(rec 5500 r1)" "4 $r2 2001:db8:2::2 48 56 r1 r2" \
	"IPv6: after the route change, the new next hop 2001:db8:2::2"
is "$(rec 5700 r1)" "2 $r2 198.51.100.1 16 25 r1 r2" \
	"policy routing: from 203.0.113.0/25, table 100's next hop 198.51.100.1"
is "$(rec 5800 r1)" "2 $r2 198.51.100.2 16 24 r1 r2" \
	"policy routing: from elsewhere, the main table's 198.51.100.2"
is "$(rec 5600 r1)" "3 0 - - 24 r1 -" \
	"no route: exported at once without next hop and destination prefix"
fails=$(sed -n 's/.* route_failures=\([0-9]*\).*/\1/p' "$T/tcflowd.log" | tail -n1)
ok "$([ "${fails:-0}" -ge 1 ]; echo $?)" "the failed lookup is counted (route_failures=$fails)"
queries=$(sed -n 's/.* route_queries=\([0-9]*\).*/\1/p' "$T/tcflowd.log" | tail -n1)
lookups=$(sed -n 's/.* route_lookups=\([0-9]*\).*/\1/p' "$T/tcflowd.log" | tail -n1)
diag "route lookups $lookups, sent to the kernel $queries"

# the same through IPFIX, as nfcapd stored it
stop_nfcapd
nf() {
	nfdump -q -6 -R "$T/nfcapd" -o "fmt:%sp %in %out %nh %smk %dmk %pkt" \
		"src port $1 and in if $r1" 2>/dev/null | awk '{$1=$1; print}' | sort -u |
		paste -sd'|'
}
is "$(nf 5000)" "5000 $r1 $r2 0.0.0.0 24 24 5" "nfcapd: IPv4 connected"
is "$(nf 5100)" "5100 $r1 $r2 198.51.100.1 25 16 6" "nfcapd: IPv4 static (next hop, masks)"
is "$(nf 5300)" "5300 $r1 $r2 2001:db8:2::1 56 48 8" "nfcapd: IPv6 static"
is "$(nf 5400)" "5400 $r1 $r2 198.51.100.2 25 16 4" "nfcapd: the new next hop"
done_testing
