#!/usr/bin/env bash
# Measures the testbed's service times at one client and writes them as the overlay
# Models/testbed/service-times.yaml (every number commented `measured: ...`).
#   Testbed/measure.sh [--users 1000] [--runs 3] [--out Models/testbed/service-times.yaml] [--allow-busy]
# Builds platform-sim if needed, starts a phase3 testbed (PgBouncer and every composite
# index), measures (the median of --runs measurements, figure by figure), stops it. About
# 4 minutes a run (2026-11-29). Nothing else may run on the machine meanwhile: Testbed/host-load.py checks that
# other processes used at most 5% of a core during the measurement and the hypervisor stole at
# most 1% of the machine's CPU time and, when either was more, the script fails without writing the overlay (--allow-busy writes it anyway).
set -euo pipefail
cd "$(dirname "$0")/.."
users=1000 out=Models/testbed/service-times.yaml runs=3 busy_limit=0.05 steal_limit=0.01
while [ $# -gt 0 ]; do
    case "$1" in
        --users) users=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --allow-busy) busy_limit=1000 steal_limit=1000; shift ;;
        *) echo "Testbed/measure.sh: error: unknown option $1" >&2; exit 64 ;;
    esac
done
# The checkout's own simulator, built now (a binary left from an earlier build would predict with
# other code; seconds when nothing changed); PLATFORM_SIM names another and is used as it is.
if [ -n "${PLATFORM_SIM:-}" ]; then
    sim=$PLATFORM_SIM
else
    swift build -c release --product platform-sim >&2 || { echo "$0: error: cannot build platform-sim" >&2; exit 1; }
    sim=.build/release/platform-sim
fi
work=$(mktemp -d /tmp/platformsim-measure.XXXXXX)
chmod 755 "$work"  # the testbed inside runs Postgres as the postgres user
trap 'Testbed/down.sh "$work/testbed" >/dev/null 2>&1; rm -rf "$work"' EXIT
"$sim" trace Models/platform.yaml --phase phase3 --users "$users" --overlay Models/testbed/topology.yaml \
    --duration 1 --warm-up 0 --out "$work/trace.csv" --users-out "$work/users.csv" --testbed-settings "$work/settings.json" >/dev/null
TESTBED_FIRST_SEGMENT=1 Testbed/up.sh --settings "$work/settings.json" --users "$work/users.csv" --dir "$work/testbed" --max-seconds 900 >/dev/null
# Each figure moves by 10-40% from one measurement to the next on a shared machine (a timer
# tick of /proc CPU, another VM on the host): measure $runs times on the same testbed and keep,
# line by line, the run with the median value (Testbed/median-lines.py).
python3 Testbed/host-load.py start "$work/host-start.json"
for k in $(seq "$runs"); do
    TESTBED_ENV="$work/testbed/env" $(Testbed/priority.sh) taskset -c 0 node Testbed/app/measure.js "$work/users.csv" >"$work/overlay-$k.yaml"
done
python3 Testbed/host-load.py check "$work/host-start.json" --pid "$BASHPID" --limit "$busy_limit" --steal-limit "$steal_limit" --label "the service times" \
    --log "$work/host-load.txt" --program Testbed/measure.sh --unwritten "$out is not written" || exit 1
cat "$work/host-load.txt" >&2
python3 Testbed/median-lines.py "$work"/overlay-*.yaml >"$work/overlay.yaml"
mkdir -p "$(dirname "$out")"
mv "$work/overlay.yaml" "$out"
echo "wrote $out" >&2
