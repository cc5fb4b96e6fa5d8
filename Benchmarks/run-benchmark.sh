#!/usr/bin/env bash
# The platform benchmark: `platform-sim run` in release mode at 1,000,000 users for the peak
# hour of phase3, reporting simulated requests per wall second, events per second and peak
# memory; then how time grows with simulated requests (same users, longer windows) and how
# memory grows with users (same window, more users). One core: a run is single-threaded.
# Writes the tables to Benchmarks/results/run.md.
#
# The machine's speed moves by up to 1.5x from day to day, so the run also times a reference in
# the same run: the anchors' C++ M/M/c (`../shared/anchors/mmc.cpp`, g++ -O2, N = 1,000,000,
# best of RUNS), and states the platform's figure against it. With BASE_BIN set to another
# platform-sim binary (a build of an earlier commit), the peak-hour run alternates the two,
# RUNS pairs, and prints the paired median ratio of their wall times and whether their outputs
# (less the wall time and the provenance, which names the model file) are the same; BASE_MODEL
# is the model file the base reads (Models/platform.yaml unless told: an earlier commit's
# binary may not know a key added since; `git show COMMIT:Models/platform.yaml` into
# Models/ gives it its own).
#
# Environment: USERS (1000000), PHASE (phase3), RUNS (3, best of), OUT, ANCHORS_DIR, BASE_BIN,
# BASE_MODEL.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && git rev-parse --show-toplevel)"
cd "$ROOT"
USERS="${USERS:-1000000}"
PHASE="${PHASE:-phase3}"
RUNS="${RUNS:-3}"
OUT="${OUT:-$ROOT/Benchmarks/results/run.md}"
WORK="$ROOT/Benchmarks/.out"
mkdir -p "$WORK" "$(dirname "$OUT")"

echo "== Building platform-sim (release)"
swift build -c release --product platform-sim
BIN="$(swift build -c release --show-bin-path)/platform-sim"

# One measured run: prints "requests events wall_seconds peak_rss_kb".
measure() {
    local users="$1" duration="$2" warm="$3"
    /usr/bin/time -f "%M" -o "$WORK/rss.txt" "$BIN" run Models/platform.yaml --phase "$PHASE" --users "$users" \
        --duration "$duration" --warm-up "$warm" --format json > "$WORK/run.json"
    python3 - "$WORK/run.json" "$WORK/rss.txt" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); rss = open(sys.argv[2]).read().split()[-1]
# Requests simulated = responses in the window plus the warm-up's (scaled by time).
print(r["requests"], r["events"], r["wallSeconds"], rss, r["warmUpSeconds"], r["simulatedSeconds"])
PY
}

best() {  # best of RUNS by wall time
    local line best_line="" best_wall=""
    for _ in $(seq "$RUNS"); do
        line="$(measure "$@")"
        wall="$(echo "$line" | awk '{print $3}')"
        if [[ -z "$best_wall" ]] || awk "BEGIN{exit !($wall < $best_wall)}"; then best_wall="$wall"; best_line="$line"; fi
    done
    echo "$best_line"
}

# The same-run reference: customers per second of the C++ M/M/c anchor, best of RUNS.
ANCHORS_DIR="${ANCHORS_DIR:-$ROOT/../shared/anchors}"
ref=""
if [[ -f "$ANCHORS_DIR/mmc.cpp" ]] && g++ -O2 -o "$WORK/mmc_cpp" "$ANCHORS_DIR/mmc.cpp"; then
    echo "== The reference: C++ M/M/c ($ANCHORS_DIR/mmc.cpp), best of $RUNS"
    for _ in $(seq "$RUNS"); do
        c="$("$WORK/mmc_cpp" 1000000 8.5 1 10 | sed -n 's/.*cust_per_s=\([0-9]*\).*/\1/p')"
        if [[ -z "$ref" ]] || (( c > ref )); then ref="$c"; fi
    done
else
    echo "== The C++ reference was not found or did not compile at $ANCHORS_DIR: no same-run reference"
fi

echo "== Peak hour of $PHASE at $USERS users (best of $RUNS)"
read -r req ev wall rss warm sim <<<"$(best "$USERS" 3600 300)"

# Against an earlier build, alternating (same machine, same minutes): the paired median ratio.
paired=""
if [[ -n "${BASE_BIN:-}" ]]; then
    echo "== Against $BASE_BIN, $RUNS alternating pairs"
    ratios=()
    same="yes"
    for _ in $(seq "$RUNS"); do
        "$BASE_BIN" run "${BASE_MODEL:-Models/platform.yaml}" --phase "$PHASE" --users "$USERS" --duration 3600 --warm-up 300 --format json > "$WORK/base.json"
        "$BIN" run Models/platform.yaml --phase "$PHASE" --users "$USERS" --duration 3600 --warm-up 300 --format json > "$WORK/new.json"
        read -r ratio identical <<<"$(python3 - "$WORK/base.json" "$WORK/new.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
wa, wb = a.pop("wallSeconds"), b.pop("wallSeconds")
a.pop("provenance", None); b.pop("provenance", None)
print(wa / wb, "yes" if a == b else "no")
PY
)"
        ratios+=("$ratio"); [[ "$identical" == yes ]] || same="no"
    done
    paired="$(python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.3f}')" "${ratios[@]}")"
    paired_list="$(printf '%.3f ' "${ratios[@]}")"
fi
# The loop also simulates the warm-up: count its requests at the window's rate.
simreq=$(python3 -c "print(round($req * ($sim + $warm) / $sim))")
{
echo "# Platform benchmark"
echo
echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(swift --version 2>/dev/null | head -1)"
echo
echo "Command: \`Benchmarks/run-benchmark.sh\` (release build, one core, best of $RUNS)."
echo
echo "## Peak hour of $PHASE at $USERS users"
echo
echo "| figure | value |"
echo "|---|---:|"
echo "| simulated seconds (warm-up + window) | $(python3 -c "print(f'{$warm:.0f} + {$sim:.0f}')") |"
echo "| requests simulated (window / with warm-up) | $(python3 -c "print(f'{$req:,} / {$simreq:,}')") |"
echo "| events | $(python3 -c "print(f'{$ev:,}')") |"
echo "| wall seconds | $wall |"
echo "| simulated requests per wall second | $(python3 -c "print(f'{$simreq/$wall:,.0f}')") |"
echo "| events per wall second | $(python3 -c "print(f'{$ev/$wall:,.0f}')") |"
echo "| peak memory | $(python3 -c "print(f'{$rss/1024:.0f} MB')") |"
if [[ -n "$ref" ]]; then
    echo "| the reference, C++ M/M/c customers per wall second (same run) | $(python3 -c "print(f'{$ref:,}')") |"
    echo "| simulated requests per wall second per million reference customers per second | $(python3 -c "print(f'{$simreq/$wall/($ref/1e6):,.0f}')") |"
    # Issue 8's targets (700,000 and 1,000,000 requests a second) were set on 2026-11-28, when
    # the reference ran at about 8.2 million customers a second (Benchmarks/results/engine.md,
    # 2026-11-26: 8.24 M): the figure as if the machine ran at that speed.
    echo "| simulated requests per wall second at the reference's 8.24 M customers/s | $(python3 -c "print(f'{$simreq/$wall*8.24e6/$ref:,.0f}')") |"
fi
if [[ -n "$paired" ]]; then
    echo "| against \`$BASE_BIN\`: paired median ratio of wall times (base / this), $RUNS pairs | $paired ($paired_list) |"
    echo "| outputs the same as the base's (less the wall time and the provenance) | $same |"
fi
echo
echo "## Time against simulated requests ($USERS users, longer windows)"
echo
echo "| window s | requests | wall s | requests per wall s |"
echo "|---:|---:|---:|---:|"
for d in 900 1800 3600; do
    read -r req ev wall rss warm sim <<<"$(best "$USERS" "$d" 300)"
    simreq=$(python3 -c "print(round($req * ($sim + $warm) / $sim))")
    echo "| $d | $(python3 -c "print(f'{$simreq:,}')") | $wall | $(python3 -c "print(f'{$simreq/$wall:,.0f}')") |"
done
echo
echo "## Memory against users (60 s window)"
echo
echo "| users | peak memory MB | MB per million users |"
echo "|---:|---:|---:|"
for u in 100000 1000000 3000000 10000000; do
    read -r req ev wall rss warm sim <<<"$(measure "$u" 60 60)"
    echo "| $(python3 -c "print(f'{$u:,}')") | $(python3 -c "print(f'{$rss/1024:.0f}')") | $(python3 -c "print(f'{$rss/1024/($u/1e6):.1f}')") |"
done
} | tee "$OUT"
