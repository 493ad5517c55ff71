#!/usr/bin/env bash
# End-to-end benchmark of the gateway (issues 4, 6, 7): identity match over h2c on a large generated registry,
# the gateway pinned to core 0 (one event loop), the load on core 1, nghttpd serving a static file as the same-run
# ceiling anchor. Rounds are interleaved; medians and ratios are printed.
#
#   scripts/bench-e2e.sh                                  # 10 million residents (generated once into var/bench)
#   RESIDENTS=1000000 DURATION=10s ROUNDS=3 scripts/bench-e2e.sh
#
# Configurations measured:
#   full  : audit log (group commit, durability beforeResponse) + batch-signed answers (production setting)
#   bare  : audit and signing off (only to measure their cost: target full/bare >= 0.85)
#   with BREAKDOWN=1 also: audit (audit on, signing off) and sign (signing on, audit off), to split the cost, and
#   async (audit with durability async + signing: answers do not wait for fdatasync; loss window in docs/AUDIT.md)
# Plus: batch endpoint records/s (curl upload of an NDJSON file) and offline `idgate match` records/s.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python-env.sh   # python3 = the repository's .venv (scripts/install-deps.sh)

RESIDENTS=${RESIDENTS:-10000000}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
CONNECTIONS=${CONNECTIONS:-16}
STREAMS=${STREAMS:-100}
BATCH_LINES=${BATCH_LINES:-1000000}
SERVER_CORE=${SERVER_CORE:-0}
CLIENT_CORE=${CLIENT_CORE:-1}
PORT=${PORT:-18480}
NGHTTPD_PORT=${NGHTTPD_PORT:-18481}
BENCH=${BENCH:-var/bench}
DEMO="$BENCH/demo-$RESIDENTS"

swift build -c release -Xswiftc -enforce-exclusivity=unchecked --product idgate >&2
swift build -c release -Xswiftc -enforce-exclusivity=unchecked --product idgate-load >&2
BIN="$(swift build -c release --show-bin-path)"

source scripts/bench-lib.sh
ensure_demo "$BIN" "$DEMO" "$RESIDENTS"
match_configs "$DEMO" "$PORT"
no_shedding
CONFIGS=(full bare)
[ "${BREAKDOWN:-0}" = 1 ] && CONFIGS+=(audit sign async)

mkdir -p "$WORK/docroot"
printf '{"transactionId":"01M8328ZAKDESXEZBYXRM25K4Z","decision":"match","requestDigest":"4c4516f293860ad103897480b1bf8529652b86d061f14b75924a075d4e88b5c3"}' >"$WORK/docroot/static.json"
taskset -c "$SERVER_CORE" nghttpd -n 1 --no-tls -d "$WORK/docroot" "$NGHTTPD_PORT" >"$WORK/nghttpd.log" 2>&1 &
PIDS+=($!)

# One idgate-load run of identity matches (hits, near-misses with diacritics/typos/swaps, misses, unknown IDs);
# prints "rate p99_ms errors", the rate counting answered requests only (not errors).
load_match() {
    taskset -c "$CLIENT_CORE" "$BIN/idgate-load" --target "http://127.0.0.1:$PORT" --demo "$DEMO" --client demo-tester \
        --connections "$CONNECTIONS" --streams "$STREAMS" --duration "$DURATION" --warmup "$WARMUP" --mix match=100 \
        --quiet --json "$WORK/load.json" >"$WORK/load.txt" 2>&1 || { cat "$WORK/load.txt" >&2; exit 1; }
    python3 -c 'import json, sys; s = json.load(open(sys.argv[1]))
errors = s["errors"] + s["transportErrors"]
print(round((s["requests"] - errors) / s["measuredSeconds"], 1), round(s["latency"]["p99"] / 1000, 2), errors)' "$WORK/load.json"
}

load_static() {
    taskset -c "$CLIENT_CORE" h2load -c "$CONNECTIONS" -m "$STREAMS" -D "${DURATION%s}" --warm-up-time="${WARMUP%s}" \
        "http://127.0.0.1:$NGHTTPD_PORT/static.json" 2>&1 | awk '/^finished in/ { gsub(",", "", $4); print $4 }'
}


: >"$WORK/nghttpd"
for config in "${CONFIGS[@]}"; do : >"$WORK/$config"; : >"$WORK/$config-p99"; done
for round in $(seq "$ROUNDS"); do
    for config in "${CONFIGS[@]}"; do
        start_gateway "$BIN" "$PORT" "$config" "$SERVER_CORE"
        read -r rate p99 errors < <(load_match)
        stop_gateway
        echo "$rate" >>"$WORK/$config"; echo "$p99" >>"$WORK/$config-p99"
        echo "round $round: gateway ($config) ${rate} matches/s  p99 ${p99} ms  errors ${errors}" >&2
    done
    static=$(load_static)
    echo "$static" >>"$WORK/nghttpd"
    echo "round $round: nghttpd static ${static} req/s" >&2
done

# Batch endpoint and offline matching: BATCH_LINES match requests built from the registry sample.
python3 - "$DEMO/sample.ndjson" "$WORK/batch.ndjson" "$BATCH_LINES" <<'PY'
import json, sys
records = [json.loads(l) for l in open(sys.argv[1])]
keys = ("idNumber", "fullName", "dateOfBirth", "sex")
with open(sys.argv[2], "w") as out:
    for i in range(int(sys.argv[3])):
        r = records[i % len(records)]
        out.write(json.dumps({k: r[k] for k in keys if k in r}, ensure_ascii=False) + "\n")
PY
KEY=$(python3 -c 'import json,sys; print([c for c in json.load(open(sys.argv[1]))["clients"] if c["id"] == "demo-tester"][0]["apiKey"])' "$DEMO/credentials.json")
seconds_since() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.3f", e - s }'; }
# Batch endpoint: three uploads to a freshly started gateway each, the median (single runs vary ±20% here).
for _ in 1 2 3; do
    start_gateway "$BIN" "$PORT" full "$SERVER_CORE"
    t0=$(date +%s.%N)
    taskset -c "$CLIENT_CORE" curl -s --http2-prior-knowledge -o "$WORK/batch.out" \
        -H "authorization: Bearer $KEY" -H 'content-type: application/x-ndjson' --data-binary @"$WORK/batch.ndjson" \
        "http://127.0.0.1:$PORT/v1/identity/match:batch"
    seconds_since "$t0" >>"$WORK/batch-seconds"; echo >>"$WORK/batch-seconds"
    stop_gateway
done
batch_seconds=$(median <"$WORK/batch-seconds")
batch_answers=$(wc -l <"$WORK/batch.out")
# Offline matching: three runs, the median (a single run varies ±15% here with the page cache and the other core).
for _ in 1 2 3; do
    t0=$(date +%s.%N)
    "$BIN/idgate" match "$WORK/batch.ndjson" --db "$DEMO/registry" --out "$WORK/offline.ndjson" 2>/dev/null
    seconds_since "$t0" >>"$WORK/offline-seconds"; echo >>"$WORK/offline-seconds"
done
offline_seconds=$(median <"$WORK/offline-seconds")

FULL=$(median <"$WORK/full"); BARE=$(median <"$WORK/bare"); NGHTTPD=$(median <"$WORK/nghttpd")
FULL_P99=$(median <"$WORK/full-p99"); BARE_P99=$(median <"$WORK/bare-p99")
echo
echo "registry $RESIDENTS residents; server core $SERVER_CORE (1 event loop), load core $CLIENT_CORE;"
echo "$CONNECTIONS connections x $STREAMS streams, $DURATION per run after $WARMUP warm-up, $ROUNDS rounds (medians)"
printf '  identity match, audit+signing (full) : %10.0f req/s   p99 %s ms\n' "$FULL" "$FULL_P99"
printf '  identity match, audit+signing off    : %10.0f req/s   p99 %s ms\n' "$BARE" "$BARE_P99"
printf '  nghttpd static file (anchor)         : %10.0f req/s\n' "$NGHTTPD"
awk -v f="$FULL" -v b="$BARE" -v n="$NGHTTPD" 'BEGIN {
    printf "  ratio full/nghttpd; bare/nghttpd     : %10.2fx; %.2fx (targets >= 0.35x; >= 0.45x)\n", f / n, b / n
    printf "  ratio full/bare (audit+signing cost) : %10.2fx (target >= 0.85x)\n", f / b
}'
if [ "${BREAKDOWN:-0}" = 1 ]; then
    AUDIT=$(median <"$WORK/audit"); SIGN=$(median <"$WORK/sign"); ASYNC=$(median <"$WORK/async")
    awk -v a="$AUDIT" -v s="$SIGN" -v y="$ASYNC" -v b="$BARE" 'BEGIN {
        printf "  audit only / bare                    : %10.2fx (%.0f req/s)\n", a / b, a
        printf "  signing only / bare                  : %10.2fx (%.0f req/s)\n", s / b, s
        printf "  audit async + signing / bare         : %10.2fx (%.0f req/s)\n", y / b, y
    }'
fi
awk -v lines="$batch_answers" -v s="$batch_seconds" 'BEGIN { printf "  batch endpoint (curl upload)         : %10.0f records/s (%d lines in %.2f s, median of 3, target >= 250000)\n", lines / s, lines, s }'
awk -v lines="$BATCH_LINES" -v s="$offline_seconds" 'BEGIN { printf "  offline idgate match (2 threads)     : %10.0f records/s (%d lines in %.2f s, median of 3, target >= 500000)\n", lines / s, lines, s }'
