#!/usr/bin/env bash
# The input-side fuzz run (issue 10): every numeric and distribution key of the model at
# extreme values through `validate --set` (and every value it accepts through run, sweep,
# report and size), then 1,000 mutated model and experiment files through validate, run,
# sweep and report. Zero crashes, zero hangs and zero messy failures pass. It takes 20 to 30
# minutes on the 2-core build machine with a release build (10,402 commands in 1,107 s on a
# quiet machine, 1,539 s beside other builds, after the merge of main); not part of Tests/run.sh
# (a short version runs in `swift test`: Tests/FuzzTests/ExtremeValueTests.swift).
#
#   Tests/Fuzz/run.sh                      # seed 1, 1,000 mutations, every key value
#   Tests/Fuzz/run.sh --seed 7 --mutations 3000
#   Tests/Fuzz/run.sh --keys 300           # a random 300 of the key values only
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product platform-sim >/dev/null
bin="$(swift build -c release --show-bin-path)/platform-sim"
mkdir -p Tests/Fuzz/.out
exec python3 Tests/Fuzz/fuzz.py --binary "$bin" --log Tests/Fuzz/.out/failures.jsonl "$@"
