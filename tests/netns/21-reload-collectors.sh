#!/usr/bin/env bash
# Reload changes only what changed.  Five collectors: NetFlow v9 A and B
# (UDP), IPFIX over TCP, an IPFIX file C, and the JSON file.  1: a comment
# line added at the top and SIGHUP between two rounds of flows: A's v9
# sequence numbers go on with no gap or restart, the TCP connection stays
# up, every flow arrives once.  2: B moves to another port and C to a
# directory that does not exist: only those two reopen (A's sequence still
# goes on, B's new one starts at 0); C cannot open: every record it misses
# is counted as not sent, and the others get everything.  C is retried: once
# its directory exists, it gets the next round.  The JSON file, moved away
# before the first SIGHUP (logrotate), is reopened by its name.
. "$(dirname "$0")/lib.sh"
need_root
DEC=$top_srcdir/tests/netns/decoders.py

quiet_pair
ns b ip link set lo up
ip netns exec "${P}b" "$GEN" sink -p 4739 -t 60 -w "$T/tcp.ipfix" >"$T/tcpsink.log" 2>&1 &
TCPSINK=$!
_pids="$_pids $TCPSINK"
wait_for 5 log_has listening 1 "$T/tcpsink.log"
for p in 2055 2056 2057; do	# v9 receivers (tshark decodes the capture)
	ip netns exec "${P}b" python3 "$DEC" sink $p "$T/v9.$p" 60 >"$T/sink.$p.log" 2>&1 &
	_pids="$_pids $!"
	wait_for 5 log_has listening 1 "$T/sink.$p.log"
done
start_capture b lo

conf() {	# conf B-PORT C-PATH [LINE]: the config, LINE first
	config "$T/c.body" "[capture]" "interfaces = b0" "direction = ingress" \
		"[flows]" "fetch_interval_ms = 100" "idle_timeout_s = 1" \
		"[collector a]" "protocol = netflow9" "address = 127.0.0.1" "port = 2055" \
		"[collector tcp]" "protocol = ipfix" "transport = tcp" \
		"address = 127.0.0.1" "port = 4739" \
		"[collector b]" "protocol = netflow9" "address = 127.0.0.1" "port = $1" \
		"[collector c]" "protocol = ipfix" "transport = file" "path = $2"
	{
		[ -z "${3:-}" ] || echo "$3"
		cat "$T/c.body"
	} >"$T/c.conf.new"
	mv "$T/c.conf.new" "$T/c.conf"
}
round() {	# round BASEPORT: 5 flows of 3 packets, out at the idle timeout
	local want=$(( $(cat "$T/flows.json" 2>/dev/null | wc -l) + 5 )) i
	ns a "$GEN" udp -d "$SINK" -p 9000 -f 5 -n 3 -s 50 -b "$1" >/dev/null
	for i in $(seq 100); do
		[ "$(cat "$T/flows.json" 2>/dev/null | wc -l)" -ge "$want" ] && break
		sleep 0.1
	done
}
hup() {		# hup: SIGHUP, and wait until it is done
	local n i
	n=$(grep -c "reloaded" "$T/tcflowd.log")
	kill -HUP "$TCFLOWD_PID"
	for i in $(seq 50); do
		[ "$(grep -c "reloaded" "$T/tcflowd.log")" -gt "$n" ] && return
		sleep 0.1
	done
	bail "no reload"
}
# "sport packets bytes", sorted, of JSON records with sport in [lo, hi)
json_in() {
	python3 "$DEC" json <(cat "$T/flows.json.1" "$T/flows.json") |
		awk -v lo="$1" -v hi="$2" '$2 >= lo && $2 < hi { print $2, $4, $5 }'
}
dec_in() {	# dec_in MODE ARGS... -- lo hi
	python3 "$DEC" "${@:1:$#-2}" |
		awk -v lo="${*: -2:1}" -v hi="${*: -1}" '$2 >= lo && $2 < hi { print $2, $4, $5 }'
}
seqs() {	# seqs PORT: the v9 sequence numbers sent to PORT
	tshark -n -r "$T/cap.pcapng" -d "udp.port==$1,cflow" -Y "udp.dstport == $1 && !icmp" \
		-T fields -e cflow.sequence | tr '\n' ' '
}
from0() { seq 0 $(($1 - 1)) | tr '\n' ' '; }	# "0 1 ... N-1 "

conf 2056 "$T/c.ipfix"
start_tcflowd b "$T/c.conf"
for i in $(seq 50); do
	grep -q "connected to collector tcp (127.0.0.1:4739, tcp)" "$T/tcflowd.log" && break
	sleep 0.1
done
round 10000
conf 2056 "$T/c.ipfix" "# a comment line above everything"
mv "$T/flows.json" "$T/flows.json.1"	# logrotate, then its kill -HUP
hup
round 11000
is "$(head -n1 "$T/c.conf")" "# a comment line above everything" \
	"the config now starts with a comment line"
ok "$(grep -q "collectors opened" "$T/tcflowd.log"; [ $? -ne 0 ]; echo $?)" \
	"a comment line: no collector reopened"
is "$(grep -c "connected to collector tcp (127.0.0.1:4739, tcp)" "$T/tcflowd.log")" 1 \
	"a comment line: the IPFIX/TCP connection stays up"
for i in $(seq 50); do		# A's messages of rounds 1 and 2 captured
	[ "$(seqs 2055 | wc -w)" -ge 2 ] && break
	sleep 0.1
done
a=$(seqs 2055)
is "$a" "$(from0 "$(echo "$a" | wc -w)")" "a comment line: A's v9 sequence goes on ($a)"
conf 2057 "$T/missing/c.ipfix" "# a comment line above everything"
hup
round 12000
mkdir "$T/missing"
for i in $(seq 350); do		# C's next retry (backoff from 1 s, at most 30 s)
	grep -q "open collector c: open now" "$T/tcflowd.log" && break
	sleep 0.1
done
round 13000
stop_tcflowd
is "$TCFLOWD_RC" 0 "tcflowd exits 0"
kill -TERM "$TCPSINK"
wait "$TCPSINK" 2>/dev/null
# eventually GOT-COMMAND... WANT DESCRIPTION: dumpcap may not have
# written the last messages yet: read the capture until they are there
eventually() {
	local i got
	for i in $(seq 50); do
		got=$("${@:1:$#-2}")
		[ "$got" = "${*: -2:1}" ] && break
		sleep 0.1
	done
	is "$got" "${@: -2}"
}

is "$(json_in 10000 14000 | wc -l)" 20 "JSON: 20 flows in four rounds"
is "$(wc -l <"$T/flows.json.1") $(wc -l <"$T/flows.json")" "5 15" \
	"JSON: reopened on SIGHUP: round 1 in the rotated file, the rest in a new one"
grep -q "reload: 2 collectors opened, 3 kept open" "$T/tcflowd.log"
ok $? "B and C changed: only those two reopened, three kept open"
eventually dec_in tshark "$T/cap.pcapng" "udp.dstport == 2055 && !icmp" "udp.port==2055,cflow" 10000 14000 \
	"$(json_in 10000 14000)" "A: every flow once, exact"
eventually dec_in tshark "$T/cap.pcapng" "udp.dstport == 2057 && !icmp" "udp.port==2057,cflow" 10000 14000 \
	"$(json_in 12000 14000)" "B after its change: rounds 3 and 4, exact"
stop_capture >/dev/null
a=$(seqs 2055)
n=$(echo "$a" | wc -w)
is "$a" "$(from0 "$n")" "A: v9 sequence numbers 0..$((n - 1)), no gap, no restart, over both reloads"
is "$(grep -c "connected to collector tcp (127.0.0.1:4739, tcp)" "$T/tcflowd.log")" 1 \
	"IPFIX/TCP: one connection, kept over both reloads"
is "$(dec_in ipfixdump "$T/tcp.ipfix" 10000 14000)" "$(json_in 10000 14000)" \
	"IPFIX/TCP: every flow once, exact"
is "$(dec_in tshark "$T/cap.pcapng" "udp.dstport == 2056 && !icmp" "udp.port==2056,cflow" 10000 14000)" \
	"$(json_in 10000 12000)" "B before its change: rounds 1 and 2, exact"
b=$(seqs 2057)
is "$b" "$(from0 "$(echo "$b" | wc -w)")" "B reopened: its own sequence from 0"
is "$(dec_in ipfixdump "$T/c.ipfix" 10000 14000)" "$(json_in 10000 12000)" \
	"C before its change: rounds 1 and 2, exact"
is "$(dec_in ipfixdump "$T/missing/c.ipfix" 10000 14000)" "$(json_in 13000 14000)" \
	"C, retried once its directory exists: round 4, exact"
not_sent=$(sed -n 's/.*records_not_sent=\([0-9]*\).*/\1/p' "$T/tcflowd.log" | tail -n1)
is "$not_sent" 5 "C's missed round 3 is counted: 5 records not sent"
sent=$(sed -n 's/.*records_sent=\([0-9]*\).*/\1/p' "$T/tcflowd.log" | tail -n1)
is "$sent" $((5 * 20 - 5)) "records sent: 5 collectors x 20, but C's 5 (counters survive reloads)"
grep -q "open collector c: .*kept, retried" "$T/tcflowd.log"
ok $? "the collector that cannot open is logged as kept and retried"
done_testing
