#!/usr/bin/env bash
# Scenario 44: 2,000 interfaces and a low open-files limit (soft 256, hard
# 1024).  tcflowd raises the soft limit to the hard one, attaches as many
# interfaces as fit while keeping file descriptors in reserve, and logs and
# counts the rest (ifaces_unattached in the stats line).  It keeps
# working: exact counts, SIGHUP reloads, hotplug gives a descriptor that
# was freed to an interface that waited.  (hook = socket:
# one descriptor per interface, quick to attach; tcx needs two.)
. "$(dirname "$0")/lib.sh"
need_root
command -v prlimit >/dev/null || bail "prlimit (util-linux) is needed"

quiet_pair
for i in $(seq 0 1999); do
	echo "link add v$i up type veth peer name w$i netns ${P}a"
done >"$T/veth.batch"
ip -n "${P}b" -batch "$T/veth.batch" || bail "create 2000 veth pairs"
TCFLOWD_WRAPPER="prlimit --nofile=256:1024 ${TCFLOWD_WRAPPER:-}"
config "$T/c.conf" "[capture]" "interfaces = b0 v*" "hook = socket" \
	"[flows]" "fetch_interval_ms = 100"
start_tcflowd b "$T/c.conf"
log=$T/tcflowd.log

limit=$(sed -n 's/.*file descriptors for links and sockets (limit \([0-9]*\), 64 kept in reserve).*/\1/p' "$log")
budget=$(sed -n 's/.*up to \([0-9]*\) file descriptors for links and sockets (limit [0-9]*, 64 kept in reserve).*/\1/p' "$log")
diag "descriptors for sockets: $budget of a limit of $limit"
case "${TCFLOWD_WRAPPER:-}" in
*valgrind*)
	# valgrind gives its client a limit of its own (and descriptors of
	# its own at the top): no headroom to raise, so the daemon works with
	# what it sees
	[ -n "$limit" ] && [ "$limit" -le 256 ]
	ok $? "under valgrind: the limit valgrind gives is the one used ($limit)"
	[ -n "$budget" ] && [ "$budget" -gt 0 ] && [ "$budget" -le $((limit - 64)) ]
	ok $? "the budget is the limit less what is open and the reserve ($budget)"
	;;
*)
	grep -q "raised the open files limit from 256 to 1024" "$log" && [ "$limit" = 1024 ]
	ok $? "the soft limit is raised to the hard one"
	[ -n "$budget" ] && [ "$budget" -gt 800 ] && [ "$budget" -lt 1000 ]
	ok $? "the budget is the limit less what is open and the reserve ($budget)"
	;;
esac
is "$(grep -c "attached to .* with socket" "$log")" "$budget" "exactly $budget interfaces attached"
grep -q "attach: $((2001 - budget)) of 2001 selected interfaces could not be attached" "$log"
ok $? "the other $((2001 - budget)) are reported"
grep -q "attached to b0 " "$log"
ok $? "b0 (the lowest ifindex) is among them"

is "$(fresh_stat ifaces_attached) $(fresh_stat ifaces_unattached)" "$budget $((2001 - budget))" \
	"the stats line counts them"

n=$(grep -c "reloaded" "$log")
kill -HUP "$TCFLOWD_PID"
wait_for 10 log_has "reloaded" $((n + 1)) "$log"
grep -q "reloaded $T/c.conf" "$log" && ! grep -q "reload: " "$log"
ok $? "SIGHUP still reloads the configuration"

# hotplug: an attached interface goes; its descriptor goes to one that
# waited; a new interface is counted as waiting too
att=$(sed -n 's/.*attached to \(v[0-9]*\) .*/\1/p' "$log" | head -n1)
n=$(grep -c "attached to " "$log")
ns b ip link del "$att"
# (a rescan of 2,000 interfaces: seconds under valgrind)
wait_for 30 log_has "attached to " $((n + 1)) "$log"
is "$(grep -c "attached to " "$log")" $((n + 1)) "hotplug: $att went away and a waiting interface took its place"
is "$(fresh_stat ifaces_attached) $(fresh_stat ifaces_unattached)" "$budget $((2000 - budget))" \
	"the counts follow"
ns b ip link add v9999 up type veth peer name w9999 netns "${P}a"
is "$(fresh_stat ifaces_attached) $(fresh_stat ifaces_unattached)" "$budget $((2001 - budget))" \
	"a new interface waits too, counted"

ns a "$GEN" udp -d "$SINK" -p 9000 -f 1 -n 10 -s 10 -b 4000 >/dev/null
stop_tcflowd
is "$TCFLOWD_RC" 0 "SIGTERM exits 0"
is "$(python3 "$FLOWS_PY" total "$T/flows.json" packets source_transport_port=4000)" 10 \
	"b0's packets counted exactly: 10"
done_testing
