#!/usr/bin/env bash
# Scenario 60: Kafka output, format = json.  tcflowd produces to
# librdkafka's mock cluster (3 brokers, on the test namespace's loopback)
# while known traffic runs; python3-kafka (an independent client) reads the
# topic, and every message must equal a record of the JSON collector of
# the same daemon (exact packets, bytes, every field), plus exporter_id,
# keyed by the exporter.  Counted as sent: exactly what was delivered.
. "$(dirname "$0")/../kafka/lib.sh"
need_root

kafka_setup 2001:db8::1/64 2001:db8::2/64

config "$T/c.conf" "[capture]" "interfaces = b0" \
	"[flows]" "fetch_interval_ms = 100" \
	"[collector fleet]" "protocol = kafka" "brokers = $BOOT" "topic = flows" \
	"format = json" "key = exporter" "exporter_id = router-1"
start_tcflowd b "$T/c.conf"

ns a ping -q -c 3 -i 0.05 192.0.2.2 >/dev/null
udp4=$(ns a "$GEN" udp -d 192.0.2.2 -p 9000 -f 40 -n 5 -s 100 -b 20000 -g 2000)
udp6=$(ns a "$GEN" udp -d 2001:db8::2 -p 9000 -f 20 -n 3 -s 200 -b 21000 -g 2000)
is "$udp4 $udp6" "sent 200 sent 60" "generator sent everything"
stop_tcflowd
is "$TCFLOWD_RC" 0 "tcflowd exits 0 on SIGTERM"

n=$(wc -l <"$T/flows.json")
is "$(python3 "$FLOWS_PY" json "$T/flows.json" proto=17 dir=0 dport=9000 | wc -l)" 60 \
	"the JSON collector has the 60 UDP flows"
kafka_read "$n"
ok $? "python3-kafka read $(wc -l <"$T/got") messages, want $n"
kafka_same router-1 exporter
cut -f2 "$T/got" >"$T/values"
is "$(python3 "$FLOWS_PY" total "$T/values" packets proto=17 dport=9000)" \
	260 "UDP packets in Kafka: 40 x 5 + 20 x 3"
is "$(close_line fleet)" "records delivered=$n not_sent=0 (refused by the full queue=0, deliveries failed=0, left at close=0)" \
	"counted as sent: the $n delivered"
done_testing
