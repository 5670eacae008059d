#!/usr/bin/env bash
# tests/vm/tcp-netem.sh - TCP health (issue 18) against netem, in the VM
# only (tests/vm/guest: sch_netem is a module of Debian's kernels, not in
# this machine's).  a (client, sender) -- b (server: tests/netns/gen sink,
# or tcphealth.py accept for the server's own RTT sample).
#  - netem delay 20ms on b0 (b -> a): at a0, tcflowd sees the delay on the
#    server side (SYN out -> SYN-ACK in: 20 ms +- 2 ms) and a's own stack
#    on the client side; at b0, the other way round (SYN-ACK out -> ACK in).
#    The kernel's own RTT sample of the same handshake is the reference:
#    the client's tcpi_rtt at a0, the server's at b0 (taken before our
#    egress hook and after our ingress hook, so never smaller, and larger
#    by one pass through the stack).  Under TCG the guest's timers now and
#    then fire late (once a 22.4 ms delay on a busy host): the network
#    itself was then outside 20 +- 2 ms, as the kernel's sample shows, and
#    the next connection (6 at most) is the one measured.  Once three late
#    in a row were seen (23, 22 and 26 ms, CI's 6.1 guest): if all six are
#    late, the upper bound is the network's own delay, the kernel's sample
#    (netem is never early: the lower bound stays 18 ms).
#    A stack's answer takes 20-50 us on hardware, 0.3-1 ms under TCG
#    (measured: 0.27-0.88 ms warm, 3.6 ms cold), so "the other side" is
#    held to under 2 ms, not 1; a connection first warms the paths (TCG
#    translates code on its first run)
#  - netem loss 5% on a0 (the data direction, from the handshake's end to
#    the last ACK: no SYN or FIN is lost): tcp_retransmitted_packets of the
#    data record at a0 within 10% of the sender's TcpRetransSegs (the
#    namespace's /proc/net/snmp); without the loss, 0 and 0
# Sender and receiver are pinned to one CPU (sequence state is per CPU).
# A segment is a packet: no offloads, and gso_max_segs 1.  TCP builds GSO
# skbs whatever the device's features (Linux 5.17 and later) and they are
# cut into segments after the qdisc, so netem would otherwise lose whole
# bursts of up to 64 kB: few losses, sometimes none in 1 MB.
. "$(dirname "$0")/../netns/lib.sh"
need_root
PY="python3 $top_srcdir/tests/netns/tcphealth.py"
CPU=$(cut -d- -f1 /sys/fs/cgroup/cpuset.cpus.effective 2>/dev/null | cut -d, -f1)
CPU=${CPU:-0}
BYTES=1000000

pair
for s in a b; do
	ns $s ethtool -K ${s}0 tso off gso off gro off >/dev/null || bail "ethtool -K ${s}0"
	ns $s ip link set dev ${s}0 gso_max_segs 1 || bail "ip link set ${s}0 gso_max_segs 1"
	# IPv4 only: no router solicitation or MLD report for netem to drop
	ns $s sysctl -qw net.ipv6.conf.${s}0.disable_ipv6=1
done
# not through ns(): $! of a backgrounded function is a subshell's pid
ip netns exec "${P}b" taskset -c "$CPU" "$GEN" sink -p 9000 -t 300 >"$T/sink" 2>&1 &
_pids="$_pids $!"
for i in $(seq 300); do grep -q listening "$T/sink" && break; sleep 0.1; done
ns b tc qdisc add dev b0 root netem delay 20ms || bail "tc qdisc add netem (sch_netem)"

f() { $PY field "$T/flows.$FROM.json" "$@"; }
# delays NAME SPORT DPORT DIR: SD and CD, the server and client delays of
# that connection's record; the record of the other direction must say
# the same
delays() {
	SD=$(f "$2" "$3" "$4" server_network_delay_us)
	CD=$(f "$2" "$3" "$4" client_network_delay_us)
	diag "$1: server delay $SD us, client delay $CD us"
	is "$(f "$3" "$2" $((1 - $4)) server_network_delay_us) $(f "$3" "$2" $((1 - $4)) client_network_delay_us)" \
		"$SD $CD" "$1: the server -> client record has the same delays"
	is "$(f "$2" "$3" "$4" tcp_handshake)/$(f "$3" "$2" $((1 - $4)) tcp_handshake)" \
		completed/completed "$1: handshake completed, both directions"
}
# warm SPORT: a connection through netem and the hooks, not measured
warm() { ns a taskset -c "$CPU" $PY connect 192.0.2.2 9000 "$1" 5 >/dev/null; }
# agrees NAME US REF: tcflowd's US is the kernel's sample REF less one pass
# through the stack (0 to 2 ms)
agrees() {
	within "$2" $(($3 - 1999)) "$3"
	ok $? "$1: $2 us is the kernel's own RTT sample ($3 us) less under 2 ms"
}

# late REF: HI, the upper bound: 22 ms, or the kernel's sample REF of a
# network the guest's timer made late (LATE says so)
late() {
	HI=22000 LATE=
	if [ "${1:-0}" -gt 22000 ]; then
		HI=$1 LATE=" (+ the guest's late timer: the network took $1 us)"
	fi
}

# at a0: client -> server is egress (1)
config "$T/a.conf" "[capture]" "interfaces = a0" "[flows]" "fetch_interval_ms = 100"
start_tcflowd a "$T/a.conf"
warm 42000
for sport in 42010 42020 42030 42040 42050 42060; do
	conn=$(ns a taskset -c "$CPU" $PY connect 192.0.2.2 9000 $sport 5)
	set -- $conn
	is "${1:-}" completed "delay 20ms on b0: the client connected from $sport"
	rtt=${2:-0}
	within "$rtt" 20000 22000 && break
	diag "the client's RTT sample is $rtt us: the guest's timer was late; once more"
done
# the last connection's FIN exchange through netem first: a deleted qdisc
# drops what it holds, and a resent FIN would count in TcpRetransSegs
sleep 0.5
ns b tc qdisc del dev b0 root
lossy=$(ns a taskset -c "$CPU" $PY send 192.0.2.2 9000 42011 $BYTES \
	"tc qdisc add dev a0 root netem loss 5%" \
	"bash -c 'tc -s qdisc show dev a0 >$T/netem.loss; tc qdisc del dev a0 root'")
clean=$(ns a taskset -c "$CPU" $PY send 192.0.2.2 9000 42012 $BYTES)
sleep 0.5	# the last ACKs through a fetch
stop_tcflowd
is "$TCFLOWD_RC" 0 "a0: tcflowd exits 0"
mv "$T/flows.json" "$T/flows.a.json"
FROM=a
delays "a0, delay on b0" $sport 9000 1
late "$rtt"
within "$SD" 18000 "$HI"
ok $? "a0, delay on b0: server delay $SD us is 20 ms +- 2 ms$LATE"
agrees "a0, delay on b0: server delay" "$SD" "$rtt"
within "$CD" 0 1999
ok $? "a0, delay on b0: client delay $CD us (a's stack) is under 2 ms"

[ -n "$lossy" ] || bail "loss 5%: the lossy transfer failed"
set -- $lossy
lost=$(sed -n '/^qdisc netem/{n;s/.*(dropped \([0-9]*\),.*/\1/p}' "$T/netem.loss")
diag "loss 5%: netem dropped ${lost:-?} segments; tcpi_total_retrans $2, TcpRetransSegs $4"
rec=$(f 42011 9000 1 tcp_retransmitted_packets)
diag "loss 5%: tcp_retransmitted_packets $rec"
within "${lost:--}" 10 100
ok $? "loss 5%: netem dropped ${lost:-?} of the ~700 segments (5% is 35)"
[ "$4" -ge "${lost:-1}" ]
ok $? "loss 5%: the sender retransmitted $4 segments, at least each lost one"
within "$rec" $(($4 - $4 / 10)) $(($4 + $4 / 10))
ok $? "loss 5%: tcp_retransmitted_packets $rec within 10% of TcpRetransSegs $4"
is "$(f 9000 42011 0 tcp_retransmitted_packets)" 0 "loss 5%: the ACK direction: 0"
is "$clean" "retrans 0 snmp 0" "no loss: the sender retransmitted nothing"
is "$(f 42012 9000 1 tcp_retransmitted_packets)" 0 "no loss: tcp_retransmitted_packets 0"

# at b0: client -> server is ingress (0); the SYN-ACK leaves through the
# egress hook before netem delays it.  The server is tcphealth.py accept,
# for its own RTT sample (SYN-ACK sent -> ACK received)
ns b tc qdisc add dev b0 root netem delay 20ms || bail "tc qdisc add netem"
config "$T/b.conf" "[capture]" "interfaces = b0" "[flows]" "fetch_interval_ms = 100"
start_tcflowd b "$T/b.conf"
warm 42001
for dport in 9001 9002 9003 9004 9005 9006; do
	ip netns exec "${P}b" taskset -c "$CPU" $PY accept $dport 10 >"$T/accept.$dport" 2>&1 &
	acc=$!
	_pids="$_pids $acc"
	for i in $(seq 100); do grep -q listening "$T/accept.$dport" && break; sleep 0.1; done
	conn=$(ns a taskset -c "$CPU" $PY connect 192.0.2.2 $dport 42013 5)
	set -- $conn
	is "${1:-}" completed "delay 20ms on b0, seen at b0: the client connected to $dport"
	wait "$acc"
	srtt=$(sed -n 's/^accepted //p' "$T/accept.$dport")
	within "$srtt" 20000 22000 && break
	diag "the server's RTT sample is ${srtt:-none} us: the guest's timer was late; once more"
done
sleep 0.5
stop_tcflowd
is "$TCFLOWD_RC" 0 "b0: tcflowd exits 0"
mv "$T/flows.json" "$T/flows.b.json"
FROM=b
delays "b0, delay on b0" 42013 $dport 0
within "$SD" 0 1999
ok $? "b0, delay on b0: server delay $SD us (b's stack) is under 2 ms"
late "${srtt:-0}"
within "$CD" 18000 "$HI"
ok $? "b0, delay on b0: client delay $CD us is 20 ms +- 2 ms$LATE"
agrees "b0, delay on b0: client delay" "$CD" "${srtt:-0}"
ns b tc qdisc del dev b0 root
done_testing
