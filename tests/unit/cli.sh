#!/usr/bin/env bash
# The command line: --help, --version, the exit codes tcflowd(8) documents
# (0, 1 for the configuration, 2 for usage), the config errors of a repeated
# key and section, a 1,000-byte interfaces line, and --print-config of the
# sample configuration read back by -t.
: "${top_builddir:=.}" "${top_srcdir:=.}"
TCFLOWD=${TCFLOWD:-$top_builddir/src/tcflowd}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
n=0 failed=0
check() {		# check WANT-RC GOT-RC DESCRIPTION [GOT WANT]
	n=$((n + 1))
	if [ "$2" = "$1" ] && [ "${4-}" = "${5-}" ]; then
		echo "ok $n - $3"
	else
		echo "not ok $n - $3"
		echo "#   rc $2 (want $1); got '${4-}', want '${5-}'"
		failed=$((failed + 1))
	fi
}

out=$("$TCFLOWD" --help 2>&1); rc=$?
check 0 $rc "--help exits 0" "$(grep -c -- '--print-config' <<<"$out")" 1
out=$("$TCFLOWD" -h 2>/dev/null | head -n1); rc=${PIPESTATUS[0]}
check 0 $rc "-h exits 0" "$out" "usage: tcflowd [-c FILE] [-f] [-d] [-t | -T] [-V] [-h]"
out=$("$TCFLOWD" --version 2>&1); rc=$?
check 0 $rc "--version exits 0" "${out%% *}" tcflowd
"$TCFLOWD" --no-such-option >/dev/null 2>&1; rc=$?
check 2 $rc "an unknown option exits 2"
"$TCFLOWD" -c >/dev/null 2>&1; rc=$?
check 2 $rc "-c without a file exits 2"
"$TCFLOWD" -t extra-argument >/dev/null 2>&1; rc=$?
check 2 $rc "an extra argument exits 2"
out=$("$TCFLOWD" --check --config "$t/missing.conf" 2>&1); rc=$?
check 1 $rc "a missing file exits 1" "$out" "tcflowd: $t/missing.conf: No such file or directory"

cat >"$t/base.conf" <<'CONF'
[capture]
interfaces = eth0
[collector j]
protocol = json
path = -
CONF
out=$("$TCFLOWD" -t -c "$t/base.conf" 2>&1); rc=$?
check 0 $rc "-t of a good file exits 0" "$out" "$t/base.conf: configuration OK"

{ cat "$t/base.conf"; echo "[capture]"; echo "sampling = 2"; } >"$t/sect.conf"
out=$("$TCFLOWD" -t -c "$t/sect.conf" 2>&1); rc=$?
check 1 $rc "a repeated section exits 1" "$out" \
	"tcflowd: $t/sect.conf:6: [capture] repeated (first at line 1)"
sed '2a sampling = 2\ninterfaces = eth1' "$t/base.conf" >"$t/key.conf"
out=$("$TCFLOWD" -t -c "$t/key.conf" 2>&1); rc=$?
check 1 $rc "a repeated key exits 1" "$out" \
	"tcflowd: $t/key.conf:4: interfaces: repeated (first at line 2)"

# 1,000 bytes: "interfaces =" (12), 123 names of 7 characters (984), " en9"
line="interfaces ="
for i in $(seq -w 0 122); do line+=" veth$i"; done
line+=" en9"
sed "2c $line" "$t/base.conf" >"$t/long.conf"
check 0 0 "the interfaces line is 1000 bytes" "$(sed -n 2p "$t/long.conf" | wc -c)" 1001
out=$("$TCFLOWD" -T -c "$t/long.conf" 2>&1); rc=$?
check 0 $rc "a 1,000-byte interfaces line is accepted" \
	"$(sed -n 's/^interfaces = //p' <<<"$out" | wc -w)" 124
check 0 0 "... its last interface kept" "$(sed -n 's/^interfaces = .* //p' <<<"$out")" en9

# -T of the sample configuration: it reads back, and prints the same again
"$TCFLOWD" -T -c "$top_srcdir/etc/tcflowd.conf" >"$t/p1.conf" 2>"$t/err"; rc=$?
check 0 $rc "-T of etc/tcflowd.conf exits 0" "$(cat "$t/err")" ""
check 0 0 "... and writes every section" "$(grep -c '^\[' "$t/p1.conf")" 5
# -t wants the JSON file's directory to exist: point it at ours
sed -i "s|^path = .*/|path = $t/|" "$t/p1.conf"
out=$("$TCFLOWD" -t -c "$t/p1.conf" 2>&1); rc=$?
check 0 $rc "... which -t accepts" "$out" "$t/p1.conf: configuration OK"
"$TCFLOWD" -T -c "$t/p1.conf" >"$t/p2.conf" 2>&1; rc=$?
check 0 $rc "... and -T prints the same again" \
	"$(diff <(tail -n +2 "$t/p1.conf") <(tail -n +2 "$t/p2.conf"))" ""
out=$("$TCFLOWD" -T -c "$t/sect.conf" 2>&1); rc=$?
check 1 $rc "-T of a bad file exits 1, prints only the error" "$out" \
	"tcflowd: $t/sect.conf:6: [capture] repeated (first at line 1)"
echo "1..$n"
[ $failed -eq 0 ]
