#!/usr/bin/env bash
# The engine benchmark in one command: builds PlatformSim's EngineBenchmark in release mode,
# compiles the C++ reference, installs SimPy and Ciw if missing, runs all of them side by side
# on the same M/M/c model (c = 10, lambda = 8.5, mu = 1), best of 3 runs each, and prints a
# markdown table that is also written to Benchmarks/results/engine.md.
#
# Environment: ANCHORS_DIR (default: <repo>/../shared/anchors), N (default 1000000),
# SIMPY_N (200000), CIW_N (100000), RUNS (3), OUT (Benchmarks/results/engine.md).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && git rev-parse --show-toplevel)"
cd "$ROOT"
ANCHORS_DIR="${ANCHORS_DIR:-$ROOT/../shared/anchors}"
N="${N:-1000000}"
SIMPY_N="${SIMPY_N:-200000}"
CIW_N="${CIW_N:-100000}"
RUNS="${RUNS:-3}"
OUT="${OUT:-$ROOT/Benchmarks/results/engine.md}"
WORK="$ROOT/Benchmarks/.out"
PYTHON="${PYTHON:-python3}"
mkdir -p "$WORK" "$(dirname "$OUT")"
notes=()
args=()

echo "== Building EngineBenchmark (release)"
swift build -c release --product EngineBenchmark
SWIFT_BIN="$(swift build -c release --show-bin-path)/EngineBenchmark"

if [[ -f "$ANCHORS_DIR/mmc.cpp" ]]; then
    ANCHORS_DIR="$(cd "$ANCHORS_DIR" && pwd)"
    args+=(--anchors "$ANCHORS_DIR")
    echo "== Compiling the C++ reference ($ANCHORS_DIR/mmc.cpp, g++ -O2)"
    if g++ -O2 -o "$WORK/mmc_cpp" "$ANCHORS_DIR/mmc.cpp"; then
        args+=(--cpp "$WORK/mmc_cpp")
    else
        echo "   could not compile mmc.cpp: skipping the C++ reference"
        notes+=("C++ reference skipped: mmc.cpp did not compile.")
    fi
    # Python peers: install the pinned versions if missing; skip a peer that is still missing.
    for spec in simpy==4.1.2 ciw==3.2.7; do
        mod="${spec%%==*}"; want="${spec##*==}"
        have="$("$PYTHON" -c "import $mod; print($mod.__version__)" 2>/dev/null || true)"
        if [[ "$have" != "$want" ]]; then
            echo "== Installing $spec (found: ${have:-none})"
            "$PYTHON" -m pip install --quiet --disable-pip-version-check "$spec" || true
            have="$("$PYTHON" -c "import $mod; print($mod.__version__)" 2>/dev/null || true)"
        fi
        if [[ "$have" == "$want" ]]; then
            args+=(--"$mod")
        else
            echo "   $spec is not available (found: ${have:-none}): skipping $mod"
            notes+=("$mod skipped: $spec could not be installed.")
        fi
    done
else
    echo "== Anchors not found at $ANCHORS_DIR (set ANCHORS_DIR): running PlatformSim alone"
    notes+=("C++, SimPy, Ciw and the analytic Wq skipped: anchors not found at $ANCHORS_DIR.")
fi

echo "== Running (best of $RUNS each)"
for n in "${notes[@]+"${notes[@]}"}"; do args+=(--note "$n"); done
exec "$PYTHON" "$ROOT/Benchmarks/engine_benchmark.py" --swift "$SWIFT_BIN" \
    --n "$N" --simpy-n "$SIMPY_N" --ciw-n "$CIW_N" --runs "$RUNS" --out "$OUT" "${args[@]}"
