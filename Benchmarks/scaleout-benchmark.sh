#!/usr/bin/env bash
# Sharded sweeps, timed: the roadmap with 10 replications per cell (Benchmarks/roadmap-replications.yaml,
# 300 runs) in release mode,
#
#   1. in one process on all cores: `platform-sim sweep` (the reference);
#   2. as 4 shards under a one-node Slurm cluster on this machine (Deploy/slurm/one-node-cluster.sh):
#      `Deploy/slurm/submit.sh` with one CPU per task, so that the shards share the same cores
#      the reference had, from submission to the end of the dependent merge job (which also
#      writes the report, its charts and the notebook);
#   3. `platform-sim merge` of the 4 shards on its own;
#
# and prints wall times, CPU times and peak memory with the ratios to the reference measured in
# the same session (on one machine, sharding cannot be faster: what it measures is the overhead
# of splitting, scheduling and merging; on N machines the wall time is the largest shard's, which
# `platform-sim plan` estimates). It checks that the merged report is byte-identical to the
# reference's. The table, with the date, the machine and the load average before each step, goes
# to Benchmarks/results/scaleout.md. Needs root, GNU time, sqlite3 and Debian's slurm-wlm and munge
# (.ci/install/slurm.sh).
#
# Environment: EXPERIMENT (default Benchmarks/roadmap-replications.yaml), SHARDS (default 4),
# OUT (default Benchmarks/results/scaleout.md), TIMEOUT (seconds per step, default 3600).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && git rev-parse --show-toplevel)"
cd "$ROOT"
EXPERIMENT="${EXPERIMENT:-Benchmarks/roadmap-replications.yaml}"
SHARDS="${SHARDS:-4}"
OUT="${OUT:-$ROOT/Benchmarks/results/scaleout.md}"
TIMEOUT="${TIMEOUT:-3600}"
[[ -x /usr/bin/time ]] || { echo "GNU time is needed at /usr/bin/time (Debian package 'time')" >&2; exit 2; }
for tool in sbatch scontrol slurmctld munged sqlite3; do
    command -v "$tool" >/dev/null || { echo "$tool not found: install with .ci/install/slurm.sh" >&2; exit 2; }
done

echo "== Building platform-sim (release)"
swift build -c release --product platform-sim
BIN="$(swift build -c release --show-bin-path)/platform-sim"

WORK=$(mktemp -d /tmp/platformsim-scaleout.XXXXXX)
chmod 0755 "$WORK"
cleanup() { "$ROOT/Deploy/slurm/one-node-cluster.sh" stop "$WORK/cluster" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
load() { cut -d' ' -f1-3 /proc/loadavg; }
now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { r = a / b; printf (r < 0.1 ? "%.4f" : "%.2f"), r }'; }

runs=$("$BIN" plan "$EXPERIMENT" --shards "$SHARDS" | sed -n 's/^Experiment [^:]*: \([0-9,]*\) runs.*/\1/p')
bound=$("$BIN" plan "$EXPERIMENT" --shards "$SHARDS" | sed -n "s/.*$SHARDS machines like one running the whole sweep finish at best \([0-9.]*\)x sooner.*/\1/p")

# 1. One process, all cores.
load_one=$(load)
echo "== 1/3 one process, all cores: $EXPERIMENT ($runs runs; load average before: $load_one)"
/usr/bin/time -f "%e %U %S %M" -o "$WORK/one.time" \
    "$BIN" sweep "$EXPERIMENT" --db "$WORK/one.sqlite" --format md > "$WORK/one.md" 2> "$WORK/one.err"
read -r one_wall one_user one_sys one_rss < "$WORK/one.time"
one_cpu=$(awk -v u="$one_user" -v s="$one_sys" 'BEGIN { printf "%.1f", u + s }')

# 2. Shards under Slurm: every platform-sim the jobs run goes through a wrapper that times it.
echo "== 2/3 $SHARDS shards under a one-node Slurm cluster"
"$ROOT/Deploy/slurm/one-node-cluster.sh" start "$WORK/cluster" > /dev/null
export SLURM_CONF="$WORK/cluster/slurm.conf"
# Each line of slurm.times: command, start and end (epoch seconds), wall, user, system, max RSS (KiB).
cat > "$WORK/timed-platform-sim" <<WRAP
#!/bin/sh
start=\$(date +%s.%N)
/usr/bin/time -f "%e %U %S %M" -o "$WORK/time.\$\$" "$BIN" "\$@"
code=\$?
echo "\$1 \$start \$(date +%s.%N) \$(cat "$WORK/time.\$\$")" >> "$WORK/slurm.times"
rm -f "$WORK/time.\$\$"
exit \$code
WRAP
chmod +x "$WORK/timed-platform-sim"
export PLATFORM_SIM="$WORK/timed-platform-sim"
load_shards=$(load)
start=$(now)
submitted=$(Deploy/slurm/submit.sh "$EXPERIMENT" "$WORK/results" "$SHARDS" --cpus-per-task=1)
merge_job=$(sed -n 's/.*merge job \([0-9]*\);.*/\1/p' <<<"$submitted")
deadline=$(( $(date +%s) + TIMEOUT ))
while :; do
    state=$(scontrol show job "$merge_job" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
    case "$state" in
        COMPLETED) break ;;
        PENDING|RUNNING|CONFIGURING|COMPLETING) ;;
        *) echo "the merge job ended $state" >&2; cat "$WORK/results/logs/"*.out >&2; exit 1 ;;
    esac
    (( $(date +%s) < deadline )) || { echo "the sharded sweep did not finish within $TIMEOUT s" >&2; exit 1; }
    sleep 0.5
done
end=$(now)
shards_wall=$(seconds "$start" "$end")
shards_cpu=$(awk '$1 == "sweep" { s += $5 + $6 } END { printf "%.1f", s }' "$WORK/slurm.times")
shards_rss=$(awk '$1 == "sweep" && $7 > m { m = $7 } END { print m }' "$WORK/slurm.times")
shard_walls=$(awk '$1 == "sweep" { printf "%s%.1f", sep, $4; sep = ", " }' "$WORK/slurm.times")
merge_job_wall=$(awk '$1 != "sweep" { s += $4 } END { printf "%.1f", s }' "$WORK/slurm.times")
# Time from submission to the merged report during which no platform-sim ran at all: Slurm
# starting jobs, resolving the dependency, and the job scripts themselves.
idle=$(sort -k2,2n "$WORK/slurm.times" | awk -v s="$start" -v e="$end" '
    BEGIN { reach = s }
    { if ($2 > reach) gap += $2 - reach; if ($3 > reach) reach = $3 }
    END { if (e > reach) gap += e - reach; printf "%.1f", gap }')

# 3. The merge on its own, into a fresh file.
echo "== 3/3 merge of the $SHARDS shards"
load_merge=$(load)
shard_files=()
for ((k = 1; k <= SHARDS; k++)); do shard_files+=("$WORK/results/shard-$k.sqlite"); done
/usr/bin/time -f "%e %U %S %M" -o "$WORK/merge.time" "$BIN" merge --require-complete "$WORK/merged.sqlite" "${shard_files[@]}" > /dev/null
read -r merge_wall merge_user merge_sys merge_rss < "$WORK/merge.time"
size_mib=$(du -m "$WORK/merged.sqlite" | cut -f1)

identical=no
if "$BIN" report --db "$WORK/one.sqlite" --format csv > "$WORK/one.csv" \
   && "$BIN" report --db "$WORK/results/results.sqlite" --format csv > "$WORK/merged.csv" \
   && cmp -s "$WORK/one.csv" "$WORK/merged.csv" \
   && "$BIN" report --db "$WORK/results/results.sqlite" --format md | cmp -s - "$WORK/one.md"; then
    identical=yes
fi

table="| measure | one process, all cores | $SHARDS shards under Slurm | ratio |
|---|---:|---:|---:|
| wall time, submission to merged report | ${one_wall} s | ${shards_wall} s | $(ratio "$shards_wall" "$one_wall") |
| CPU time (user + system) | ${one_cpu} s | ${shards_cpu} s (shards) | $(ratio "$shards_cpu" "$one_cpu") |
| peak memory (max RSS of one process) | $(( one_rss / 1024 )) MiB | $(( shards_rss / 1024 )) MiB (largest shard) | $(ratio "$shards_rss" "$one_rss") |
| shards' own wall times | | ${shard_walls} s | |
| time no platform-sim ran (Slurm starting jobs, the dependency) | | ${idle} s | $(ratio "$idle" "$one_wall") |
| merge job (merge, report with charts, notebook) | | ${merge_job_wall} s | $(ratio "$merge_job_wall" "$one_wall") |
| \`platform-sim merge\` of the $SHARDS shards alone ($size_mib MiB out) | | ${merge_wall} s | $(ratio "$merge_wall" "$one_wall") |

Runs: $runs. The merged report is byte-identical to the one-process report: **$identical**.
On $SHARDS machines like this one the sweep would take the largest shard's time: \`platform-sim plan\`
puts that at best $bound x sooner than one machine."

{
    echo "# Scale-out benchmark"
    echo
    echo "\`$EXPERIMENT\` in release mode, $(date -u +%Y-%m-%d), $(nproc) cores,"
    echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(slurmctld -V)."
    echo "Load average before each step: one process $load_one; shards $load_shards; merge $load_merge."
    echo "The Slurm shards ran with one CPU per task on the one node (two at a time on two cores);"
    echo "the one process ran with --jobs = all cores."
    echo
    echo "$table"
} > "$OUT"
echo
cat "$OUT"
[[ "$identical" == yes ]]
