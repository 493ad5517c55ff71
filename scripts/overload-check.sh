#!/usr/bin/env bash
# Overload behaviour of the gateway (issue 17, point 3; docs/RELIABILITY.md): the closed-loop peak of identity
# matches, then an open-loop load of FACTOR x that peak for DURATION seconds while a second client probes /healthz
# and /readyz; resident memory before, at the peak, and SETTLE seconds after. One event loop pinned to SERVER_CORE,
# the load generators to CLIENT_CORE; configuration "full" (audit beforeResponse + signing) of scripts/bench-lib.sh.
#
#   scripts/overload-check.sh                          # this checkout's release build
#   BASE=/tmp/old-build scripts/overload-check.sh      # another build first (before/after in one run)
#   LOAD_BIN=DIR ONLY_BASE=1 BASE=DIR ...              # another idgate-load; only the BASE build
#   FACTOR=3 DURATION=20 CONNECTIONS=200 STREAMS=100 RESIDENTS=1000000 scripts/overload-check.sh
#   SERVER_CPU=0.3 scripts/overload-check.sh           # the gateway limited to 30% of its core (needs root)
#   OPS=1 scripts/overload-check.sh                    # health probes and /metrics on the operations listener
#                                                      # (`operations.port` = PORT + 1, its own event loop)
#   RATE=30000 scripts/overload-check.sh               # offer this rate instead of FACTOR x the peak
#   ANSWER_TARGET_MS=600000 scripts/overload-check.sh  # overload.answerDelayTargetMillis (600000: the late-answers
#                                                      # rule off, as before it existed; docs/RELIABILITY.md)
#
# One core of idgate-load cannot offer 3x what a whole core of the gateway answers. SERVER_CPU gives the gateway a
# CPU bandwidth limit (cgroup v1 `cpu` controller, CFS quota over a 10 ms period, so a throttled gateway waits at
# most ~7 ms for its next slice) so that the same generator can offer 3x the gateway's peak.
#
# Prints one block per build: offered and achieved rates, admitted (200) and refused (503) latency percentiles,
# health-probe latency, transport errors (closed connections, resets), GOAWAYs sent, RSS before/peak/after.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python-env.sh

RESIDENTS=${RESIDENTS:-1000000}
FACTOR=${FACTOR:-3}
DURATION=${DURATION:-20}
PEAK_SECONDS=${PEAK_SECONDS:-6}
CONNECTIONS=${CONNECTIONS:-200}
STREAMS=${STREAMS:-100}
SETTLE=${SETTLE:-8}
MIX=${MIX:-match=100}
SERVER_CORE=${SERVER_CORE:-0}
CLIENT_CORE=${CLIENT_CORE:-1}
PORT=${PORT:-18483}
BENCH=${BENCH:-var/bench}
DEMO="$BENCH/demo-$RESIDENTS"

if [ -z "${SKIP_BUILD:-}" ]; then
    swift build -c release -Xswiftc -enforce-exclusivity=unchecked --product idgate >&2
    swift build -c release -Xswiftc -enforce-exclusivity=unchecked --product idgate-load >&2
fi
LOAD_BIN=${LOAD_BIN:-"$(swift build -c release --show-bin-path)"}
BIN=${BIN:-$LOAD_BIN}
source scripts/bench-lib.sh
ensure_demo "$BIN" "$DEMO" "$RESIDENTS"
bench_config "$DEMO" "$PORT" full true true
OPS_URL="http://127.0.0.1:$PORT"
[ -n "${OPS:-}" ] && OPS_URL="http://127.0.0.1:$((PORT + 1))"
python3 - "$WORK/full.json" "${OPS:+$((PORT + 1))}" "${ANSWER_TARGET_MS:-}" <<'PY'
import json, sys
path, operations_port, answer_target = sys.argv[1:4]
config = json.load(open(path))
if operations_port: config["operations"] = {"host": "127.0.0.1", "port": int(operations_port)}
if answer_target: config.setdefault("overload", {})["answerDelayTargetMillis"] = float(answer_target)
json.dump(config, open(path, "w"), indent=1)
PY

SERVER_CPU=${SERVER_CPU:-}
CGROUP=""
if [ -n "$SERVER_CPU" ]; then
    CGROUP=/sys/fs/cgroup/cpu/idgate-overload-$$
    mkdir "$CGROUP" || { echo "SERVER_CPU needs a writable cgroup v1 cpu controller (root)" >&2; exit 1; }
    echo 10000 >"$CGROUP/cpu.cfs_period_us"
    awk -v f="$SERVER_CPU" 'BEGIN { printf "%d\n", f * 10000 }' >"$CGROUP/cpu.cfs_quota_us"
    trap 'bench_cleanup; sleep 0.5; rmdir "$CGROUP" 2>/dev/null || true' EXIT
fi
# limit_cpu PID: the whole process (every thread, also those it starts later) under the SERVER_CPU quota.
limit_cpu() { if [ -n "$CGROUP" ]; then echo "$1" >"$CGROUP/cgroup.procs"; fi; }

rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

# run_build LABEL BIN: one measurement of the build in BIN.
run_build() {
    local label=$1 bin=$2
    rm -rf "$WORK/audit-full"
    start_gateway "$bin" "$PORT" full "$SERVER_CORE"
    limit_cpu "$GATEWAY_PID"
    local url="http://127.0.0.1:$PORT"
    # Closed-loop peak: 16 connections x 100 streams (as scripts/bench-cpu.sh), after 2 s of warm-up.
    taskset -c "$CLIENT_CORE" "$LOAD_BIN/idgate-load" --target "$url" --demo "$DEMO" --client demo-tester \
        --connections 16 --streams 100 --duration "${PEAK_SECONDS}s" --warmup 2s --mix "$MIX" --quiet \
        --json "$WORK/peak-$label.json" >"$WORK/peak-$label.txt" 2>&1
    local peak
    peak=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(int(sum(o["byStatus"].get("200",0) for o in s["operations"].values()) / s["measuredSeconds"]))' "$WORK/peak-$label.json")
    local rate; rate=${RATE:-$(awk -v p="$peak" -v f="$FACTOR" 'BEGIN { printf "%d", p * f }')}
    sleep "$SETTLE"
    local before; before=$(rss_kb "$GATEWAY_PID")
    # Health probes on their own connections: 20 per second each, for the length of the overload.
    local probes=()
    for path in healthz readyz; do
        taskset -c "$CLIENT_CORE" "$LOAD_BIN/idgate-load" --target "$OPS_URL" --path "/$path" --method GET --rate 20 \
            --connections 1 --duration "${DURATION}s" --warmup 0s --timeout 10s --quiet \
            --json "$WORK/$path-$label.json" >"$WORK/$path-$label.txt" 2>&1 &
        probes+=($!)
    done
    taskset -c "$CLIENT_CORE" "$LOAD_BIN/idgate-load" --target "$url" --demo "$DEMO" --client demo-tester \
        --rate "$rate" --connections "$CONNECTIONS" --streams "$STREAMS" --duration "${DURATION}s" --warmup 0s \
        --mix "$MIX" --quiet --json "$WORK/over-$label.json" >"$WORK/over-$label.txt" 2>&1 &
    local load_pid=$!
    local peak_rss=$before
    while kill -0 "$load_pid" 2>/dev/null; do
        local now; now=$(rss_kb "$GATEWAY_PID")
        [ "$now" -gt "$peak_rss" ] && peak_rss=$now
        sleep 0.5
    done
    wait "$load_pid" || { cat "$WORK/over-$label.txt" >&2; }
    wait "${probes[@]}" || true
    sleep "$SETTLE"
    local after; after=$(rss_kb "$GATEWAY_PID")
    curl -s --http2-prior-knowledge "$OPS_URL/metrics" >"$WORK/metrics-$label.txt" || true
    stop_gateway
    python3 - "$label" "$peak" "$rate" "$WORK" "$before" "$peak_rss" "$after" "$SERVER_CPU" <<'PY'
import json, sys, re
label, peak, rate, work, before, peak_rss, after = sys.argv[1:8]
def load(name): return json.load(open(f"{work}/{name}-{label}.json"))
over = load("over")
def ms(us): return f"{us / 1000:.1f}"
quota = f" (gateway limited to {float(sys.argv[8]):.0%} of a core)" if sys.argv[8] else ""
print(f"== {label}{quota}: closed-loop peak {int(peak):,} matches/s; offered {int(rate):,}/s open loop for {over['measuredSeconds']:.0f} s "
      f"({over['connections']} connections x {over['streamsPerConnection']} streams)")
print(f"   achieved {over['achievedRate']:,.0f} req/s; sent {over['requests'] - over['unsent']:,}, unsent {over['unsent']:,}")
for name, op in over["operations"].items():
    statuses = ", ".join(f"{k}: {v:,}" for k, v in sorted(op["byStatus"].items()))
    print(f"   {name}: {statuses}; transport errors {op['transportErrors'] or 'none'}")
    for status, lat in sorted((op.get("latencyByStatus") or {}).items()):
        print(f"     {status} latency p50 {ms(lat['p50'])} ms  p90 {ms(lat['p90'])} ms  p99 {ms(lat['p99'])} ms  max {ms(lat['max'])} ms")
    print(f"     all   latency p50 {ms(op['latency']['p50'])} ms  p99 {ms(op['latency']['p99'])} ms")
for probe in ("healthz", "readyz"):
    h = load(probe)
    lat = h["latency"]
    print(f"   /{probe}: {h['responses']} answered of {h['requests']}, p50 {ms(lat['p50'])} ms  p99 {ms(lat['p99'])} ms  max {ms(lat['max'])} ms; errors {h['errors']}")
metrics = open(f"{work}/metrics-{label}.txt").read()
def metric(name):
    return sum(float(m.group(1)) for m in re.finditer(rf"^{name}(?:{{[^}}]*}})? (\S+)$", metrics, re.M))
print(f"   server: GOAWAYs sent {metric('idgate_http2_goaways_sent_total'):.0f}, resets received {metric('idgate_http2_resets_received_total'):.0f}, "
      f"shed {metric('idgate_overload_shed_total'):.0f}")
print(f"   RSS before {int(before) / 1024:.0f} MB, peak {int(peak_rss) / 1024:.0f} MB, {sys.argv[0] and ''}after {int(after) / 1024:.0f} MB")
PY
}

if [ -n "${BASE:-}" ]; then run_build before "$BASE"; fi
if [ -z "${ONLY_BASE:-}" ]; then run_build after "$BIN"; fi
