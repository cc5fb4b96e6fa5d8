#!/usr/bin/env bash
# Load test of `platform-sim serve` on loopback (Tests/Browser/workbench_load.py): 100 page
# loads and 10 what-ifs at once, 10 saves at once, every stored result checked in the
# database; a closed event stream cancels its run. Needs python3 only (standard library).
# The binary is $PLATFORMSIM_BINARY, else the debug build. Bounded: 5 minutes at most.
# Exit: 0 pass, 77 python3 missing, 1 fail.
set -uo pipefail
cd "$(dirname "$0")/../.."
command -v python3 >/dev/null 2>&1 || { echo "workbench-load: python3 is missing" >&2; exit 77; }
binary="${PLATFORMSIM_BINARY:-}"
if [ -z "$binary" ]; then
    swift build --product platform-sim >/dev/null 2>&1 || { echo "workbench-load: swift build failed" >&2; exit 1; }
    binary="$(swift build --show-bin-path)/platform-sim"
fi
timeout --kill-after=10 300 python3 Tests/Browser/workbench_load.py "$binary"
code=$?
[ $code -eq 124 ] && echo "workbench-load: timed out after 300 s" >&2
exit $([ $code -eq 0 ] && echo 0 || echo 1)
