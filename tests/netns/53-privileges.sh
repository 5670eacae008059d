#!/usr/bin/env bash
# Scenario 53: least privilege.
#  - Under setpriv as an unprivileged uid (nobody) with exactly CAP_BPF,
#    CAP_NET_ADMIN and CAP_PERFMON, on tcx and on tc: it loads, attaches,
#    counts exactly, and detaches cleanly.
#  - Started as root with `user = nobody`: once attached it runs as nobody
#    with those three capabilities only (bounding set empty, no_new_privs),
#    counts exactly, reloads, and still detaches cleanly (tc qdisc removed).
. "$(dirname "$0")/lib.sh"
need_root

quiet_pair
tc_state() { ns b tc qdisc show dev b0; ns b tc filter show dev b0 ingress; ns b tc filter show dev b0 egress; }
clean="$(tc_state)"
# nobody must reach the binary, its config, state_dir and output
chmod 711 "$T"
cp "$TCFLOWD" "$T/tcflowd"
TCFLOWD=$T/tcflowd
mkdir "$T/state"
: >"$T/flows.json"
chown 65534:65534 "$T/state" "$T/flows.json"
CAPS=000000c000001000	# CAP_BPF (39), CAP_PERFMON (38), CAP_NET_ADMIN (12)

# status FIELD: that line of the daemon's /proc/PID/status, tabs as spaces
status() { sed -n "s/^$1:[[:space:]]*//p" "/proc/$TCFLOWD_PID/status" | tr '\t' ' '; }

# check_run WHAT: traffic, stop, exact counts and clean detach
check_run() {
	ns a "$GEN" udp -d "$SINK" -p 9000 -f 3 -n 10 -s 100 -b 4000 >/dev/null
	ids=$(prog_ids)
	stop_tcflowd
	is "$TCFLOWD_RC" 0 "$1: SIGTERM exits 0"
	is "$(python3 "$FLOWS_PY" json "$T/flows.json" proto=17 dport=9000 | wc -l)" 3 \
		"$1: 3 flows"
	is "$(python3 "$FLOWS_PY" total "$T/flows.json" packets proto=17 dport=9000)" 30 \
		"$1: 30 packets, all counted"
	is "$(python3 "$FLOWS_PY" total "$T/flows.json" bytes proto=17 dport=9000)" 3840 \
		"$1: 30 x 128 bytes (IP)"
	is "$(progs_left $ids)" 0 "$1: our programs are gone from the kernel"
	is "$(tc_state)" "$clean" "$1: qdiscs and filters as they were"
}

for hook in tcx tc; do
	config "$T/c.conf" "[capture]" "interfaces = b0" "hook = $hook"
	: >"$T/tcflowd.log"
	: >"$T/flows.json"
	save=${TCFLOWD_WRAPPER:-}
	TCFLOWD_WRAPPER="setpriv --reuid=65534 --regid=65534 --clear-groups
		--inh-caps=-all,+bpf,+net_admin,+perfmon
		--ambient-caps=-all,+bpf,+net_admin,+perfmon
		--bounding-set=-all,+bpf,+net_admin,+perfmon -- $save"
	start_tcflowd b "$T/c.conf"
	TCFLOWD_WRAPPER=$save
	is "$(status Uid)" "65534 65534 65534 65534" "setpriv, $hook: runs as nobody"
	is "$(status CapEff)" "$CAPS" "setpriv, $hook: with CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON only"
	grep -q "attached to b0 (ifindex [0-9]*) with $hook" "$T/tcflowd.log"
	ok $? "setpriv, $hook: attached"
	check_run "setpriv, $hook"
done

# in-process drop: started as root, user = nobody; the pid file in a
# directory root owns, which nobody may not write
mkdir -m 755 "$T/run"
config "$T/c.conf" "[global]" "user = nobody" "pid_file = $T/run/tcflowd.pid" \
	"[capture]" "interfaces = b0 hp*" "hook = tc"
: >"$T/tcflowd.log"
: >"$T/flows.json"
start_tcflowd b "$T/c.conf"
# "running:" comes once attached; the drop right after it
wait_for 5 log_has "running as nobody"
grep -q "running as nobody (uid 65534, gid 65534) with CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON$" "$T/tcflowd.log"
ok $? "user = nobody: says so"
is "$(status Uid)" "65534 65534 65534 65534" "user = nobody: runs as nobody"
is "$(status Groups)" "" "user = nobody: no supplementary groups"
is "$(status CapEff) $(status CapPrm) $(status CapInh)" "$CAPS $CAPS 0000000000000000" \
	"user = nobody: CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON effective and permitted only"
is "$(status CapBnd)" "0000000000000000" "user = nobody: bounding set empty"
is "$(status NoNewPrivs)" 1 "user = nobody: no_new_privs"
# hotplug after the drop: CAP_NET_ADMIN is enough to attach
ns b ip link add hp1 type veth peer name hq1
ns b ip link set hp1 up
wait_for 5 log_has "attached to hp1"
grep -q "attached to hp1 (ifindex [0-9]*) with tc, ingress, egress" "$T/tcflowd.log"
ok $? "user = nobody: an interface that appears later is attached"
kill -HUP "$TCFLOWD_PID"
wait_for 5 log_has "reloaded $T/c.conf"
grep -q "reloaded $T/c.conf" "$T/tcflowd.log"
ok $? "user = nobody: SIGHUP reloads"
pid=$TCFLOWD_PID
is "$(cat "$T/run/tcflowd.pid" 2>&1)" "$pid" "user = nobody: the pid file holds its pid"
check_run "user = nobody, tc"
is "$(ns b tc qdisc show dev hp1 | grep -c clsact)" 0 \
	"user = nobody: the qdisc it created on hp1 is gone at exit"
# nobody may not unlink it from $T/run: no stale pid is left in it
is "$(wc -c <"$T/run/tcflowd.pid" 2>&1)" 0 \
	"user = nobody: the pid file it could not remove is left empty"
grep -q "pid file $T/run/tcflowd.pid: emptied, not removed" "$T/tcflowd.log"
ok $? "user = nobody: ... and says so"

# a user that does not exist: start-up fails, the hooks are gone again
config "$T/c.conf" "[global]" "user = no-such-user-tcflowd" "[capture]" "interfaces = b0" "hook = tc"
ns b "$TCFLOWD" -f -c "$T/c.conf" >"$T/out" 2>&1
is "$?" 1 "an unknown user: exit 1"
grep -q "tcflowd: err: run as user no-such-user-tcflowd: no such user" "$T/out"
ok $? "with the reason"
is "$(tc_state)" "$clean" "and nothing left attached"
done_testing
