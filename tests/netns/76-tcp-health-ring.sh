#!/usr/bin/env bash
# Scenario 76: scenario 73 (TCP health) with every packet a ring record
# (counting = ring): handshakes, outcomes and retransmissions from records
# of one packet each.
COUNTING=ring exec "$(dirname "$0")/73-tcp-health.sh"
