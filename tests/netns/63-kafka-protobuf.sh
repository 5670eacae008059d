#!/usr/bin/env bash
# Scenario 63: Kafka output, format = protobuf.  Every message python3-kafka
# reads from the mock brokers is one length-delimited goflow2 FlowMessage;
# protoc --decode against proto/flow.proto reads it, and it must equal a
# record of the JSON collector of the same daemon (exact packets, bytes,
# addresses, ports, interfaces, ...); sequence numbers run 1..N; key = flow.
. "$(dirname "$0")/../kafka/lib.sh"
need_root

kafka_setup 2001:db8::1/64 2001:db8::2/64

config "$T/c.conf" "[global]" "observation_domain = 7" "[capture]" "interfaces = b0" \
	"[flows]" "fetch_interval_ms = 100" \
	"[collector fleet]" "protocol = kafka" "brokers = $BOOT" "topic = flows" \
	"format = protobuf" "key = flow"
start_tcflowd b "$T/c.conf"

ns a ping -q -c 3 -i 0.05 2001:db8::2 >/dev/null
udp4=$(ns a "$GEN" udp -d 192.0.2.2 -p 9000 -f 30 -n 4 -s 100 -b 20000 -g 2000)
udp6=$(ns a "$GEN" udp -d 2001:db8::2 -p 9000 -f 10 -n 2 -s 200 -b 21000 -g 2000)
is "$udp4 $udp6" "sent 120 sent 20" "generator sent everything"
stop_tcflowd
is "$TCFLOWD_RC" 0 "tcflowd exits 0 on SIGTERM"

n=$(wc -l <"$T/flows.json")
is "$(python3 "$FLOWS_PY" json "$T/flows.json" proto=17 dir=0 dport=9000 | wc -l)" 40 \
	"the JSON collector has the 40 UDP flows"
kafka_read "$n" --hex
ok $? "python3-kafka read $(wc -l <"$T/got") messages, want $n"
python3 "$top_srcdir/tests/kafka/pbdecode.py" "$top_srcdir/proto" "$T/flows.json" \
	"$T/got" >"$T/cmp"
ok $? "every message, decoded by protoc, equals a JSON record: $(tail -n1 "$T/cmp")"
sed "s/^/#   /" "$T/cmp" | head -20
is "$(cut -f1 "$T/got" | awk '{ print length($0) }' | sort -u)" 74 \
	"key = flow: 37 bytes (addresses, ports, protocol)"
is "$(close_line fleet)" "records delivered=$n not_sent=0 (refused by the full queue=0, deliveries failed=0, left at close=0)" \
	"counted as sent: the $n delivered"
done_testing
