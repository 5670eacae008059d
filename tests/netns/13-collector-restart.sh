#!/usr/bin/env bash
# A UDP collector restarts mid-run (NetFlow v9 and IPFIX).  Records sent
# while it is down are counted as not sent; the new collector, which knows
# no templates, decodes every later record exactly once the templates are
# refreshed (template_refresh_s = 1).
. "$(dirname "$0")/lib.sh"
need_root

quiet_pair
nfcapd_start() { start_nfcapd b "$1" 2055; }	# a collector on b's loopback
nfcapd_stop() { stop_nfcapd; }
# "sport packets bytes" per flow at the collector, for one port range
at_collector() {
	nfdump -R "$1" -q -N -A srcport -o "fmt:%sp %pkt %byt" 2>/dev/null |
		awk -v lo="$2" -v hi="$3" '$1 >= lo && $1 < hi { print $1, $2, $3 }' | sort
}
in_json() {
	python3 "$FLOWS_PY" json "$T/flows.json" dir=0 |
		awk -v lo="$1" -v hi="$2" '$4 >= lo && $4 < hi { print $4, $7, $8 }' | sort
}
# left PROTO N: the nfcapd collector's records sent + not sent reach N (its
# counters line, on SIGUSR1): a round's flows have left tcflowd.  Not a
# fixed sleep: under valgrind the idle timeout's export comes later.
# (wait_for 10: some 30 s, 0.3 s a try)
left() {
	kill -USR1 "$TCFLOWD_PID"
	sleep 0.2
	grep "collector stats: collector=nfcapd protocol=$1 " "$T/tcflowd.log" | tail -n1 |
		awk -v n="$2" '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); c[kv[1]] = kv[2] } }
			END { exit !(c["sent"] + c["not_sent"] >= n) }'
}

for proto in netflow9 ipfix; do
	rm -f "$T/flows.json"
	config "$T/c.conf" "[capture]" "interfaces = b0" "direction = ingress" \
		"[flows]" "fetch_interval_ms = 100" "idle_timeout_s = 1" "active_timeout_s = 5" \
		"[collector nfcapd]" "protocol = $proto" "address = 127.0.0.1" "port = 2055" \
		"template_refresh_s = 1"
	nfcapd_start "$T/$proto.1"
	start_tcflowd b "$T/c.conf"
	ns a "$GEN" udp -d "$SINK" -p 9000 -f 10 -n 5 -s 50 -b 20000 >/dev/null
	wait_for 10 left "$proto" 10	# idle timeout: exported to the first collector
	nfcapd_stop
	ns a "$GEN" udp -d "$SINK" -p 9000 -f 10 -n 5 -s 50 -b 21000 >/dev/null
	wait_for 10 left "$proto" 20	# exported while nobody listens
	nfcapd_start "$T/$proto.2"
	ns a "$GEN" udp -d "$SINK" -p 9000 -f 10 -n 7 -s 50 -b 22000 >/dev/null
	sleep 1.5
	stop_tcflowd
	nfcapd_stop
	is "$(at_collector "$T/$proto.1" 20000 21000)" "$(in_json 20000 21000)" \
		"$proto: before the restart, every flow at the first collector"
	is "$(at_collector "$T/$proto.2" 22000 23000 | wc -l)" 10 \
		"$proto: after the restart, the new collector decodes all 10 flows"
	is "$(at_collector "$T/$proto.2" 22000 23000)" "$(in_json 22000 23000)" \
		"$proto: ... with exact packets and bytes"
	not_sent=$(sed -n 's/.*records_not_sent=\([0-9]*\).*/\1/p' "$T/tcflowd.log" | tail -n1)
	ok "$([ "${not_sent:-0}" -ge 10 ]; echo $?)" \
		"$proto: the records sent while it was down are counted ($not_sent not sent)"
done
done_testing
