#!/usr/bin/env bash
# The workbench in a real browser: starts `platform-sim serve` on a free loopback port with a
# temporary results database, drives headless Chromium through the model view, a what-if from
# form to result, the results browser and a notebook (Tests/Browser/workbench_browser.py),
# and stops the server. Screenshots go to $WORKBENCH_SCREENSHOTS (default: a temporary
# folder; Documentation/screenshots holds the ones the README shows).
#
# The binary is $PLATFORMSIM_BINARY, else the debug build (which `swift test` has made). A
# debug build simulates several times slower than a release build, so the what-if here is
# phase3 at 100k users unless WORKBENCH_USERS says otherwise; Benchmarks/workbench-benchmark.sh
# times the 1M-user what-if on a release build.
# Exit: 0 pass, 77 a prerequisite is missing (.ci/install/browser.sh installs them), 1 fail.
set -uo pipefail
cd "$(dirname "$0")/../.."
for tool in chromium chromedriver python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "browser: $tool is missing; run .ci/install/browser.sh" >&2; exit 77; }
done
python3 -c "import selenium" 2>/dev/null || { echo "browser: the Python package selenium is missing; run .ci/install/browser.sh" >&2; exit 77; }

binary="${PLATFORMSIM_BINARY:-}"
if [ -z "$binary" ]; then
    swift build --product platform-sim >/dev/null 2>&1 || { echo "browser: swift build failed" >&2; exit 1; }
    binary="$(swift build --show-bin-path)/platform-sim"
    export WORKBENCH_USERS="${WORKBENCH_USERS:-100000}"
    export WORKBENCH_ANSWER_LIMIT="${WORKBENCH_ANSWER_LIMIT:-120}"
    # The form's default user count to match, so that the baseline the page starts making
    # ahead is the one the suite runs (a limits file, which also exercises --limits).
    limits="$(mktemp)"
    trap 'rm -f "$limits"' EXIT
    echo "defaultUsers: $WORKBENCH_USERS" > "$limits"
    export WORKBENCH_SERVE_ARGS="--limits $limits"
fi
shots="${WORKBENCH_SCREENSHOTS:-$(mktemp -d)}"
# Bounded: the suite stops itself after 8 minutes whatever happens.
timeout --kill-after=10 480 python3 Tests/Browser/workbench_browser.py "$binary" "$shots"
code=$?
[ $code -eq 124 ] && echo "browser: timed out after 480 s" >&2
exit $([ $code -eq 0 ] && echo 0 || echo 1)
