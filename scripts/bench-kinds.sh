#!/usr/bin/env bash
# Documents and organizations beside identity match (issue 21): one gateway (full production setting: audit
# beforeResponse + batch-signed answers, one event loop pinned to core 0), idgate-load on core 1, rounds interleaved
# over match=100, document=100 and organization=100 on the same registry; prints each run, the medians and the
# ratios to identity match.
#
#   scripts/bench-kinds.sh                          # 200,000 residents (generated once into var/bench)
#   RESIDENTS=1000000 DURATION=10s ROUNDS=5 scripts/bench-kinds.sh
#   BIN=/tmp/other-build scripts/bench-kinds.sh     # a build elsewhere (idgate and idgate-load), no build here
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python-env.sh

RESIDENTS=${RESIDENTS:-200000}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
CONNECTIONS=${CONNECTIONS:-16}
STREAMS=${STREAMS:-100}
SERVER_CORE=${SERVER_CORE:-0}
CLIENT_CORE=${CLIENT_CORE:-1}
PORT=${PORT:-18490}
BENCH=${BENCH:-var/bench}
DEMO="$BENCH/demo-kinds-$RESIDENTS"

source scripts/bench-lib.sh
release_bin
ensure_demo "$BIN" "$DEMO" "$RESIDENTS"
bench_config "$DEMO" "$PORT" full true true
start_gateway "$BIN" "$PORT" full "$SERVER_CORE"

# load MIX: prints "rate p99_ms errors".
load() {
    taskset -c "$CLIENT_CORE" "$BIN/idgate-load" --target "http://127.0.0.1:$PORT" --demo "$DEMO" --client demo-tester \
        --connections "$CONNECTIONS" --streams "$STREAMS" --duration "$DURATION" --warmup "$WARMUP" --mix "$1" \
        --quiet --json "$WORK/load.json" >"$WORK/load.txt" 2>&1 || { cat "$WORK/load.txt" >&2; exit 1; }
    python3 -c 'import json, sys; s = json.load(open(sys.argv[1]))
print(s["achievedRate"], round(s["latency"]["p99"] / 1000, 2), s["errors"] + s["transportErrors"])
for name, op in s.get("operations", {}).items():
    if op.get("errorCodes") or any(k != "200" for k in op.get("byStatus", {})):
        print(name, op.get("byStatus"), op.get("errorCodes"), file=sys.stderr)' "$WORK/load.json"
}

MIXES=(match=100 document=100 organization=100)
for round in $(seq "$ROUNDS"); do
    for mix in "${MIXES[@]}"; do
        read -r rate p99 errors < <(load "$mix")
        echo "round $round $mix: $rate req/s, p99 $p99 ms, errors $errors" >&2
        echo "$rate" >>"$WORK/${mix%%=*}.rates"
    done
done
stop_gateway

match=$(median <"$WORK/match.rates")
printf '%-14s %12s %8s\n' mix "median req/s" "vs match"
for mix in "${MIXES[@]}"; do
    name=${mix%%=*}
    rate=$(median <"$WORK/$name.rates")
    printf '%-14s %12.0f %8.2f\n' "$name" "$rate" "$(python3 -c "print($rate / $match)")"
done
