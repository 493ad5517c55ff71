#!/usr/bin/env bash
# Instructions per request, per component, for a fixed request mix (issue 18, per-request budgets): the gateway runs
# under `valgrind --tool=callgrind` (repeatable on a noisy machine: instruction counts do not depend on the load),
# collection is switched on after a warm-up and off after exactly REQUESTS requests from idgate-load, and the
# inclusive counts of the component entry points are divided by REQUESTS.
#
#   BIN=.build/release DEMO=var/bench/demo-1000000 scripts/bench-callgrind.sh [full|bare] [MIX]
#   MIX: an idgate-load --mix (default match=100); REQUESTS (default 20000)
#
# Writes $OUT (default var/bench/callgrind-CONFIG.txt): the per-component table, then the 40 most expensive functions
# (inclusive), demangled.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python-env.sh
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }

CONFIG=${1:-full}
MIX=${2:-match=100}
REQUESTS=${REQUESTS:-20000}
WARMUP_REQUESTS=${WARMUP_REQUESTS:-2000}
BIN=${BIN:-.build/release}
DEMO=${DEMO:-var/bench/demo-1000000}
PORT=${PORT:-18495}
OUT=${OUT:-var/bench/callgrind-$CONFIG.txt}

source scripts/bench-lib.sh
bench_config "$DEMO" "$PORT" "$CONFIG" "$([ "$CONFIG" = full ] && echo true || echo false)" \
    "$([ "$CONFIG" = full ] && echo true || echo false)"
# Valgrind (3.19 in Debian 12) cannot read the Swift toolchain's DWARF 5 and gives up; the symbol table is all the
# inclusive counts need, so the gateway runs as a copy without debug sections.
objcopy --strip-debug "$BIN/idgate" "$WORK/idgate"
# Valgrind 3.19 also stops with an internal SIGSEGV right after mapping the toolchain's lib_FoundationICU.so (seen
# 2026-12-02 with Swift 6.3.1, even for `idgate --version` under --tool=none; a plain Swift program runs): say so
# instead of waiting for a gateway that never starts.
if ! valgrind --tool=none "$WORK/idgate" --version >"$WORK/probe.log" 2>&1; then
    grep -m1 -B1 "INTERNAL ERROR" "$WORK/probe.log" >&2 || tail -5 "$WORK/probe.log" >&2
    echo "valgrind cannot run idgate on this machine (above); no instruction counts" >&2
    exit 2
fi
valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$WORK/callgrind.out" \
    "$WORK/idgate" serve --config "$WORK/$CONFIG.json" >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
PIDS+=("$GATEWAY_PID")
for _ in $(seq 600); do
    curl -s --http2-prior-knowledge "http://127.0.0.1:$PORT/readyz" 2>/dev/null | grep -q ready && break
    sleep 0.2
done
load() {
    "$BIN/idgate-load" --target "http://127.0.0.1:$PORT" --demo "$DEMO" --client demo-tester --connections 4 \
        --streams 16 --requests "$1" --timeout 60s --mix "$MIX" --quiet --json "$WORK/load-$1.json" >/dev/null
}
load "$WARMUP_REQUESTS"
callgrind_control -i on "$GATEWAY_PID" >/dev/null
load "$REQUESTS"
callgrind_control -i off "$GATEWAY_PID" >/dev/null
callgrind_control -d "$GATEWAY_PID" >/dev/null
kill -TERM "$GATEWAY_PID"; wait "$GATEWAY_PID" 2>/dev/null || true
ERRORS=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["errors"])' "$WORK/load-$REQUESTS.json")

# Inclusive counts per function (all dumps summed), demangled.
DUMPS=("$WORK"/callgrind.out*)
callgrind_annotate --inclusive=yes --threshold=100 "${DUMPS[@]}" 2>/dev/null | swift demangle --simplified >"$WORK/annotate.txt"
mkdir -p "$(dirname "$OUT")"
python3 - "$WORK/annotate.txt" "$REQUESTS" "$CONFIG" "$MIX" "$ERRORS" >"$OUT" <<'PY'
import re, sys
path, requests, config, mix, errors = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
rows = []
total = 0
for line in open(path, encoding="utf-8", errors="replace"):
    m = re.match(r"\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*)", line)
    if not m:
        m2 = re.match(r"\s*([\d,]+)\s+\(100\.0%\)\s+PROGRAM TOTALS", line) or re.match(r"\s*([\d,]+)\s+PROGRAM TOTALS", line)
        if m2: total = int(m2.group(1).replace(",", ""))
        continue
    count = int(m.group(1).replace(",", ""))
    name = m.group(2)
    if "PROGRAM TOTALS" in name:
        total = count
        continue
    rows.append((count, name))
# Component entry points: the first function (inclusive) whose name contains the pattern.
components = [
    ("HTTP/2 receive (nghttp2_session_mem_recv, callbacks included)", "nghttp2_session_mem_recv"),
    ("HTTP/2 send (nghttp2_session_mem_send)", "nghttp2_session_mem_send"),
    ("parse (MatchRequestParser.parse)", "MatchRequestParser.parse"),
    ("lookup (mdb_get)", "mdb_get"),
    ("compare (MatchEngine.match)", "MatchEngine.match"),
    ("request digest (MatchRequest.requestDigest)", "requestDigest"),
    ("encode (MatchResponseEncoder.encode)", "MatchResponseEncoder.encode"),
    ("sign (BatchResponseSigner)", "BatchResponseSigner"),
    ("Ed25519 (ED25519_sign / EVP_DigestSign)", "EVP_DigestSign"),
    ("audit append (AuditLog.append)", "AuditLog.append"),
    ("audit writer (AuditWriter)", "AuditWriter"),
    ("SHA-256 (idgate_sha256)", "idgate_sha256"),
    ("kernel entries: read", "read"),
    ("malloc", "malloc"),
    ("free", "free"),
]
print(f"callgrind, config {config}, mix {mix}: {requests} requests ({errors} errors); instructions per request, inclusive")
print(f"{'component':70} {'instr/request':>14}")
print(f"{'whole process (every thread)':70} {total / requests:14.0f}")
for label, pattern in components:
    found = [(c, n) for c, n in rows if pattern in n]
    if not found:
        print(f"{label:70} {'-':>14}")
        continue
    count, name = max(found)
    print(f"{label:70} {count / requests:14.0f}   [{name[:90]}]")
print()
print("40 most expensive functions (inclusive, instructions per request):")
for count, name in sorted(rows, reverse=True)[:40]:
    print(f"{count / requests:12.0f}  {name[:150]}")
PY
cat "$OUT"
