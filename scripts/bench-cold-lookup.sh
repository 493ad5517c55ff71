#!/usr/bin/env bash
# What a page-cache miss costs a registry lookup, with and without readahead (registry.readahead, docs/DATA.md):
# plain C mdb_get of COUNT IDs from a registry sample (scrambled order), the data file dropped from the page cache
# (posix_fadvise DONTNEED) before each run; ROUNDS alternations of readahead on (LMDB's default) and off
# (MDB_NORDAHEAD), then one warm run.
#
#   scripts/bench-cold-lookup.sh REGISTRY_DIR SAMPLE_NDJSON          # e.g. the folders scripts/bench-national.sh makes
#   COUNT=20000 ROUNDS=2 scripts/bench-cold-lookup.sh var/bench/national-100000000/registry var/bench/national-100000000/sample.ndjson
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python-env.sh
COUNT=${COUNT:-20000}
ROUNDS=${ROUNDS:-2}
registry=$1
sample=$2
source scripts/bench-lib.sh
bin="$WORK/cold-lookup"
gcc -O2 -o "$bin" scripts/cold-lookup.c -llmdb
generation=$(readlink -f "$registry/current")
for _ in $(seq "$ROUNDS"); do
    for nordahead in 0 1; do
        drop_from_cache "$generation/data.mdb"
        "$bin" "$generation" "$sample" "$COUNT" "$nordahead" | sed 's/^/cold /'
    done
done
"$bin" "$generation" "$sample" "$COUNT" 1 | sed 's/^/warm /'
