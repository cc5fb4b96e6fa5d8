#!/usr/bin/env bash
# The calibration benchmark: `platform-sim calibrate` streaming a large access log in release
# mode, against `wc -l` on the same file in the same run (the floor for reading it), reporting
# lines per second and peak memory; then the same calibration on a quarter of the log (one
# day instead of four, same users) to show that memory does not grow with the log's length.
#
# The log is the simulator's own: USERS registered users over DAYS whole days (combined format,
# response times appended), about 250 MB a day at the default 27,000 users, so 1 GB in all.
# It is written once to Benchmarks/.out and reused while its settings stay the same.
#
# Environment: USERS (27000), DAYS (4), RUNS (3, best of), OUT.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && git rev-parse --show-toplevel)"
cd "$ROOT"
USERS="${USERS:-27000}"
DAYS="${DAYS:-4}"
RUNS="${RUNS:-3}"
OUT="${OUT:-$ROOT/Benchmarks/results/calibrate.md}"
WORK="$ROOT/Benchmarks/.out"
mkdir -p "$WORK" "$(dirname "$OUT")"

echo "== Building platform-sim (release)"
swift build -c release --product platform-sim
BIN="$(swift build -c release --show-bin-path)/platform-sim"

LOG="$WORK/access-$USERS-$DAYS.log"
DAY="$WORK/access-$USERS-1.log"
if [ ! -s "$LOG" ]; then
    echo "== Writing a $DAYS-day access log of $USERS users"
    "$BIN" run Models/platform.yaml --users "$USERS" --start-hour 0 --duration $((DAYS * 86400)) \
        --write-access-log "$LOG" > /dev/null
fi
if [ ! -s "$DAY" ]; then
    awk '$4 < "[21/Nov"' "$LOG" > "$DAY.tmp" && mv "$DAY.tmp" "$DAY"   # the first day (2026-11-20)
fi

# One timed command: prints "wall_seconds peak_rss_kb".
timed() {
    /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" > /dev/null
    cat "$WORK/time.txt"
}
best() {  # best wall time of RUNS, with that run's memory
    local best_line="" line
    for _ in $(seq "$RUNS"); do
        line="$(timed "$@")"
        if [ -z "$best_line" ] || awk -v a="$line" -v b="$best_line" 'BEGIN { split(a, x, " "); split(b, y, " "); exit !(x[1] < y[1]) }'; then
            best_line="$line"
        fi
    done
    echo "$best_line"
}

lines=$(wc -l < "$LOG"); bytes=$(stat -c %s "$LOG")
day_lines=$(wc -l < "$DAY"); day_bytes=$(stat -c %s "$DAY")
echo "== wc -l on $LOG ($lines lines, $bytes bytes), best of $RUNS"
wc_line=$(best wc -l "$LOG")
echo "== platform-sim calibrate on the whole log"
cal_line=$(best "$BIN" calibrate --access-log "$LOG" --registered-users "$USERS" --out "$WORK/calibrated.yaml")
echo "== platform-sim calibrate on the first day ($day_lines lines)"
day_line=$(best "$BIN" calibrate --access-log "$DAY" --registered-users "$USERS" --out "$WORK/calibrated-day.yaml")

python3 - "$lines" "$bytes" "$day_lines" "$day_bytes" "$wc_line" "$cal_line" "$day_line" "$OUT" "$USERS" "$DAYS" "$RUNS" <<'PY'
import sys, subprocess, datetime, os
lines, size, day_lines, day_size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
wc, cal, day = [tuple(float(x) for x in s.split()) for s in sys.argv[5:8]]
out, users, days, runs = sys.argv[8], sys.argv[9], sys.argv[10], sys.argv[11]
def mib(kb): return kb / 1024
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
load = open("/proc/loadavg").read().split()[0]
rows = [
    ("wc -l (reads the file once)", lines, size, wc),
    ("platform-sim calibrate, %s days (two passes)" % days, lines, size, cal),
    ("platform-sim calibrate, first day", day_lines, day_size, day),
]
text = "# Calibration benchmark\n\n"
text += "%s, %s cores, %s; load average %s before the runs; best of %s.\n\n" % (datetime.date.today(), os.cpu_count(), cpu, load, runs)
text += "The simulator's own access log of %s registered users over %s days (morgan combined with response times).\n\n" % (users, days)
text += "| command | lines | MB | wall s | lines/s | MB/s | peak RSS MiB |\n|---|---:|---:|---:|---:|---:|---:|\n"
for name, n, b, (wall, rss) in rows:
    text += "| %s | %s | %.0f | %.2f | %s | %.0f | %.1f |\n" % (name, format(n, ","), b / 1e6, wall, format(int(n / wall), ","), b / 1e6 / wall, mib(rss))
text += "\nRatios: calibrate takes %.1fx the time of `wc -l` on the same file (it reads it twice and parses, routes and counts every line); " % (cal[0] / wc[0])
text += "its peak memory on %s days is %.2fx that on one day (the same users): memory follows the users and IPs, not the log's length.\n" % (days, cal[1] / day[1])
open(out, "w").write(text)
print(text)
PY
