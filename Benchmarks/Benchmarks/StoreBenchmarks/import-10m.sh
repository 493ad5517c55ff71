#!/usr/bin/env bash
# Import throughput of generated residents (default 10 million), then the lookup benchmark on that registry.
#   Benchmarks/Benchmarks/StoreBenchmarks/import-10m.sh [COUNT]
# Data goes to var/bench/ (ignored by git): ~3.5 GB of NDJSON and ~3 GB of registry for 10 million.
set -euo pipefail
count=${1:-10000000}
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
swift build -c release --product idgate
idgate=.build/release/idgate
mkdir -p var/bench
input=var/bench/residents-$count.ndjson
[ -s "$input" ] || "$idgate" gen residents --count "$count" --seed 1 --out "$input"
"$idgate" import "$input" --db "var/bench/registry-$count"
"$idgate" stats --db "var/bench/registry-$count"
if [ "${SKIP_LOOKUP:-0}" != 1 ]; then
    cd Benchmarks
    IDGATE_BENCH_DB="$root/var/bench/registry-$count" swift package --disable-sandbox benchmark --target StoreBenchmarks
fi
