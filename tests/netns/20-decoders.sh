#!/usr/bin/env bash
# The decoder matrix: one known workload (IPv4 and IPv6, TCP and UDP, with a
# route and without one) seen on router r's r1, exported at once as IPFIX
# over UDP and TCP, NetFlow v9 and v5 over UDP, and decoded by every
# independent decoder Debian ships: nfcapd/nfdump, pmacct's nfacctd,
# tshark, and ipfixDump for IPFIX.  Each must find every TCP/UDP flow of
# tcflowd's own JSON record with exact packets and bytes (v5: the IPv4
# ones).  nfcapd and nfacctd 1.7.7 have no IPFIX over TCP: the TCP session
# as the collector received it is replayed to them, one datagram a message.
# Any future template change must pass this.
. "$(dirname "$0")/lib.sh"
need_root
DEC=$top_srcdir/tests/netns/decoders.py

router3
ns h1 ip route add 10.10.0.0/16 via 192.0.2.254	# r has no route there
ns h1 ip -6 route add 2001:db8:99::/48 via 2001:db8:1::fe
start_sink h2 9000
for a in 198.51.100.1 2001:db8:2::1; do
	ns r ping -q -c 1 -W 2 $a >/dev/null	# neighbours resolved
	ns h1 ping -q -c 1 -W 2 $a >/dev/null
done

# the decoders, in r, on 127.0.0.1
nfcapd_start() {	# nfcapd_start PORT
	mkdir -p "$T/nfcapd.$1"
	ip netns exec "${P}r" nfcapd -w "$T/nfcapd.$1" -p "$1" -b 127.0.0.1 \
		>"$T/nfcapd.$1.log" 2>&1 &
	_pids="$_pids $!"
	eval "NFCAPD_$1=$!"
}
nfacctd_start() {	# nfacctd_start PORT
	cat >"$T/nfacctd.$1.conf" <<-EOF
	daemonize: false
	nfacctd_ip: 127.0.0.1
	nfacctd_port: $1
	plugins: print
	aggregate: src_host, dst_host, src_port, dst_port, proto
	print_output: csv
	print_num_protos: true
	print_refresh_time: 1
	print_output_file: $T/nfacctd.$1.csv
	print_output_file_append: true
	EOF
	ip netns exec "${P}r" nfacctd -f "$T/nfacctd.$1.conf" >"$T/nfacctd.$1.log" 2>&1 &
	_pids="$_pids $!"
	NFACCTD="${NFACCTD:-} $!"
}
for p in 4739 2055 2057 4743; do nfcapd_start $p; done
for p in 4740 2056 2058 4744; do nfacctd_start $p; done
ip netns exec "${P}r" python3 "$DEC" sink 4741 "$T/udp.ipfix" 60 >"$T/udpsink.log" 2>&1 &
_pids="$_pids $!"
ip netns exec "${P}r" "$GEN" sink -p 4742 -t 60 -w "$T/tcp.ipfix" >"$T/tcpsink.log" 2>&1 &
TCPSINK=$!
_pids="$_pids $TCPSINK"
for p in 4739 2055 2057 4743 4740 2056 2058 4744 4741; do
	wait_for 10 udp_listening r $p
	udp_listening r $p || bail "no decoder listens on $p"
done
start_capture r lo

col() {		# col NAME PROTOCOL TRANSPORT PORT
	printf '%s\n' "[collector $1]" "protocol = $2" "transport = $3" \
		"address = 127.0.0.1" "port = $4"
}
config "$T/c.conf" "[capture]" "interfaces = r1" \
	"[flows]" "fetch_interval_ms = 100" "idle_timeout_s = 1" \
	"$(col nfcapd-ipfix ipfix udp 4739)" "$(col nfacctd-ipfix ipfix udp 4740)" \
	"$(col dump-ipfix ipfix udp 4741)" "$(col tcp-ipfix ipfix tcp 4742)" \
	"$(col nfcapd-v9 netflow9 udp 2055)" "$(col nfacctd-v9 netflow9 udp 2056)" \
	"$(col nfcapd-v5 netflow5 udp 2057)" "$(col nfacctd-v5 netflow5 udp 2058)"
start_tcflowd r "$T/c.conf"
for i in $(seq 100); do
	grep -q "connected to collector tcp-ipfix (127.0.0.1:4742, tcp)" "$T/tcflowd.log" && break
	sleep 0.1
done

# the workload: routed and unroutable UDP, routed TCP, both families
ns h1 "$GEN" udp -d 198.51.100.1 -p 9000 -f 3 -n 5 -s 100 -b 5000 >/dev/null
ns h1 "$GEN" udp -d 2001:db8:2::1 -p 9000 -f 3 -n 6 -s 200 -b 5100 >/dev/null
ns h1 "$GEN" udp -d 10.10.0.1 -p 9000 -f 2 -n 4 -s 300 -b 5200 >/dev/null
ns h1 "$GEN" udp -d 2001:db8:99::1 -p 9000 -f 2 -n 3 -s 400 -b 5300 >/dev/null
ns h1 "$GEN" tcp -d 198.51.100.1 -p 9000 -c 2 -B 30000 -b 6000 >/dev/null
ns h1 "$GEN" tcp -d 2001:db8:2::1 -p 9000 -c 2 -B 30000 -b 6100 >/dev/null
sleep 1.5		# every flow out at the idle timeout, while running
stop_tcflowd
is "$TCFLOWD_RC" 0 "tcflowd exits 0"

want=$(python3 "$DEC" json "$T/flows.json")
want4=$(python3 "$DEC" json "$T/flows.json" v4)
# the workload as sent (IP bytes: UDP payload + 28, or + 48 for IPv6)
is "$(echo "$want" | awk '$1 == 17 && $3 == 9000 { print $2, $4, $5 }' | tr '\n' ' ')" \
	"5000 5 640 5001 5 640 5002 5 640 5100 6 1488 5101 6 1488 5102 6 1488 5200 4 1312 5201 4 1312 5300 3 1344 5301 3 1344 " \
	"tcflowd's own record: every UDP flow, exact"
is "$(echo "$want" | awk '$1 == 6' | wc -l)" 8 \
	"tcflowd's own record: 4 TCP connections, both directions"
diag "workload: $(echo "$want" | wc -l) flows, $(echo "$want" | awk '{ p += $4; b += $5 } END { print p " packets, " b " bytes" }')"

kill -TERM "$TCPSINK"
wait "$TCPSINK" 2>/dev/null
# decoded_is WANT WHAT MODE ARGS...: what decoders.py MODE finds is WANT,
# with its totals in the log (tshark: until dumpcap wrote the last ones)
decoded_is() {
	local want=$1 what=$2 got i
	shift 2
	for i in $(seq 100); do
		got=$(python3 "$DEC" "$@" 2>/dev/null)
		[ "$got" = "$want" ] && break
		sleep 0.1
	done
	is "$got" "$want" "$what"
	DECODED_OK=$([ "$got" = "$want" ]; echo $?)
	diag "$what: $(echo "$got" | awk '{ n++; p += $4; b += $5 } END { print n " flows, " p " packets, " b " bytes" }')"
}
ns r python3 "$DEC" replay "$T/tcp.ipfix" 4743 >/dev/null
ns r python3 "$DEC" replay "$T/tcp.ipfix" 4744 >/dev/null
nfacctd_is() {		# nfacctd_is PORT WANT WHAT (it prints every second)
	decoded_is "$2" "$3" nfacctd "$T/nfacctd.$1.csv"
	[ "$DECODED_OK" = 0 ] || sed 's/^/# /' "$T/nfacctd.$1.log" | grep -v "^# $" | tail -n 20
}
nfacctd_is 4740 "$want" "nfacctd: IPFIX/UDP, every flow exact (IPv6 too)"
nfacctd_is 4744 "$want" "nfacctd: IPFIX/TCP session replayed, every flow exact"
nfacctd_is 2056 "$want" "nfacctd: NetFlow v9, every flow exact"
nfacctd_is 2058 "$want4" "nfacctd: NetFlow v5, every IPv4 flow exact"
grep -h "malformed" "$T"/nfacctd.*.log | sed 's/^/# /' | head -n 5
is "$(cat "$T"/nfacctd.*.log | grep -c malformed)" 0 "nfacctd: no template called malformed"
for p in $NFACCTD; do	# SIGINT: its core process may have SIGTERM blocked
	kill -INT "$p"
	wait "$p" 2>/dev/null
done

for p in 4739 2055 2057 4743; do
	eval "kill -TERM \$NFCAPD_$p; wait \$NFCAPD_$p 2>/dev/null"
done
decoded_is "$want" "nfcapd/nfdump: IPFIX/UDP, every flow exact" nfdump "$T/nfcapd.4739"
decoded_is "$want" "nfcapd/nfdump: IPFIX/TCP session replayed, every flow exact" nfdump "$T/nfcapd.4743"
decoded_is "$want" "nfcapd/nfdump: NetFlow v9, every flow exact" nfdump "$T/nfcapd.2055"
decoded_is "$want4" "nfcapd/nfdump: NetFlow v5, every IPv4 flow exact" nfdump "$T/nfcapd.2057"
grep "extra bytes\|rror" "$T"/nfcapd.*.log | sed 's/^/# /' | head -n 5
is "$(cat "$T"/nfcapd.*.log | grep -c "extra bytes")" 0 "nfcapd: no options record misread"

cap=$T/cap.pcapng
decoded_is "$want" "tshark: IPFIX/UDP, every flow exact" tshark "$cap" "udp.dstport == 4739" "udp.port==4739,cflow"
decoded_is "$want" "tshark: IPFIX/TCP, every flow exact" tshark "$cap" "tcp.dstport == 4742" "tcp.port==4742,cflow"
decoded_is "$want" "tshark: NetFlow v9, every flow exact" tshark "$cap" "udp.dstport == 2055" "udp.port==2055,cflow"
decoded_is "$want4" "tshark: NetFlow v5, every IPv4 flow exact" tshark "$cap" "udp.dstport == 2057" "udp.port==2057,cflow"
stop_capture >/dev/null

decoded_is "$want" "ipfixDump: IPFIX/UDP, every flow exact" ipfixdump "$T/udp.ipfix"
decoded_is "$want" "ipfixDump: IPFIX/TCP, every flow exact" ipfixdump "$T/tcp.ipfix"
done_testing
