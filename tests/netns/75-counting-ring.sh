#!/usr/bin/env bash
# Scenario 75: scenario 1 with every packet a ring record (counting = ring).
COUNTING=ring exec "$(dirname "$0")/01-exact.sh"
