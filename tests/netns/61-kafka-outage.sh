#!/usr/bin/env bash
# Scenario 61: the brokers go away mid-run and come back.  Flows that end
# while every broker is down wait in librdkafka's bounded queue and are
# delivered by themselves once the brokers are back: nothing is lost, and
# what python3-kafka reads equals the JSON collector's records.  The
# collector's up (the stats line, tcflowd_collector_up) is 0 while every
# broker is down and 1 again once it delivers, each logged once.
. "$(dirname "$0")/../kafka/lib.sh"
need_root

kafka_setup
# reconnect quickly once the brokers are back (librdkafka's default backs
# off up to 10 s)
printf '%s\n' "# librdkafka properties" "reconnect.backoff.max.ms = 500" \
	"" "retry.backoff.ms=100" >"$T/kafka.conf"

config "$T/c.conf" "[capture]" "interfaces = b0" \
	"[global]" "stats_interval_s = 1" \
	"[flows]" "fetch_interval_ms = 100" "idle_timeout_s = 1" \
	"[collector fleet]" "protocol = kafka" "brokers = $BOOT" "topic = flows" \
	"key = none" "exporter_id = router-2" "kafka_config = $T/kafka.conf"
start_tcflowd b "$T/c.conf"

# fleet_up: the Kafka collector's up in the last collector stats line
fleet_up() {
	sed -n 's/.*collector stats: collector=fleet .* up=\([01]\) .*/\1/p' \
		"$T/tcflowd.log" | tail -n1
}
fleet_is_up() { [ "$(fleet_up)" = 1 ]; }
# json_count N: wait (bounded) until the JSON collector has N records
json_count() {
	local i
	for i in $(seq 100); do
		[ "$(wc -l <"$T/flows.json")" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# brokers away while nothing waits (an idle producer whose connections
# the brokers closed): not down.  The link quiet first: no IPv6 (router
# solicitations, MLD), and what it sent before has ended
for s in a b; do ns $s sysctl -qw net.ipv6.conf.${s}0.disable_ipv6=1; done
for i in $(seq 10); do
	settled=$(wc -l <"$T/flows.json")
	sleep 1.5
	[ "$(wc -l <"$T/flows.json")" = "$settled" ] && break
done
mock_signal USR1 down
sleep 2.5
is "$(wc -l <"$T/flows.json") $(fleet_up)" "$settled 1" \
	"brokers away with nothing waiting: no record ended, up=1"
mock_signal USR2 up
sleep 1
ns a "$GEN" udp -d 192.0.2.2 -p 9000 -f 20 -n 3 -s 100 -b 20000 -g 2000 >/dev/null
json_count 20
ok $? "before the outage: 20 flows ended (idle)"
mock_signal USR1 down
# what ended before the brokers went (the link's own flows too, such as
# neighbour discovery): at most these can have reached Kafka
before=$(wc -l <"$T/flows.json")
ns a "$GEN" udp -d 192.0.2.2 -p 9000 -f 30 -n 2 -s 100 -b 21000 -g 2000 >/dev/null
json_count 50
ok $? "during the outage: 30 more flows ended"
# the 30 wait in the queue while no broker answers: the stats line's
# records_sent (JSON and Kafka together) less the JSON file's records is
# what Kafka delivered: at most the $before from before the outage
sleep 2.5
sent=$(sed -n 's/.* records_sent=\([0-9]*\) .*/\1/p' "$T/tcflowd.log" | tail -n1)
in_json=$(wc -l <"$T/flows.json")
[ "$((${sent:-0} - in_json))" -le "$before" ]
ok $? "during the outage Kafka delivered $((${sent:-0} - in_json)) records (at most the $before from before)"
grep -q "close collector" "$T/tcflowd.log"
ok $((! $?)) "still running with the brokers down"
is "$(fleet_up)" 0 "during the outage: up=0 in the collector stats line"
is "$(grep -c "collector fleet: down: " "$T/tcflowd.log")" 1 \
	"during the outage: 'down' logged once"
mock_signal USR2 up
n=$(wc -l <"$T/flows.json")
kafka_read "$n" 30
ok $? "after the outage, still running: python3-kafka read $(wc -l <"$T/got") messages, want $n"
wait_for 3 fleet_is_up
is "$(fleet_up)" 1 "after the outage: up=1 again"
is "$(grep -c "collector fleet: delivering to the brokers again" "$T/tcflowd.log")" 1 \
	"after the outage: logged once"
stop_tcflowd
is "$TCFLOWD_RC" 0 "tcflowd exits 0 on SIGTERM"
# the stop ends what was still active (other traffic of the link): all again
n=$(wc -l <"$T/flows.json")
kafka_read "$n"
ok $? "after the stop python3-kafka read $(wc -l <"$T/got") messages, want $n"
kafka_same router-2 none
is "$(close_line fleet)" "records delivered=$n not_sent=0 (refused by the full queue=0, deliveries failed=0, left at close=0)" \
	"nothing lost in the outage: $n delivered"
done_testing
