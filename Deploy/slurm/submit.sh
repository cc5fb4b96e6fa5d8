#!/usr/bin/env bash
# Submits a sharded sweep to Slurm: an array of N tasks (Deploy/slurm/sweep.sbatch) and the
# merge (Deploy/slurm/merge.sbatch) to run when every task has succeeded. Prints both job ids.
#
#   Deploy/slurm/submit.sh EXPERIMENT RESULTS_DIR N [SBATCH_OPTION...]
#   Deploy/slurm/submit.sh Experiments/roadmap.yaml /shared/roadmap 4 --partition=batch --cpus-per-task=8
#
# Options after N go to both sbatch calls (partition, account, time, CPUs per task). Logs go to
# RESULTS_DIR/logs/. Run it from the project folder (the jobs start there).
set -euo pipefail
if [[ $# -lt 3 ]]; then
    echo "usage: $0 EXPERIMENT RESULTS_DIR N [SBATCH_OPTION...]" >&2
    exit 64
fi
experiment=$1 results=$2 shards=$3
shift 3
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || { echo "$0: N must be a positive whole number, got '$shards'" >&2; exit 64; }
[[ -f "$experiment" ]] || { echo "$experiment: error: no such file" >&2; exit 66; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$results/logs"
array=$(sbatch --parsable --array="1-$shards" --output="$results/logs/shard-%a.out" "$@" \
    "$here/sweep.sbatch" "$experiment" "$results" "$shards")
array=${array%%;*}
merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes --output="$results/logs/merge.out" "$@" \
    "$here/merge.sbatch" "$experiment" "$results" "$shards")
merge=${merge%%;*}
echo "array job $array ($shards shards), merge job $merge; results in $results"
