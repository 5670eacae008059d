#!/usr/bin/env bash
# Scenario 8: scenario 1 with the socket filter instead of TC.
HOOK=socket exec "$(dirname "$0")/01-exact.sh"
