#!/usr/bin/env bash
# Lock acquisitions per request on the request path (issue 18, "many cores"; docs/BENCHMARKS.md): uprobes on
# libc's pthread_mutex_lock / pthread_rwlock_{rd,wr}lock (NIOLock, NIOLockedValueBox, OpenSSL, glibc internals) and
# on Swift's `Synchronization.Mutex` slow path (taken only when another thread holds the mutex: its fast path is an
# inlined compare-and-swap no probe can see), plus futex system calls, counted per thread with `perf stat` over a
# fixed number of requests after a warm-up, and divided by that number. Counts, not times: repeatable on a busy
# machine. Needs root (uprobes); the probes are added once and left in place.
#
#   scripts/bench-locks.sh                                   # full configuration, match=100, 100,000 requests
#   CONFIG=bare MIX=chip=100 REQUESTS=20000 scripts/bench-locks.sh
#   THREADS=2 scripts/bench-locks.sh                         # two event loops sharing both cores with the load
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python-env.sh

CONFIG=${CONFIG:-full}
MIX=${MIX:-match=100}
REQUESTS=${REQUESTS:-100000}
WARMUP_REQUESTS=${WARMUP_REQUESTS:-20000}
RESIDENTS=${RESIDENTS:-100000}
BENCH=${BENCH:-var/bench}
DEMO=${DEMO:-"$BENCH/demo-kinds-$RESIDENTS"}
PORT=${PORT:-18498}
LIBC=/lib/x86_64-linux-gnu/libc.so.6
SYNC=$(dirname "$(command -v swift)")/../lib/swift/linux/libswiftSynchronization.so

source scripts/bench-lib.sh
release_bin
ensure_demo "$BIN" "$DEMO" "$RESIDENTS"

probes=$(perf probe -l 2>/dev/null || true)
for fn in pthread_mutex_lock pthread_rwlock_rdlock pthread_rwlock_wrlock; do
    grep -q "probe_libc:$fn " <<<"$probes" || perf probe -q -x "$LIBC" --add "$fn"
done
if ! grep -q "probe_libswiftSynchronization:mutexLockSlow " <<<"$probes"; then
    offset=$(nm -D "$SYNC" | awk '/_MutexHandleV9_lockSlow/ { print "0x" $1 }')
    perf probe -q -x "$SYNC" --add "mutexLockSlow=$offset"
fi
EVENTS=probe_libc:pthread_mutex_lock,probe_libc:pthread_rwlock_rdlock,probe_libc:pthread_rwlock_wrlock,probe_libswiftSynchronization:mutexLockSlow,syscalls:sys_enter_futex

bench_config "$DEMO" "$PORT" "$CONFIG" "$([ "$CONFIG" = bare ] && echo false || echo true)" \
    "$([ "$CONFIG" = bare ] && echo false || echo true)"
# THREADS=2: two event loops on both cores, so that a lock two loops share would show as contended slow paths.
THREADS=${THREADS:-1}
python3 - "$WORK/$CONFIG.json" "$THREADS" <<'PY'
import json, sys
config = json.load(open(sys.argv[1])); config["server"]["threads"] = int(sys.argv[2])
json.dump(config, open(sys.argv[1], "w"), indent=1)
PY
start_gateway "$BIN" "$PORT" "$CONFIG" "$([ "$THREADS" = 1 ] && echo 0 || echo 0,1)"
load() {
    taskset -c "$([ "$THREADS" = 1 ] && echo 1 || echo 0,1)" "$BIN/idgate-load" --target "http://127.0.0.1:$PORT" --demo "$DEMO" --client demo-tester \
        --connections "${CONNECTIONS:-4}" --streams "${STREAMS:-16}" --requests "$1" --timeout 60s --mix "$MIX" --quiet --json "$WORK/load-$1.json" \
        >"$WORK/load-$1.txt" 2>&1 || { cat "$WORK/load-$1.txt" >&2; exit 1; }
}
load "$WARMUP_REQUESTS"
perf stat --per-thread -x, -e "$EVENTS" -p "$GATEWAY_PID" -o "$WORK/stat.csv" &
STAT_PID=$!
sleep 1
load "$REQUESTS"
kill -INT "$STAT_PID"; wait "$STAT_PID" 2>/dev/null || true
stop_gateway
python3 - "$WORK/stat.csv" "$WORK/load-$REQUESTS.json" "$REQUESTS" "$CONFIG" "$MIX" <<'PY'
import collections, json, re, sys
path, load_path, requests, config, mix = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
summary = json.load(open(load_path))
answered = sum(op["byStatus"].get("200", 0) for op in summary["operations"].values())
for name, op in summary["operations"].items():
    others = {k: v for k, v in op["byStatus"].items() if k != "200"}
    if others or op.get("errorCodes"):
        print(f"{name}: not 200: {others} {op.get('errorCodes') or ''}")
per_thread = collections.defaultdict(lambda: collections.Counter())
for line in open(path):
    parts = line.strip().split(",")
    if len(parts) < 4 or not parts[1].replace(".", "").isdigit():
        continue
    thread, value, event = parts[0], float(parts[1]), parts[3]
    name = re.sub(r"-\d+$", "", thread)          # "NIO-ELT-0-#0-1234" -> "NIO-ELT-0-#0"
    name = re.sub(r"^(NIO-ELT-\d+-#)\d+", r"\1N", name)
    per_thread[name][event.split(":")[-1]] += value
events = ["pthread_mutex_lock", "pthread_rwlock_rdlock", "pthread_rwlock_wrlock", "mutexLockSlow", "sys_enter_futex"]
print(f"config {config}, mix {mix}: {requests:,} requests sent, {answered:,} answered 200; counts per request sent")
print(f"{'thread':28}" + "".join(f"{e:>24}" for e in events))
totals = collections.Counter()
for name, counts in sorted(per_thread.items(), key=lambda kv: -sum(kv[1].values())):
    if sum(counts.values()) == 0:
        continue
    totals.update(counts)
    print(f"{name[:28]:28}" + "".join(f"{counts[e] / requests:24.4f}" for e in events))
print(f"{'all threads':28}" + "".join(f"{totals[e] / requests:24.4f}" for e in events))
PY
