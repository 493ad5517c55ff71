#!/usr/bin/env bash
# Regression check of the micro-benchmarks (docs/BENCHMARKS.md, "Regression check"):
#   Benchmarks/bench-check.sh [check|update] [extra benchmark options, e.g. --target MatchingBenchmarks]
# check (default): builds the suites (release), runs every benchmark and compares its p90 with the thresholds
#   recorded in Benchmarks/Thresholds/, within the tolerances set in the code
#   (Benchmarks/Benchmarks/BenchSupport/Tolerance.swift).
#   Exit 0: within tolerance (or better: then it says so and how to record the new figures); 2: a regression,
#   with a table of the benchmarks and metrics that got worse; anything else: the suites did not build or run.
# update: runs every benchmark and rewrites Benchmarks/Thresholds/ from that run (after an intended change).
# BENCH_SCRATCH=DIR puts the build products elsewhere (e.g. on tmpfs); default Benchmarks/.build.
set -uo pipefail
cd "$(dirname "$0")"
operation=${1:-check}
[ $# -gt 0 ] && shift
scratch=${BENCH_SCRATCH:-.build}
swift=${SWIFT:-swift}
thresholds="$PWD/Thresholds"

case "$operation" in
check)
    if ! ls "$thresholds"/*.p90.json >/dev/null 2>&1; then
        echo "bench-check: no thresholds in $thresholds; record them first: make bench-thresholds" >&2
        exit 1
    fi
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT
    "$swift" package --scratch-path "$scratch" --disable-sandbox benchmark thresholds check --path "$thresholds" \
        --no-progress "$@" 2>&1 | tee "$log"
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
    "$swift" package --scratch-path "$scratch" --allow-writing-to-package-directory benchmark thresholds update \
        --path "$thresholds" --no-progress "$@"
    ;;
*)
    echo "usage: $0 [check|update] [benchmark options]" >&2
    exit 64
    ;;
esac
