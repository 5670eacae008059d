#!/usr/bin/env bash
# IPFIX (libfixbuf) over UDP to nfcapd: scenario 10 with IPFIX templates,
# IPv4 and IPv6.
PROTO=ipfix exec "$(dirname "$0")/10-netflow5.sh"
