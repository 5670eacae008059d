#!/usr/bin/env bash
# The shipped etc/tcflowd.conf parses, and a broken copy is refused with
# file:line: key: reason and a non-zero exit.
: "${top_builddir:=.}" "${top_srcdir:=.}"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
# -t checks that the output's directory exists: the sample's /var/lib/tcflowd
# (StateDirectory= in the unit) is here the test's directory
sed "s|^path = /var/lib/tcflowd/|path = $t/|" "$top_srcdir/etc/tcflowd.conf" >"$t/sample.conf"
out=$("$top_builddir/src/tcflowd" -t -c "$t/sample.conf" 2>&1)
rc=$?
[ $rc -eq 0 ] && echo "ok 1 - etc/tcflowd.conf is valid" || echo "not ok 1 - etc/tcflowd.conf: $out"
sed 's/^# sampling = 1 .*/sampling = 0/' "$top_srcdir/etc/tcflowd.conf" >"$t/bad.conf"
line=$(grep -n '^sampling = 0' "$t/bad.conf" | cut -d: -f1)
out=$("$top_builddir/src/tcflowd" -t -c "$t/bad.conf" 2>&1)
rc=$?
want="tcflowd: $t/bad.conf:$line: sampling: 0 is out of range (1..1073741824)"
[ $rc -eq 1 ] && [ "$out" = "$want" ] && echo "ok 2 - a bad value: exit 1 and $want" ||
	echo "not ok 2 - a bad value: rc $rc, '$out'"
echo "1..2"
