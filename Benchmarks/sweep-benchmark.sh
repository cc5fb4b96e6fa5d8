#!/usr/bin/env bash
# The roadmap sweep, timed: builds platform-sim in release mode, runs
# `platform-sim sweep Experiments/roadmap.yaml` into a fresh database under GNU time, and
# prints the wall time and peak memory (maximum resident set size) against the targets
# (under 120 s and under 1 GiB on the 2-core build machine: issue 8's target for the roadmap with
# three seeds and 30-minute windows), with the CPU time beside them
# (wall time depends on what else the machine runs; CPU time much less). The result, with the date, the
# machine and its load average before the run, is also written to Benchmarks/results/sweep.md.
# Exits 1 when a target is missed.
#
# Environment: EXPERIMENT (default Experiments/roadmap.yaml), JOBS (default: all cores),
# DB (default Benchmarks/.out/sweep.sqlite, deleted first), OUT (Benchmarks/results/sweep.md).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && git rev-parse --show-toplevel)"
cd "$ROOT"
EXPERIMENT="${EXPERIMENT:-Experiments/roadmap.yaml}"
WORK="$ROOT/Benchmarks/.out"
DB="${DB:-$WORK/sweep.sqlite}"
OUT="${OUT:-$ROOT/Benchmarks/results/sweep.md}"
mkdir -p "$WORK" "$(dirname "$OUT")"
[[ -x /usr/bin/time ]] || { echo "GNU time is needed at /usr/bin/time (Debian package 'time')" >&2; exit 2; }

echo "== Building platform-sim (release)"
swift build -c release --product platform-sim
BIN="$(swift build -c release --show-bin-path)/platform-sim"

rm -f "$DB"
jobs_args=()
[[ -n "${JOBS:-}" ]] && jobs_args=(--jobs "$JOBS")
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "== Sweeping $EXPERIMENT into $DB (load average before: $load_before)"
/usr/bin/time -f "%e %M %U %S" -o "$WORK/sweep.time" \
    "$BIN" sweep "$EXPERIMENT" --db "$DB" "${jobs_args[@]}" --format md > "$WORK/sweep-tables.md" 2> "$WORK/sweep-progress.txt"
read -r wall rss_kb user_s sys_s < "$WORK/sweep.time"
cpu_s="$(awk -v u="$user_s" -v s="$sys_s" 'BEGIN { printf "%.1f", u + s }')"
runs="$(grep -c '^sweep: ' "$WORK/sweep-progress.txt" || true)"
rss_mib=$(( rss_kb / 1024 ))
cpu_sum="$(sqlite3 "$DB" 'SELECT printf("%.1f", SUM(wall_s)) FROM runs' 2>/dev/null || echo "?")"
requests="$(sqlite3 "$DB" 'SELECT SUM(requests) FROM runs' 2>/dev/null || echo "?")"

verdict_time=$(awk -v w="$wall" 'BEGIN { print (w < 120) ? "yes" : "no" }')
verdict_mem=$(( rss_kb < 1048576 ))
[[ $verdict_mem -eq 1 ]] && verdict_mem=yes || verdict_mem=no

table="| measure | value | target | met |
|---|---:|---:|---|
| wall time | ${wall} s | < 120 s | ${verdict_time} |
| peak memory (max RSS) | ${rss_mib} MiB | < 1024 MiB | ${verdict_mem} |
| CPU time (user + system) | ${cpu_s} s | | |
| runs | ${runs} | | |
| sum of the runs' own wall times | ${cpu_sum} s | | |
| simulated requests (measured windows) | ${requests} | | |"

{
    echo "# Sweep benchmark"
    echo
    echo "\`platform-sim sweep $EXPERIMENT\` in release mode, $(date -u +%Y-%m-%d), $(nproc) cores,"
    echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load average before the run: $load_before."
    echo
    echo "$table"
} > "$OUT"
echo
echo "$table"
echo
echo "Written to $OUT; tables in $WORK/sweep-tables.md"
[[ "$verdict_time" == yes && "$verdict_mem" == yes ]]
