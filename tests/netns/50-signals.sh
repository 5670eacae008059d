#!/usr/bin/env bash
# Scenario 50: signals that arrive while tcflowd is still starting are not
# fatal.  SIGHUP, SIGUSR1 and SIGTERM are blocked first thing in main(), so
# one sent during start-up waits for the event loop: a SIGHUP reloads once
# the daemon runs, a SIGTERM stops it cleanly (exit 0).
. "$(dirname "$0")/lib.sh"
need_root

quiet_pair
config "$T/c.conf" "[capture]" "interfaces = b0"

# start_early NS CONF SIGNAL: start the daemon with its config coming
# through a FIFO, and send SIGNAL while it waits there: main() runs, the
# programs are not loaded yet.  The FIFO is replaced by the file before
# the daemon can read a line, so a reload reads the file.
start_early() {
	local log=$T/tcflowd.log fifo=$T/early.conf
	rm -f "$fifo"
	mkfifo "$fifo"
	ip netns exec "$P$1" ${TCFLOWD_WRAPPER:-} "$TCFLOWD" -f -c "$fifo" >>"$log" 2>&1 &
	TCFLOWD_PID=$!
	_pids="$_pids $TCFLOWD_PID"
	# opening the FIFO returns once the daemon has opened it (bounded:
	# a daemon that died before would leave us waiting)
	timeout 20 bash -c 'exec 3>"$1" && cp "$2" "$1.new" && mv "$1.new" "$1" &&
		kill "-$3" "$4" && cat "$2" >&3' _ "$fifo" "$2" "$3" "$TCFLOWD_PID"
	ok $? "SIG$3 sent while the daemon reads its config"
}

start_early b "$T/c.conf" HUP
# loading the programs comes first (slow under valgrind): up to 30 s
for i in $(seq 600); do
	grep -q "reloaded $T/early.conf" "$T/tcflowd.log" && break
	kill -0 "$TCFLOWD_PID" 2>/dev/null || break
	sleep 0.05
done
kill -0 "$TCFLOWD_PID" 2>/dev/null
ok $? "a SIGHUP during start-up does not kill the daemon"
grep -q "reloaded $T/early.conf" "$T/tcflowd.log"
ok $? "it reloads once the loop runs"
ns a "$GEN" udp -d "$SINK" -p 9000 -f 1 -n 10 -s 10 -b 4000 >/dev/null
stop_tcflowd
is "$TCFLOWD_RC" 0 "SIGTERM later exits 0"
is "$(python3 "$FLOWS_PY" total "$T/flows.json" packets source_transport_port=4000)" 10 \
	"and the packets sent meanwhile are counted"

: >"$T/tcflowd.log"
start_early b "$T/c.conf" TERM
wait "$TCFLOWD_PID" 2>/dev/null
is "$?" 0 "a SIGTERM during start-up: a clean stop, exit 0"
grep -q "stopping (Terminated)" "$T/tcflowd.log"
ok $? "through the event loop"
done_testing
