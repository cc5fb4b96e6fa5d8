#!/usr/bin/env bash
# The whole test suite: `swift test`, then every integration suite in Tests/Integration/.
#
#   Tests/run.sh                 # everything this machine can run
#   Tests/run.sh --swift-only    # only `swift test`
#   Tests/run.sh --integration-only   # only the integration suites (.ci/run runs `swift test` first)
#
# An integration suite is an executable `Tests/Integration/NAME.sh` that exits 0 when it
# passes, 77 when a prerequisite it needs is missing on this machine (a server, a browser, a
# scheduler: it says which and how to install it) and anything else when it fails. Locally a
# skipped suite is reported and does not fail the run; with PLATFORMSIM_REQUIRE_ALL=1 (as CI
# sets, after `.ci/install/*.sh` installed everything) a skip is a failure, so CI cannot pass
# a suite vacuously.
set -uo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
if [ "${1:-}" != "--integration-only" ]; then
    swift test || { echo "Tests/run.sh: swift test failed" >&2; exit 1; }
fi
[ "${1:-}" = "--swift-only" ] && exit 0

failed=() skipped=() passed=()
for suite in Tests/Integration/*.sh; do
    [ -x "$suite" ] || continue
    name=$(basename "$suite" .sh)
    echo "== integration suite $name"
    t0=$(date +%s)
    "$suite"
    code=$?
    t1=$(date +%s)
    case $code in
        0) passed+=("$name ($((t1 - t0)) s)") ;;
        77) skipped+=("$name") ;;
        *) failed+=("$name (exit $code)") ;;
    esac
done
echo "== integration suites: passed ${#passed[@]}${passed:+: ${passed[*]}}; skipped ${#skipped[@]}${skipped:+: ${skipped[*]}}; failed ${#failed[@]}${failed:+: ${failed[*]}}"
echo "== whole suite: $(( $(date +%s) - started )) s"
if [ ${#failed[@]} -gt 0 ]; then exit 1; fi
if [ ${#skipped[@]} -gt 0 ] && [ "${PLATFORMSIM_REQUIRE_ALL:-0}" = 1 ]; then
    echo "Tests/run.sh: suites skipped although PLATFORMSIM_REQUIRE_ALL=1: ${skipped[*]}" >&2
    exit 1
fi
exit 0
