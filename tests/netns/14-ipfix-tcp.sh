#!/usr/bin/env bash
# IPFIX over TCP, with the collector going away and coming back.  Each
# collector session is decoded on its own by ipfixDump (libfixbuf's
# collector), so each must begin with the templates; every flow exported
# while connected arrives exactly, and what was exported while there was
# no connection is counted as not sent.  The file transport is checked too.
. "$(dirname "$0")/lib.sh"
need_root

quiet_pair
sink_start() {		# sink_start FILE: a TCP collector keeping the stream
	ip netns exec "${P}b" "$GEN" sink -p 4739 -t 120 -w "$1" >"$T/sink.log" 2>&1 &
	SINK_PID=$!
	_pids="$_pids $SINK_PID"
	for i in $(seq 300); do grep -q listening "$T/sink.log" && return; sleep 0.1; done
	bail "sink did not start"
}
sink_stop() { kill -TERM "$SINK_PID"; wait "$SINK_PID" 2>/dev/null; }

sink_start "$T/session1.ipfix"
config "$T/c.conf" "[capture]" "interfaces = b0" "direction = ingress" \
	"[flows]" "fetch_interval_ms = 100" "idle_timeout_s = 1" \
	"[collector tcp]" "protocol = ipfix" "transport = tcp" "address = 127.0.0.1" \
	"port = 4739" "[collector file]" "protocol = ipfix" "transport = file" \
	"path = $T/all.ipfix"
start_tcflowd b "$T/c.conf"
ns a "$GEN" udp -d "$SINK" -p 9000 -f 10 -n 5 -s 50 -b 20000 >/dev/null
sleep 1.5			# idle timeout: exported over the first session
sink_stop
ns a "$GEN" udp -d "$SINK" -p 9000 -f 10 -n 5 -s 50 -b 21000 >/dev/null
sleep 1.5			# exported with no collector listening
sink_start "$T/session2.ipfix"
sleep 3				# tcflowd reconnects (backoff)
ns a "$GEN" udp -d "$SINK" -p 9000 -f 10 -n 7 -s 50 -b 22000 >/dev/null
sleep 1.5
stop_tcflowd
sink_stop

is "$(ipfix_decoded "$T/session1.ipfix" | awk '$1 < 21000')" "$(json_sport_packets 20000 21000)" \
	"first session: every flow, exact, decoded with its own templates"
is "$(ipfix_decoded "$T/session2.ipfix" | awk '$1 >= 22000')" "$(json_sport_packets 22000 23000)" \
	"second session (after reconnecting): every later flow, exact"
is "$(ipfix_decoded "$T/session2.ipfix" | awk '$1 >= 22000' | wc -l)" 10 \
	"second session: 10 flows"
grep -q "connected to collector tcp (127.0.0.1:4739, tcp)" "$T/tcflowd.log"
ok $? "tcflowd reconnected"
not_sent=$(sed -n 's/.*records_not_sent=\([0-9]*\).*/\1/p' "$T/tcflowd.log" | tail -n1)
ok "$([ "${not_sent:-0}" -ge 10 ]; echo $?)" \
	"what was exported with no connection is counted ($not_sent not sent)"
is "$(ipfix_decoded "$T/all.ipfix" | wc -l)" 30 "the IPFIX file has all 30 flows"
ipfixDump -d -i "$T/all.ipfix" 2>/dev/null | grep -q "exportedFlowRecordTotalCount"
ok $? "reliability statistics (RFC 7011 4.3) in the file"
ipfixDump -d -i "$T/session2.ipfix" 2>/dev/null | awk "/notSentFlowTotalCount/ { n = \$NF } END { exit !(n >= 10) }"
ok $? "... and the second TCP session reports the flows not sent meanwhile"
# RFC 7011: a message's sequence number is the count of data records sent
# before it in the observation domain
ipfixDump -i "$T/all.ipfix" 2>/dev/null | awk '
	/sequence number:/ { if (seen && $(NF - 1) != want) bad++
			     seen = 1; want = $(NF - 1) }
	/^--- data record/ { want++ }
	END { exit bad != 0 }' ; seq_rc=$?
ok $seq_rc "IPFIX sequence numbers count the data records before each message"
done_testing
