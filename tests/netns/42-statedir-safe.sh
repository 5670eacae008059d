#!/usr/bin/env bash
# Scenario 42: nothing is written through a planted link, and an unsafe
# state directory is refused.
#  - state_dir a symbolic link, writable by others, or not ours: refused
#    (exit 1, the reason), nothing created through it.
#  - links planted for the files tcflowd writes in its state directory and
#    for the pid file: the files they point to stay as they were.
#  - a long state_dir works in full (a SIGKILLed tc run is cleaned up by
#    the next start); one longer than a config line is a config error.
. "$(dirname "$0")/lib.sh"
need_root

quiet_pair
idx=$(ns b cat /sys/class/net/b0/ifindex)
mkdir -p "$T/elsewhere"
echo precious >"$T/victim"
run() {		# run CONF: in the foreground; must refuse
	ip netns exec "${P}b" timeout 20 "$TCFLOWD" -f -c "$1" >"$T/run.log" 2>&1
	RUN_RC=$?
}
conf() {	# conf STATE_DIR [LINES]
	local s=$1
	shift
	config "$T/c.conf" "$@" "[capture]" "interfaces = b0" "hook = tc"
	sed -i "s|^state_dir = .*|state_dir = $s|" "$T/c.conf"
}

ln -s "$T/elsewhere" "$T/link"
conf "$T/link"
run "$T/c.conf"
is "$RUN_RC" 1 "state_dir a symbolic link: refused"
grep -q "open state directory $T/link: is a symbolic link" "$T/run.log"
ok $? "and says so"
is "$(ls -A "$T/elsewhere")" "" "nothing was created where it points"

mkdir -m 1777 "$T/open"
conf "$T/open"
run "$T/c.conf"
is "$RUN_RC" 1 "state_dir writable by others: refused"
grep -q "open state directory $T/open: writable by others (mode 1777)" "$T/run.log"
ok $? "and says so"

mkdir -m 0700 "$T/theirs"
chown nobody "$T/theirs"
conf "$T/theirs"
run "$T/c.conf"
is "$RUN_RC" 1 "state_dir owned by another user: refused"
grep -q "open state directory $T/theirs: owned by uid $(id -u nobody), not by us" "$T/run.log"
ok $? "and says so"

mkdir -m 0700 "$T/s1"
ln -s "$T/victim" "$T/s1/lock"
conf "$T/s1"
run "$T/c.conf"
is "$RUN_RC" 1 "the lock file a symbolic link: refused"
grep -q "open $T/s1/lock: is a symbolic link" "$T/run.log"
ok $? "and says so"
is "$(cat "$T/victim")" precious "the file it points to is intact"

# links where the records of the tc hook go
mkdir -m 0700 "$T/s2"
ln -s "$T/victim" "$T/s2/tc.$idx"
ln -s "$T/victim" "$T/s2/clsact.$idx"
conf "$T/s2"
start_tcflowd b "$T/c.conf"
stop_tcflowd
is "$TCFLOWD_RC" 0 "links planted for the tc records: it runs and stops"
is "$(cat "$T/victim")" precious "and the file they point to is intact"

# the pid file a link
conf "$T/s3" "pid_file = $T/pidlink"
ln -s "$T/victim" "$T/pidlink"
run "$T/c.conf"
is "$RUN_RC" 1 "pid_file a symbolic link: refused"
grep -q "open pid file $T/pidlink: is a symbolic link" "$T/run.log"
ok $? "and says so"
is "$(cat "$T/victim")" precious "the file it points to is intact"
[ -L "$T/pidlink" ]
ok $? "and the link itself was not removed"

# a long state_dir, in full (as long as a config line allows: inih cuts
# lines at 198 characters, with a file:line error)
long=$T/$(printf 'd%.0s' $(seq 100))/$(printf 'e%.0s' $(seq 40))
mkdir -p "$(dirname "$long")"
conf "$long"
start_tcflowd b "$T/c.conf"
[ -f "$long/lock" ] && [ "$(cat "$long/lock")" = "$TCFLOWD_PID" ]
ok $? "a ${#long}-character state_dir is used as written (the lock holds our pid)"
[ -f "$long/tc.$idx" ]
ok $? "and the tc hook's record is in it"
stop_tcflowd KILL
start_tcflowd b "$T/c.conf"
is "$(grep -c "removed a leftover tc .* filter from b0" "$T/tcflowd.log")" 2 \
	"a SIGKILLed run's 2 filters are removed by the next start"
grep -q "removed the leftover clsact qdisc of b0" "$T/tcflowd.log"
ok $? "and its clsact qdisc"
stop_tcflowd
is "$(ns b tc qdisc show dev b0 | grep -c clsact)" 0 "nothing of ours left on b0"

# an interface that goes away takes its record with it
conf "$T/s4"
start_tcflowd b "$T/c.conf"
[ -f "$T/s4/tc.$idx" ]
ok $? "b0's record is there while it is attached"
ns b ip link del b0
wait_for 5 log_has "b0 went away"
stop_tcflowd
[ ! -e "$T/s4/tc.$idx" ] && ! grep -q "warn: remove clsact qdisc from b0" "$T/tcflowd.log"
ok $? "b0 went away: its record is gone, without a complaint"

# a long state_dir is used whole, never cut (it was, at 255 characters)
long=$T/$(printf 'd%.0s' $(seq 100))/$(printf 'e%.0s' $(seq 100))/$(printf 'f%.0s' $(seq 100))
mkdir -p "${long%/*}"
conf "$long"
"$TCFLOWD" -t -c "$T/c.conf" >"$T/run.log" 2>&1
is "$?" 0 "a state_dir of ${#long} characters: -t accepts it"
start_tcflowd b "$T/c.conf"
[ -f "$long/lock" ]
ok $? "and the daemon locks it, at its whole length"
stop_tcflowd
# one longer than a path can be: refused, naming file:line and key
conf "/$(printf 'x%.0s' $(seq 4200))"
"$TCFLOWD" -t -c "$T/c.conf" >"$T/run.log" 2>&1
is "$?" 1 "a state_dir of 4,201 characters: -t refuses it"
grep -q "c.conf:3: state_dir: longer than 4095 characters" "$T/run.log"
ok $? "naming file:line: key"
done_testing
