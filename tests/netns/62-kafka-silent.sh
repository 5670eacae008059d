#!/usr/bin/env bash
# Scenario 62: a broker that never answers (it listens, never accepts).
# The local queue is bounded (queue.buffering.max.messages = 10): of 50
# records 10 wait and time out (message.timeout.ms = 1000), 40 are refused
# (and any more the link's own traffic adds); all are counted as not sent,
# none as sent, and the stop does not
# block.  A bad kafka_config line stops the start with file:line: key.
. "$(dirname "$0")/../kafka/lib.sh"
need_root

MOCK_ARGS=(-s)
kafka_setup
printf '%s\n' "queue.buffering.max.messages = 10" "message.timeout.ms = 1000" \
	>"$T/kafka.conf"

config "$T/c.conf" "[capture]" "interfaces = b0" \
	"[flows]" "fetch_interval_ms = 100" \
	"[collector fleet]" "protocol = kafka" "brokers = $BOOT" "topic = flows" \
	"kafka_config = $T/kafka.conf"
start_tcflowd b "$T/c.conf"
ns a "$GEN" udp -d 192.0.2.2 -p 9000 -f 50 -n 2 -s 100 -b 20000 -g 2000 >/dev/null
# every flow ends at the stop (forced end), all 50 at once
t0=$(date +%s%N)
stop_tcflowd
ms=$((($(date +%s%N) - t0) / 1000000))
is "$TCFLOWD_RC" 0 "tcflowd exits 0 on SIGTERM"
is "$(python3 "$FLOWS_PY" json "$T/flows.json" proto=17 dport=9000 | wc -l)" 50 \
	"the JSON collector has the 50 flows"
# the link's own traffic (IPv6 router solicitations) may add a record
n=$(wc -l <"$T/flows.json")
is "$(close_line fleet)" "records delivered=0 not_sent=$n (refused by the full queue=$((n - 10)), deliveries failed=10, left at close=0)" \
	"all $n not sent: $((n - 10)) refused by the full queue, 10 timed out"
[ "$ms" -lt 6000 ]
ok $? "the stop took $ms ms (close waits 3 s at most)"

# a bad librdkafka property: the start fails, naming file:line: key
printf '%s\n' "# ok" "no.such.property = 1" >"$T/kafka.conf"
ip netns exec "$P"b "$TCFLOWD" -f -c "$T/c.conf" >"$T/bad.log" 2>&1
ok $((! $?)) "tcflowd refuses to start with a bad kafka_config"
grep -q "$T/kafka.conf:2: no.such.property: " "$T/bad.log"
ok $? "the error names $T/kafka.conf:2: no.such.property"
sed 's/^/#   /' "$T/bad.log" | tail -3
done_testing
