#!/usr/bin/env bash
# Stops a testbed started by Testbed/up.sh and removes its directory (--keep leaves it):
#   Testbed/down.sh DIR [--keep]
# Stops only the processes up.sh started there (by their recorded ids, with their descendants:
# a recorded id may be a wrapper's, runuser's or a subshell's, with the server below it). Idempotent.
set -uo pipefail
# kill_tree SIGNAL PID: the process and everything below it, children first.
kill_tree() {
    local child
    for child in $(ps -o pid= --ppid "$2" 2>/dev/null); do kill_tree "$1" "$child"; done
    kill "$1" "$2" 2>/dev/null
}
dir=${1:-}
[ -n "$dir" ] || { echo "Testbed/down.sh: error: name the testbed's directory (printed by up.sh)" >&2; exit 64; }
[ -d "$dir" ] || exit 0
for name in api worker providers pgbouncer redis; do
    [ -f "$dir/$name.pid" ] && kill_tree -TERM "$(cat "$dir/$name.pid")"
done
if [ -f "$dir/pg/data/postmaster.pid" ]; then
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$dir/pg/data" -m fast -w stop >/dev/null 2>&1
    else /usr/lib/postgresql/15/bin/pg_ctl -D "$dir/pg/data" -m fast -w stop >/dev/null 2>&1; fi
fi
sleep 0.2
for name in api worker providers pgbouncer redis; do
    [ -f "$dir/$name.pid" ] && kill_tree -KILL "$(cat "$dir/$name.pid")"
done
if [ -f "$dir/watchdog.pid" ] && [ "$(cat "$dir/watchdog.pid")" != "$PPID" ]; then kill "$(cat "$dir/watchdog.pid")" 2>/dev/null; fi
[ "${2:-}" = --keep ] || rm -rf "$dir"
exit 0
