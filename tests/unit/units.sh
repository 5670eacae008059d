#!/usr/bin/env bash
# The systemd units: Type=notify, reload checks the file first, hardened
# to an exposure of 3.5 or lower (`systemd-analyze security --offline=true`,
# systemd 252 on Debian 12), the template's paths follow its instance.
: "${top_builddir:=.}" "${top_srcdir:=.}"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
n=0
failed=0
ok() {			# ok STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
# the template as systemd would instantiate it, as tcflowd@edge.service
cp "$top_srcdir/etc/tcflowd@.service" "$t/tcflowd@edge.service"
for u in "$top_srcdir/etc/tcflowd.service" "$t/tcflowd@edge.service"; do
	name=$(basename "$u")
	out=$(systemd-analyze security --offline=true "$u" 2>&1)
	level=$(printf '%s\n' "$out" | sed -n "s/^→ Overall exposure level for $name: \([0-9.]*\) .*/\1/p")
	[ -n "$level" ] && awk -v l="$level" 'BEGIN { exit !(l <= 3.5) }'
	ok $? "$name: exposure ${level:-unknown} <= 3.5"
	[ -n "$level" ] || printf '%s\n' "$out" | sed 's/^/# /' | tail -5
	for want in "Type=notify" "NoNewPrivileges=yes" "ProtectSystem=strict" \
		"ProtectHome=yes" "PrivateTmp=yes" "RuntimeDirectoryPreserve=yes" \
		"RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK AF_PACKET" \
		"Wants=network-online.target" "After=network-online.target" \
		"AmbientCapabilities=CAP_BPF CAP_PERFMON CAP_NET_ADMIN" \
		"CapabilityBoundingSet=CAP_BPF CAP_PERFMON CAP_NET_ADMIN"; do
		grep -qxF "$want" "$u"
		ok $? "$name: $want"
	done
	grep -q "^SystemCallFilter=@system-service bpf$" "$u" && grep -q "^LimitNOFILE=" "$u" &&
		grep -q "^TimeoutStopSec=" "$u"
	ok $? "$name: SystemCallFilter (with bpf), LimitNOFILE, TimeoutStopSec"
	# ExecReload: the check first, then the signal
	grep '^ExecReload=' "$u" | head -n1 | grep -q -- "/usr/sbin/tcflowd -t -c " &&
		grep '^ExecReload=' "$u" | tail -n1 | grep -qx 'ExecReload=/bin/kill -HUP $MAINPID'
	ok $? "$name: ExecReload runs tcflowd -t before SIGHUP"
done
u=$top_srcdir/etc/tcflowd@.service
[ "$(grep -c -- '-c /etc/tcflowd/%i.conf$' "$u")" -eq 3 ] && grep -qx "RuntimeDirectory=tcflowd/%i" "$u"
ok $? "tcflowd@.service: /etc/tcflowd/%i.conf, state in /run/tcflowd/%i"
echo "1..$n"
[ "$failed" -eq 0 ]
