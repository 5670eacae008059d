#!/usr/bin/env bash
# Hotplug: an interface created after start that matches the patterns is
# attached within a second and its traffic counted exactly; a rename shows
# the new name in the next records without losing counts; a deleted
# interface's flows end at once (forced end), while tcflowd runs on.
# The interface's name and description (ifAlias) go out in IPFIX interface
# options, decoded by ipfixDump: the new name in the options after the
# rename.
. "$(dirname "$0")/lib.sh"
need_root

ns_add a b
ns a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ns b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
config "$T/c.conf" "[capture]" "interfaces = hp*" "direction = ingress" \
	"[flows]" "fetch_interval_ms = 100" "idle_timeout_s = 30" "active_timeout_s = 60" \
	"[collector file]" "protocol = ipfix" "transport = file" "path = $T/export.ipfix"
start_tcflowd b "$T/c.conf"
grep -q "no interface matches" "$T/tcflowd.log"
ok $? "nothing matches at start"

veth a g1 b hp1
addr a g1 203.0.113.1/24
addr b hp1 203.0.113.2/24
ns a ip route add 198.51.100.0/24 via 203.0.113.2
ns b ip route add blackhole 198.51.100.0/24
ns a ip neigh replace 203.0.113.2 lladdr "$(ns b cat /sys/class/net/hp1/address)" dev g1 nud permanent
wait_for 1 log_has "attached to hp1"
grep -q "attached to hp1" "$T/tcflowd.log"
ok $? "a new interface matching hp* is attached within a second"
ns b ip link set hp1 alias "link to a"
ns a "$GEN" udp -d 198.51.100.1 -p 9000 -f 4 -n 25 -s 40 -b 5000 >/dev/null
sleep 0.3

ns b ip link set hp1 down
ns b ip link set hp1 name hp2
ns b ip link set hp2 up
sleep 0.3
grep -q "hp1 is now called hp2" "$T/tcflowd.log"
ok $? "the rename is noticed"
ns a "$GEN" udp -d 198.51.100.1 -p 9000 -f 4 -n 10 -s 40 -b 6000 >/dev/null
sleep 0.3

ns b ip link del hp2
sleep 0.5
kill -0 "$TCFLOWD_PID"
ok $? "tcflowd runs on after the interface is deleted"
grep -q "hp2 went away" "$T/tcflowd.log"
ok $? "the deletion is noticed"
# the records are out before tcflowd stops: forced end, on deletion
is "$(python3 "$FLOWS_PY" total "$T/flows.json" packets proto=17 flow_end_reason=4)" 140 \
	"every packet counted, exported at the deletion with reason 4 (100 + 40)"
is "$(python3 "$FLOWS_PY" total "$T/flows.json" packets source_transport_port=6000 interface_name=hp2)" 10 \
	"packets after the rename carry the new name"
is "$(python3 "$FLOWS_PY" total "$T/flows.json" packets source_transport_port=5000 interface_name=hp2)" 25 \
	"a flow from before the rename is reported under the name the interface has now"
stop_tcflowd
is "$TCFLOWD_RC" 0 "exits 0"

# interface options in file order: "name|description" each time they went out
ipfixDump -i "$T/export.ipfix" >"$T/export.txt" 2>&1
names=$(sed -n 's/.*interface\(Name\|Description\) : (len: [0-9]*) \?//p' "$T/export.txt" |
	paste -d'|' - - | uniq | paste -sd' ')
diag "interface options in order: $names"
case "$names" in
*"hp1|link to a "*"hp2|link to a"*) r=0 ;;
*) r=1 ;;
esac
ok $r "IPFIX options: hp1 with its description, then hp2 after the rename"
done_testing
