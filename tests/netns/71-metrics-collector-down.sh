#!/usr/bin/env bash
# A UDP collector (nfcapd, IPFIX) goes away mid-run and comes back.
# tcflowd_collector_up goes to 0, the records sent meanwhile are counted
# as not sent - exactly those: what nfcapd decoded plus not_sent is every
# record (the JSON collector's) - the log says so once, and once when it
# is back, with up at 1 again.
. "$(dirname "$0")/lib.sh"
need_root
PROM_PY=$top_srcdir/tests/netns/prom.py
URL=http://127.0.0.1:9465/metrics
S='{collector="nfcapd",protocol="ipfix"}'
metric() { ns b python3 "$PROM_PY" value "$URL" "$1"; }
# shows SERIES VALUE: a scrape shows it
shows() { [ "$(metric "$1")" = "$2" ]; }
json_records() { wc -l <"$T/flows.json"; }

quiet_pair
config "$T/c.conf" "[capture]" "interfaces = b0" "direction = ingress" \
	"[flows]" "fetch_interval_ms = 100" "idle_timeout_s = 1" \
	"[metrics]" "listen = 127.0.0.1:9465" \
	"[collector nfcapd]" "protocol = ipfix" "address = 127.0.0.1" "port = 2055" \
	"template_refresh_s = 1"
start_nfcapd b "$T/nf1" 2055
start_tcflowd b "$T/c.conf"
J="{collector=\"test\",protocol=\"json\"}"

ns a "$GEN" udp -d "$SINK" -p 9000 -f 10 -n 3 -s 50 -b 20000 >/dev/null
wait_for 10 shows "tcflowd_collector_records_sent_total$J" 10
wait_for 10 shows "tcflowd_collector_records_sent_total$S" 10
ok $? "up: 10 records sent to nfcapd"
is "$(metric "tcflowd_collector_up$S")" 1 "up: tcflowd_collector_up is 1"
stop_nfcapd

ns a "$GEN" udp -d "$SINK" -p 9000 -f 10 -n 3 -s 50 -b 21000 >/dev/null
wait_for 10 shows "tcflowd_collector_records_sent_total$J" 20
wait_for 10 shows "tcflowd_collector_up$S" 0
ok $? "down: tcflowd_collector_up goes to 0"
is "$(metric "tcflowd_collector_records_not_sent_total$S")" 10 \
	"down: the 10 records sent meanwhile are counted as not sent"
is "$(metric "tcflowd_collector_records_sent_total$S")" 10 "down: ... and not as sent"
ok "$([ "$(metric "tcflowd_collector_errors_total{collector=\"nfcapd\",protocol=\"ipfix\",error=\"refused\"}")" -ge 1 ]; echo $?)" \
	"down: counted as refused"
# a second burst while down: logged no more
ns a "$GEN" udp -d "$SINK" -p 9000 -f 5 -n 3 -s 50 -b 21500 >/dev/null
wait_for 10 shows "tcflowd_collector_records_not_sent_total$S" 15
ok $? "down: 5 more records not sent"
is "$(grep -c 'send to collector nfcapd (127.0.0.1:2055): Connection refused' "$T/tcflowd.log")" 1 \
	"down: logged once"

start_nfcapd b "$T/nf2" 2055
ns a "$GEN" udp -d "$SINK" -p 9000 -f 10 -n 3 -s 50 -b 22000 >/dev/null
wait_for 10 shows "tcflowd_collector_records_sent_total$J" 35
wait_for 10 shows "tcflowd_collector_up$S" 1
ok $? "back: tcflowd_collector_up is 1 again"
is "$(grep -c 'collector nfcapd (127.0.0.1:2055): up again' "$T/tcflowd.log")" 1 "back: logged once"
sent=$(metric "tcflowd_collector_records_sent_total$S")
not_sent=$(metric "tcflowd_collector_records_not_sent_total$S")
stop_tcflowd
stop_nfcapd
decoded=$(nfdump -R "$T/nf1" -q -N -o "fmt:%sp" 2>/dev/null | wc -l)
decoded2=$(nfdump -R "$T/nf2" -q -N -o "fmt:%sp" 2>/dev/null | wc -l)
diag "sent $sent, not sent $not_sent; nfcapd decoded $decoded + $decoded2 of $(json_records)"
is "$decoded $decoded2" "10 10" "nfcapd decoded the 10 records before and the 10 after"
is "$sent" $((decoded + decoded2)) "records_sent is what nfcapd decoded"
is "$not_sent" $(($(json_records) - decoded - decoded2)) \
	"records_not_sent is exactly what nfcapd missed"
done_testing
