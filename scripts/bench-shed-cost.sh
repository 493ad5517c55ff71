#!/usr/bin/env bash
# What a refusal costs beside an answer (issue 17, overload; docs/RELIABILITY.md): the gateway's CPU per request
# (/proc ticks over a closed-loop load of identity matches) in the `full` configuration, once answering and once
# with the overload target at 0, which refuses every API request with 503 `overloaded` before authentication.
# Their ratio bounds what an overloaded gateway can admit: with refusals costing r of an answer, an offered load of
# F x capacity leaves (1 - F r) / (1 - r) of capacity for answers.
#
#   scripts/bench-shed-cost.sh                      # this checkout's release build, 1M residents, 2 rounds
#   BIN=/tmp/other-build ROUNDS=3 scripts/bench-shed-cost.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python-env.sh

RESIDENTS=${RESIDENTS:-1000000}
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-6}
PORT=${PORT:-18502}
BENCH=${BENCH:-var/bench}
DEMO="$BENCH/demo-$RESIDENTS"
source scripts/bench-lib.sh
release_bin
ensure_demo "$BIN" "$DEMO" "$RESIDENTS"
bench_config "$DEMO" "$PORT" full true true
# Answering: shedding off, so no refusal is averaged into an answer's CPU. Shedding: every API request refused.
no_shedding
python3 - "$WORK/full.json" "$WORK/shed.json" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["overload"].update({"queueDelayTargetMillis": 0, "queueDelayIntervalMillis": 0})
config["audit"]["directory"] += "-shed"
json.dump(config, open(sys.argv[2], "w"), indent=1)
PY
HZ=$(getconf CLK_TCK)
load() {
    taskset -c 1 "$BIN/idgate-load" --target "http://127.0.0.1:$PORT" --demo "$DEMO" --client demo-tester \
        --connections 16 --streams 100 --duration "$1s" --warmup 0s --mix match=100 --quiet --json "$WORK/load.json" \
        >"$WORK/load.txt" 2>&1 || true
}
for round in $(seq "$ROUNDS"); do
    for config in full shed; do
        start_gateway "$BIN" "$PORT" "$config" 0
        load 2
        before=$(ticks /proc/"$GATEWAY_PID"/stat)
        load "$DURATION"
        after=$(ticks /proc/"$GATEWAY_PID"/stat)
        stop_gateway
        python3 - "$WORK/load.json" "$config" "$round" "$((after - before))" "$HZ" <<'PY' | tee -a "$WORK/rows"
import json, sys
s = json.load(open(sys.argv[1]))
config, round_, ticks, hz = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
requests = s["achievedRate"] * s["measuredSeconds"]
statuses = {k: v for op in s["operations"].values() for k, v in op["byStatus"].items()}
print(f"round {round_}: {config:5} {s['achievedRate']:9.0f} req/s  server CPU {ticks / hz * 1e6 / requests:6.2f} us/request  {statuses}")
PY
    done
done
python3 - "$WORK/rows" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"round \d+: (\w+)\s+\d+ req/s\s+server CPU\s+([\d.]+)", line)
    if m: rows.setdefault(m.group(1), []).append(float(m.group(2)))
full, shed = statistics.median(rows["full"]), statistics.median(rows["shed"])
r = shed / full
print(f"median: answer {full:.2f} us, refusal {shed:.2f} us: a refusal costs {r:.2f} of an answer; "
      f"offered 3x, at most {(1 - 3 * r) / (1 - r):.2f} of capacity is left for answers")
PY
