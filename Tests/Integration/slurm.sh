#!/usr/bin/env bash
# Integration suite: a sharded sweep on a real Slurm scheduler, and the Kubernetes manifest
# against the Kubernetes API schema.
#
# 1. Validates Deploy/kubernetes/sweep-job.yaml with kubernetes-validate (PyPI; its schemas ship
#    in the package, so it works offline), strictly, and checks that it rejects a broken copy.
# 2. Starts a one-node Slurm cluster on loopback (munged, slurmctld, slurmd; config, state and
#    logs in a temporary folder: Deploy/slurm/one-node-cluster.sh), submits the experiment as a
#    4-task array with the merge as a dependent job (Deploy/slurm/submit.sh), waits for it with a
#    bounded timeout, and compares the merged database with a single-machine sweep of the same
#    experiment: every runs row but the wall time, and the report (md, csv, json, charts) and the
#    notebook byte for byte.
# 3. Kills shard 2/4 half-way through (scancel --signal=KILL), resubmits it (the array script
#    always resumes), and checks that it kept the runs made before the kill, made only the
#    missing ones, holds no run twice, and merges with the other shards into the same report.
# 4. Stops the daemons it started and deletes its folder.
#
# The experiment is Tests/Integration/slurm-roadmap.yaml: the roadmap's five configurations at
# 10k, 30k and 100k users with two seeds and a shorter window (30 runs), so that the debug
# binary that `swift test` built runs it twice within the suite's budget; the full roadmap
# (3M-user runs) is what Benchmarks/scaleout-benchmark.sh runs, in release mode.
#
# Exit 0: passed; 77: a prerequisite is missing (install with .ci/install/slurm.sh); else failed.
# Environment: PLATFORM_SIM_BINARY (default .build/debug/platform-sim, built if missing),
# EXPERIMENT, SLURM_SUITE_TIMEOUT (seconds to wait for each Slurm job; default 300).
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
experiment=${EXPERIMENT:-Tests/Integration/slurm-roadmap.yaml}
timeout_s=${SLURM_SUITE_TIMEOUT:-300}
started=$(date +%s)

skip() { echo "slurm suite skipped: $1; install it with .ci/install/slurm.sh" >&2; exit 77; }
for tool in munged mungekey slurmctld slurmd sbatch scontrol scancel sqlite3 python3; do
    command -v "$tool" >/dev/null || skip "$tool not found"
done
python3 -c 'import kubernetes_validate' 2>/dev/null || skip "kubernetes-validate (PyPI) not found"
[[ $(id -u) -eq 0 ]] || skip "it must run as root (slurmd does)"

fail() { echo "slurm suite FAILED: $*" >&2; exit 1; }
step() { echo "== slurm suite: $* ($(( $(date +%s) - started )) s)"; }

work=$(mktemp -d /tmp/platformsim-slurm.XXXXXX)
chmod 0755 "$work"   # munged runs as the user munge and must reach its folder inside
cleanup() {
    "$root/Deploy/slurm/one-node-cluster.sh" stop "$work/cluster" >/dev/null 2>&1 || true
    [[ -n "${reference_pid:-}" ]] && kill "$reference_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

bin=${PLATFORM_SIM_BINARY:-$root/.build/debug/platform-sim}
if [[ ! -x "$bin" ]]; then
    step "building platform-sim (debug)"
    swift build --product platform-sim >/dev/null || fail "swift build failed"
fi
export PLATFORM_SIM=$bin

# 1. The Kubernetes manifest, against the API schema of the newest version the validator knows
# and of 1.29 (the oldest with everything the manifest uses still served).
step "validating Deploy/kubernetes/sweep-job.yaml"
for version in 1.37.0 1.29.0; do
    python3 -m kubernetes_validate --strict --quiet -k "$version" Deploy/kubernetes/sweep-job.yaml \
        || fail "Deploy/kubernetes/sweep-job.yaml does not validate against Kubernetes $version"
done
sed 's/completionMode: Indexed/completionMode: Indexed\n  completionIndex: 3/' Deploy/kubernetes/sweep-job.yaml > "$work/broken.yaml"
grep -q '^  completionIndex: 3' "$work/broken.yaml" || fail "could not make the broken copy of the manifest"
if python3 -m kubernetes_validate --strict --quiet "$work/broken.yaml" >/dev/null 2>&1; then
    fail "kubernetes-validate accepted a Job with an unknown field: the check would pass anything"
fi

# 2. The cluster, the array and its merge, and the same experiment on one machine.
step "starting a one-node Slurm cluster"
"$root/Deploy/slurm/one-node-cluster.sh" start "$work/cluster" >/dev/null || fail "the cluster did not start"
export SLURM_CONF="$work/cluster/slurm.conf"

# Waits for one job (all tasks of an array) to leave the queue; prints its final states.
wait_for() {
    local job=$1 deadline=$(( $(date +%s) + timeout_s )) states
    while :; do
        states=$(scontrol show job "$job" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | sort -u | tr '\n' ' ')
        case "$states" in
            *PENDING*|*RUNNING*|*CONFIGURING*|*COMPLETING*|"") ;;
            *) echo "$states"; return 0 ;;
        esac
        if (( $(date +%s) > deadline )); then
            scancel "$job" 2>/dev/null
            echo "TIMEOUT"
            return 1
        fi
        sleep 1
    done
}

results="$work/results"
step "submitting $experiment as a 4-task array with a dependent merge"
submitted=$(Deploy/slurm/submit.sh "$experiment" "$results" 4) || fail "submit.sh failed"
echo "$submitted"
array=$(sed -n 's/^array job \([0-9]*\).*/\1/p' <<<"$submitted")
merge=$(sed -n 's/.*merge job \([0-9]*\);.*/\1/p' <<<"$submitted")
[[ -n "$array" && -n "$merge" ]] || fail "could not read the job ids from: $submitted"

# The single-machine sweep, meanwhile.
"$bin" sweep "$experiment" --db "$work/reference.sqlite" --format md > "$work/reference-tables.md" 2> "$work/reference.err" &
reference_pid=$!

states=$(wait_for "$array") || fail "the array did not finish within $timeout_s s"
[[ "$states" == "COMPLETED " ]] || { tail -n 5 "$results"/logs/*.out >&2; fail "array tasks ended $states"; }
states=$(wait_for "$merge") || fail "the merge job did not finish within $timeout_s s"
[[ "$states" == "COMPLETED " ]] || { cat "$results/logs/merge.out" >&2; fail "the merge job ended $states"; }
grep -q "complete: 30 of 30 runs (shards 1/4, 2/4, 3/4, 4/4)" "$results/logs/merge.out" \
    || { cat "$results/logs/merge.out" >&2; fail "the merge did not report a complete grid"; }
wait "$reference_pid" || { cat "$work/reference.err" >&2; fail "the single-machine sweep failed"; }
reference_pid=
step "array and merge done; comparing with the single-machine sweep"

# Every runs row but the wall time, and every row of the other tables, in key order.
rows() {
    local columns
    columns=$(sqlite3 "$1" "SELECT group_concat(name, ', ') FROM pragma_table_info('runs') WHERE name <> 'wall_s'")
    sqlite3 "$1" "SELECT $columns FROM runs ORDER BY experiment, configuration, variant, users, seed, replication"
    for table in component_metrics endpoint_latency errors cost_items cache_hit_rates jobs time_series; do
        sqlite3 "$1" "SELECT * FROM $table ORDER BY 1, 2, 3, 4, 5, 6, 7"
    done
}
rows "$work/reference.sqlite" > "$work/reference.rows"
rows "$results/results.sqlite" > "$work/merged.rows"
[[ $(grep -c . "$work/reference.rows") -gt 30 ]] || fail "the reference database holds too few rows"
diff -q "$work/reference.rows" "$work/merged.rows" >/dev/null || { diff "$work/reference.rows" "$work/merged.rows" | head >&2; fail "the merged rows differ from the single-machine sweep's"; }

"$bin" report --db "$work/reference.sqlite" --out "$work/reference-report" >/dev/null || fail "report of the reference failed"
diff -r "$work/reference-report" "$results/report" >/dev/null || fail "report --out of the merged database differs (tables or charts)"
for format in md csv json; do
    "$bin" report --db "$work/reference.sqlite" --format "$format" > "$work/reference.$format" || fail "report --format $format failed"
    "$bin" report --db "$results/results.sqlite" --format "$format" > "$work/merged.$format" || fail "report --format $format failed"
    cmp -s "$work/reference.$format" "$work/merged.$format" || fail "report --format $format differs"
done
cmp -s "$work/reference-tables.md" "$work/merged.md" || fail "the tables the single-machine sweep printed differ from the merged report"

# The notebook the merge job wrote, against one written from the reference at the same path.
name=$(basename "$experiment" .yaml)
mv "$results/notebook" "$work/merged-notebook"
"$bin" notebook "$experiment" --db "$work/reference.sqlite" --resume --out "$results/notebook/$name.md" >/dev/null 2>"$work/notebook.err" \
    || { cat "$work/notebook.err" >&2; fail "notebook from the reference failed"; }
grep -q "notebook $name: 0 runs" "$work/notebook.err" || fail "notebook --resume ran runs: $(head -1 "$work/notebook.err")"
diff -r "$results/notebook" "$work/merged-notebook" >/dev/null || fail "the notebook from the merged database differs"

# 3. Shard 2/4 killed half-way, then resubmitted.
step "killing shard 2/4 half-way and resuming it"
killed="$work/killed"
mkdir -p "$killed"
assigned=$(sqlite3 "$results/shard-2.sqlite" "SELECT shard_runs FROM shards")
job=$(sbatch --parsable --array=2 --output="$killed/first.out" Deploy/slurm/sweep.sbatch "$experiment" "$killed" 4) || fail "sbatch failed"
job=${job%%;*}
deadline=$(( $(date +%s) + timeout_s ))
done_before=0
while (( $(date +%s) < deadline )); do
    done_before=$(sqlite3 "$killed/shard-2.sqlite" "SELECT COUNT(*) FROM runs" 2>/dev/null || echo 0)
    (( done_before >= 2 )) && break
    sleep 0.1
done
scancel --signal=KILL --full "$job"
wait_for "$job" >/dev/null || fail "the killed shard did not leave the queue"
done_before=$(sqlite3 "$killed/shard-2.sqlite" "SELECT COUNT(*) FROM runs")
(( done_before >= 1 && done_before < assigned )) \
    || fail "the shard was not stopped half-way ($done_before of $assigned runs done when killed)"
sqlite3 "$killed/shard-2.sqlite" "SELECT configuration, variant, users, seed, replication, wall_s FROM runs ORDER BY 1, 2, 3, 4, 5" > "$work/before-kill"
job=$(sbatch --parsable --array=2 --output="$killed/resumed.out" Deploy/slurm/sweep.sbatch "$experiment" "$killed" 4) || fail "sbatch failed"
states=$(wait_for "${job%%;*}") || fail "the resumed shard did not finish within $timeout_s s"
[[ "$states" == "COMPLETED " ]] || { cat "$killed/resumed.out" >&2; fail "the resumed shard ended $states"; }
grep -q "shard 2/4: $(( assigned - done_before )) of $assigned runs .*; $done_before already done" "$killed/resumed.out" \
    || { head -2 "$killed/resumed.out" >&2; fail "the resumed shard did not make only the missing runs"; }
[[ $(sqlite3 "$killed/shard-2.sqlite" "SELECT COUNT(*) FROM runs") == "$assigned" ]] || fail "the resumed shard lacks runs"
[[ $(sqlite3 "$killed/shard-2.sqlite" "SELECT COUNT(*) FROM (SELECT DISTINCT configuration, variant, users, seed, replication FROM runs)") == "$assigned" ]] \
    || fail "the resumed shard holds a run twice"
# The runs made before the kill were kept as they were (their wall times too), not made again.
sqlite3 "$killed/shard-2.sqlite" "SELECT configuration, variant, users, seed, replication, wall_s FROM runs ORDER BY 1, 2, 3, 4, 5" \
    | grep -F -x -f "$work/before-kill" | cmp -s - "$work/before-kill" || fail "the resumed shard made the finished runs again"
"$bin" merge --require-complete "$work/resumed.sqlite" "$results/shard-1.sqlite" "$killed/shard-2.sqlite" \
    "$results/shard-3.sqlite" "$results/shard-4.sqlite" >/dev/null || fail "the resumed shard does not merge with the others"
"$bin" report --db "$work/resumed.sqlite" --format csv | cmp -s - "$work/reference.csv" || fail "the report after the resumed shard differs"

step "passed"
exit 0
