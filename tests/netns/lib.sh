# tests/netns/lib.sh - shared by the network-namespace scenarios.
#
# Each scenario makes its own namespaces (named tcf<pid>...), veth pairs and
# addresses (192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32: documentation
# ranges, never routed), runs the real tcflowd inside them, and removes
# everything on exit, whatever happens.  Output is TAP.
set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
TCFLOWD=$top_builddir/src/tcflowd
GEN=$top_builddir/tests/netns/gen
FLOWS_PY=$top_srcdir/tests/netns/flows.py
P=tcf$$				# namespace and interface name prefix
T=$(mktemp -d /tmp/tcflowd-test.XXXXXX)
_n=0
_failed=0
_pids=""
_nss=""

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		if [ -n "${CI:-}" ]; then
			echo "Bail out! $0 needs root (CI runs as root: this is a failure)"
			exit 1
		fi
		echo "1..0 # SKIP needs root and BPF (skipped on this machine only)"
		exit 0
	fi
}

ok() {			# ok CONDITION-EXIT-STATUS DESCRIPTION
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_n - $2"
	else
		echo "not ok $_n - $2"
		_failed=$((_failed + 1))
	fi
}

is() {			# is GOT WANT DESCRIPTION
	local got=$1 want=$2
	shift 2
	if [ "$got" = "$want" ]; then ok 0 "$*"; else ok 1 "$*"; echo "#   got '$got', want '$want'"; fi
}

diag() { echo "# $*"; }
# within N LO HI: LO <= N <= HI, false for an N that is "-" or empty
within() { [ "${1:--}" != - ] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

bail() { echo "Bail out! $*"; exit 1; }

# wait_for SECONDS COMMAND...: run COMMAND every 0.1 s until it succeeds,
# for SECONDS (whole) at most; its last status.  Every wait is bounded.
wait_for() {
	local i
	for i in $(seq $(($1 * 10))); do "${@:2}" && return 0; sleep 0.1; done
	return 1
}
# log_has PATTERN [N [FILE]]: at least N (1) lines of FILE (tcflowd.log)
# match the basic regular expression PATTERN
log_has() { [ "$(grep -c -- "$1" "${3:-$T/tcflowd.log}")" -ge "${2:-1}" ]; }
# last_stat NAME: NAME's value in the log's last counters line (the stop's,
# once stopped); empty before the first
last_stat() {
	grep "info: stats:" "$T/tcflowd.log" | tail -n1 | grep -o " $1=[0-9]*" | cut -d= -f2
}
# fresh_stat NAME: NAME's value in a counters line the daemon writes now,
# on SIGUSR1 (30 s at most; empty if none came).  Never an older line: the
# log holds every start's lines, and a slow daemon (valgrind) answers late.
fresh_stat() {
	local n
	n=$(grep -c "info: stats:" "$T/tcflowd.log")
	kill -USR1 "$TCFLOWD_PID"
	wait_for 30 log_has "info: stats:" $((n + 1)) || return 1
	last_stat "$1"
}

done_testing() {
	echo "1..$_n"
	[ "$_failed" -eq 0 ]
}

cleanup() {
	local pid ns
	# a failed scenario keeps the daemon's log in its test log
	if [ "$_failed" -gt 0 ] && [ -f "$T/tcflowd.log" ]; then
		echo "# --- tcflowd.log"
		sed 's/^/# /' "$T/tcflowd.log"
	fi
	for pid in $_pids; do
		# continued first: a stopped process takes the TERM only then.
		# Not after: a SIGCONT that lands while an ASan build's leak
		# check, at exit, has the process under ptrace hangs it there
		kill -CONT "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for ns in $_nss; do
		ip netns del "$ns" 2>/dev/null
	done
	# TEST_KEEP=1: leave the files (logs, captures, records) to look at
	if [ "${TEST_KEEP:-0}" != 0 ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ns() { ip netns exec "$P$1" "${@:2}"; }

# ns_add NAME...: namespaces with lo up
ns_add() {
	local n
	for n in "$@"; do
		ip netns add "$P$n" || bail "ip netns add $P$n"
		_nss="$_nss $P$n"
		ns "$n" ip link set lo up
		ns "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	done
}

# veth NS1 IF1 NS2 IF2: a veth pair between two namespaces, both up
veth() {
	ip link add "$2" netns "$P$1" type veth peer name "$4" netns "$P$3" ||
		bail "ip link add $2"
	ns "$1" ip link set "$2" up
	ns "$3" ip link set "$4" up
}

# addr NS IF ADDR/LEN...
addr() {
	local a
	for a in "${@:3}"; do
		ns "$1" ip addr add "$a" dev "$2" nodad 2>/dev/null ||
			ns "$1" ip addr add "$a" dev "$2"
	done
}

# start_tcflowd NS CONF: run the daemon in NS; waits until it runs (up to
# START_S seconds, 30 unless set).
start_tcflowd() {
	local log=$T/tcflowd.log i runs
	runs=$(grep -c "tcflowd: info: running" "$log" 2>/dev/null)
	# ip netns exec execs the command: $! is the daemon itself
	ip netns exec "$P$1" ${TCFLOWD_WRAPPER:-} "$TCFLOWD" -f -c "$2" >>"$log" 2>&1 &
	TCFLOWD_PID=$!
	_pids="$_pids $TCFLOWD_PID"
	for i in $(seq $((${START_S:-30} * 10))); do
		[ "$(grep -c "tcflowd: info: running" "$log")" -gt "${runs:-0}" ] &&
			return 0
		kill -0 "$TCFLOWD_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$log"
	bail "tcflowd did not start"
}

# prog_ids: the ids of the programs the last start loaded
prog_ids() {
	sed -n 's/.*loaded BPF programs: //p' "$T/tcflowd.log" | tail -n1 |
		grep -o 'id [0-9]*' | cut -d' ' -f2
}

# stop_tcflowd [SIGNAL]: stop it and wait; sets TCFLOWD_RC
stop_tcflowd() {
	kill "-${1:-TERM}" "$TCFLOWD_PID"
	wait "$TCFLOWD_PID" 2>/dev/null
	TCFLOWD_RC=$?
}

# start_sink NS PORT: a UDP/TCP receiver
start_sink() {
	ip netns exec "$P$1" "$GEN" sink -p "$2" -t 300 >"$T/sink.$1.$2" 2>&1 &
	_pids="$_pids $!"
	# a loaded machine can take seconds to start a program: the bound is
	# the daemon's (30 s), the wait ends as soon as it listens
	for i in $(seq 300); do
		grep -q listening "$T/sink.$1.$2" && return 0
		sleep 0.1
	done
	cat "$T/sink.$1.$2"
	bail "sink did not start"
}

# udp_queue NS PORT: bytes waiting in the receive queue of NS's UDP PORT
# (empty if nothing listens there)
udp_queue() { ns "$1" ss -Hlun "sport = :$2" | awk '{ print $2 }'; }
# udp_listening NS PORT: a UDP socket in NS is bound to PORT
udp_listening() { [ -n "$(udp_queue "$1" "$2")" ]; }

# start_nfcapd NS DIR PORT: nfcapd on NS's loopback, into DIR; returns once
# its socket is bound (messages sent before that are lost).  Sets NFCAPD.
start_nfcapd() {
	local i
	mkdir -p "$2"
	ip netns exec "$P$1" nfcapd -w "$2" -p "$3" -b 127.0.0.1 >>"$T/nfcapd.log" 2>&1 &
	NFCAPD=$!
	NFCAPD_AT="$1 $3"
	_pids="$_pids $NFCAPD"
	for i in $(seq 100); do
		[ -n "$(udp_queue "$1" "$3")" ] && return 0
		kill -0 "$NFCAPD" 2>/dev/null || break
		sleep 0.1
	done
	cat "$T/nfcapd.log"
	bail "nfcapd did not start"
}

# stop_nfcapd: once nfcapd has read every message that reached its socket
# (a SIGTERM before that loses them), stop it; it writes its file and exits
stop_nfcapd() {
	local i
	for i in $(seq 100); do
		[ "$(udp_queue $NFCAPD_AT)" = 0 ] && break
		sleep 0.1
	done
	kill -TERM "$NFCAPD"
	wait "$NFCAPD" 2>/dev/null
}

# config FILE [SECTION-LINES...]: a config with the test's JSON collector.
# Lines before the first section, and those of a "[global]" given anywhere,
# join our [global] (a section may appear once), and a key given there
# replaces our default for it.
config() {
	local f=$1 a k in_g=1 g=() rest=() defs
	shift
	for a in "$@"; do
		case $a in
		"[global]") in_g=1; continue ;;
		"["*) in_g=0 ;;
		esac
		if [ "$in_g" -eq 1 ]; then g+=("$a"); else rest+=("$a"); fi
	done
	defs=("stats_interval_s = 0" "state_dir = $T/state")
	{
		echo "[global]"
		for a in "${defs[@]}"; do
			k=${a%% =*}
			printf '%s\n' "${g[@]}" | grep -q "^$k *=" || echo "$a"
		done
		[ "${#g[@]}" -eq 0 ] || printf '%s\n' "${g[@]}"
		[ "${#rest[@]}" -eq 0 ] || printf '%s\n' "${rest[@]}"
		printf '[collector test]\nprotocol = json\npath = %s/flows.json\n' "$T"
	} >"$f"
}

# start_capture NS IF: dumpcap on IF into $T/cap.pcapng
start_capture() {
	ip netns exec "$P$1" dumpcap -q -i "$2" -w "$T/cap.pcapng" \
		>"$T/dumpcap.log" 2>&1 &
	DUMPCAP_PID=$!
	_pids="$_pids $DUMPCAP_PID"
	for i in $(seq 300); do
		grep -q "^File:" "$T/dumpcap.log" && return 0
		kill -0 "$DUMPCAP_PID" 2>/dev/null || break
		sleep 0.1
	done
	sed 's/^/# dumpcap: /' "$T/dumpcap.log"
	bail "dumpcap did not start"
}

# stop_capture: stop it (TERM: background jobs of a script ignore INT);
# prints how many packets the capture dropped
stop_capture() {
	kill -TERM "$DUMPCAP_PID"
	wait "$DUMPCAP_PID"
	cat "$T/dumpcap.log" >&2
	sed -n "s|^Packets received/dropped on interface .*: [0-9]*/\([0-9]*\) .*|\1|p" \
		"$T/dumpcap.log"
}

# have_tcx: the kernel has tcx links (6.6 and later)
have_tcx() {
	local v
	v=$(uname -r)
	v=${v%%-*}
	[ "$(printf '%s\n6.6\n' "$v" | sort -V | head -n1)" = 6.6 ]
}

# rx_packets NS IF / tx_packets NS IF: interface counters
rx_packets() { ns "$1" cat "/sys/class/net/$2/statistics/rx_packets"; }
tx_packets() { ns "$1" cat "/sys/class/net/$2/statistics/tx_packets"; }

# router3: h1 -- r -- h2, r forwarding.  h1 192.0.2.1/24, 2001:db8:1::1/64
# on e1; r 192.0.2.254 and 2001:db8:1::fe on r1, 198.51.100.254 and
# 2001:db8:2::fe on r2; h2 198.51.100.1/24, 2001:db8:2::1/64 on e2.  h1 and
# h2 reach each other's subnet through r.  Sets r1 and r2 (r's ifindexes).
router3() {
	ns_add h1 r h2
	veth h1 e1 r r1
	veth r r2 h2 e2
	addr h1 e1 192.0.2.1/24 2001:db8:1::1/64
	addr r r1 192.0.2.254/24 2001:db8:1::fe/64
	addr r r2 198.51.100.254/24 2001:db8:2::fe/64
	addr h2 e2 198.51.100.1/24 2001:db8:2::1/64
	ns h1 ip route add 198.51.100.0/24 via 192.0.2.254
	ns h2 ip route add 192.0.2.0/24 via 198.51.100.254
	ns h1 ip -6 route add 2001:db8:2::/64 via 2001:db8:1::fe
	ns h2 ip -6 route add 2001:db8:1::/64 via 2001:db8:2::fe
	ns r sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	r1=$(ns r cat /sys/class/net/r1/ifindex)
	r2=$(ns r cat /sys/class/net/r2/ifindex)
}

# pair: namespaces a and b joined by a0/b0, 192.0.2.1/24 and 2001:db8::1/64
# on a0, 192.0.2.2/24 and 2001:db8::2/64 on b0.
pair() {
	ns_add a b
	veth a a0 b b0
	addr a a0 192.0.2.1/24 2001:db8::1/64
	addr b b0 192.0.2.2/24 2001:db8::2/64
}

# quiet_pair: namespaces a and b joined by a0/b0 (192.0.2.1, .2), with no
# traffic of their own: IPv6 off, static neighbours.  Then the interface
# counters count exactly the test's packets.  SINK (198.51.100.1) is routed
# from a to b and dropped there silently (blackhole, no forwarding): it
# reaches b0 and nothing comes back.
SINK=198.51.100.1
quiet_pair() {
	ns_add a b
	veth a a0 b b0
	ns a sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ns b sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	addr a a0 192.0.2.1/24
	addr b b0 192.0.2.2/24
	ns a ip neigh replace 192.0.2.2 lladdr "$(ns b cat /sys/class/net/b0/address)" dev a0 nud permanent
	ns b ip neigh replace 192.0.2.1 lladdr "$(ns a cat /sys/class/net/a0/address)" dev b0 nud permanent
	ns a ip route add 198.51.100.0/24 via 192.0.2.2
	ns b ip route add blackhole 198.51.100.0/24
}

# progs_left ID...: how many of these programs the kernel still holds,
# after waiting (up to 5 s) for them to go: cls_bpf frees a deleted
# filter's program from deferred (RCU) work
progs_left() {
	local i id left
	for i in $(seq 50); do
		left=0
		for id in "$@"; do bpftool prog show id "$id" >/dev/null 2>&1 && left=$((left + 1)); done
		[ "$left" -eq 0 ] && break
		sleep 0.1
	done
	echo "$left"
}

# ipfix_decoded FILE: "sport packets" of the flow records in an IPFIX
# stream, decoded by ipfixDump (libfixbuf's collector), sorted
ipfix_decoded() {
	ipfixDump -d -i "$1" 2>/dev/null | awk '
		/packetDeltaCount :/ { p = $NF }
		/sourceTransportPort :/ { print $NF, p }' | sort -n
}

# json_sport_packets LO HI: "sport packets" of the ingress flows in the
# test's JSON file with LO <= sport < HI, sorted
json_sport_packets() {
	python3 "$FLOWS_PY" json "$T/flows.json" dir=0 |
		awk -v lo="$1" -v hi="$2" '$4 >= lo && $4 < hi { print $4, $7 }' | sort -n
}
