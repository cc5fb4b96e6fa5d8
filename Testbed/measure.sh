#!/usr/bin/env bash
# Measures the testbed's service times at one client and writes them as the overlay
# Models/testbed/service-times.yaml (every number commented `measured: ...`).
#   Testbed/measure.sh [--users 1000] [--out Models/testbed/service-times.yaml]
# Builds platform-sim if needed, starts a phase3 testbed (PgBouncer and every composite
# index), measures, stops it. About two minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
users=1000 out=Models/testbed/service-times.yaml
while [ $# -gt 0 ]; do
    case "$1" in
        --users) users=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        *) echo "Testbed/measure.sh: error: unknown option $1" >&2; exit 64 ;;
    esac
done
sim=${PLATFORM_SIM:-.build/release/platform-sim}
[ -x "$sim" ] || swift build -c release --product platform-sim >&2
work=$(mktemp -d /tmp/platformsim-measure.XXXXXX)
chmod 755 "$work"  # the testbed inside runs Postgres as the postgres user
trap 'Testbed/down.sh "$work/testbed" >/dev/null 2>&1; rm -rf "$work"' EXIT
"$sim" trace Models/platform.yaml --phase phase3 --users "$users" --overlay Models/testbed/topology.yaml \
    --duration 1 --warm-up 0 --out "$work/trace.csv" --users-out "$work/users.csv" --testbed-settings "$work/settings.json" >/dev/null
Testbed/up.sh --settings "$work/settings.json" --users "$work/users.csv" --dir "$work/testbed" --max-seconds 900 >/dev/null
TESTBED_ENV="$work/testbed/env" $(Testbed/priority.sh) taskset -c 0 node Testbed/app/measure.js "$work/users.csv" >"$work/overlay.yaml"
mkdir -p "$(dirname "$out")"
mv "$work/overlay.yaml" "$out"
echo "wrote $out" >&2
