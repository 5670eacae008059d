#!/usr/bin/env bash
# 1,000 connections to the metrics endpoint that say nothing, and one
# client that sends requests and never reads the answers: the fetch loop
# keeps its interval, the daemon's memory stays bounded and its CPU low;
# once they are gone a scrape is answered again; a reload moves it.
. "$(dirname "$0")/lib.sh"
need_root
PROM_PY=$top_srcdir/tests/netns/prom.py
URL=http://127.0.0.1:9465/metrics
metric() { ns b python3 "$PROM_PY" value "$URL" "$1"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$TCFLOWD_PID/status"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

quiet_pair
config "$T/c.conf" "[capture]" "interfaces = b0" "direction = ingress" \
	"[flows]" "fetch_interval_ms = 100" "[metrics]" "listen = 127.0.0.1:9465"
start_tcflowd b "$T/c.conf"
ns b ip link set lo up
f0=$(metric tcflowd_fetches_total)
c0=$(metric tcflowd_cpu_seconds_total)
rss0=$(rss_kb)
t0=$(now_ms)
ip netns exec "${P}b" python3 "$PROM_PY" idle "$URL" 1000 3 >"$T/idle.out" 2>&1 &
IDLE=$!
_pids="$_pids $IDLE"
# the peak, while they hold their connections
peak=$rss0
for i in $(seq 25); do
	r=$(rss_kb)
	[ "$r" -gt "$peak" ] && peak=$r
	sleep 0.1
done
wait "$IDLE"
is "$(head -n1 "$T/idle.out")" "held 1000" "1,000 idle connections held for 3 s, and one that never reads"
for i in $(seq 3); do f1=$(metric tcflowd_fetches_total 2>/dev/null) && [ -n "$f1" ] && break; sleep 0.1; done
t1=$(now_ms)
c1=$(metric tcflowd_cpu_seconds_total)
ok "$([ -n "$f1" ]; echo $?)" "afterwards a scrape is answered"
expect=$(((t1 - t0) / 100))
diag "fetches: $((f1 - f0)) in $((t1 - t0)) ms (interval 100 ms: $expect due);" \
	"VmRSS $rss0 kB before, $peak kB at most during; CPU $c0 -> $c1 s;" \
	"$(tail -n1 "$T/idle.out")"
ok "$([ $((f1 - f0)) -ge $((expect * 7 / 10)) ]; echo $?)" \
	"the fetch loop kept its interval: $((f1 - f0)) fetches of $expect due"
ok "$([ $((peak - rss0)) -le 4096 ]; echo $?)" \
	"RSS grew by $((peak - rss0)) kB at most (bound 4096 kB)"
cpu_ms=$(python3 -c "print(int((float('$c1') - float('$c0')) * 1000))")
ok "$([ "$cpu_ms" -le $(((t1 - t0) / 2)) ]; echo $?)" \
	"no busy loop: $cpu_ms ms of CPU in $((t1 - t0)) ms"
# a reload moves the endpoint
sed -i 's/^listen = 127.0.0.1:9465$/listen = 127.0.0.1:9466/' "$T/c.conf"
kill -HUP "$TCFLOWD_PID"
for i in $(seq 100); do
	v=$(ns b python3 "$PROM_PY" sum http://127.0.0.1:9466/metrics \
		tcflowd_interface_attached 2>/dev/null) && [ -n "$v" ] && break
	sleep 0.1
done
is "$v" 1 "after SIGHUP with a new listen address it answers there"
ns b python3 "$PROM_PY" scrape "$URL" >/dev/null 2>&1
ok "$([ $? -ne 0 ]; echo $?)" "... and no longer at the old one"
done_testing
