#!/usr/bin/env bash
# [metrics] listen: a real Prometheus server (Debian's, on b's loopback,
# scraping every second, with its own storage) scrapes tcflowd while known
# traffic runs.  Its HTTP API must show what the collectors decoded and
# the kernel's packet fates summing to the packets that reached b0; the
# scrape passes promtool check metrics; the textfile holds the same text.
. "$(dirname "$0")/lib.sh"
need_root
PROM_PY=$top_srcdir/tests/netns/prom.py
URL=http://127.0.0.1:9465/metrics
PROM=http://127.0.0.1:9090

quiet_pair
config "$T/c.conf" "[capture]" "interfaces = b0" "direction = ingress" \
	"[flows]" "fetch_interval_ms = 100" "idle_timeout_s = 1" \
	"[metrics]" "listen = 127.0.0.1:9465" "textfile = $T/tcflowd.prom" \
	"[collector nfcapd]" "protocol = ipfix" "address = 127.0.0.1" "port = 2055"
printf 'global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: tcflowd\n    static_configs:\n      - targets: ["127.0.0.1:9465"]\n' >"$T/prom.yml"
# ip netns exec execs it: $! is Prometheus itself, stopped by that pid
ip netns exec "${P}b" prometheus --config.file="$T/prom.yml" \
	--storage.tsdb.path="$T/prom" --web.listen-address=127.0.0.1:9090 \
	>"$T/prometheus.log" 2>&1 &
PROM_PID=$!
_pids="$_pids $PROM_PID"
start_nfcapd b "$T/nfcapd" 2055
rx0=$(rx_packets b b0)
start_tcflowd b "$T/c.conf"
for i in $(seq 300); do
	ns b python3 "$PROM_PY" query "$PROM" 'up{job="tcflowd"}' 2>/dev/null | grep -qx 1 && break
	kill -0 "$PROM_PID" 2>/dev/null || break
	sleep 0.1
done
is "$(ns b python3 "$PROM_PY" query "$PROM" 'up{job="tcflowd"}')" 1 \
	"Prometheus scrapes tcflowd"

ns a "$GEN" udp -d "$SINK" -p 9000 -f 20 -n 6 -s 100 -b 30000 >/dev/null
ns a "$GEN" udp -d "$SINK" -p 9001 -f 10 -n 3 -s 40 -b 31000 >/dev/null
rx=$(( $(rx_packets b b0) - rx0 ))
# every flow ends (idle timeout 1 s) and goes out; then the counters stay
want_json=30
for i in $(seq 100); do
	[ "$(ns b python3 "$PROM_PY" value "$URL" \
		'tcflowd_collector_records_sent_total{collector="test",protocol="json"}')" = $want_json ] && break
	sleep 0.1
done
sent=$(ns b python3 "$PROM_PY" value "$URL" \
	'tcflowd_collector_records_sent_total{collector="nfcapd",protocol="ipfix"}')
q_sent=""
q_fates=""
for i in $(seq 150); do
	q_sent=$(ns b python3 "$PROM_PY" query "$PROM" \
		'tcflowd_collector_records_sent_total{collector="nfcapd"}')
	q_fates=$(ns b python3 "$PROM_PY" query "$PROM" 'sum(tcflowd_kernel_packets_total)')
	[ "$q_sent" = "$sent" ] && [ "$q_fates" = "$rx" ] && break
	sleep 0.1
done
q_json=$(ns b python3 "$PROM_PY" query "$PROM" \
	'tcflowd_collector_records_sent_total{collector="test",protocol="json"}')
q_packets=$(ns b python3 "$PROM_PY" query "$PROM" 'tcflowd_kernel_packets_total{fate="counted"}')
q_up=$(ns b python3 "$PROM_PY" query "$PROM" 'tcflowd_collector_up{collector="nfcapd"}')
q_fetch=$(ns b python3 "$PROM_PY" query "$PROM" 'tcflowd_fetches_total > 0')
q_if=$(ns b python3 "$PROM_PY" query "$PROM" 'tcflowd_interface_packets_total{interface="b0"}')
q_att=$(ns b python3 "$PROM_PY" query "$PROM" 'tcflowd_interface_attached{interface="b0"}')
ns b python3 "$PROM_PY" scrape "$URL" >"$T/scrape.txt"
diag "scrape: $(grep -c -v '^#' "$T/scrape.txt") series, e.g.:"
grep -E '^tcflowd_(collector_records_sent|kernel_packets_total\{fate="counted"|collector_up)' \
	"$T/scrape.txt" | sed 's/^/#   /'
diag "Prometheus: records_sent{nfcapd}=$q_sent sum(kernel_packets)=$q_fates" \
	"records_sent{test}=$q_json up{nfcapd}=$q_up"
ok "$(promtool check metrics <"$T/scrape.txt" >"$T/promtool.log" 2>&1; echo $?)" \
	"the scrape passes promtool check metrics"
[ -s "$T/promtool.log" ] && sed 's/^/# promtool: /' "$T/promtool.log"
grep -q '^tcflowd_build_info{version="[0-9.]*"} 1$' "$T/scrape.txt"
ok $? "tcflowd_build_info names the version"
stop_tcflowd
stop_nfcapd
kill -TERM "$PROM_PID"
wait "$PROM_PID" 2>/dev/null
ok "$(kill -0 "$PROM_PID" 2>/dev/null; [ $? -ne 0 ]; echo $?)" "Prometheus stopped (pid $PROM_PID)"
decoded=$(nfdump -R "$T/nfcapd" -q -N -o "fmt:%sp %pkt" 2>/dev/null | wc -l)
json=$(wc -l <"$T/flows.json")

is "$rx" 150 "150 packets reached b0"
is "$q_fates" "$rx" "Prometheus: the kernel packet fates sum to the packets b0 received"
is "$q_packets" "$rx" "Prometheus: every one of them counted in a flow"
is "$decoded" 30 "nfcapd decoded 30 flow records"
is "$q_sent" "$decoded" "Prometheus: records_sent of collector nfcapd is what nfcapd decoded"
is "$q_json" "$json" "Prometheus: records_sent of collector test is the JSON file's lines"
is "$q_up" 1 "Prometheus: collector nfcapd is up"
ok "$([ -n "$q_fetch" ]; echo $?)" "Prometheus: fetches counted"
is "$q_if" "$rx" "Prometheus: the records exported for b0 carry its 150 packets"
is "$q_att" 1 "Prometheus: b0 is attached"
grep -q '^tcflowd_collector_records_sent_total{collector="nfcapd",protocol="ipfix"} 30$' \
	"$T/tcflowd.prom"
ok $? "the textfile written at exit holds the final counts"
ok "$(promtool check metrics <"$T/tcflowd.prom" >/dev/null 2>&1; echo $?)" \
	"the textfile passes promtool check metrics"
ok "$([ "$(ls "$T" | grep -c '\.tmp$')" -eq 0 ]; echo $?)" "no temporary file is left"
line=$(grep 'stats: packets=' "$T/tcflowd.log" | tail -n1)
cline=$(grep 'collector stats: collector=nfcapd ' "$T/tcflowd.log" | tail -n1)
[ "$(grep 'info: stats:' "$T/tcflowd.log" | tail -n1)" = "$line" ]
ok $? "the last stats: line is the totals'"
echo "$line" | grep -q ' records_sent=60 ' && ! echo "$line$cline" | grep -q '[()]' &&
	echo "$cline" | grep -q '^tcflowd: info: collector stats: collector=nfcapd protocol=ipfix sent=30 not_sent=0 '
ok $? "the stats lines are key=value: the totals, and one per collector"
done_testing
