#!/usr/bin/env bash
# Installs the two SVG rasterizers the chart suite (Tests/Integration/charts.sh) draws every
# chart kind with: rsvg-convert (Debian's librsvg2-bin) and cairosvg (PyPI; it uses the
# system's libcairo2). Idempotent: does nothing when both are there.
set -euo pipefail
if ! command -v rsvg-convert >/dev/null 2>&1; then
    echo "charts: installing librsvg2-bin"
    export DEBIAN_FRONTEND=noninteractive
    # Another installer may hold apt's locks for a while: wait for it (up to 10 minutes).
    for _ in $(seq 60); do apt-get -o DPkg::Lock::Timeout=600 update -qq && break; sleep 10; done
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends librsvg2-bin libcairo2 >/dev/null
fi
if ! python3 -c 'import cairosvg' >/dev/null 2>&1; then
    echo "charts: installing cairosvg"
    python3 -m pip install --quiet cairosvg
fi
echo "charts: rsvg-convert $(rsvg-convert --version | awk '{print $NF}'), cairosvg $(python3 -c 'import cairosvg; print(cairosvg.__version__)')"
