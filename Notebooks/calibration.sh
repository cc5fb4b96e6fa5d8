#!/usr/bin/env bash
# Makes the calibration notebook, Notebooks/calibration.md, and its overlay: the simulator
# writes one day of access log for an example platform (Models/scenarios/calibration-example.yaml,
# standing in for a production log, which this project does not have), `platform-sim calibrate`
# turns it into Notebooks/calibration.overlay.yaml, and runs the roadmap with the model as it is
# and with that overlay. The log (about 90 MB) is kept under .build, not committed. The files
# come out byte-identical from one run to the next. Called by Notebooks/regenerate.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product platform-sim >/dev/null
bin=.build/release/platform-sim
mkdir -p .build/calibration-example
log=.build/calibration-example/access.log
$bin run Models/platform.yaml --overlay Models/scenarios/calibration-example.yaml --users 10000 --seed 1 \
    --start-hour 0 --duration 86400 --log-date 2026-11-20 --write-access-log "$log" >/dev/null
$bin calibrate Models/platform.yaml --access-log "$log" --registered-users 10000 \
    --out Notebooks/calibration.overlay.yaml --notebook Notebooks/calibration.md --experiment Experiments/roadmap.yaml \
    --log-note "The project has no production log, so the simulator writes one: a whole day (2026-11-20, UTC) of the access log an Express app with morgan would write, for an example platform of 10,000 registered users whose traffic differs from the model's assumptions (Models/scenarios/calibration-example.yaml: US business hours, a quarter of the users active each day, larger offices, heavier power users). Calibration does not know that file: it sees only the log, as it would a real one." >/dev/null
echo "calibration: Notebooks/calibration.md, Notebooks/calibration.overlay.yaml" >&2
