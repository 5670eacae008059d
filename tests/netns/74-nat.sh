#!/usr/bin/env bash
# NAT: h1 -- r -- h2, r translating with nftables: masquerade out of r2
# (to ports 20000-20999, so ports change too) and a port forward (DNAT) of
# r2's port 8080 to h1's port 80; tcflowd with nat = on on r1 and r2.  TCP
# and UDP, IPv4 and IPv6, one request and one answer each: the LAN-side
# record's post-NAT source is what the server's socket saw, the forwarded
# connection's record carries the inside destination, every record of a
# translated connection carries the other side of the translation, and
# tshark, nfdump and nfacctd decode the same from IPFIX and NetFlow v9.
. "$(dirname "$0")/lib.sh"
need_root
NAT_PY=$top_srcdir/tests/netns/nat.py

router3
ns r nft -f - <<'EOF' || bail "nft: the NAT rules"
table inet tcf_nat {
	chain pre {
		type nat hook prerouting priority dstnat;
		iifname "r2" meta nfproto ipv4 meta l4proto { tcp, udp } th dport 8080 dnat ip to 192.0.2.1:80
		iifname "r2" meta nfproto ipv6 meta l4proto { tcp, udp } th dport 8080 dnat ip6 to [2001:db8:1::1]:80
	}
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "r2" meta l4proto { tcp, udp } masquerade to :20000-20999
	}
}
EOF
for a in 198.51.100.1 2001:db8:2::1; do ns h1 ping -q -c 1 -W 2 $a >/dev/null; done
ns h2 ping -q -c 1 -W 2 198.51.100.254 >/dev/null
ns h2 ping -q -c 1 -W 2 2001:db8:2::fe >/dev/null

# the servers: h2 behind the masquerade, h1 behind the port forward
serve() {	# serve NS PROTO PORT
	ip netns exec "$P$1" python3 "$NAT_PY" server "$2" "$3" 2 30 \
		>"$T/peer.$1.$2" 2>&1 &
	_pids="$_pids $!"
	for i in $(seq 300); do
		grep -q listening "$T/peer.$1.$2" && return 0
		sleep 0.1
	done
	bail "server $1 $2 did not start"
}
start_nfcapd r "$T/nfcapd.v9" 2055
NFCAPD_V9=$NFCAPD NFCAPD_V9_AT=$NFCAPD_AT
start_nfcapd r "$T/nfcapd" 4739
# pmacct's nfacctd, with its NAT primitives
cat >"$T/nfacctd.conf" <<-END
	daemonize: false
	nfacctd_ip: 127.0.0.1
	nfacctd_port: 4740
	plugins: print
	aggregate: src_host, dst_host, src_port, dst_port, proto, post_nat_src_host, post_nat_dst_host, post_nat_src_port, post_nat_dst_port
	print_output: csv
	print_num_protos: true
	print_refresh_time: 1
	print_output_file: $T/nfacctd.csv
	print_output_file_append: true
END
# (bounded: a TERM from the cleanup would not stop it).  The bound is far
# beyond the test's own INT: stopped before the records were all in, as
# 60 s once did on 6.1 under TCG, nfacctd's last flush printed one of them
# twice.
ip netns exec "${P}r" timeout -s INT -k 5 400 nfacctd -f "$T/nfacctd.conf" >"$T/nfacctd.log" 2>&1 &
NFACCTD=$!
_pids="$_pids $NFACCTD"
wait_for 10 udp_listening r 4740
start_capture r lo

config "$T/c.conf" "[capture]" "interfaces = r1 r2" "nat = on" \
	"[flows]" "fetch_interval_ms = 100" \
	"[collector ipfix]" "protocol = ipfix" "address = 127.0.0.1" "port = 4739" \
	"[collector v9]" "protocol = netflow9" "address = 127.0.0.1" "port = 2055" \
	"[collector nfacctd]" "protocol = ipfix" "address = 127.0.0.1" "port = 4740"
start_tcflowd r "$T/c.conf"
grep -q "nat: on" "$T/tcflowd.log"
ok $? "nat = on: the programs that ask conntrack are loaded"
# started now, not before tcflowd: each waits 30 s for its next peer, and on
# a slow kernel (6.1 under TCG) loading the NAT programs alone takes longer
for p in tcp udp; do serve h2 $p 9000; serve h1 $p 80; done

client() {	# client NS PROTO ADDR PORT SPORT
	ns "$1" python3 "$NAT_PY" client "$2" "$3" "$4" "$5" || diag "client $*: failed"
}
client h1 tcp 198.51.100.1 9000 40001
client h1 udp 198.51.100.1 9000 40002
client h1 tcp 2001:db8:2::1 9000 40003
client h1 udp 2001:db8:2::1 9000 40004
client h2 tcp 198.51.100.254 8080 41001
client h2 udp 198.51.100.254 8080 41002
client h2 tcp 2001:db8:2::fe 8080 41003
client h2 udp 2001:db8:2::fe 8080 41004
stop_tcflowd
is "$TCFLOWD_RC" 0 "tcflowd exits 0"
wait_peers() {	# the servers are done (each saw its two peers)
	for i in $(seq 100); do
		[ "$(cat "$T"/peer.h*.* | grep -vc listening)" -ge 8 ] && return
		sleep 0.1
	done
}
wait_peers
cat "$T"/peer.h*.* | grep -v listening | sed 's/^/# peer: /'

json=$(python3 "$NAT_PY" json "$T/flows.json")
echo "$json" | sed 's/^/# json: /'
rec() {		# rec DIR PROTO SRC SPORT DST DPORT: the translation of that record
	echo "$json" | awk -v k="$*" '$1" "$2" "$3" "$4" "$5" "$6 == k {
		sub(/.* -> /, ""); print }'
}
# what h2's server saw of h1's connections: the masquerade's address and port
seen() {	# seen PROTO CLIENT-ADDR: "addr port" of the peer the server saw
	grep "^$1 $2 " "$T/peer.h2.$( [ "$1" = 6 ] && echo tcp || echo udp)" |
		awk '{ print $2, $3 }'
}
for c in "6 198.51.100.254 40001 192.0.2.1 198.51.100.1" \
	 "17 198.51.100.254 40002 192.0.2.1 198.51.100.1" \
	 "6 2001:db8:2::fe 40003 2001:db8:1::1 2001:db8:2::1" \
	 "17 2001:db8:2::fe 40004 2001:db8:1::1 2001:db8:2::1"; do
	set -- $c
	proto=$1 masq=$2 cport=$3 client=$4 server=$5
	peer=$(seen "$proto" "$masq")
	mport=${peer#* }
	is "${peer% *}" "$masq" "proto $proto $client:$cport: the server saw the masquerade address"
	ok $(( mport >= 20000 && mport <= 20999 ? 0 : 1 )) \
		"proto $proto $client:$cport: ... and a port of the masquerade's range ($mport)"
	is "$(rec 0 "$proto" "$client" "$cport" "$server" 9000)" "$masq $mport $server 9000" \
		"proto $proto $client:$cport: LAN ingress record: post-NAT source is what the server saw"
	is "$(rec 1 "$proto" "$masq" "$mport" "$server" 9000)" "$client $cport $server 9000" \
		"proto $proto $client:$cport: WAN egress record: the other side, the inside source"
	is "$(rec 0 "$proto" "$server" 9000 "$masq" "$mport")" "$server 9000 $client $cport" \
		"proto $proto $client:$cport: WAN ingress answer: translated back to the client"
	is "$(rec 1 "$proto" "$server" 9000 "$client" "$cport")" "$server 9000 $masq $mport" \
		"proto $proto $client:$cport: LAN egress answer: the outside destination"
done
for c in "6 41001 198.51.100.1 198.51.100.254 192.0.2.1" \
	 "17 41002 198.51.100.1 198.51.100.254 192.0.2.1" \
	 "6 41003 2001:db8:2::1 2001:db8:2::fe 2001:db8:1::1" \
	 "17 41004 2001:db8:2::1 2001:db8:2::fe 2001:db8:1::1"; do
	set -- $c
	proto=$1 cport=$2 client=$3 outside=$4 inside=$5
	p=$( [ "$proto" = 6 ] && echo tcp || echo udp)
	is "$(grep -c "^$proto $client $cport\$" "$T/peer.h1.$p")" 1 \
		"forward $proto $client:$cport: h1's server saw the client itself"
	is "$(rec 0 "$proto" "$client" "$cport" "$outside" 8080)" "$client $cport $inside 80" \
		"forward $proto $client:$cport: WAN ingress record: the inside destination"
	is "$(rec 1 "$proto" "$client" "$cport" "$inside" 80)" "$client $cport $outside 8080" \
		"forward $proto $client:$cport: LAN egress record: the outside destination"
	is "$(rec 0 "$proto" "$inside" 80 "$client" "$cport")" "$outside 8080 $client $cport" \
		"forward $proto $client:$cport: LAN ingress answer: from the outside address"
	is "$(rec 1 "$proto" "$outside" 8080 "$client" "$cport")" "$inside 80 $client $cport" \
		"forward $proto $client:$cport: WAN egress answer: from the inside server"
done
is "$(echo "$json" | grep -c -- '-> -$')" 0 "every TCP and UDP record carries a translation"
is "$(echo "$json" | awk '$2 == 17 { print $7, $8 }' | sort | uniq -c | tr -s ' \n' ' ')" \
	" 8 1 128 8 1 148 " "UDP: every record 1 packet of 128 (IPv4) or 148 bytes (IPv6)"
is "$(echo "$json" | wc -l)" 32 "32 records: 8 connections, both directions, both interfaces"

stop_nfcapd
NFCAPD=$NFCAPD_V9 NFCAPD_AT=$NFCAPD_V9_AT
stop_nfcapd
lost=$(stop_capture 2>/dev/null)
is "${lost:-0}" 0 "the capture dropped nothing"
decoded_is() {	# decoded_is WHAT WANT MODE ARGS...
	local got
	got=$(python3 "$NAT_PY" "${@:3}")
	is "$got" "$2" "$1 as JSON has them"
	[ "$got" = "$2" ] || echo "$got" | sed "s/^/# $3: /"
}
decoded_is "IPFIX, tshark: every record and translation" "$json" \
	tshark "$T/cap.pcapng" 4739
# nfdump 1.7.1's IPFIX reader knows IEs 225-228 (its NAT extension), not
# 281 and 282
decoded_is "IPFIX, nfcapd/nfdump: every record, IPv4 translations, IPv6 ports" \
	"$(python3 "$NAT_PY" json "$T/flows.json" v6ports)" nfdump "$T/nfcapd"
decoded_is "NetFlow v9, tshark: every record and translation" "$json" \
	tshark "$T/cap.pcapng" 2055
# nfacctd 1.7.7 (its post_nat_* primitives), likewise; it prints every
# second, and stops on SIGINT (its core process may have SIGTERM blocked)
want=$(python3 "$NAT_PY" json "$T/flows.json" v6ports nodir)
for i in $(seq 100); do
	[ "$(python3 "$NAT_PY" nfacctd "$T/nfacctd.csv")" = "$want" ] && break
	sleep 0.1
done
kill -INT "$NFACCTD"
wait "$NFACCTD" 2>/dev/null
decoded_is "IPFIX, nfacctd: every record, IPv4 translations, IPv6 ports" \
	"$want" nfacctd "$T/nfacctd.csv"
# ... but nfdump's NetFlow v9 reader knows 281 and 282 too
decoded_is "NetFlow v9, nfcapd/nfdump: every record and translation" "$json" \
	nfdump "$T/nfcapd.v9"

stats=$(sed -n 's/.*stats: //p' "$T/tcflowd.log" | tail -n1)
diag "$(echo "$stats" | tr ' ' '\n' | grep '^nat_' | tr '\n' ' ')"

# hook = tc: the NAT programs' filters are ours too, for the cleanup of
# a SIGKILLed run
config "$T/tc.conf" "[capture]" "interfaces = r1" "hook = tc" "nat = on"
start_tcflowd r "$T/tc.conf"
stop_tcflowd KILL
ns r tc filter show dev r1 ingress | grep -q "tc_ingress_nat"
ok $? "hook = tc, SIGKILL: the tc_ingress_nat filter stays behind"
start_tcflowd r "$T/tc.conf"
grep -q "removed a leftover tc ingress filter from r1" "$T/tcflowd.log"
ok $? "hook = tc: the next start removed it as its own"
stop_tcflowd
is "$TCFLOWD_RC" 0 "hook = tc: SIGTERM exits 0"
is "$(ns r tc filter show dev r1 ingress; ns r tc filter show dev r1 egress)" "" \
	"hook = tc: no filter left"
done_testing
