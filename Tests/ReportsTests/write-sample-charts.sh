#!/usr/bin/env bash
# Writes the sample charts of Tests/ReportsTests/SampleCharts.swift as SVG files into DIR
# (default /tmp/platformsim-charts), to look at in a browser:
#
#   Tests/ReportsTests/write-sample-charts.sh [DIR]
#
# It runs the one test that writes them (skipped in an ordinary `swift test`).
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$(realpath -m "${1:-/tmp/platformsim-charts}")
CHART_SAMPLES_DIR="$dir" swift test --filter 'ChartSamples/writeSamples'
echo "sample charts written to $dir:"
ls "$dir"
