#!/usr/bin/env bash
# Runs each libFuzzer target (Fuzz/Package.swift) for FUZZ_SECONDS seconds (default 20), or until FUZZ_RUNS
# executions if that comes first, from its seed corpus in
# Fuzz/Corpus/<target> plus what earlier runs found in var/fuzz/<target>; crashes are written to var/fuzz/crashes/.
# Prints per target: executions, their rate, corpus size, coverage, and whether it crashed. Exits 1 on a crash.
#
#   make fuzz                                  # every target, 20 s each
#   FUZZ_SECONDS=600 TARGETS="FuzzWire FuzzChip" scripts/fuzz.sh
#   FUZZ_SECONDS=3600 FUZZ_RUNS=10000000 TARGETS=FuzzWire scripts/fuzz.sh   # the issue's 10 million or one hour
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
TARGETS=${TARGETS:-FuzzWire FuzzStore FuzzChip FuzzAudit FuzzClients}
FLAGS=(-Xswiftc -sanitize=fuzzer,address)
# The Swift runtime's backtracer and ASan's both handle fatal signals; let ASan report.
export SWIFT_BACKTRACE=enable=no
mkdir -p var/fuzz/crashes
status=0
for target in $TARGETS; do
    echo "fuzz: building $target (the first build takes several minutes)" >&2
    swift build --package-path Fuzz "${FLAGS[@]}" --product "$target" >&2
    bin="$(swift build --package-path Fuzz "${FLAGS[@]}" --show-bin-path)/$target"
    mkdir -p "var/fuzz/$target"
    log="var/fuzz/$target.log"
    extra=()
    if [ -n "${FUZZ_RUNS:-}" ]; then extra+=(-runs="$FUZZ_RUNS"); fi
    if "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 "${extra[@]}" \
        -artifact_prefix="var/fuzz/crashes/$target-" "var/fuzz/$target" "Fuzz/Corpus/$target" >"$log" 2>&1; then
        outcome=ok
    else
        outcome="CRASH (see $log and var/fuzz/crashes/)"
        status=1
    fi
    runs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log")
    rate=$(awk '/stat::average_exec_per_sec/ { print $2 }' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{ print $2 }')
    corpus=$(find "var/fuzz/$target" -type f | wc -l)
    seconds=$(awk '/Done [0-9]+ runs in/ { print $(NF-1) }' "$log")
    echo "$target: ${seconds:-$FUZZ_SECONDS}s, ${runs:-?} executions (${rate:-?}/s), coverage ${cov:-?} edges, $corpus new inputs kept: $outcome"
done
exit $status
