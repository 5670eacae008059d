#!/usr/bin/env bash
# Scenario 45: stopping with 2,000 tcx interfaces.  On SIGTERM every flow
# is fetched and exported first, within seconds, and only then are the
# tcx links detached (the kernel waits for an RCU grace period per link,
# under RTNL, so that part grows with the links, as attaching them did).
# So a SIGKILL during the detach (systemd's TimeoutStopSec) loses nothing.
. "$(dirname "$0")/lib.sh"
need_root

quiet_pair
for i in $(seq 0 1999); do
	echo "link add v$i up type veth peer name w$i netns ${P}a"
done >"$T/veth.batch"
ip -n "${P}b" -batch "$T/veth.batch" || bail "create 2000 veth pairs"
config "$T/c.conf" "[capture]" "interfaces = b0 v*" "hook = tcx" \
	"direction = ingress" "[flows]" "fetch_interval_ms = 100"
log=$T/tcflowd.log
now_ms() { date +%s%3N; }
packets() { python3 "$FLOWS_PY" total "$T/flows.json" packets source_transport_port=4000; }

t0=$(now_ms)
START_S=240 start_tcflowd b "$T/c.conf"
attach_ms=$(($(now_ms) - t0))
is "$(grep -c "attached to .* with tcx, ingress$" "$log")" 2001 \
	"2001 interfaces attached with tcx ($attach_ms ms)"
ns a "$GEN" udp -d "$SINK" -p 9000 -f 1 -n 10 -s 10 -b 4000 >/dev/null

t0=$(now_ms)
kill -TERM "$TCFLOWD_PID"
wait_for 10 log_has "stopping: [0-9]* records sent; detaching from 2001 interfaces"
ok $? "the final export is done within 10 s of SIGTERM ($(($(now_ms) - t0)) ms)"
got=$(packets)
grep -q "detached from 2001 interfaces" "$log"
ok $((! $?)) "before the detach"
is "$got" 10 "every packet is exported by then (a SIGKILL now loses nothing): 10"
wait "$TCFLOWD_PID"
rc=$?
stop_ms=$(($(now_ms) - t0))
is "$rc" 0 "exits 0"
detach_ms=$(sed -n 's/.*detached from 2001 interfaces in \([0-9]*\) ms.*/\1/p' "$log")
diag "attach $attach_ms ms, stop $stop_ms ms (detach $detach_ms ms) for 2001 tcx links"
ids=$(sed -n 's/.*loaded BPF programs: tc_ingress[a-z_]* id \([0-9]*\), tc_egress[a-z_]* id \([0-9]*\).*/\1 \2/p' "$log")
[ -n "$ids" ] && [ "$(progs_left $ids)" -eq 0 ]
ok $? "every link detached: the programs ($ids) are gone from the kernel"
is "$(packets)" 10 "10 packets in all"
done_testing
