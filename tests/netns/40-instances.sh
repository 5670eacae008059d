#!/usr/bin/env bash
# Scenario 40: two instances side by side (different state directories).
# Instance A watches b0; instance B watches b0 and b1 (the same and a
# different interface), on hook = tc and on hook = tcx.  Both count
# exactly; A is SIGKILLed and restarted: only A's leftovers go, and B
# keeps counting exactly throughout.  At the end the interfaces are as
# they were found.
. "$(dirname "$0")/lib.sh"
need_root

quiet_pair
# a second pair, a1/b1 (203.0.113.1, .2); SINK2 is routed over it
SINK2=198.51.100.129
ns a sysctl -qw net.ipv6.conf.default.disable_ipv6=1
ns b sysctl -qw net.ipv6.conf.default.disable_ipv6=1
veth a a1 b b1
addr a a1 203.0.113.1/24
addr b b1 203.0.113.2/24
ns a ip neigh replace 203.0.113.2 lladdr "$(ns b cat /sys/class/net/b1/address)" dev a1 nud permanent
ns a ip route add 198.51.100.128/25 via 203.0.113.2
tc_state() {
	local i
	for i in b0 b1; do
		ns b tc qdisc show dev $i
		ns b tc filter show dev $i ingress
		ns b tc filter show dev $i egress
	done
}
clean="$(tc_state)"

# conf NAME INTERFACES HOOK: instance NAME's config, state and records
conf() {
	printf '[global]\nstats_interval_s = 0\nstate_dir = %s\n' "$T/state.$1"
	printf '[capture]\ninterfaces = %s\nhook = %s\n' "$2" "$3"
	printf '[flows]\nfetch_interval_ms = 100\nidle_timeout_s = 1\n'
	printf '[collector test]\nprotocol = json\npath = %s\n' "$T/flows.$1.json"
}
# total NAME SPORT: packets instance NAME exported for source port SPORT
total() { python3 "$FLOWS_PY" total "$T/flows.$1.json" packets source_transport_port="$2"; }
# wait_total NAME SPORT WANT: until the idle timeout exported them (10 s)
wait_total() {
	local i
	for i in $(seq 100); do
		[ "$(total "$1" "$2")" = "$3" ] && return 0
		sleep 0.1
	done
	return 1
}
send() { ns a "$GEN" udp -d "$1" -p 9000 -f 1 -n "$2" -s 10 -b "$3" >/dev/null; }
handle_of() { sed -n 's/.*tc filter handle \(0x[0-9a-f]*\).*/\1/p' "$T/tcflowd.log" | tail -n1; }

for hook in tc tcx; do
	rm -rf "$T"/state.* "$T"/flows.*.json
	conf A b0 $hook >"$T/A.conf"
	conf B "b0 b1" $hook >"$T/B.conf"
	start_tcflowd b "$T/A.conf"; A=$TCFLOWD_PID; hA=$(handle_of)
	start_tcflowd b "$T/B.conf"; B=$TCFLOWD_PID; hB=$(handle_of)
	[ "$hA" != "$hB" ]
	ok $? "$hook: the instances' tc handles differ ($hA, $hB)"
	ok "$(kill -0 $A && kill -0 $B; echo $?)" "$hook: both run"

	send "$SINK" 10 4001		# over b0: A and B
	send "$SINK2" 7 4002		# over b1: B only
	wait_total A 4001 10; ok $? "$hook: A counted b0 exactly: 10 packets"
	wait_total B 4001 10; ok $? "$hook: B counted b0 exactly: 10 packets"
	wait_total B 4002 7; ok $? "$hook: B counted b1 exactly: 7 packets"
	is "$(total A 4002)" 0 "$hook: A does not watch b1"

	TCFLOWD_PID=$A; stop_tcflowd KILL
	if [ $hook = tc ]; then
		ns b tc filter show dev b0 ingress | grep -q "handle $hA "
		ok $? "tc: SIGKILL left A's filter on b0"
	fi
	send "$SINK" 5 4003
	wait_total B 4003 5; ok $? "$hook: with A dead, B counts b0 exactly: 5 packets"

	start_tcflowd b "$T/A.conf"; A=$TCFLOWD_PID
	ok "$(kill -0 $B; echo $?)" "$hook: restarting A left B running"
	if [ $hook = tc ]; then
		n=$(grep -c "removed a leftover tc .* filter from b0" "$T/tcflowd.log")
		is "$n" 2 "tc: A's restart removed its 2 leftover filters on b0"
		ns b tc filter show dev b0 ingress | grep -q "handle $hB "
		ok $? "tc: B's filter on b0 is still there"
		is "$(ns b tc filter show dev b0 ingress | grep -c "handle $hA ")" 1 \
			"tc: one filter of A on b0 ingress: the new one"
	fi
	grep -q "removed a leftover.*b1" "$T/tcflowd.log"
	ok $((! $?)) "$hook: nothing of B's on b1 was touched"
	send "$SINK" 6 4004
	send "$SINK2" 3 4005
	wait_total A 4004 6; ok $? "$hook: restarted A counts b0 exactly: 6 packets"
	wait_total B 4004 6; ok $? "$hook: B counts b0 exactly: 6 packets"
	wait_total B 4005 3; ok $? "$hook: B counts b1 exactly: 3 packets"

	TCFLOWD_PID=$B; stop_tcflowd; rcB=$TCFLOWD_RC
	TCFLOWD_PID=$A; stop_tcflowd; rcA=$TCFLOWD_RC
	is "$rcA $rcB" "0 0" "$hook: both exit 0 on SIGTERM"
	is "$(total B 4001) $(total B 4002) $(total B 4003) $(total B 4004) $(total B 4005)" \
		"10 7 5 6 3" "$hook: B's totals exact"
	is "$(total A 4001) $(total A 4003) $(total A 4004)" "10 0 6" \
		"$hook: A's totals exact (nothing while it was dead)"
	is "$(tc_state)" "$clean" "$hook: qdiscs and filters as they were found"
done
done_testing
