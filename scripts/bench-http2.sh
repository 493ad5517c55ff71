#!/usr/bin/env bash
# Transport benchmark for the HTTP/2 core (issue 3): idgate-h2bench (trivial POST route, one event loop) against
# nghttpd (one worker, a small static file), each pinned to core 0 while h2load runs on core 1.
# Rounds are interleaved; the medians and ratios are printed. Also h2 over TLS vs h2c for idgate.
#
#   scripts/bench-http2.sh                 # N=300000 requests per run, 3 rounds
#   N=1000000 ROUNDS=5 scripts/bench-http2.sh
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-300000}
ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-16}
STREAMS=${STREAMS:-100}
SERVER_CORE=${SERVER_CORE:-0}
CLIENT_CORE=${CLIENT_CORE:-1}
H2C_PORT=${H2C_PORT:-18441}
TLS_PORT=${TLS_PORT:-18442}
NGHTTPD_PORT=${NGHTTPD_PORT:-18443}

swift build -c release -Xswiftc -enforce-exclusivity=unchecked --product idgate-h2bench >&2
BIN="$(swift build -c release --show-bin-path)/idgate-h2bench"

source scripts/bench-lib.sh

mkdir -p "$WORK/docroot"
printf '{"idNumber":"001085012345","fullName":"Nguyen Van An","dateOfBirth":"1985-03-14"}' >"$WORK/body.json"
printf '{"ok":true}\n' >"$WORK/docroot/index.json"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null

taskset -c "$SERVER_CORE" "$BIN" --threads 1 --port "$H2C_PORT" \
    --tls-port "$TLS_PORT" --cert "$WORK/cert.pem" --key "$WORK/key.pem" >"$WORK/idgate.log" 2>&1 &
PIDS+=($!)
IDGATE_PID=$!
taskset -c "$SERVER_CORE" nghttpd -n 1 --no-tls -d "$WORK/docroot" "$NGHTTPD_PORT" >"$WORK/nghttpd.log" 2>&1 &
PIDS+=($!)
NGHTTPD_PID=$!
sleep 1

# Prints the request rate of one h2load run (requests/s).
rate() {
    taskset -c "$CLIENT_CORE" h2load -c "$CLIENTS" -m "$STREAMS" -n "$N" "$@" 2>&1 |
        awk '/^finished in/ { gsub(",", "", $4); print $4 } /succeeded/ { if ($10 != 0) print "FAILED: " $0 > "/dev/stderr" }'
}
# CPU time (user + system, clock ticks) a process has used so far.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# Server CPU microseconds per request of one run: robust when other load shares the machine.
cpu_per_request() { awk -v before="$1" -v after="$2" -v hz="$(getconf CLK_TCK)" -v n="$N" 'BEGIN { printf "%.2f", (after - before) / hz * 1e6 / n }'; }

# Warm-up (page cache, TLS session setup paths, CPU frequency).
N=$((N / 10)) rate -d "$WORK/body.json" "http://127.0.0.1:$H2C_PORT/echo" >/dev/null
N=$((N / 10)) rate "http://127.0.0.1:$NGHTTPD_PORT/index.json" >/dev/null

: >"$WORK/idgate" ; : >"$WORK/nghttpd" ; : >"$WORK/tls"
: >"$WORK/idgate-cpu" ; : >"$WORK/nghttpd-cpu"
for round in $(seq "$ROUNDS"); do
    before=$(ticks "$IDGATE_PID")
    idgate=$(rate -d "$WORK/body.json" "http://127.0.0.1:$H2C_PORT/echo")
    idgate_cpu=$(cpu_per_request "$before" "$(ticks "$IDGATE_PID")")
    before=$(ticks "$NGHTTPD_PID")
    nghttpd=$(rate "http://127.0.0.1:$NGHTTPD_PORT/index.json")
    nghttpd_cpu=$(cpu_per_request "$before" "$(ticks "$NGHTTPD_PID")")
    tls=$(rate -d "$WORK/body.json" "https://127.0.0.1:$TLS_PORT/echo")
    echo "round $round: idgate h2c POST $idgate/s ($idgate_cpu us CPU/req)   nghttpd h2c GET $nghttpd/s ($nghttpd_cpu us CPU/req)   idgate TLS POST $tls/s" >&2
    echo "$idgate" >>"$WORK/idgate"; echo "$nghttpd" >>"$WORK/nghttpd"; echo "$tls" >>"$WORK/tls"
    echo "$idgate_cpu" >>"$WORK/idgate-cpu"; echo "$nghttpd_cpu" >>"$WORK/nghttpd-cpu"
done

IDGATE=$(median <"$WORK/idgate")
NGHTTPD=$(median <"$WORK/nghttpd")
TLS=$(median <"$WORK/tls")
IDGATE_CPU=$(median <"$WORK/idgate-cpu")
NGHTTPD_CPU=$(median <"$WORK/nghttpd-cpu")
echo "h2load -c $CLIENTS -m $STREAMS -n $N, server on core $SERVER_CORE, client on core $CLIENT_CORE, $ROUNDS rounds (medians):"
printf '  idgate-h2bench h2c POST /echo : %10.0f req/s\n' "$IDGATE"
printf '  nghttpd        h2c GET static : %10.0f req/s\n' "$NGHTTPD"
printf '  idgate-h2bench TLS POST /echo : %10.0f req/s\n' "$TLS"
printf '  server CPU per request        : idgate %s us, nghttpd %s us\n' "$IDGATE_CPU" "$NGHTTPD_CPU"
awk -v a="$IDGATE" -v b="$NGHTTPD" -v t="$TLS" -v ca="$IDGATE_CPU" -v cb="$NGHTTPD_CPU" 'BEGIN {
    printf "  ratio idgate/nghttpd          : %10.2fx (target >= 0.80x)\n", a / b
    printf "  ratio by server CPU/request   : %10.2fx (nghttpd CPU / idgate CPU)\n", cb / ca
    printf "  ratio TLS/h2c (idgate)        : %10.2fx\n", t / a
}'
