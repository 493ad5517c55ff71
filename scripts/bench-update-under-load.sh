#!/usr/bin/env bash
# Live data updates while serving (issue 7): open-loop identity-match load against the gateway (core 0, audit and
# signing on) while `idgate update` batches commit into the same registry every few seconds. Prints failed requests
# and p99 per second before, during and after the updates: readers never wait for the writer (LMDB MVCC), so there
# must be no failures and no latency cliff.
#
#   scripts/bench-update-under-load.sh                   # uses the demo folder made by scripts/bench-e2e.sh
#   DEMO=var/demo RATE=5000 scripts/bench-update-under-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python-env.sh   # python3 = the repository's .venv (scripts/install-deps.sh)

DEMO=${DEMO:-var/bench/demo-1000000}
RATE=${RATE:-10000}
DURATION=${DURATION:-40}
BATCHES=${BATCHES:-8}
OPS=${OPS:-2000}
PORT=${PORT:-18482}
SERVER_CORE=${SERVER_CORE:-0}
CLIENT_CORE=${CLIENT_CORE:-1}

swift build -c release -Xswiftc -enforce-exclusivity=unchecked --product idgate >&2
swift build -c release -Xswiftc -enforce-exclusivity=unchecked --product idgate-load >&2
BIN="$(swift build -c release --show-bin-path)"
source scripts/bench-lib.sh
ensure_demo "$BIN" "$DEMO" 1000000
bench_config "$DEMO" "$PORT" live true true
start_gateway "$BIN" "$PORT" live "$SERVER_CORE"

taskset -c "$CLIENT_CORE" "$BIN/idgate-load" --target "http://127.0.0.1:$PORT" --demo "$DEMO" --client demo-tester \
    --rate "$RATE" --duration "${DURATION}s" --mix match=100 --quiet --json "$WORK/load.json" >"$WORK/load.txt" 2>&1 &
LOAD_PID=$!
PIDS+=("$LOAD_PID")

# Update batches: toggle the card status of OPS sample residents (revoked, then valid again), one batch every 2 s
# from second 10 on, each applied by `idgate update` in its own process (a real writer beside the server).
sleep 10
UPDATE_START=$(date +%s)
for batch in $(seq "$BATCHES"); do
    sequence=$(( $("$BIN/idgate" stats --db "$DEMO/registry" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["sequence"])') + 1 ))
    python3 - "$DEMO/sample.ndjson" "$WORK/batch.ndjson" "$sequence" "$OPS" "$batch" <<'PY'
import json, sys
sample, out, sequence, ops, batch = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
records = [json.loads(l) for l in open(sample)]
with_card = [r for r in records if r.get("cardNumber") and r.get("cardStatus") == "valid"][:ops]
status = "revoked" if batch % 2 else "valid"
with open(out, "w") as f:
    f.write(json.dumps({"sequence": sequence}) + "\n")
    for r in with_card:
        f.write(json.dumps({"op": "setCardStatus", "idNumber": r["idNumber"], "cardStatus": status}) + "\n")
PY
    t0=$(date +%s.%N)
    "$BIN/idgate" update "$WORK/batch.ndjson" --db "$DEMO/registry" >/dev/null 2>&1
    echo "update batch $sequence: ${OPS} changes committed in $(awk -v s="$t0" -v e="$(date +%s.%N)" 'BEGIN { printf "%.3f", e - s }') s" >&2
    sleep 2
done
UPDATE_END=$(date +%s)
wait "$LOAD_PID"

python3 - "$WORK/load.json" $((UPDATE_END - UPDATE_START)) <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
timeline = [t for t in s["timeline"] if t.get("measured")]
# Updates started 10 s into the run and lasted argv[2] seconds.
start, length = 10, int(sys.argv[2])
def window(a, b):
    rows = [t for t in timeline if a <= t["second"] < b]
    return (max((t["p99"] for t in rows), default=0) / 1000, sum(t["errors"] for t in rows), len(rows))
before, during, after = window(0, start), window(start, start + length), window(start + length, 10**9)
print(f"requests {s['requests']}  responses {s['responses']}  errors {s['errors']}  transport errors {s['transportErrors']}  unsent {s['unsent']}")
print(f"achieved {s['achievedRate']:.0f} req/s (open loop)")
for name, (p99, errors, seconds) in (("before updates", before), ("during updates", during), ("after updates", after)):
    print(f"  {name:15}: worst per-second p99 {p99:8.2f} ms, errors {errors}, {seconds} s")
print(f"  overall p99 {s['latency']['p99'] / 1000:.2f} ms")
PY
