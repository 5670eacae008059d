#!/usr/bin/env bash
# NetFlow to a real collector: tcflowd exports to nfcapd on the
# namespace's loopback (and JSON beside it) while known traffic runs;
# nfdump's totals per flow equal the JSON records exactly, with the same
# interface indexes.  PROTO=netflow5 (default): IPv6 flows are counted as
# unexportable.  PROTO=netflow9 (scenario 11) and PROTO=ipfix (12): IPv6
# flows go out too.
. "$(dirname "$0")/lib.sh"
need_root
PROTO=${PROTO:-netflow5}

pair
start_sink b 9000
start_nfcapd b "$T/nfcapd" 2055

# everything on the collector's loopback, for tshark's verdict at the end
# (unfiltered: tshark picks the collector's port)
ip netns exec "${P}b" dumpcap -q -i lo -w "$T/export.pcapng" >"$T/dumpcap.log" 2>&1 &
EXPORT_CAP=$!
_pids="$_pids $EXPORT_CAP"
wait_for 30 log_has "^File:" 1 "$T/dumpcap.log"
grep -q "^File:" "$T/dumpcap.log" || bail "dumpcap did not start: $(cat "$T/dumpcap.log")"
sleep 0.5

config "$T/c.conf" "[capture]" "interfaces = b0" "[flows]" "fetch_interval_ms = 200" \
	"[collector nfcapd]" "protocol = $PROTO" "address = 127.0.0.1" "port = 2055"
start_tcflowd b "$T/c.conf"
ns a "$GEN" udp -d 192.0.2.2 -p 9000 -f 50 -n 10 -s 100 -b 20000 >/dev/null
ns a "$GEN" tcp -d 192.0.2.2 -p 9000 -c 5 -B 100000 -b 30000 >/dev/null
ns a ping -q -c 3 -i 0.1 192.0.2.2 >/dev/null
ns a "$GEN" udp -d 2001:db8::2 -p 9000 -f 2 -n 3 -s 10 -b 21000 >/dev/null
sleep 0.5
stop_tcflowd
is "$TCFLOWD_RC" 0 "tcflowd exits 0"
stop_nfcapd
sleep 1.5	# dumpcap hands over ring blocks after a timeout: let the last arrive
kill -TERM "$EXPORT_CAP"; wait "$EXPORT_CAP" 2>/dev/null
cflow() { tshark -n -r "$T/export.pcapng" -d udp.port==2055,cflow -Y "udp.dstport == 2055 $1" 2>/dev/null | grep -c .; }
msgs=$(cflow "")
bad=$(cflow "&& (_ws.malformed || _ws.expert.severity >= warning)")
ok "$([ "$msgs" -gt 0 ] && [ "$bad" -eq 0 ]; echo $?)" \
	"$PROTO: tshark finds nothing malformed in the whole run ($msgs messages, $bad flagged)"

# per flow: src sport dst dport proto in out packets bytes flags.  ICMP's
# destination port (type << 8 | code) is left out: nfdump 1.7 shows v5
# ICMP types as 0.0 (tests/exporter/test_netflow5 checks the type with
# tshark's decoder instead).
# nfdump's raw records, merged per flow here: its own aggregation (-A)
# loses the TCP flags of some flows
nfdump -6 -R "$T/nfcapd" -q -N \
	-o "fmt:%sa %sp %da %dp %pr %in %out %pkt %byt %flg" 2>"$T/nfdump.err" |
	awk '{
		if ($5 == 1 || $5 == 58) $4 = "icmp"
		k = $1 " " $2 " " $3 " " $4 " " $5 " " $6 " " $7
		p[k] += $8; b[k] += $9
		f = (k in fl) ? fl[k] : "........"
		m = ""
		for (i = 1; i <= 8; i++)
			m = m (substr($10, i, 1) != "." ? substr($10, i, 1) : substr(f, i, 1))
		fl[k] = m
	} END { for (k in p) print k, p[k], b[k], fl[k] }' | sort >"$T/nfdump"
python3 - "$T/flows.json" "$PROTO" <<'PY' | sort >"$T/json"
import json, sys
flows = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if "source_ipv4_address" not in r and sys.argv[2] == "netflow5":
        continue
    src = r.get("source_ipv4_address") or r["source_ipv6_address"]
    dst = r.get("destination_ipv4_address") or r["destination_ipv6_address"]
    dport = "icmp" if r["protocol_identifier"] in (1, 58) else r["destination_transport_port"]
    k = (src, r["source_transport_port"], dst, dport,
         r["protocol_identifier"], r["ingress_interface"], r["egress_interface"])
    p, b, f = flows.get(k, (0, 0, 0))
    flows[k] = (p + r["packet_delta_count"], b + r["octet_delta_count"],
                f | r["tcp_control_bits"])
for k, (p, b, f) in flows.items():
    # nfdump's notation: CWR ECE URG ACK PSH RST SYN FIN, '.' when unset
    flg = "".join(c if f & (0x80 >> i) else "." for i, c in enumerate("CEUAPRSF"))
    print(*k, p, b, flg)
PY
diff "$T/json" "$T/nfdump" >"$T/diff"
ok $? "$PROTO: nfdump's flows equal the JSON records, per flow: packets, bytes, interfaces, TCP flags ($(wc -l <"$T/json") flows)"
sed "s/^/#   /" "$T/diff" | head -14
[ -s "$T/nfdump.err" ] && sed 's/^/# nfdump: /' "$T/nfdump.err" | head -5
is "$(awk '$5 == 17 && $4 == 9000 && $1 !~ /:/' "$T/nfdump" | wc -l)" 50 "50 IPv4 UDP flows at the collector"
is "$(awk '$5 == 17 && $4 == 9000 && $1 !~ /:/ { n += $8 } END { print n }' "$T/nfdump")" 500 \
	"500 UDP packets at the collector"
if [ "$PROTO" = netflow5 ]; then
	grep -q 'records_unexportable=[1-9]' "$T/tcflowd.log"
	ok $? "IPv6 flows counted as unexportable, not lost silently"
else
	is "$(awk '$3 ~ /:/ && $5 == 17' "$T/nfdump" | wc -l)" 2 "IPv6 UDP flows at the collector"
fi
grep -q 'records_not_sent=0 ' "$T/tcflowd.log"
ok $? "nothing failed to send"
done_testing
