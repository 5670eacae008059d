#!/usr/bin/env bash
# A collector with no route at start (a router whose uplink comes up after
# tcflowd): tcflowd starts anyway, counts what it cannot send, and exports
# as soon as the route exists, templates first (NetFlow v9 and IPFIX).
. "$(dirname "$0")/lib.sh"
need_root

quiet_pair
at_collector() {	# "sport packets bytes" per flow, one port range
	nfdump -R "$1" -q -N -A srcport -o "fmt:%sp %pkt %byt" 2>/dev/null |
		awk -v lo="$2" -v hi="$3" '$1 >= lo && $1 < hi { print $1, $2, $3 }' | sort
}
in_json() {
	python3 "$FLOWS_PY" json "$T/flows.json" dir=0 |
		awk -v lo="$1" -v hi="$2" '$4 >= lo && $4 < hi { print $4, $7, $8 }' | sort
}

n=0
for proto in netflow9 ipfix; do
	n=$((n + 1))
	rm -f "$T/flows.json" "$T/tcflowd.log"
	mkdir -p "$T/$proto"
	# the collector listens in a, on an address b has no route to yet
	ip netns exec "${P}a" nfcapd -w "$T/$proto" -p 2055 >"$T/nfcapd.log" 2>&1 &
	NFCAPD=$!
	_pids="$_pids $NFCAPD"
	config "$T/c.conf" "[capture]" "interfaces = b0" "direction = ingress" \
		"[flows]" "fetch_interval_ms = 100" "idle_timeout_s = 1" \
		"[collector late]" "protocol = $proto" "address = 10.99.$n.1" "port = 2055"
	start_tcflowd b "$T/c.conf"
	grep -q "collector late (10.99.$n.1:2055): Network is unreachable for now" "$T/tcflowd.log"
	ok $? "$proto: starts without a route to the collector, and says so"
	ns a "$GEN" udp -d "$SINK" -p 9000 -f 5 -n 4 -s 50 -b 20000 >/dev/null
	sleep 1.5			# exported at the idle timeout: not sent
	veth a c$n b d$n
	addr a c$n 10.99.$n.1/24
	addr b d$n 10.99.$n.2/24
	ns a "$GEN" udp -d "$SINK" -p 9000 -f 5 -n 6 -s 50 -b 21000 >/dev/null
	sleep 1.5
	stop_tcflowd
	kill -TERM "$NFCAPD"
	wait "$NFCAPD" 2>/dev/null
	grep -q "collector late (10.99.$n.1:2055): reachable now" "$T/tcflowd.log"
	ok $? "$proto: the route appears: exports go out"
	is "$(sed -n 's/.* records_not_sent=\([0-9]*\).*/\1/p' "$T/tcflowd.log" | tail -n1)" 5 \
		"$proto: the 5 records from before the route are counted as not sent"
	is "$(at_collector "$T/$proto" 21000 22000 | wc -l)" 5 \
		"$proto: the collector decodes all 5 later flows (templates came first)"
	is "$(at_collector "$T/$proto" 21000 22000)" "$(in_json 21000 22000)" \
		"$proto: packets and bytes at the collector equal the JSON records"
done
done_testing
