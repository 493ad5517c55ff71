#!/usr/bin/env bash
# The access-history endpoint measured whole, as the citizen portal sees it: POST /v1/subjects/access-history over
# HTTP/2 to a gateway with audit (beforeResponse) and signing on, whose audit log is AUDIT (e.g. 100 million records
# written by `idgate audit append-test ... --subject-every 100000` into the demo's audit directory, indexed with
# `idgate audit index`). Beside it, in the same run and at the same concurrency, identity matches on the same
# gateway: the anchor the ratio is taken against. Each round starts the gateway afresh, pinned to SERVER_CORE with one
# event loop; the load runs on CLIENT_CORE.
#
#   DEMO=var/bench/demo-h AUDIT=var/bench/demo-h/audit scripts/bench-history.sh
#   CONNECTIONS=1 STREAMS=1 ... scripts/bench-history.sh        # one request at a time: latency without queueing
#
# Prints per round and as medians: requests/s and p50/p99 (ms) of history first pages (LIMIT entries, default 50)
# of SUBJECT (default the append tool's hot subject, 001085012345), of identity matches, and the ratio. Every history
# read is itself audited with the subject, so the subject's history grows during the run; the first page stays
# LIMIT entries. demo-portal's rate limit and daily quota are raised for the run (a copy of the clients file).
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO=${DEMO:?DEMO: a demo folder (idgate demo init)}
AUDIT=${AUDIT:-$DEMO/audit}
SUBJECT=${SUBJECT:-001085012345}
LIMIT=${LIMIT:-50}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
CONNECTIONS=${CONNECTIONS:-16}
STREAMS=${STREAMS:-100}
SERVER_CORE=${SERVER_CORE:-0}
CLIENT_CORE=${CLIENT_CORE:-1}
PORT=${PORT:-18490}

source scripts/bench-lib.sh
release_bin
DEMO=$(cd "$DEMO" && pwd)
AUDIT=$(cd "$AUDIT" && pwd)
bench_config "$DEMO" "$PORT" history true true
python3 - "$WORK/history.json" "$AUDIT" "$DEMO/clients.json" "$WORK/clients.json" <<'PY'
import json, sys
config_path, audit, clients_in, clients_out = sys.argv[1:5]
config = json.load(open(config_path))
config["audit"]["directory"] = audit
config["clients"]["file"] = clients_out
json.dump(config, open(config_path, "w"), indent=1)
clients = json.load(open(clients_in))
for client in clients["clients"]:
    if client["id"] == "demo-portal":
        client["rateLimit"] = {"requestsPerSecond": 1000000, "burst": 1000000}
        client["dailyQuota"] = 1000000000
json.dump(clients, open(clients_out, "w"), indent=1)
PY
chmod 600 "$WORK/clients.json"
PORTAL_KEY=$(python3 -c 'import json,sys; print([c for c in json.load(open(sys.argv[1]))["clients"] if c["id"] == "demo-portal"][0]["apiKey"])' "$DEMO/credentials.json")
printf '{"idNumber":"%s","limit":%s}' "$SUBJECT" "$LIMIT" >"$WORK/history-body.json"

# summarize JSON: "rate p50_ms p99_ms non2xx"
summarize() {
    python3 -c 'import json, sys; s = json.load(open(sys.argv[1]))
print(round(s["achievedRate"]), round(s["latency"]["p50"] / 1000, 3), round(s["latency"]["p99"] / 1000, 3), s["errors"] + s["transportErrors"])' "$1"
}
load_history() {
    taskset -c "$CLIENT_CORE" "$BIN/idgate-load" --target "http://127.0.0.1:$PORT" --method POST \
        --path /v1/subjects/access-history --body "$WORK/history-body.json" --header "content-type: application/json" \
        --api-key "$PORTAL_KEY" --connections "$CONNECTIONS" --streams "$STREAMS" --duration "$DURATION" \
        --warmup "$WARMUP" --quiet --json "$WORK/history-load.json" >"$WORK/history-load.txt" 2>&1 \
        || { cat "$WORK/history-load.txt" >&2; exit 1; }
    python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); o = s["operations"]
print("history outcomes:", {k: (v["byStatus"], v["errorCodes"], v["transportErrors"]) for k, v in o.items()}, file=sys.stderr)' "$WORK/history-load.json"
    summarize "$WORK/history-load.json"
}
load_match() {
    taskset -c "$CLIENT_CORE" "$BIN/idgate-load" --target "http://127.0.0.1:$PORT" --demo "$DEMO" --client demo-tester \
        --connections "$CONNECTIONS" --streams "$STREAMS" --duration "$DURATION" --warmup "$WARMUP" --mix match=100 \
        --quiet --json "$WORK/match-load.json" >"$WORK/match-load.txt" 2>&1 || { cat "$WORK/match-load.txt" >&2; exit 1; }
    summarize "$WORK/match-load.json"
}

# A first page answered before the runs: the index is open and caught up, and the answer is what is measured.
start_gateway "$BIN" "$PORT" history "$SERVER_CORE"
curl -s --http2-prior-knowledge -H "authorization: Bearer $PORTAL_KEY" -H 'content-type: application/json' \
    --data-binary @"$WORK/history-body.json" "http://127.0.0.1:$PORT/v1/subjects/access-history" >"$WORK/first.json"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); n = len(d.get("entries", []))
print("first page:", n, "entries, more:", "cursor" in d and d["cursor"] is not None, file=sys.stderr)
sys.exit(0 if n > 0 else 1)' "$WORK/first.json" || { echo "no history for $SUBJECT:" >&2; head -c 600 "$WORK/first.json" >&2; exit 1; }
stop_gateway

for round in $(seq "$ROUNDS"); do
    start_gateway "$BIN" "$PORT" history "$SERVER_CORE"
    read -r rate p50 p99 errors < <(load_history)
    echo "$rate" >>"$WORK/h-rate"; echo "$p50" >>"$WORK/h-p50"; echo "$p99" >>"$WORK/h-p99"
    echo "round $round: history ${rate}/s  p50 ${p50} ms  p99 ${p99} ms  errors ${errors}" >&2
    read -r rate p50 p99 errors < <(load_match)
    echo "$rate" >>"$WORK/m-rate"; echo "$p50" >>"$WORK/m-p50"; echo "$p99" >>"$WORK/m-p99"
    echo "round $round: match   ${rate}/s  p50 ${p50} ms  p99 ${p99} ms  errors ${errors}" >&2
    stop_gateway
done
H=$(median <"$WORK/h-rate"); M=$(median <"$WORK/m-rate")
echo "audit log $AUDIT; subject $SUBJECT, first page of $LIMIT; $CONNECTIONS connections x $STREAMS streams; server core $SERVER_CORE, load core $CLIENT_CORE; medians of $ROUNDS rounds"
echo "history: $H/s  p50 $(median <"$WORK/h-p50") ms  p99 $(median <"$WORK/h-p99") ms"
echo "match:   $M/s  p50 $(median <"$WORK/m-p50") ms  p99 $(median <"$WORK/m-p99") ms"
awk -v h="$H" -v m="$M" 'BEGIN { printf "history/match: %.2fx\n", h / m }'
