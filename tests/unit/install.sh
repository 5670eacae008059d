#!/usr/bin/env bash
# make install DESTDIR=$t: every file in its place with configure's paths
# substituted, nothing else; man pages render without a warning and document
# every option and key; the installed sample configuration is valid and its
# directory exists; make uninstall takes every file away again.
: "${top_builddir:=.}" "${top_srcdir:=.}"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
n=0 failed=0
is() {			# is GOT WANT DESCRIPTION
	n=$((n + 1))
	if [ "$1" = "$2" ]; then echo "ok $n - $3"; else
		echo "not ok $n - $3"; echo "#   got '$1'"; echo "#   want '$2'"
		failed=$((failed + 1)); fi
}
mk() { make -s --no-print-directory -C "$top_builddir" "$@"; }
# configure's directories, as the Makefile has them
eval "$(printf 'p:\n\t@echo sbindir=$(sbindir) sysconfdir=$(sysconfdir) mandir=$(mandir) docdir=$(docdir) localstatedir=$(localstatedir) unitdir=$(systemdsystemunitdir)\n' |
	mk -f Makefile -f - p)"
[ -n "$sbindir" ] && [ -n "$unitdir" ] || { echo "Bail out! no directories from the Makefile"; exit 1; }

mk install DESTDIR="$t/root" >"$t/install.log" 2>&1
is $? 0 "make install DESTDIR succeeds"
want=$(printf '%s\n' "$sbindir/tcflowd" "$sysconfdir/tcflowd/tcflowd.conf" \
	"$sysconfdir/logrotate.d/tcflowd" "$mandir/man8/tcflowd.8" \
	"$mandir/man5/tcflowd.conf.5" "$docdir/README.md" \
	"$docdir/goflow2-mapping.yaml" "$docdir/pmacct-primitives.lst" \
	"$unitdir/tcflowd.service" "$unitdir/tcflowd@.service" | sort)
is "$(cd "$t/root" && find . -type f | sed 's|^\.||' | sort)" "$want" \
	"every file installed, nothing else"
is "$(cd "$t/root" && find ".$localstatedir/lib/tcflowd" -maxdepth 0 -type d | wc -l)" 1 \
	"the JSON directory $localstatedir/lib/tcflowd is created"

r=$t/root
is "$(grep '^ExecStart=' "$r$unitdir/tcflowd.service")" \
	"ExecStart=$sbindir/tcflowd -f -c $sysconfdir/tcflowd/tcflowd.conf" \
	"tcflowd.service: ExecStart has configure's sbindir and sysconfdir"
is "$(grep '^ExecStart=' "$r$unitdir/tcflowd@.service")" \
	"ExecStart=$sbindir/tcflowd -f -c $sysconfdir/tcflowd/%i.conf" \
	"tcflowd@.service: ExecStart has configure's paths"
other=$(cat "$r$unitdir"/*.service "$r$mandir"/*/* "$r$sysconfdir/logrotate.d/tcflowd" \
	"$r$sysconfdir/tcflowd/tcflowd.conf" | grep -o '\(/[^ =()/]*\)*/\(sbin\|etc\|lib\|share/doc\)/tcflowd[^ )]*' |
	grep -v -e "^$sbindir/tcflowd" -e "^$sysconfdir/tcflowd" -e "^$docdir" \
		-e "^$localstatedir/lib/tcflowd" | sort -u)
is "$other" "" "no path but configure's in units, man pages, config, logrotate"
is "$(grep -c "$localstatedir/lib/tcflowd/\*.json" "$r$sysconfdir/logrotate.d/tcflowd")" 1 \
	"logrotate rotates $localstatedir/lib/tcflowd/*.json"
is "$(sed -n 's/^path = //p' "$r$sysconfdir/tcflowd/tcflowd.conf")" \
	"$localstatedir/lib/tcflowd/flows.json" "the sample config writes into that directory"
# -t wants the JSON file's directory to exist: the one installed, in DESTDIR
sed "s|^path = $localstatedir|path = $r$localstatedir|" \
	"$r$sysconfdir/tcflowd/tcflowd.conf" >"$t/installed.conf"
out=$("$r$sbindir/tcflowd" -t -c "$t/installed.conf" 2>&1)
is "$?:$out" "0:$t/installed.conf: configuration OK" \
	"the installed sample configuration is valid"
is "$("$r$sbindir/tcflowd" --help | grep -o "default [^)]*")" \
	"default $sysconfdir/tcflowd/tcflowd.conf" "the binary's default config is sysconfdir's"
if command -v logrotate >/dev/null; then
	logrotate -d -s "$t/state" "$r$sysconfdir/logrotate.d/tcflowd" >"$t/lr" 2>&1
	is "$?:$(grep -ci 'error' "$t/lr")" "0:0" "logrotate reads the snippet without an error"
else
	is "logrotate missing" "" "logrotate reads the snippet (tests/install-deps installs it)"
fi

for m in "$r$mandir/man8/tcflowd.8" "$r$mandir/man5/tcflowd.conf.5"; do
	is "$(groff -man -ww -z "$m" 2>&1)" "" "groff -man -ww -z ${m##*/}: no warning"
	is "$(grep -c '@[A-Z_]*@' "$m")" 0 "${m##*/}: every @VAR@ substituted"
done
missing=
for o in $("$r$sbindir/tcflowd" --help | grep -o -- '--[a-z-]*' | sort -u); do
	grep -q -- "${o//-/\\\\-}" "$r$mandir/man8/tcflowd.8" || missing+=" $o"
done
is "$missing" "" "tcflowd(8) documents every option of --help"
missing=
for k in $("$r$sbindir/tcflowd" -T -c "$r$sysconfdir/tcflowd/tcflowd.conf" |
	sed -n 's/^\([a-z_]*\) =.*/\1/p' | sort -u) port source_port; do
	grep -q "^\.BR $k \" = \"" "$r$mandir/man5/tcflowd.conf.5" || missing+=" $k"
done
is "$missing" "" "tcflowd.conf(5) documents every key -T prints"
for s in "EXIT STATUS" SIGNALS FILES EXAMPLES OPTIONS; do
	is "$(grep -c "^\.SH \"*$s\"*$" "$r$mandir/man8/tcflowd.8")" 1 "tcflowd(8) has $s"
done

mk uninstall DESTDIR="$t/root" >"$t/uninstall.log" 2>&1
is "$?:$(find "$t/root" -type f | wc -l)" "0:0" "make uninstall removes every file"
echo "1..$n"
[ $failed -eq 0 ]
