#!/usr/bin/env bash
# Import throughput of generated residents (default 10 million), then the lookup benchmark on that registry.
#   Benchmarks/Benchmarks/StoreBenchmarks/import-10m.sh [COUNT]
# Data goes to var/bench/ (ignored by git): ~5 GB of NDJSON and ~3 GB of registry for 10 million.
# SCRATCH=DIR builds with --scratch-path DIR; INPUT=FILE imports FILE instead of generating one.
set -euo pipefail
count=${1:-10000000}
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
scratch=${SCRATCH:-.build}
swift build -c release --product idgate --scratch-path "$scratch"
idgate=$scratch/release/idgate
mkdir -p var/bench
input=${INPUT:-var/bench/residents-$count.ndjson}
[ -s "$input" ] || "$idgate" gen residents --count "$count" --seed 1 --out "$input"
# Wall rate from idgate itself; CPU time (user + sys) from time(1) when it is there.
timer=()
[ -x /usr/bin/time ] && timer=(/usr/bin/time -f "cpu: %U s user + %S s sys, max RSS %M KiB")
"${timer[@]}" "$idgate" import "$input" --db "var/bench/registry-$count"
"$idgate" stats --db "var/bench/registry-$count"
if [ "${SKIP_LOOKUP:-0}" != 1 ]; then
    cd Benchmarks
    IDGATE_BENCH_DB="$root/var/bench/registry-$count" swift package --disable-sandbox benchmark --target StoreBenchmarks
fi
