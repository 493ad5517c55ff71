#!/usr/bin/env bash
# National scale on one node (issue 18): a registry of 100 million generated residents against one of 10 million,
# measured in one run: import time, map size, B-tree depth, identity matches over HTTP/2 (audit + signing on, one
# event loop pinned to core 0, the load on core 1) with IDs drawn across the whole registry, cold and warm.
#
#   scripts/bench-national.sh                                  # 10 M and 100 M (imports once into var/bench)
#   SIZES="1000000 10000000" DURATION=5s scripts/bench-national.sh
#
# Each registry is a small demo folder (`idgate demo init`: clients, keys, certificates) whose registry is replaced
# by `idgate import --generated N` (in process: no NDJSON on disk; sorted runs spill to the registry's disk).
#   cold : the registry file dropped from the page cache (posix_fadvise DONTNEED; it is clean after the import's
#          sync), the gateway started, then COLD_SAMPLE records spread evenly over the registry (every
#          residents/COLD_SAMPLE-th) are matched, each leaf page most likely read from disk once;
#   warm : then WARM_SAMPLE of those records (spread over the registry too), whose pages are now in memory.
# Both with registry.readahead on and off (READAHEAD). Per run: matches/s, p50/p99 (ms), errors (non-200 statuses
# are listed on stderr), and the gateway's major page faults per request (reads from disk).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python-env.sh

SIZES=${SIZES:-10000000 100000000}
DURATION=${DURATION:-10s}
COLD_SAMPLE=${COLD_SAMPLE:-200000}
WARM_SAMPLE=${WARM_SAMPLE:-2000}
CONNECTIONS=${CONNECTIONS:-16}
STREAMS=${STREAMS:-100}
SERVER_CORE=${SERVER_CORE:-0}
CLIENT_CORE=${CLIENT_CORE:-1}
PORT=${PORT:-18490}
READAHEAD=${READAHEAD:-on off}   # registry.readahead settings measured (docs/CONFIG.md)
BENCH=${BENCH:-var/bench}

source scripts/bench-lib.sh
release_bin

# majflt PID: major page faults of a process so far (field 12 of /proc/PID/stat).
majflt() { awk '{ print $12 }' "/proc/$1/stat"; }

# load RESIDENTS SAMPLE: one idgate-load run of identity matches; prints "rate p50_ms p99_ms errors requests".
load() {
    taskset -c "$CLIENT_CORE" "$BIN/idgate-load" --target "http://127.0.0.1:$PORT" --demo "$1" --client demo-tester \
        --connections "$CONNECTIONS" --streams "$STREAMS" --duration "$DURATION" --warmup 0s --mix match=100 \
        --sample-limit "$2" --quiet --json "$WORK/load.json" >"$WORK/load.txt" 2>&1 || { cat "$WORK/load.txt" >&2; exit 1; }
    python3 -c 'import json, sys; s = json.load(open(sys.argv[1]))
print(round(s["achievedRate"]), round(s["latency"]["p50"] / 1000, 2), round(s["latency"]["p99"] / 1000, 2),
      s["errors"] + s["transportErrors"], s["responses"])
for name, op in s["operations"].items():
    bad = {k: v for k, v in op["byStatus"].items() if not k.startswith("2")}
    if bad or op["errorCodes"] or op["transportErrors"]:
        print("  " + name + ": status", bad, "codes", op["errorCodes"], "transport", op["transportErrors"], file=sys.stderr)' "$WORK/load.json"
}

printf '%-12s %-12s %10s %10s %10s %9s %9s %8s %9s\n' residents run "import s" "map GiB" "matches/s" "p50 ms" "p99 ms" errors "faults/req"
for residents in $SIZES; do
    demo="$BENCH/national-$residents"
    if [ ! -f "$demo/imported.txt" ]; then
        rm -rf "$demo"
        "$BIN/idgate" demo init --dir "$demo" --residents 1000 >"$WORK/demo.log" 2>&1 || { cat "$WORK/demo.log" >&2; exit 1; }
        /usr/bin/time -f "%e %M" -o "$WORK/import.time" \
            "$BIN/idgate" import --generated "$residents" --seed 1 --db "$demo/registry" >"$WORK/import.log" 2>&1 \
            || { cat "$WORK/import.log" >&2; exit 1; }
        read -r seconds rss <"$WORK/import.time"
        echo "$seconds $rss" >"$demo/imported.txt"
        tail -1 "$WORK/import.log" >&2
    fi
    read -r import_seconds import_rss <"$demo/imported.txt"
    [ "$(wc -l <"$demo/sample.ndjson")" -ge "$COLD_SAMPLE" ] \
        || "$BIN/idgate" registry sample --db "$demo/registry" --count "$COLD_SAMPLE" >"$demo/sample.ndjson"
    data="$(readlink -f "$demo/registry/current")/data.mdb"
    map_gib=$(python3 -c 'import os, sys; print(round(os.path.getsize(sys.argv[1]) / 2**30, 2))' "$data")
    "$BIN/idgate" stats --db "$demo/registry" | grep -E "residents|B-tree" | tr -s ' ' | paste -sd ';' >&2

    bench_config "$demo" "$PORT" full true true
    for readahead in $READAHEAD; do
        python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); c["registry"]["readahead"] = sys.argv[2]
json.dump(c, open(sys.argv[1], "w"), indent=1)' "$WORK/full.json" "$readahead"
        drop_from_cache "$data"
        start_gateway "$BIN" "$PORT" full "$SERVER_CORE"
        for run in cold warm; do
            sample=$COLD_SAMPLE
            [ "$run" = warm ] && sample=$WARM_SAMPLE
            [ "$run" = warm ] && load "$demo" "$sample" >/dev/null   # the warm sample's pages into memory
            before=$(majflt "$GATEWAY_PID")
            read -r rate p50 p99 errors requests < <(load "$demo" "$sample")
            faults=$(( $(majflt "$GATEWAY_PID") - before ))
            printf '%-12s %-12s %10s %10s %10s %9s %9s %8s %9s\n' "$residents" "$run-ra-$readahead" "$import_seconds" \
                "$map_gib" "$rate" "$p50" "$p99" "$errors" "$(python3 -c "print(round($faults / max(1, $requests), 3))")"
        done
        kill "$GATEWAY_PID"; wait "$GATEWAY_PID" 2>/dev/null || true
    done
done
echo "import s: wall time of 'idgate import --generated N' (peak RSS in $BENCH/national-N/imported.txt, KiB)" >&2
