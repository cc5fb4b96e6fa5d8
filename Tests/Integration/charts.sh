#!/usr/bin/env bash
# The chart suite (about 30 seconds): every sample chart of Tests/ReportsTests/SampleCharts.swift
# (a line chart, a stacked time line, a tornado, bars and the edge cases) drawn by two SVG
# rasterizers, cairosvg and rsvg-convert: each must come out at the SVG's size, with ink in
# its plot area (not a blank or transparent page), and the two drawings must carry about the
# same amount of ink. A browser draws what these two draw: the SVGs use no CSS, scripts or
# fonts of their own. Exit 77 when a rasterizer is missing (.ci/install/charts.sh installs both).
set -uo pipefail
cd "$(dirname "$0")/../.."
missing=()
command -v rsvg-convert >/dev/null || missing+=("rsvg-convert (librsvg2-bin)")
python3 -c 'import cairosvg' 2>/dev/null || missing+=("cairosvg (PyPI)")
if [ ${#missing[@]} -gt 0 ]; then
    echo "charts suite: skipped, missing ${missing[*]} (run .ci/install/charts.sh)"
    exit 77
fi
work=$(mktemp -d /tmp/platformsim-charts.XXXXXX)
trap 'rm -rf "$work"' EXIT
# The samples are written by the test that draws them (built already by `swift test`).
if ! CHART_SAMPLES_DIR="$work/svg" timeout 600 swift test --filter ChartSamples >"$work/build.log" 2>&1; then
    echo "charts suite: could not write the sample charts:"; tail -20 "$work/build.log"; exit 1
fi
timeout 300 python3 Tests/Integration/charts_raster.py "$work/svg" "$work/png"
