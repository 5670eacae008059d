#!/usr/bin/env bash
# Scenario 52: systemd's Type=notify protocol, against a NOTIFY_SOCKET the
# test binds (tests/netns/notify.py): READY=1 with a STATUS= line once
# attached and exporting, RELOADING=1 (with MONOTONIC_USEC) and READY=1
# around SIGHUP, STATUS= with the counts on SIGUSR1, WATCHDOG=1 from the
# fetch loop when WATCHDOG_USEC is set, STOPPING=1 on SIGTERM.  And with
# stderr the journal (JOURNAL_STREAM), every line starts with <N>.
. "$(dirname "$0")/lib.sh"
need_root

quiet_pair
config "$T/c.conf" "[capture]" "interfaces = b0" "[flows]" "fetch_interval_ms = 100"
NOTIFY_PY=$top_srcdir/tests/netns/notify.py
python3 "$NOTIFY_PY" "$T/notify.sock" "$T/notify" 60 >"$T/notify.out" 2>&1 &
_pids="$_pids $!"
wait_for 5 log_has listening 1 "$T/notify.out"
grep -q listening "$T/notify.out" || bail "notify listener did not start"

# wait_msg PATTERN [N]: until N (1) messages match the extended regex
wait_msg() {
	for i in $(seq 100); do
		[ "$(grep -cE "$1" "$T/notify")" -ge "${2:-1}" ] && return 0
		sleep 0.05
	done
	return 1
}

: >"$T/tcflowd.log"
export NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=1000000
export JOURNAL_STREAM=$(stat -c %d:%i "$T/tcflowd.log")
start_tcflowd b "$T/c.conf"
unset NOTIFY_SOCKET WATCHDOG_USEC JOURNAL_STREAM
status0="counting on 1 interface, exporting to 1 collector; packets=0 records_sent=0 records_not_sent=0"
wait_msg '^READY=1'
is "$(head -n1 "$T/notify")" "READY=1 STATUS=$status0" "READY=1 and STATUS= once running"
wait_msg '^WATCHDOG=1$' 3
ok $? "WATCHDOG=1 from the fetch loop ($(grep -c '^WATCHDOG=1$' "$T/notify") so far)"
grep -q "^<6>tcflowd: info: watchdog: every 1000 ms$" "$T/tcflowd.log"
ok $? "the watchdog interval is logged"

before=$(python3 -c 'import time; print(time.monotonic_ns() // 1000)')
kill -HUP "$TCFLOWD_PID"
wait_msg '^READY=1' 2
after=$(python3 -c 'import time; print(time.monotonic_ns() // 1000)')
grep -vE '^WATCHDOG=1$' "$T/notify" | tail -n2 >"$T/reload"
usec=$(sed -n '1s/^RELOADING=1 MONOTONIC_USEC=\([0-9]*\)$/\1/p' "$T/reload")
[ -n "$usec" ] && [ "$usec" -ge "$before" ] && [ "$usec" -le "$after" ]
ok $? "SIGHUP: RELOADING=1 with MONOTONIC_USEC (${usec:-none}, within $before..$after)"
is "$(sed -n 2p "$T/reload")" "READY=1 STATUS=$status0" "then READY=1 again"

ns a "$GEN" udp -d "$SINK" -p 9000 -f 1 -n 10 -s 10 -b 4000 >/dev/null
want="STATUS=counting on 1 interface, exporting to 1 collector; packets=10 records_sent=0 records_not_sent=0"
for i in $(seq 25); do
	kill -USR1 "$TCFLOWD_PID"
	sleep 0.2
	grep -qxF "$want" "$T/notify" && break
done
grep -qxF "$want" "$T/notify"
ok $? "SIGUSR1: STATUS= with the counts (10 packets)"

stop_tcflowd
is "$TCFLOWD_RC" 0 "SIGTERM exits 0"
wait_msg '^STOPPING=1'
is "$(grep -c '^STOPPING=1 STATUS=stopping: final fetch and export$' "$T/notify")" 1 \
	"STOPPING=1 on SIGTERM"
is "$(sed -n '/^STOPPING=1/,$p' "$T/notify" | grep -c '^READY=1')" 0 "and no READY=1 after it"
is "$(python3 "$FLOWS_PY" total "$T/flows.json" packets source_transport_port=4000)" 10 \
	"the 10 packets were exported"
# (valgrind's own lines, under make check-valgrind, are not ours)
is "$(grep -Ev '^(==|--)[0-9]+(==|--)' "$T/tcflowd.log" | grep -cv '^<[0-7]>tcflowd: ')" 0 \
	"stderr is the journal: every line starts with its priority"
grep -q "^<6>tcflowd: info: running: " "$T/tcflowd.log"
ok $? "info is <6>"

# JOURNAL_STREAM that is not our stderr (inherited by a child whose
# stderr went elsewhere): plain lines
: >"$T/tcflowd.log"
export JOURNAL_STREAM=1:1
start_tcflowd b "$T/c.conf"
unset JOURNAL_STREAM
stop_tcflowd
is "$(grep -c '^<' "$T/tcflowd.log")" 0 "stderr not the journal: no <N> prefixes"
grep -q "^tcflowd: info: running: " "$T/tcflowd.log"
ok $? "plain lines"
done_testing
