#!/usr/bin/env bash
# Scenario 6: SIGHUP mid-stream.  A steady flow runs while the config is
# reloaded (sampling stays 1, timeouts change); the totals stay exact.  A
# broken config on SIGHUP is refused, the daemon keeps running and
# counting.
. "$(dirname "$0")/lib.sh"
need_root

quiet_pair
conf() {
	config "$T/c.conf" "[capture]" "interfaces = b0" "direction = ingress" \
		"sampling = 1" "[flows]" "fetch_interval_ms = 100" "$@"
}
conf "idle_timeout_s = 10"
rx0=$(rx_packets b b0)
start_tcflowd b "$T/c.conf"
# 400 packets over 4 s
ns a "$GEN" udp -d "$SINK" -p 9000 -f 2 -n 200 -s 20 -b 8000 -g 20000 >/dev/null &
G=$!
sleep 1
conf "idle_timeout_s = 5" "active_timeout_s = 30"
kill -HUP "$TCFLOWD_PID"
sleep 1
grep -q "reloaded" "$T/tcflowd.log"
ok $? "SIGHUP: reloaded"
printf '[capture]\nsampling = many\n' >"$T/c.conf"
kill -HUP "$TCFLOWD_PID"
sleep 0.5
grep -q "c.conf:2: sampling: 'many' is not a number; keeping the running configuration" \
	"$T/tcflowd.log"
ok $? "a bad config on SIGHUP is refused with file:line: key: reason"
kill -0 "$TCFLOWD_PID"
ok $? "the daemon keeps running"
wait "$G"
sleep 0.3
rx=$(rx_packets b b0)
stop_tcflowd
is "$TCFLOWD_RC" 0 "exits 0"
is "$(python3 "$FLOWS_PY" total "$T/flows.json" packets proto=17)" 400 \
	"all 400 packets counted across both reloads"
is "$(python3 "$FLOWS_PY" total "$T/flows.json" packets)" "$((rx - rx0))" \
	"records equal the interface's rx counter"
done_testing
