#!/usr/bin/env bash
# Regenerates every notebook in this folder from the experiments in ../Experiments: rebuilds
# the release binary, then runs `platform-sim notebook` on each experiment file. The notebooks
# and their charts come out byte-identical from one run to the next (the simulation is seeded
# and no date, wall time or absolute path goes into them); `git diff` after running this shows
# only what a change to the model or the program changed.
#
#   Notebooks/regenerate.sh                  # every experiment, then the sizing and sensitivity notebooks
#   Notebooks/regenerate.sh rate-limits      # only Experiments/rate-limits.yaml
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for f in Experiments/*.yaml; do names+=("$(basename "$f" .yaml)"); done
fi
for name in "${names[@]}"; do
    start=$(date +%s%N)
    log=$(mktemp)
    if ! .build/release/platform-sim notebook "Experiments/$name.yaml" >/dev/null 2>"$log"; then
        cat "$log" >&2; rm -f "$log"; exit 1
    fi
    rm -f "$log"
    end=$(date +%s%N)
    echo "$name: $(( (end - start) / 1000000 )) ms" >&2
done

# The what-if notebooks that are not experiments: sizing and sensitivity (only with no names given).
if [ $# -eq 0 ]; then
    bin=.build/release/platform-sim
    # Exit status 2 means "no capacity meets the SLO": that notebook says why, which is the point.
    $bin size Models/platform.yaml --phase phase3 --users 1000000 --slo "p99<=300ms,errors<=0.1%" \
        --notebook Notebooks/sizing-phase3-1M.md >/dev/null 2>&1 || [ $? -eq 2 ]
    echo "size phase3 1M: done" >&2
    $bin size Models/platform.yaml --phase phase3 --users 1000000 --slo "p99<=300ms,errors<=0.1%" \
        --set rateLimiters.global.enabled=false --notebook Notebooks/sizing-phase3-1M-no-ip-limit.md >/dev/null 2>&1 || [ $? -eq 2 ]
    echo "size phase3 1M without the per-IP limit: done" >&2
    $bin sensitivity Models/platform.yaml --phase phase3 --users 1000000 --replications 2 --notebook Notebooks/sensitivity-phase3-1M.md >/dev/null 2>&1
    echo "sensitivity phase3 1M: done" >&2
    # The calibration notebook: a simulated day's access log calibrated, the roadmap run assumed and calibrated.
    Notebooks/calibration.sh
fi
