#!/usr/bin/env bash
# The testbed's integration suite (about 5 minutes): the real stack of Testbed/ against the
# simulator on the same traces.
#  1. The seeded schema and row counts against the model (every table, a few heavy users,
#     exactly the configuration's indexes).
#  2. The limiter decision by decision: a cold-start phase1 trace with many 429s (per IP and
#     per user) replayed against the testbed's Redis limiter; at most 1% of decisions may
#     differ (requests that reach the real limiter across a window end from the trace's time).
#  3. A short validation of phase1 at two load levels (low load and a moderate one): the
#     throughput target (within 4%) and the errors-by-kind target (each kind within 20% of the
#     measured count or 0.2 points of requests) asserted at both.
# Exit 77 when the stack is not installed (.ci/install/testbed.sh installs it).
set -uo pipefail
cd "$(dirname "$0")/../.."
missing=()
[ -x /usr/lib/postgresql/15/bin/postgres ] || missing+=(postgresql-15)
[ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
command -v redis-server >/dev/null || missing+=(redis-server)
node -e 'require("pg"); require("express"); require("redis")' 2>/dev/null || missing+=("nodejs 18 with node-pg, node-express, node-redis")
command -v taskset >/dev/null || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
    echo "testbed suite: skipped, missing ${missing[*]} (run .ci/install/testbed.sh)"
    exit 77
fi
sim=${PLATFORM_SIM:-.build/debug/platform-sim}
[ -x "$sim" ] || swift build --product platform-sim >/dev/null || { echo "testbed suite: cannot build platform-sim"; exit 1; }
work=$(mktemp -d /tmp/platformsim-testbed-suite.XXXXXX)
chmod 755 "$work"
testbed=""
cleanup() { [ -n "$testbed" ] && Testbed/down.sh "$testbed" >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT
# The whole suite is bounded: it stops itself after 8 minutes whatever happens.
( sleep 480; echo "testbed suite: timed out" >&2; kill -TERM $$ ) & watchdog=$!
trap 'cleanup; kill $(pgrep -P $watchdog) $watchdog 2>/dev/null' EXIT
overlays=(--overlay Models/testbed/topology.yaml --overlay Models/testbed/service-times.yaml)
users=200
failed=0
check() { if "$@"; then :; else failed=1; fi; }

"$sim" trace Models/platform.yaml --phase phase1 --users $users "${overlays[@]}" --duration 1 --warm-up 0 \
    --out "$work/setup.csv" --users-out "$work/users.csv" --testbed-settings "$work/settings.json" >/dev/null || exit 1
testbed=$(Testbed/up.sh --settings "$work/settings.json" --users "$work/users.csv" --max-seconds 600) || exit 1
# shellcheck disable=SC1091
. "$testbed/env"

echo "== schema and seeded rows against the model"
check env PGHOST=127.0.0.1 PGPORT="$PG_PORT" PGUSER=postgres PGDATABASE=postgres node Testbed/app/rowcheck.js "$work/settings.json" "$work/users.csv"

replay() { # SCALE WARMUP DURATION DIR
    mkdir -p "$4"
    "$sim" trace Models/platform.yaml --phase phase1 --users $users "${overlays[@]}" --rate-scale "$1" --cold-start \
        --warm-up "$2" --duration "$3" --out "$4/trace.csv" >/dev/null &&
    TESTBED_ENV="$testbed/env" $(Testbed/priority.sh) taskset -c 0 node Testbed/app/replay.js "$4/trace.csv" "$4"
}

echo "== the limiter, decision by decision"
# About 130 requests a second from 200 users for 70 s: offices pass the 300 per minute per IP,
# power users their tier's limit, and windows turn over.
if replay 120 0 70 "$work/limiter"; then
    check node Testbed/app/limiter-check.js "$work/limiter/trace.csv" "$work/limiter/measured.csv" "$work/settings.json"
else failed=1; fi

echo "== short validation: phase1 at two load levels"
# Both sides start cold (the replayer empties Redis and the API's caches), so a short warm-up
# suffices: what remains of the start-up transient is on both sides alike.
for level in 10:low 30:moderate; do
    IFS=: read -r scale name <<<"$level"
    if replay "$scale" 20 40 "$work/runs/$name"; then
        echo '{"loadShare": 0, "capacityRateScale": 0, "baseline": false}' >"$work/runs/$name/level.json"
    else failed=1; fi
done
# The low level once more (the same trace): the notebook sets the second measurement beside the first.
if replay 10 20 40 "$work/runs/low-again"; then
    echo '{"loadShare": 0, "capacityRateScale": 0, "baseline": false}' >"$work/runs/low-again/level.json"
else failed=1; fi
if "$sim" validation-report "$work/runs/low" "$work/runs/moderate" --repeat "$work/runs/low-again" --replications 3 \
    --out "$work/validation.md" --check-targets throughput,errors; then
    echo "short validation: throughput and errors by kind within their targets at both levels"
else
    failed=1
    sed -n '/## The targets/,/## The saturation/p' "$work/validation.md"
fi
if grep -q '^## The testbed against itself' "$work/validation.md"; then
    echo "short validation: the repeated level is set beside the first"
else
    failed=1; echo "short validation: the notebook lacks the repeated level"
fi
[ $failed = 0 ] && echo "testbed suite: passed" || echo "testbed suite: FAILED"
exit $failed
