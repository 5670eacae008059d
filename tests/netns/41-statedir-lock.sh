#!/usr/bin/env bash
# Scenario 41: an instance owns its state directory (and its pid file).
# A second start on the same state_dir is refused, names the running
# instance's pid, exits 1 and changes nothing in the kernel: no program
# loaded, no filter, link or qdisc touched, the first keeps counting.  A
# second instance with its own state_dir but the same pid_file is refused
# the same way and leaves the first one's pid file alone.
. "$(dirname "$0")/lib.sh"
need_root

quiet_pair
kstate() {
	ns b tc qdisc show dev b0
	ns b tc filter show dev b0 ingress
	ns b tc filter show dev b0 egress
	# links of the first instance's programs (tcx)
	bpftool link show -j | python3 -c '
import json, sys
ids = set(int(i) for i in sys.argv[1:])
print(sorted(l["id"] for l in json.load(sys.stdin) if l.get("prog_id") in ids))' $(prog_ids)
}
# second CONF: start it in the foreground (it must not stay)
second() {
	ip netns exec "${P}b" timeout 20 "$TCFLOWD" -f -c "$1" >"$T/second.log" 2>&1
	SECOND_RC=$?
}

for hook in tc tcx; do
	rm -rf "$T/state" "$T/flows.json"
	config "$T/c.conf" "pid_file = $T/pid" "[capture]" "interfaces = b0" "hook = $hook"
	start_tcflowd b "$T/c.conf"
	before=$(kstate)
	grep -q "attached to b0 (ifindex [0-9]*) with $hook, ingress, egress" "$T/tcflowd.log"
	ok $? "$hook: the first instance is attached"
	[ $hook = tc ] || [ "$(kstate | tail -n1 | tr -cd , | wc -c)" = 1 ]
	ok $? "$hook: its links (tcx) are seen: $(kstate | tail -n1)"

	grep -v "^pid_file" "$T/c.conf" >"$T/c1.conf"
	second "$T/c1.conf"
	is "$SECOND_RC" 1 "$hook: a second start on the same state_dir exits 1"
	grep -q "held by pid $TCFLOWD_PID;" "$T/second.log"
	ok $? "$hook: and names the holder's pid ($TCFLOWD_PID)"
	grep -q "refusing to start: state directory $T/state belongs to a running instance" "$T/second.log"
	ok $? "$hook: and says why"
	grep -q "loaded BPF programs\|attached to\|removed" "$T/second.log"
	ok $((! $?)) "$hook: it loaded, attached and removed nothing"
	is "$(kstate)" "$before" "$hook: filters, links and qdiscs untouched"

	# same pid file, another state directory
	sed "s|^state_dir = .*|state_dir = $T/state2|" "$T/c.conf" >"$T/c2.conf"
	second "$T/c2.conf"
	is "$SECOND_RC" 1 "$hook: another instance with the same pid_file exits 1"
	grep -q "lock pid file $T/pid: held by pid $TCFLOWD_PID;" "$T/second.log"
	ok $? "$hook: and names the pid file's holder"
	is "$(cat "$T/pid")" "$TCFLOWD_PID" "$hook: the first instance's pid file is intact"
	is "$(kstate)" "$before" "$hook: filters, links and qdiscs still untouched"

	ns a "$GEN" udp -d "$SINK" -p 9000 -f 1 -n 10 -s 10 -b 4000 >/dev/null
	stop_tcflowd
	is "$TCFLOWD_RC" 0 "$hook: the first instance exits 0"
	is "$(python3 "$FLOWS_PY" total "$T/flows.json" packets source_transport_port=4000)" 10 \
		"$hook: and counted exactly: 10 packets"
	[ ! -e "$T/pid" ]
	ok $? "$hook: its pid file is gone with it"
done
done_testing
