#!/usr/bin/env bash
# Scenario 50: signals that arrive while tcflowd is still starting are not
# fatal.  SIGHUP, SIGUSR1 and SIGTERM are blocked first thing in main(), so
# one sent during start-up waits for the event loop: a SIGHUP reloads once
# the daemon runs, a SIGTERM stops it cleanly (exit 0).
. "$(dirname "$0")/lib.sh"
need_root

quiet_pair
config "$T/c.conf" "[capture]" "interfaces = b0"

# start_early NS CONF SIGNAL: start the daemon and send SIGNAL as soon as
# the process is tcflowd (not the shell or ip before their exec), again
# every 10 ms until it logs "running" or dies
start_early() {
	local log=$T/tcflowd.log i sent=0
	ip netns exec "$P$1" ${TCFLOWD_WRAPPER:-} "$TCFLOWD" -f -c "$2" >>"$log" 2>&1 &
	TCFLOWD_PID=$!
	_pids="$_pids $TCFLOWD_PID"
	for i in $(seq 1000); do
		kill -0 "$TCFLOWD_PID" 2>/dev/null || break
		if [ "$(readlink "/proc/$TCFLOWD_PID/exe" 2>/dev/null)" = "$(readlink -f "$TCFLOWD")" ] ||
		   grep -q "tcflowd: " "$log"; then
			kill "-$3" "$TCFLOWD_PID" && sent=$((sent + 1))
			grep -q "tcflowd: info: running" "$log" && break
		fi
		sleep 0.01
	done
	EARLY_SENT=$sent
}

start_early b "$T/c.conf" HUP
ok $((EARLY_SENT == 0)) "sent SIGHUP during start-up ($EARLY_SENT times)"
for i in $(seq 100); do
	grep -q "reloaded $T/c.conf" "$T/tcflowd.log" && break
	kill -0 "$TCFLOWD_PID" 2>/dev/null || break
	sleep 0.05
done
kill -0 "$TCFLOWD_PID" 2>/dev/null
ok $? "a SIGHUP during start-up does not kill the daemon"
grep -q "reloaded $T/c.conf" "$T/tcflowd.log"
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
