#!/usr/bin/env bash
# The config fuzzer (tests/fuzz/fuzz_config, libFuzzer + ASan/UBSan): first
# every input that once crashed it (tests/fuzz/crashes), then new inputs for
# FUZZ_SECONDS (60 under CI, 10 otherwise) from a seed corpus of the sample
# configuration and the tests' configurations.  Any sanitizer report fails.
: "${top_builddir:=.}" "${top_srcdir:=.}"
FUZZ=$top_builddir/tests/fuzz/fuzz_config
if [ ! -x "$FUZZ" ]; then
	if [ -n "${CI:-}" ]; then
		echo "Bail out! $FUZZ not built: clang without -fsanitize=fuzzer (Debian: libclang-rt-14-dev)"
		exit 1
	fi
	echo "1..0 # SKIP clang has no libFuzzer here (CI requires it)"
	exit 0
fi
secs=${FUZZ_SECONDS:-$([ -n "${CI:-}" ] && echo 60 || echo 10)}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mkdir "$t/seed" "$t/corpus"
cp "$top_srcdir/etc/tcflowd.conf" "$top_srcdir"/tests/fuzz/crashes/* "$t/seed/"
# the configurations the namespace tests write, one file each
for f in "$top_srcdir"/tests/netns/*.sh; do
	awk -v out="$t/seed/${f##*/}" '/<<.*EOF/ { on = 1; next } /^EOF/ { on = 0 } on { print > out }' "$f"
done

"$FUZZ" "$top_srcdir"/tests/fuzz/crashes/* >"$t/regress.log" 2>&1
rc=$?
if [ $rc -eq 0 ]; then echo "ok 1 - every kept crash input runs clean"; else
	echo "not ok 1 - a kept crash input fails again (rc $rc)"; sed 's/^/# /' "$t/regress.log" | tail -40; fi

"$FUZZ" -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$t/" "$t/corpus" "$t/seed" >"$t/fuzz.log" 2>&1
frc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$t/fuzz.log")
echo "# $secs s: ${execs:-?} inputs, corpus $(ls "$t/corpus" | wc -l) files"
if [ $frc -eq 0 ] && [ "${execs:-0}" -gt 0 ]; then
	echo "ok 2 - $secs s of fuzzing: ${execs} inputs, no sanitizer report"
else
	echo "not ok 2 - the fuzzer failed (rc $frc); keep the input in tests/fuzz/crashes"
	grep -v '^#[0-9]' "$t/fuzz.log" | sed 's/^/# /' | tail -60
	for a in "$t"/crash-* "$t"/leak-* "$t"/timeout-*; do
		[ -f "$a" ] && { echo "# ${a##*/}:"; od -An -c "$a" | head -40 | sed 's/^/# /'; }
	done
fi
echo "1..2"
[ $rc -eq 0 ] && [ $frc -eq 0 ] && [ "${execs:-0}" -gt 0 ]
