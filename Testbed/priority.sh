#!/usr/bin/env bash
# Prints the command prefix that runs a testbed process (or the replayer) under the
# round-robin real-time policy, `chrt -r 10`, when this user may (root); nothing otherwise.
# See Testbed/up.sh for why.
if [ "$(id -u)" = 0 ] && chrt -r 10 true 2>/dev/null; then echo "chrt -r 10"; fi
