#!/usr/bin/env bash
# IPFIX over TCP, the collector killed (SIGKILL) with data in flight: the
# path to it is down (its link), so what tcflowd wrote sits unacknowledged
# in tcflowd's socket; then the collector dies, the link comes back, and
# the collector's host closes and resets the connection.  The records not sent must
# be exactly those the collector did not receive, and the RFC 7011 4.3
# reliability statistics of the next session must say the same.
. "$(dirname "$0")/lib.sh"
need_root

quiet_pair
ns_add c
veth b b1 c c0
ns b sysctl -qw net.ipv6.conf.b1.disable_ipv6=1
ns c sysctl -qw net.ipv6.conf.all.disable_ipv6=1
addr b b1 203.0.113.1/24
addr c c0 203.0.113.2/24

# collector N FILE: a TCP collector in c keeping the stream, unbuffered
# (what it received is in the file when it is killed)
collector() {
	ip netns exec "${P}c" python3 -c '
import os, socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("203.0.113.2", 4739))
s.listen(1)
s.settimeout(120)
print("listening", flush=True)
c, _ = s.accept()
c.settimeout(120)
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
while True:
    b = c.recv(65536)
    if not b:
        break
    os.write(fd, b)
' "$2" >"$T/collector$1.log" 2>&1 &
	COLLECTOR_PID=$!
	_pids="$_pids $COLLECTOR_PID"
	for i in $(seq 50); do grep -q listening "$T/collector$1.log" && return; sleep 0.1; done
	bail "collector $1 did not start"
}
json_has() { [ "$(json_sport_packets "$1" "$2" | wc -l)" -eq "$3" ]; }
ipfix_has() { [ "$(ipfix_decoded "$1" | wc -l)" -eq "$2" ]; }
reliability_in() { ipfixDump -d -i "$1" 2>/dev/null | grep -q notSentFlowTotalCount; }

collector 1 "$T/session1.ipfix"
config "$T/c.conf" "[capture]" "interfaces = b0" "direction = ingress" \
	"[flows]" "fetch_interval_ms = 100" "idle_timeout_s = 1" \
	"[collector tcp]" "protocol = ipfix" "transport = tcp" \
	"address = 203.0.113.2" "port = 4739"
start_tcflowd b "$T/c.conf"
wait_for 5 log_has "connected to collector tcp (203.0.113.2:4739, tcp)" 1 ||
	bail "tcflowd did not connect"

ns a "$GEN" udp -d "$SINK" -p 9000 -f 10 -n 5 -s 50 -b 20000 >/dev/null
wait_for 10 ipfix_has "$T/session1.ipfix" 10
ok $? "10 flows exported and received while the path is up"

ns c ip link set c0 down	# in flight from now on: never acknowledged
ns a "$GEN" udp -d "$SINK" -p 9000 -f 20 -n 3 -s 50 -b 21000 >/dev/null
wait_for 10 json_has 21000 22000 20
ok $? "20 more flows exported (the JSON file has them) while the path is down"
kill -KILL "$COLLECTOR_PID"
wait "$COLLECTOR_PID" 2>/dev/null
ns c ip link set c0 up		# the collector's host answers: FIN, reset
wait_for 20 log_has "closed by the collector\|Connection reset by peer" 1
ok $? "tcflowd sees the connection end"

collector 2 "$T/session2.ipfix"	# tcflowd reconnects (backoff)
wait_for 20 log_has "connected to collector tcp (203.0.113.2:4739, tcp)" 2
ok $? "tcflowd reconnected"
ns a "$GEN" udp -d "$SINK" -p 9000 -f 5 -n 2 -s 50 -b 22000 >/dev/null
wait_for 10 ipfix_has "$T/session2.ipfix" 5
ok $? "5 more flows exported and received over the new connection"
stop_tcflowd
wait "$COLLECTOR_PID" 2>/dev/null

total=$(json_sport_packets 20000 23000 | wc -l)
got=$(($(ipfix_decoded "$T/session1.ipfix" | wc -l) + $(ipfix_decoded "$T/session2.ipfix" | wc -l)))
not_sent=$(sed -n 's/.*records_not_sent=\([0-9]*\).*/\1/p' "$T/tcflowd.log" | tail -n1)
is "$total" 35 "35 flows in all (JSON)"
is "$(ipfix_decoded "$T/session1.ipfix")" "$(json_sport_packets 20000 21000)" \
	"the collector received the first 10, exact"
is "$(ipfix_decoded "$T/session2.ipfix")" "$(json_sport_packets 22000 23000)" \
	"... and the last 5, exact"
is "$got" 15 "... and nothing of the 20 in flight"
is "${not_sent:-none}" "$((total - got))" \
	"records not sent: exactly what the collector did not receive"
reported=$(ipfixDump -d -i "$T/session2.ipfix" 2>/dev/null |
	awk '/notSentFlowTotalCount/ { n = $NF } END { print n }')
is "${reported:-none}" "$((total - got))" \
	"the next session's reliability statistics (RFC 7011 4.3) say the same"
done_testing
