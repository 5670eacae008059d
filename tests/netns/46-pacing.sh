#!/usr/bin/env bash
# Scenario 46: export pacing.  40,000 UDP flows (crafted frames from
# 40,000 source addresses, 2 packets each), 1 s fetches, IPFIX over UDP to
# an nfcapd with the system's default receive buffer (no -B) and to a
# receiver that timestamps every datagram in the kernel.  Sent as one
# burst, a fetch's records overflow nfcapd's buffer; paced (max_rate
# auto, the default: a fetch's records spread over 0.8 of the fetch
# interval) nfdump accounts for every packet and byte, and no 10 ms holds
# more records than the rate allows.  Then max_rate = 1000 with
# queue_records = 4000: what the queue cannot take is counted as not
# queued, and everything else arrives.  Last, max_rate = 4000, reloaded to
# 8000 while records wait (the queues stay), then stopped while they still
# wait: everything arrives, within the stop's bound.
. "$(dirname "$0")/lib.sh"
need_root
RECV_PY=$top_srcdir/tests/netns/ipfixrecv.py
FLOWS=40000
PAYLOAD=64

ns_add g r
veth g m0 r m1
veth g c0 r c1
ns g sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ns r sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv4.ip_forward=0
ns r ip addr add 192.0.2.2/24 dev m1
mmac=$(ns r cat /sys/class/net/m1/address)
cmac=$(ns r cat /sys/class/net/c1/address)
diag "receive buffer of a default socket: $(ns r sysctl -n net.core.rmem_default) bytes"

# start_recv PORT NAME: the timestamping receiver
start_recv() {
	ip netns exec "${P}r" python3 "$RECV_PY" listen 127.0.0.1 "$1" "$T/$2.recv" 60 \
		>"$T/$2.recv.log" 2>&1 &
	RECV_PID=$!
	_pids="$_pids $RECV_PID"
	for i in $(seq 300); do
		grep -q listening "$T/$2.recv.log" && return 0
		sleep 0.1
	done
	bail "receiver did not start: $(cat "$T/$2.recv.log")"
}

# wait_sent N: until tcflowd has sent or counted N records, and none
# waits in a queue (a fresh counters line each time, on SIGUSR1; an older
# one, of the run before, says nothing of this run's queue; 100 tries)
wait_sent() {
	local i sent unsent queued
	for i in $(seq 100); do
		sent=$(fresh_stat records_sent) || return 1
		unsent=$(last_stat records_not_sent) queued=$(last_stat records_queued)
		[ "$((${sent:-0} + ${unsent:-0}))" -ge "$1" ] && [ "$queued" = 0 ] && return 0
		sleep 0.2
	done
	return 1
}

# write_conf NAME [COLLECTOR-KEYS...]: tcflowd exports to nfcapd and the
# receiver, both with these keys.  No JSON collector (config() adds one):
# it would slow the burst down.
write_conf() {
	local name=$1 c
	shift
	{
		printf '[global]\nstats_interval_s = 0\nstate_dir = %s/state\n' "$T"
		printf '[capture]\ninterfaces = m1\ndirection = ingress\nkernel_flows = 65536\n'
		printf '[flows]\nfetch_interval_ms = 1000\nidle_timeout_s = 1\n'
		for c in nfcapd:2055 recv:2056; do
			printf '[collector %s]\nprotocol = ipfix\naddress = 127.0.0.1\nport = %s\n' \
				"${c%:*}" "${c#*:}"
			[ $# -eq 0 ] || printf '%s\n' "$@"
		done
	} >"$T/$name.conf"
}

# start_run NAME [COLLECTOR-KEYS...]: the collectors, tcflowd, the
# traffic; sets ARRIVED (packets at m1)
start_run() {
	local name=$1
	start_nfcapd r "$T/nf.$name" 2055
	start_recv 2056 "$name"
	write_conf "$@"
	start_tcflowd r "$T/$name.conf"
	rx0=$(rx_packets r m1)
	ns g "$GEN" lanes -m m0 -M "$mmac" -c c0 -C "$cmac" -f $FLOWS -s $PAYLOAD \
		-n $((2 * FLOWS)) -k $((2 * FLOWS)) >"$T/$name.gen" || bail "gen lanes"
	ARRIVED=$(($(rx_packets r m1) - rx0))
}

# finish_run NAME: (tcflowd stopped) the collectors' view, the counters
finish_run() {
	local name=$1
	is "$TCFLOWD_RC" 0 "$name: tcflowd exits 0"
	stop_nfcapd
	kill -TERM "$RECV_PID"
	wait "$RECV_PID" 2>/dev/null
	python3 "$RECV_PY" report "$T/$name.recv" 10 >"$T/$name.report"
	sed "s/^/# $name: /" "$T/$name.report"
	SENT=$(last_stat records_sent)
	NOT_SENT=$(last_stat records_not_sent)
	NOT_QUEUED=$(last_stat records_not_queued)
	diag "$name: records_sent=$SENT records_not_sent=$NOT_SENT records_not_queued=$NOT_QUEUED"
}

# run NAME [COLLECTOR-KEYS...]: all of it, tcflowd stopped once nothing waits
run() {
	start_run "$@"
	wait_sent $((2 * FLOWS))
	ok $? "$1: tcflowd sent or counted $((2 * FLOWS)) records, none waits"
	stop_tcflowd
	finish_run "$1"
}

report() { sed -n "s/^$2=//p" "$T/$1.report"; }
nfdump_total() {	# nfdump_total NAME: "packets bytes" of the test's flows
	nfdump -R "$T/nf.$1" -q -N -o "fmt:%dp %pkt %byt" 2>/dev/null |
		awk '$1 == 9000 { p += $2; b += $3 } END { printf "%d %d", p, b }'
}

# 1. the default pacing
run auto
is "$ARRIVED" $((2 * FLOWS)) "auto: $((2 * FLOWS)) packets reached m1"
is "$SENT $NOT_SENT" "$((2 * FLOWS)) 0" "auto: every record sent, to both collectors"
is "$(nfdump_total auto)" "$ARRIVED $((ARRIVED * (28 + PAYLOAD)))" \
	"auto: nfcapd without -B accounts for every packet and byte (100.000%)"
is "$(report auto sequence_errors)" 0 "auto: no sequence error at the receiver"
nf_seq=$(nfdump -I -R "$T/nf.auto" 2>/dev/null | sed -n 's/^Sequence failures: *//p')
opt=$(report auto options_messages)
ok "$([ "${nf_seq:-99}" -le "$opt" ]; echo $?)" \
	"auto: nfdump's sequence failures ($nf_seq) are its miscount of the $opt messages with options records (README), none more"
# auto: 40,000 records in one fetch go at 40,000 * 1.25 = 50,000 records/s
# (a little more with the messages of templates and options, which cost
# one record each: 200 of them allowed); a 10 ms window holds 10 + 2 (the
# bucket) ms of that, plus one message that may leave the bucket in debt
most=$(report auto most_flow_records)
bound=$(( (FLOWS + 200) * 125 / 100 * 12 / 1000 + $(report auto most_flows_per_message) ))
ok "$([ "$most" -le "$bound" ]; echo $?)" \
	"auto: at most $bound flow records in any 10 ms ($most, in $(report auto most_datagrams) datagrams)"

# 2. a fixed rate and a small queue: the rest is counted as not queued
# The rate is low enough that the queue overflows however the records
# come: their idle expiries spread over the fetches as the traffic does
# (under valgrind over some 5 s: at 10,000 records/s a 4,000-record queue
# took them all).  At 1,000/s it takes all 40,000 only if they come over
# 36 s or more.
RATE=1000
run fixed "max_rate = $RATE" "queue_records = 4000"
ok "$([ "${NOT_QUEUED:-0}" -gt 0 ]; echo $?)" "fixed: a 4000-record queue cannot take it all ($NOT_QUEUED not queued)"
is "$NOT_SENT" "$NOT_QUEUED" "fixed: what was not queued is what was not sent"
is "$((SENT + NOT_SENT))" $((2 * FLOWS)) "fixed: sent + not sent = every record, to both collectors"
nf=$(nfdump -R "$T/nf.fixed" -q -N -o "fmt:%dp %pkt" 2>/dev/null | awk '$1 == 9000 { n++ } END { print n + 0 }')
is "$((nf + $(report fixed flow_records)))" "$SENT" \
	"fixed: nfcapd and the receiver got every record sent ($nf + $(report fixed flow_records))"
most=$(report fixed most_flow_records)
bound=$(( RATE * 12 / 1000 + $(report fixed most_flows_per_message) ))
ok "$([ "$most" -le "$bound" ]; echo $?)" \
	"fixed: at most $bound flow records in any 10 ms ($most, in $(report fixed most_datagrams) datagrams)"

# 3. a reload keeps the queues (and takes the new rate); a stop sends
# what still waits, faster, within its bound
start_run reload "max_rate = 4000"
for i in $(seq 100); do
	before=$(fresh_stat records_queued)
	[ "${before:-0}" -gt 1000 ] && break
	sleep 0.1
done
write_conf reload "max_rate = 8000"
kill -HUP "$TCFLOWD_PID"
wait_for 10 log_has "reloaded $T/reload.conf"
after=$(fresh_stat records_queued)
ok "$([ "${before:-0}" -gt 1000 ] && [ "${after:-0}" -gt 0 ]; echo $?)" \
	"reload: the queues are kept ($before records waited before, $after after)"
grep -q "collectors opened" "$T/tcflowd.log"
ok $((! $?)) "reload: both collectors kept open"
t0=$(date +%s%3N)
stop_tcflowd
stop_ms=$(($(date +%s%3N) - t0))
ok "$([ "$stop_ms" -lt 4000 ]; echo $?)" "reload: stopped in $stop_ms ms with records waiting (2 s for them at most)"
finish_run reload
is "$SENT $NOT_SENT" "$((2 * FLOWS)) 0" "reload: every record sent, to both collectors"
is "$(nfdump_total reload)" "$ARRIVED $((ARRIVED * (28 + PAYLOAD)))" \
	"reload: nfcapd accounts for every packet and byte"
is "$(report reload flow_records) $(report reload sequence_errors)" "$FLOWS 0" \
	"reload: the receiver got all $FLOWS flow records, no sequence error"
done_testing
