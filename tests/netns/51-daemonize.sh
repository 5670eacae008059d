#!/usr/bin/env bash
# Scenario 51: without -f, tcflowd goes to the background only once it
# runs.  The caller waits on a readiness pipe: it exits 0 when the daemon
# is loaded, attached and exporting, and with init's status and message
# when init fails (here: a collector that cannot be opened).  Once detached
# it logs to syslog.
. "$(dirname "$0")/lib.sh"
need_root

quiet_pair
tc_state() { ns b tc qdisc show dev b0; ns b tc filter show dev b0 ingress; ns b tc filter show dev b0 egress; }
clean="$(tc_state)"
config "$T/c.conf" "[capture]" "interfaces = b0" "hook = tc" "[global]" \
	"pid_file = $T/tcflowd.pid"

# a collector that cannot open: its directory exists but is a file
: >"$T/not-a-dir"
sed "s|^path = .*|path = $T/not-a-dir/flows.json|" "$T/c.conf" >"$T/bad.conf"
ns b ${TCFLOWD_WRAPPER:-} "$TCFLOWD" -c "$T/bad.conf" >"$T/out" 2>"$T/err"
is "$?" 1 "daemon mode, unopenable collector: the caller exits 1"
grep -q "^tcflowd: err: open collector test: $T/not-a-dir/flows.json: Not a directory$" "$T/err"
ok $? "and prints init's message on its stderr"
sed 's/^/#   /' "$T/err"
is "$(tc_state)" "$clean" "qdiscs and filters as they were"
is "$(cat "$T/out")" "" "nothing on stdout"
[ ! -e "$T/tcflowd.pid" ]
ok $? "the failed daemon removed its pid file"

# the same with a good collector: the caller exits 0 once it runs
start=$(date +%s%N)
ns b ${TCFLOWD_WRAPPER:-} "$TCFLOWD" -c "$T/c.conf" >"$T/out" 2>"$T/err"
is "$?" 0 "daemon mode, good config: the caller exits 0"
diag "the caller returned after $(( ($(date +%s%N) - start) / 1000000 )) ms"
# (valgrind's own lines, under make check-valgrind, are not ours)
is "$(cat "$T/err" "$T/out" | grep -Ev '^(==|--)[0-9]+(==|--)')" "" "and says nothing"
pid=$(cat "$T/tcflowd.pid" 2>/dev/null)
[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
ok $? "the daemon runs (pid ${pid:-none})"
[ -n "$pid" ] && _pids="$_pids $pid"
[ "$(ps -o sid= -p "${pid:-1}")" != "$(ps -o sid= -p $$)" ]
ok $? "in a session of its own"
# sent as soon as the caller returned: all counted, so it was attached
ns a "$GEN" udp -d "$SINK" -p 9000 -f 1 -n 10 -s 10 -b 4000 >/dev/null
kill -TERM "$pid"
for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
! kill -0 "$pid" 2>/dev/null
ok $? "SIGTERM stops it"
is "$(python3 "$FLOWS_PY" total "$T/flows.json" packets source_transport_port=4000)" 10 \
	"every packet sent meanwhile was exported"
is "$(tc_state)" "$clean" "and it detached"

# once detached it logs to syslog: in a mount namespace of the test's own,
# /dev is a tmpfs with the host's /dev/null and a /dev/log the test binds
: >"$T/tcflowd.log"
mkdir "$T/hostdev"
unshare -m --propagation private bash -c '
	mount --bind /dev "$1/hostdev" && mount -t tmpfs tmpfs /dev &&
	touch /dev/null && mount --bind "$1/hostdev/null" /dev/null || exit 3
	python3 "$2" /dev/log "$1/syslog" 60 >"$1/syslog.out" 2>&1 &
	echo $! >"$1/syslog.pid"
	wait_for 5 log_has listening 1 "$1/syslog.out"
	exec ip netns exec "$3" $4 "$5" -c "$6"' _ "$T" "$top_srcdir/tests/netns/notify.py" \
	"${P}b" "${TCFLOWD_WRAPPER:-}" "$TCFLOWD" "$T/c.conf" >"$T/out" 2>"$T/err"
is "$?" 0 "daemon mode with a syslog: the caller exits 0"
_pids="$_pids $(cat "$T/syslog.pid")"
pid=$(cat "$T/tcflowd.pid" 2>/dev/null)
# never "kill 0" (our own process group) when the pid file is missing
if [ -n "$pid" ]; then
	_pids="$_pids $pid"
	kill -TERM "$pid"
	for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
fi
grep -q "tcflowd\[$pid\]: running: sampling 1-in-1" "$T/syslog"
ok $? "syslog has the daemon's lines (running)"
grep -q "tcflowd\[$pid\]: stopping (Terminated)" "$T/syslog"
ok $? "syslog has the daemon's lines (stopping)"
sed 's/^/#   /' "$T/syslog" | head -3
done_testing
