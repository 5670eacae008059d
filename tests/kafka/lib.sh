# tests/kafka/lib.sh - the Kafka scenarios' helpers, on top of
# tests/netns/lib.sh: librdkafka's mock cluster in a test namespace, and
# python3-kafka as the independent consumer.
. "$(dirname "$0")/../netns/lib.sh"
MOCK=$top_builddir/tests/kafka/mock
CONSUME=$top_srcdir/tests/kafka/consume.py
COMPARE=$top_srcdir/tests/kafka/compare.py
# Debian's python3-kafka lives in the system python, whatever is first in PATH
KPY=/usr/bin/python3

# start_mock NS [ARGS...]: mock brokers in NS; sets MOCK_PID and BOOT
start_mock() {
	local i
	ip netns exec "$P$1" "$MOCK" -t 120 "${@:2}" >"$T/mock.out" 2>"$T/mock.err" &
	MOCK_PID=$!
	_pids="$_pids $MOCK_PID"
	for i in $(seq 100); do
		BOOT=$(head -n1 "$T/mock.out")
		[ -n "$BOOT" ] && return 0
		kill -0 "$MOCK_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$T/mock.err"
	bail "the mock brokers did not start"
}

# mock_signal SIGNAL WORD: send SIGNAL, wait until the mock prints WORD
mock_signal() {
	local n i
	n=$(grep -c "^$2\$" "$T/mock.out")
	kill "-$1" "$MOCK_PID"
	for i in $(seq 100); do
		[ "$(grep -c "^$2\$" "$T/mock.out")" -gt "$n" ] && return 0
		sleep 0.1
	done
	bail "the mock brokers did not go $2"
}

# close_line NAME: the figures the Kafka collector NAME logged at close
close_line() {
	sed -n "s/.*close collector $1: //p" "$T/tcflowd.log" | tail -n1
}

# kafka_read N [--hex] [SECONDS]: python3-kafka reads N messages of topic
# flows from the brokers in b into $T/got (consume.py: key, value a line;
# --hex: values in hex); shows the end of its stderr; its status
kafka_read() {
	local n=$1 hex= rc
	shift
	[ "${1:-}" = --hex ] && { hex=--hex; shift; }
	ns b "$KPY" "$CONSUME" $hex "$BOOT" flows "$n" "$@" >"$T/got" \
		2>"$T/consume.err"
	rc=$?
	sed 's/^/#   /' "$T/consume.err" | tail -5
	return $rc
}

# kafka_same ID KEY: every message in $T/got equals a record of the JSON
# collector ($T/flows.json), with exporter_id ID, keyed by KEY (a test)
kafka_same() {
	python3 "$COMPARE" "$T/flows.json" "$T/got" "$1" "$2" >"$T/cmp"
	ok $? "every Kafka message equals a JSON record: $(tail -n1 "$T/cmp")"
	sed "s/^/#   /" "$T/cmp" | head -20
}

# kafka_setup [ADDR-A ADDR-B]: namespaces a and b, a veth pair a0-b0 with
# 192.0.2.1/24 and .2 (and the addresses given), the sink on b port 9000,
# and the mock brokers in b with topic flows
kafka_setup() {
	ns_add a b
	veth a a0 b b0
	addr a a0 192.0.2.1/24 ${1:-}
	addr b b0 192.0.2.2/24 ${2:-}
	start_sink b 9000
	start_mock b "${MOCK_ARGS[@]:-flows}"
}
