#!/usr/bin/env bash
# Plants each fault of Tests/Mutations/faults.txt in turn in a scratch copy of the committed
# HEAD, builds it, runs the tests that should notice (its `tests:` filter) with a time bound,
# and prints the test that killed the fault, or SURVIVED. Exits non-zero when a fault survives
# (or no longer applies, or breaks the build). Not part of CI: it takes about an hour on 2 cores.
#
#   Tests/Mutations/run.sh                      # every fault
#   Tests/Mutations/run.sh ID [ID ...]          # only these faults
#   Tests/Mutations/run.sh --out FILE ...       # also write the table to FILE (as latest.txt)
#
# Environment: MUTATION_SCRATCH (default /tmp/platformsim-mutants-<user>) is the scratch copy,
# a `git worktree` of HEAD kept between runs so that its .build stays and each mutant builds
# incrementally; MUTATION_TEST_TIMEOUT (default 900 s) bounds each test run;
# MUTATION_BASELINE=0 skips the check that each filter passes on the unmutated copy.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
here="$repo/Tests/Mutations"
faults="$here/faults.txt"
scratch=${MUTATION_SCRATCH:-/tmp/platformsim-mutants-$(id -un)}
test_timeout=${MUTATION_TEST_TIMEOUT:-900}
out=""
if [ "${1:-}" = "--out" ]; then out=$2; shift 2; fi
wanted=("$@")

started=$(date +%s)
commit=$(git -C "$repo" rev-parse HEAD)

# The scratch copy: a detached worktree at HEAD (only committed files are mutated and tested).
if [ -e "$scratch/.git" ]; then
    git -C "$scratch" checkout --quiet --force --detach "$commit" || exit 1
    git -C "$scratch" clean -fdq -e .build -e Package.resolved -e .mutation-logs
else
    git -C "$repo" worktree add --quiet --detach "$scratch" "$commit" || exit 1
fi
[ -e "$repo/Package.resolved" ] && [ ! -e "$scratch/Package.resolved" ] && cp "$repo/Package.resolved" "$scratch/"

log_dir="$scratch/.mutation-logs"
mkdir -p "$log_dir"
build() { (cd "$scratch" && timeout 3600 swift build --build-tests >"$1" 2>&1); }
run_tests() { (cd "$scratch" && timeout "$test_timeout" swift test --skip-build --filter "$1" >"$2" 2>&1); }

# The tests that failed in a log: swift-testing's "✘ Test NAME recorded an issue" lines, and
# XCTest's "error: -[...] : failed"; a crash (a trap or fatalError) names its message.
killers() {
    local names
    names=$(grep -aoE '✘ Test [^ ].*(recorded an issue|failed after)' "$1" | sed -E 's/^✘ Test //; s/ (recorded an issue|failed after)$//' | grep -v '^run with ' | awk '!seen[$0]++' | head -3 | paste -sd ';' -)
    if [ -n "$names" ]; then echo "$names"; return; fi
    names=$(grep -aoE '(Fatal error|Precondition failed|Assertion failed)[^\n]{0,80}' "$1" | head -1)
    if [ -n "$names" ]; then echo "crash: $names"; return; fi
    echo "exit status only (see log)"
}

echo "== building the unmutated copy in $scratch"
if ! build "$log_dir/baseline-build.log"; then
    echo "the unmutated copy does not build: $log_dir/baseline-build.log" >&2; exit 1
fi

mapfile -t rows < <(python3 "$here/mutate.py" list "$faults")
if [ "${MUTATION_BASELINE:-1}" != 0 ]; then
    # Every filter must pass before any fault is planted, or a kill would mean nothing.
    union=$(printf '%s\n' "${rows[@]}" | cut -f3 | sort -u | sed 's/.*/(&)/' | paste -sd '|' -)
    echo "== baseline: $union"
    if ! run_tests "$union" "$log_dir/baseline-tests.log"; then
        echo "the tests fail without any fault: $(killers "$log_dir/baseline-tests.log")" >&2; exit 1
    fi
fi

table=()
survived=0 killed=0 broken=0 total=0
for row in "${rows[@]}"; do
    IFS=$'\t' read -r id file filter what <<<"$row"
    if [ ${#wanted[@]} -gt 0 ] && [[ ! " ${wanted[*]} " == *" $id "* ]]; then continue; fi
    total=$((total + 1))
    t0=$(date +%s)
    git -C "$scratch" checkout --quiet -- "$file"
    if ! python3 "$here/mutate.py" apply "$faults" "$id" "$scratch"; then
        verdict="NOT APPLIED (the code moved on: update faults.txt)"; broken=$((broken + 1))
    elif ! build "$log_dir/$id-build.log"; then
        verdict="BUILD FAILED (see $log_dir/$id-build.log)"; broken=$((broken + 1))
    else
        run_tests "$filter" "$log_dir/$id-tests.log"
        code=$?
        if [ $code = 0 ]; then
            verdict="SURVIVED"; survived=$((survived + 1))
        elif [ $code = 124 ]; then
            verdict="killed: timed out after ${test_timeout} s"; killed=$((killed + 1))
        else
            verdict="killed by $(killers "$log_dir/$id-tests.log")"; killed=$((killed + 1))
        fi
    fi
    git -C "$scratch" checkout --quiet -- "$file"
    line=$(printf '%-32s %-5ss  %s\n      (%s; %s; tests: %s)' "$id" "$(( $(date +%s) - t0 ))" "$verdict" "$what" "$file" "$filter")
    echo "$line"
    table+=("$line")
done
# Leave the copy as committed, built (so the next run starts incrementally).
build "$log_dir/final-build.log" >/dev/null 2>&1

minutes=$(( ($(date +%s) - started + 59) / 60 ))
summary="$killed of $total planted faults killed ($survived survived, $broken not run); $minutes minutes"
echo "== $summary"
if [ -n "$out" ]; then
    {
        echo "Tests/Mutations/run.sh $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit, $(nproc) cores, wall time $minutes minutes"
        echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
        echo
        printf '%s\n' "${table[@]}"
        echo
        echo "$summary"
    } >"$out"
fi
[ $survived = 0 ] && [ $broken = 0 ]
