#!/usr/bin/env bash
# Prints the command prefix that runs a testbed process (or the replayer) at the highest
# ordinary priority, `nice -n -20`, when this user may (root); nothing otherwise.
# See Testbed/up.sh for why.
if nice -n -20 true 2>/dev/null && [ "$(nice -n -20 nice)" = -20 ]; then echo "nice -n -20"; fi
