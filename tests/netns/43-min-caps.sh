#!/usr/bin/env bash
# Scenario 43: leftover cleanup with only CAP_BPF, CAP_NET_ADMIN and
# CAP_PERFMON (no CAP_SYS_ADMIN, so no BPF_PROG_GET_FD_BY_ID).  A run on
# hook = tc is SIGKILLed; the next start, with the same capabilities,
# recognises its leftover filters in the netlink dump, removes them and
# its qdisc, attaches again and counts exactly; SIGTERM leaves nothing.
# A filter of someone else's with our handle is left alone, and the
# failed attach is reported as what it is.
. "$(dirname "$0")/lib.sh"
need_root
command -v setpriv >/dev/null || bail "setpriv (util-linux) is needed"

quiet_pair
clean="$(ns b tc qdisc show dev b0; ns b tc filter show dev b0 ingress)"
TCFLOWD_WRAPPER="setpriv --bounding-set=-all,+bpf,+net_admin,+perfmon ${TCFLOWD_WRAPPER:-}"
# CAP_NET_ADMIN 12, CAP_PERFMON 38, CAP_BPF 39
want_caps=$(printf '%016x' $(( (1 << 12) | (1 << 38) | (1 << 39) )))

config "$T/c.conf" "[capture]" "interfaces = b0" "hook = tc"
start_tcflowd b "$T/c.conf"
is "$(sed -n 's/^CapEff:\t//p' /proc/$TCFLOWD_PID/status)" "$want_caps" \
	"the daemon runs with exactly CAP_NET_ADMIN, CAP_PERFMON, CAP_BPF"
grep -q "attached to b0 (ifindex [0-9]*) with tc, ingress, egress" "$T/tcflowd.log"
ok $? "and attaches with them"
stop_tcflowd KILL
is "$(ns b tc filter show dev b0 ingress | grep -c "direct-action")" 1 \
	"SIGKILL leaves our ingress filter"

start_tcflowd b "$T/c.conf"
is "$(grep -c "removed a leftover tc .* filter from b0" "$T/tcflowd.log")" 2 \
	"the next start (same capabilities) removes both leftover filters"
grep -q "removed the leftover clsact qdisc of b0" "$T/tcflowd.log"
ok $? "and the leftover clsact qdisc"
grep -q "attach to b0\|no interface matches\|could not be attached" "$T/tcflowd.log"
ok $((! $?)) "and attaches again without an error"
is "$(ns b tc filter show dev b0 ingress | grep -c "direct-action")" 1 \
	"one filter of ours on b0 ingress"
ns a "$GEN" udp -d "$SINK" -p 9000 -f 1 -n 10 -s 10 -b 4000 >/dev/null
stop_tcflowd
is "$TCFLOWD_RC" 0 "SIGTERM exits 0"
is "$(python3 "$FLOWS_PY" total "$T/flows.json" packets source_transport_port=4000)" 10 \
	"it counted exactly: 10 packets"
is "$(ns b tc qdisc show dev b0; ns b tc filter show dev b0 ingress)" "$clean" \
	"nothing of ours is left on b0"

# someone else's filter where ours would go (same handle and priority):
# not a leftover of ours, so it stays, and the attach says why it fails
handle=$(sed -n 's/.*tc filter handle \(0x[0-9a-f]*\).*/\1/p' "$T/tcflowd.log" | tail -n1)
ns b tc qdisc add dev b0 clsact
ns b tc filter add dev b0 ingress prio 10 handle "$handle" bpf da \
	obj "$top_builddir/tests/netns/other.bpf.o" sec classifier ||
	bail "add the other TC user's filter"
theirs="$(ns b tc filter show dev b0 ingress)"
: >"$T/tcflowd.log"
start_tcflowd b "$T/c.conf"
grep -q "err: attach tc ingress to b0: a filter with handle $handle priority 10 is there already" "$T/tcflowd.log"
ok $? "a filter with our handle that is not ours: the attach says so"
grep -q "err: attach: 1 of 1 selected interfaces could not be attached" "$T/tcflowd.log" &&
	! grep -q "no interface matches" "$T/tcflowd.log"
ok $? "and the summary says 1 of 1 could not be attached, not \"no interface matches\""
stop_tcflowd
is "$(ns b tc filter show dev b0 ingress)" "$theirs" "their filter is untouched"
ns b tc qdisc del dev b0 clsact
done_testing
