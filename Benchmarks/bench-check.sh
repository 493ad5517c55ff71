#!/usr/bin/env bash
# Regression check of the micro-benchmarks (docs/BENCHMARKS.md, "Regression check"):
#   Benchmarks/bench-check.sh [check|update] [extra benchmark options, e.g. --target MatchingBenchmarks]
# check (default): builds the suites (release), runs every benchmark and compares its p90 with the thresholds
#   recorded in Benchmarks/Thresholds/, within the tolerances set in the code
#   (Benchmarks/Benchmarks/BenchSupport/Tolerance.swift).
#   Exit 0: within tolerance (or better: then it says so and how to record the new figures); 2: a regression,
#   with a table of the benchmarks and metrics that got worse; anything else: the suites did not build or run.
# update: runs every benchmark twice and rewrites Benchmarks/Thresholds/ with the higher p90 of the two runs
#   (after an intended change; on a quiet machine).
# BENCH_SCRATCH=DIR puts the build products elsewhere (e.g. on tmpfs); default Benchmarks/.build.
set -uo pipefail
cd "$(dirname "$0")"
operation=${1:-check}
[ $# -gt 0 ] && shift
scratch=${BENCH_SCRATCH:-.build}
swift=${SWIFT:-swift}
thresholds="$PWD/Thresholds"
# StoreBenchmarks' import benchmarks (a 200,000-row import per iteration, disk-bound, up to 20 s each) are not part
# of the check: run them with `swift package benchmark --target StoreBenchmarks --filter 'Import.*'`.
skip=(--skip 'Import: .*')

case "$operation" in
check)
    if ! ls "$thresholds"/*.p90.json >/dev/null 2>&1; then
        echo "bench-check: no thresholds in $thresholds; record them first: make bench-thresholds" >&2
        exit 1
    fi
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT
    "$swift" package --scratch-path "$scratch" --disable-sandbox benchmark thresholds check --path "$thresholds" \
        --no-progress "${skip[@]}" "$@" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    echo
    if grep -q "is WORSE than the defined thresholds" "$log"; then
        echo "bench-check: FAILED: the benchmarks in the 'Deviations worse than threshold' table above regressed"
        echo "  beyond their tolerance (p90 against Benchmarks/Thresholds/). If the change is intended, record"
        echo "  the new figures with 'make bench-thresholds' and commit Benchmarks/Thresholds/ with it."
        exit 2
    elif grep -q "is BETTER than the defined thresholds" "$log"; then
        echo "bench-check: passed; some benchmarks are better than their thresholds beyond tolerance (table above)."
        echo "  A quieter machine does that; after an intended improvement record it: make bench-thresholds"
        exit 0
    elif [ "$status" -ne 0 ]; then
        echo "bench-check: FAILED: the benchmark suites did not build or run (exit $status, output above)"
        exit "$status"
    fi
    echo "bench-check: passed (every checked metric within tolerance of Benchmarks/Thresholds/)"
    ;;
update)
    # Two full runs; each metric's threshold is the higher p90 of the two (the lower throughput), so ordinary
    # run-to-run spread does not fail later checks. Files of benchmarks not run (filtered out) stay as they are.
    runs=$(mktemp -d)
    trap 'rm -rf "$runs"' EXIT
    for run in 1 2; do
        echo "bench-check: run $run of 2"
        "$swift" package --scratch-path "$scratch" --allow-writing-to-package-directory benchmark baseline update \
            "bench-check-$run" --no-progress --quiet "${skip[@]}" "$@" || exit $?
        "$swift" package --scratch-path "$scratch" --allow-writing-to-package-directory benchmark thresholds update \
            "bench-check-$run" --path "$runs/$run" --no-progress "${skip[@]}" "$@" >/dev/null || exit $?
    done
    mkdir -p "$thresholds"
    python3 - "$runs/1" "$runs/2" "$thresholds" <<'PY' || exit $?
import json, os, sys
first, second, out = sys.argv[1:]
for name in sorted(os.listdir(first)):
    a = json.load(open(os.path.join(first, name)))
    b = json.load(open(os.path.join(second, name))) if os.path.exists(os.path.join(second, name)) else a
    merged = {k: (min if k == "throughput" else max)(a[k], b.get(k, a[k])) for k in a}
    with open(os.path.join(out, name), "w") as f:
        f.write(json.dumps(merged, indent=2, sort_keys=True) + "\n")
    print("bench-check: wrote", os.path.join(out, name))
PY
    echo "bench-check: thresholds recorded; review 'git diff Benchmarks/Thresholds/' and commit them with the change"
    ;;
*)
    echo "usage: $0 [check|update] [benchmark options]" >&2
    exit 64
    ;;
esac
