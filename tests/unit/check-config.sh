#!/usr/bin/env bash
# tcflowd -t refuses what start-up would refuse, without touching the
# kernel (it runs without any capability here): a numeric-looking address that is
# not one, a transport that does not exist yet, an output directory that
# does not exist.  Each with exit 1 and file:line: key: reason.
: "${top_builddir:=.}" "${top_srcdir:=.}"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
n=0
failed=0
check() {		# check DESCRIPTION WANT-MESSAGE CONFIG-TEXT
	local out rc
	n=$((n + 1))
	printf '%s' "$3" >"$t/c.conf"
	out=$($nocaps "$top_builddir/src/tcflowd" -t -c "$t/c.conf" 2>&1)
	rc=$?
	if [ "$rc" -eq "${4:-1}" ] && [ "$out" = "$2" ]; then
		echo "ok $n - $1: $2"
	else
		echo "not ok $n - $1: rc $rc, '$out'"
		failed=$((failed + 1))
	fi
}
# root without capabilities (no CAP_DAC_OVERRIDE: modes count)
nocaps=
[ "$(id -u)" -eq 0 ] && nocaps="setpriv --bounding-set=-all --inh-caps=-all --"
head='[capture]
interfaces = *
[collector a]
'
check "good" "$t/c.conf: configuration OK" "${head}protocol = ipfix
address = 192.0.2.1
" 0
check "address = 300.1.1.1" \
	"tcflowd: $t/c.conf:5: address: '300.1.1.1' is not an IPv4 address" \
	"${head}protocol = ipfix
address = 300.1.1.1
"
check "transport = sctp" \
	"tcflowd: $t/c.conf:5: transport: sctp is not implemented yet: use udp, tcp or file" \
	"${head}protocol = ipfix
transport = sctp
address = 192.0.2.1
"
check "json path in a missing directory" \
	"tcflowd: $t/c.conf:3: [collector a]: path: directory $t/none: No such file or directory" \
	"${head}protocol = json
path = $t/none/flows.json
"
mkdir -m 555 "$t/ro"
check "json path in a directory we may not write" \
	"tcflowd: $t/c.conf:3: [collector a]: path: directory $t/ro is not writable: Permission denied" \
	"${head}protocol = json
path = $t/ro/flows.json
"
echo "1..$n"
[ "$failed" -eq 0 ]
