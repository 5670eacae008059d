#!/usr/bin/env bash
# NetFlow v9 to nfcapd: scenario 10 with templates, and IPv6 too.
PROTO=netflow9 exec "$(dirname "$0")/10-netflow5.sh"
