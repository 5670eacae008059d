#!/usr/bin/env bash
# Hotplug in a burst: interfaces that go away together (a namespace
# deleted, PPP sessions dropped on a concentrator) are forgotten with one
# read of the kernel's flows, not one each.  A read costs the map, not the
# interface (1.4 s at a million flows: 12 interfaces would hold the loop
# for 17 s).  The daemon is stopped (SIGSTOP) while the 12 interfaces are
# deleted, so that all the notifications wait for it at once; the reads
# in place grow by exactly one, and every packet of every interface goes
# out with its flow's forced end.  Before that, one of them joins a bridge
# and leaves it, which is not going away; after, an index goes and comes
# back in one burst.
. "$(dirname "$0")/lib.sh"
need_root
N=12

ns_add a b
for s in a b; do
	ns $s sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
# no periodic fetch in the test's time: the reads counted are the forgets'
config "$T/c.conf" "[capture]" "interfaces = hb*" "direction = ingress" \
	"[flows]" "fetch_interval_ms = 60000" "idle_timeout_s = 120" \
	"active_timeout_s = 300"
start_tcflowd b "$T/c.conf"

# pair i: g<i> in a (198.51.100.4i+1/30), hb<i> in b (.4i+2)
for i in $(seq 0 $((N - 1))); do
	veth a g$i b hb$i
	addr a g$i 198.51.100.$((4 * i + 1))/30
	addr b hb$i 198.51.100.$((4 * i + 2))/30
done
wait_for 30 log_has 'attached to hb' $N
is "$(grep -c 'attached to hb' "$T/tcflowd.log")" $N "all $N interfaces attached"
# a port that joins a bridge and leaves it: the bridge's own notification
# of the port (AF_BRIDGE RTM_DELLINK) is not the interface going away
ns b ip link add tbr0 type bridge || bail "ip link add tbr0 type bridge"
ns b ip link set hb0 master tbr0
ns b ip link set hb0 nomaster
ns b ip link del tbr0
sleep 0.3
grep -q 'hb0 went away' "$T/tcflowd.log"
ok $((! $?)) "hb0 in and out of a bridge: still attached"
for i in $(seq 0 $((N - 1))); do
	ns a "$GEN" udp -d 198.51.100.$((4 * i + 2)) -p 9000 -f 1 -n 5 -s 40 \
		-b $((7000 + i)) >/dev/null || diag "gen on g$i failed"
done
sleep 0.3

before=$(fresh_stat kernel_reads)

kill -STOP "$TCFLOWD_PID"
for i in $(seq 0 $((N - 1))); do echo "link del hb$i"; done | ns b ip -batch -
sleep 0.3	# every notification is in the daemon's socket
kill -CONT "$TCFLOWD_PID"
wait_for 30 log_has 'hb[0-9]* went away' $N
after=$(fresh_stat kernel_reads)
is "$(grep -c 'hb[0-9]* went away' "$T/tcflowd.log")" $N "all $N deletions noticed"
grep -q "$N interfaces went: one read of the kernel's flows for all" "$T/tcflowd.log"
ok $? "logged: $N interfaces, one read"
diag "reads in place: $before before the deletions, $after after"
is "$((after - before))" 1 "the $N interfaces took one read of the kernel's flows"
kill -0 "$TCFLOWD_PID"
ok $? "tcflowd runs on"
# out before tcflowd stops: forced end, at the deletion
is "$(python3 "$FLOWS_PY" total "$T/flows.json" packets proto=17 flow_end_reason=4)" \
	$((5 * N)) "every packet of the $N interfaces exported at the deletion (reason 4)"
is "$(python3 "$FLOWS_PY" values "$T/flows.json" interface_name proto=17 flow_end_reason=4 |
	tr ' ' '\n' | sort -V | paste -sd' ')" "$(seq -f 'hb%g' 0 $((N - 1)) | paste -sd' ')" \
	"one record per interface"

# an index that goes and comes back in one burst: the old device is
# forgotten, the new one (another name, the same index) attached
veth a gr b hbr
wait_for 30 log_has 'attached to hbr '
idx=$(ns b cat /sys/class/net/hbr/ifindex)
kill -STOP "$TCFLOWD_PID"
ns b ip link del hbr
ns b ip link add hbs index "$idx" type veth peer name gs netns "${P}a" ||
	bail "ip link add hbs index $idx"
ns b ip link set hbs up
sleep 0.3
kill -CONT "$TCFLOWD_PID"
wait_for 30 log_has "attached to hbs (ifindex $idx)"
grep -q 'hbr went away' "$T/tcflowd.log"
ok $? "hbr (ifindex $idx) went away"
grep -q "attached to hbs (ifindex $idx)" "$T/tcflowd.log"
ok $? "hbs, made with the same index in the same burst, is attached"
stop_tcflowd
is "$TCFLOWD_RC" 0 "exits 0"
done_testing
