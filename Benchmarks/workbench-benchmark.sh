#!/usr/bin/env bash
# The workbench's "done when", timed on a release build: a 1M-user phase3 what-if from the
# request to its result, against `platform-sim run` of the same runs measured in the same run.
# Writes Benchmarks/results/workbench.md. Settings: RUNS (default 3), OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product platform-sim
python3 Benchmarks/workbench_benchmark.py "$(swift build -c release --show-bin-path)/platform-sim" "${OUT:-Benchmarks/results/workbench.md}"
