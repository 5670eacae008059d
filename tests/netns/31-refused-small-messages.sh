#!/usr/bin/env bash
# NetFlow v9 and IPFIX collectors that refuse (nothing listens: every
# message answered by ICMP port unreachable), 512-byte messages, templates
# after every message, 13 watched interfaces to announce: the daemon keeps
# exporting (the JSON collector gets every flow), every record of each
# collector is sent or counted as not sent, and it stops at once on
# SIGTERM.  (It used to spin in the v9 exporter: no export to anyone, no
# answer to signals.)
. "$(dirname "$0")/lib.sh"
need_root

quiet_pair
for i in $(seq 0 11); do
	# (this kernel has no dummy interfaces: veth pairs inside b)
	ns b ip link add "d$i" type veth peer name "e$i" || bail "ip link add d$i"
	ns b ip link set "d$i" up
done
config "$T/c.conf" "[capture]" "interfaces = b0 d*" "direction = ingress" \
	"[flows]" "fetch_interval_ms = 100" "idle_timeout_s = 1" \
	"[collector v9]" "protocol = netflow9" "address = 127.0.0.1" "port = 2055" \
	"message_size = 512" "template_refresh_messages = 1" \
	"[collector ipfix]" "protocol = ipfix" "address = 127.0.0.1" "port = 4739" \
	"message_size = 512" "template_refresh_messages = 1"
start_tcflowd b "$T/c.conf"
is "$(grep -c "attached to" "$T/tcflowd.log")" 13 "13 interfaces watched"

in_json() { python3 "$FLOWS_PY" json "$T/flows.json" dir=0 port=9000 | wc -l; }
json_has() { [ "$(in_json)" -ge "$1" ]; }
ns a "$GEN" udp -d "$SINK" -p 9000 -f 40 -n 3 -s 50 -b 20000 >/dev/null
wait_for 10 json_has 40
is "$(in_json)" 40 "the JSON collector got all 40 flows: the others did not stall it"

kill -TERM "$TCFLOWD_PID"
for i in $(seq 50); do kill -0 "$TCFLOWD_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$TCFLOWD_PID" 2>/dev/null
ok $((! $?)) "tcflowd stopped within 5 s of SIGTERM"
kill -KILL "$TCFLOWD_PID" 2>/dev/null
wait "$TCFLOWD_PID" 2>/dev/null

sent=$(sed -n 's/.*records_sent=\([0-9]*\).*/\1/p' "$T/tcflowd.log" | tail -n1)
not_sent=$(sed -n 's/.*records_not_sent=\([0-9]*\).*/\1/p' "$T/tcflowd.log" | tail -n1)
is "$((${sent:-0} + ${not_sent:-0}))" 120 \
	"each of the 3 collectors' 40 records sent or counted as not sent ($sent + $not_sent)"
ok "$([ "${not_sent:-0}" -ge 70 ]; echo $?)" \
	"the refused ones counted as not sent ($not_sent of 80)"
done_testing
