#!/usr/bin/env bash
# Scenario 7: a router is left as it was found.
#  - After SIGTERM (tcx, or auto = tc before 6.6; tc; socket): no qdisc, filter or link of ours remains.
#  - After SIGKILL with hook = tc: our filters and clsact qdisc stay behind;
#    the next start removes them, and only them: another TC user's filter
#    on the same hook keeps working throughout.
. "$(dirname "$0")/lib.sh"
need_root

quiet_pair
tc_state() { ns b tc qdisc show dev b0; ns b tc filter show dev b0 ingress; ns b tc filter show dev b0 egress; }
clean="$(tc_state)"
OTHER=$top_builddir/tests/netns/other.bpf.o

# tcx links need 6.6: before that, hook = auto takes the tc path
if have_tcx; then hooks="tcx tc socket"; else hooks="auto tc socket"; fi
for hook in $hooks; do
	config "$T/c.conf" "[capture]" "interfaces = b0" "hook = $hook"
	start_tcflowd b "$T/c.conf"
	ids=$(prog_ids)
	want=$hook
	[ "$hook" = auto ] && want=tc
	grep -q "attached to b0 (ifindex [0-9]*) with $want" "$T/tcflowd.log"
	ok $? "$hook: attached with $want"
	stop_tcflowd
	is "$TCFLOWD_RC" 0 "$hook: SIGTERM exits 0"
	# cls_bpf frees a deleted filter's program from deferred (RCU) work:
	# give the kernel a moment
	for i in $(seq 50); do
		left=0
		for id in $ids; do bpftool prog show id "$id" >/dev/null 2>&1 && left=$((left + 1)); done
		[ "$left" -eq 0 ] && break
		sleep 0.1
	done
	is "$left" 0 "$hook: our programs ($(echo $ids)) are gone from the kernel: no link, filter or socket holds them"
	is "$(tc_state)" "$clean" "$hook: qdiscs and filters as they were"
done

if ! have_tcx; then
	config "$T/c.conf" "[capture]" "interfaces = b0" "hook = tcx"
	start_tcflowd b "$T/c.conf"
	stop_tcflowd
	grep -q "attach to b0: Invalid argument (tcx links need Linux 6.6" "$T/tcflowd.log"
	ok $? "hook = tcx before 6.6: the error says why"
fi

# another TC user: a cls_bpf program that counts every packet in its map
ns b tc qdisc add dev b0 clsact
ns b tc filter add dev b0 ingress prio 20 bpf da obj "$OTHER" sec classifier ||
	bail "add the other TC user's filter"
with_other="$(tc_state)"
OTHER_MAP=$(ns b tc filter show dev b0 ingress | grep -o 'id [0-9]*' | head -n1 | cut -d' ' -f2)
OTHER_MAP=$(bpftool prog show id "$OTHER_MAP" | sed -n 's/.*map_ids \([0-9]*\).*/\1/p')
[ -n "$OTHER_MAP" ] || bail "find the other program's map"
other_packets() {
	bpftool map lookup id "$OTHER_MAP" key 0 0 0 0 -j | python3 -c '
import json, sys
v = json.load(sys.stdin)["value"]
print(int.from_bytes(bytes(int(b, 16) for b in v), "little") if isinstance(v, list) else v)'
}

config "$T/c.conf" "[capture]" "interfaces = b0" "hook = tc"
start_tcflowd b "$T/c.conf"
stop_tcflowd KILL
handle=$(sed -n 's/.*tc filter handle \(0x[0-9a-f]*\).*/\1/p' "$T/tcflowd.log" | tail -n1)
ns b tc filter show dev b0 ingress | grep -q "handle $handle "
ok $? "SIGKILL leaves our filter behind (as expected of any TC user)"
before=$(other_packets)
ns a "$GEN" udp -d "$SINK" -p 9000 -f 1 -n 10 -s 10 >/dev/null
is "$(( $(other_packets) - before ))" 10 "the other filter still sees every packet"

start_tcflowd b "$T/c.conf"
grep -q "removed a leftover tc ingress filter from b0" "$T/tcflowd.log"
ok $? "the next start removed our leftover"
before=$(other_packets)
ns a "$GEN" udp -d "$SINK" -p 9000 -f 1 -n 10 -s 10 -b 4000 >/dev/null
sleep 0.3
is "$(( $(other_packets) - before ))" 10 "the other filter still works beside us"
stop_tcflowd
is "$(tc_state)" "$with_other" "after SIGTERM: the other user's qdisc and filter, nothing of ours"
is "$(python3 "$FLOWS_PY" total "$T/flows.json" packets source_transport_port=4000)" 10 \
	"and we counted the packets meanwhile"

# a qdisc we created ourselves: SIGKILL, restart, SIGTERM: nothing left
ns b tc qdisc del dev b0 clsact
start_tcflowd b "$T/c.conf"
stop_tcflowd KILL
ns b tc qdisc show dev b0 | grep -q clsact
ok $? "SIGKILL leaves the clsact qdisc we created"
start_tcflowd b "$T/c.conf"
stop_tcflowd
is "$(tc_state)" "$clean" "restart + SIGTERM: the qdisc we had created is gone too"
done_testing
