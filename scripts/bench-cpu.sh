#!/usr/bin/env bash
# Server CPU per identity match, by configuration: the gateway's user+system CPU ticks (/proc) over a fixed load,
# divided by the requests it answered. On a shared 2-core VM the request rate of one run moves by ±20% with the
# host; CPU per request moves less, and alternating configurations (CONFIGS="bare full bare full") shows the spread.
#
#   scripts/bench-cpu.sh                      # bare and full, alternated twice, 1M-resident registry
#   CONFIGS="bare async full" ROUNDS=3 scripts/bench-cpu.sh
#   BIN=/tmp/other-build scripts/bench-cpu.sh # another build's idgate (A/B of two commits)
#   MIX=document=100 DEMO=var/bench/demo-kinds-100000 SKIP_BUILD=1 BIN=... scripts/bench-cpu.sh  # another request mix
#
# Configurations (scripts/bench-lib.sh): full = audit (beforeResponse) + signing, bare = both off, audit, sign,
# async = audit in async durability + signing. Per round it prints the rate, the server's CPU per request and the
# share of it spent by threads other than the event loop (under this load: the audit writer).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python-env.sh   # python3 = the repository's .venv (scripts/install-deps.sh)

RESIDENTS=${RESIDENTS:-1000000}
CONFIGS=${CONFIGS:-bare full}
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-6}
CONNECTIONS=${CONNECTIONS:-16}
STREAMS=${STREAMS:-100}
SERVER_CORE=${SERVER_CORE:-0}
CLIENT_CORE=${CLIENT_CORE:-1}
PORT=${PORT:-18482}
BENCH=${BENCH:-var/bench}
DEMO=${DEMO:-"$BENCH/demo-$RESIDENTS"}
MIX=${MIX:-match=100}

if [ -z "${SKIP_BUILD:-}" ]; then
    swift build -c release -Xswiftc -enforce-exclusivity=unchecked --product idgate >&2
    swift build -c release -Xswiftc -enforce-exclusivity=unchecked --product idgate-load >&2
fi
LOAD_BIN="$(swift build -c release --show-bin-path)"
BIN=${BIN:-$LOAD_BIN}
source scripts/bench-lib.sh
ensure_demo "$BIN" "$DEMO" "$RESIDENTS"
match_configs "$DEMO" "$PORT"
no_shedding

load() {
    taskset -c "$CLIENT_CORE" "$LOAD_BIN/idgate-load" --target "http://127.0.0.1:$PORT" --demo "$DEMO" \
        --client demo-tester --connections "$CONNECTIONS" --streams "$STREAMS" --duration "$1s" --warmup 0s \
        --mix "$MIX" --quiet --json "$WORK/load.json" >"$WORK/load.txt" 2>&1 || { cat "$WORK/load.txt" >&2; exit 1; }
}
HZ=$(getconf CLK_TCK)

echo "$DEMO, mix $MIX; $CONNECTIONS connections x $STREAMS streams; ${DURATION}s per run after 2s of warm-up"
for round in $(seq "$ROUNDS"); do
    for config in $CONFIGS; do
        start_gateway "$BIN" "$PORT" "$config" "$SERVER_CORE"
        load 2
        declare -A before=()
        for task in /proc/"$GATEWAY_PID"/task/*; do before[$task]=$(ticks "$task/stat"); done
        total_before=$(ticks /proc/"$GATEWAY_PID"/stat)
        load "$DURATION"
        total_after=$(ticks /proc/"$GATEWAY_PID"/stat)
        others=0
        for task in /proc/"$GATEWAY_PID"/task/*; do
            name=$(cat "$task/comm")
            case "$name" in NIO-ELT-*) continue ;; esac
            others=$((others + $(ticks "$task/stat") - ${before[$task]:-0}))
        done
        stop_gateway
        python3 - "$WORK/load.json" "$config" "$round" "$DURATION" "$HZ" "$((total_after - total_before))" "$others" <<'PY'
import json, sys
summary = json.load(open(sys.argv[1]))
config, round_, seconds, hz, total, others = sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
requests = summary["achievedRate"] * summary["measuredSeconds"]
micros = total / hz * 1e6 / requests if requests else float("nan")
print(f"round {round_}: {config:6} {summary['achievedRate']:9.0f} req/s  server CPU {micros:6.2f} us/request "
      f"(core {total / hz / seconds * 100:5.1f}% busy, other threads {others / max(total, 1) * 100:4.1f}%)  "
      f"errors {summary['errors'] + summary['transportErrors']}")
PY
    done
done
