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

swift build -c release --product idgate-h2bench >&2
BIN="$(swift build -c release --show-bin-path)/idgate-h2bench"

WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/docroot"
printf '{"idNumber":"001085012345","fullName":"Nguyen Van An","dateOfBirth":"1985-03-14"}' >"$WORK/body.json"
printf '{"ok":true}\n' >"$WORK/docroot/index.json"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null

taskset -c "$SERVER_CORE" "$BIN" --threads 1 --port "$H2C_PORT" \
    --tls-port "$TLS_PORT" --cert "$WORK/cert.pem" --key "$WORK/key.pem" >"$WORK/idgate.log" 2>&1 &
PIDS+=($!)
taskset -c "$SERVER_CORE" nghttpd -n 1 --no-tls -d "$WORK/docroot" "$NGHTTPD_PORT" >"$WORK/nghttpd.log" 2>&1 &
PIDS+=($!)
sleep 1

# Prints the request rate of one h2load run (requests/s).
rate() {
    taskset -c "$CLIENT_CORE" h2load -c "$CLIENTS" -m "$STREAMS" -n "$N" "$@" 2>&1 |
        awk '/^finished in/ { gsub(",", "", $4); print $4 } /succeeded/ { if ($10 != 0) print "FAILED: " $0 > "/dev/stderr" }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Warm-up (page cache, TLS session setup paths, CPU frequency).
N=$((N / 10)) rate -d "$WORK/body.json" "http://127.0.0.1:$H2C_PORT/echo" >/dev/null
N=$((N / 10)) rate "http://127.0.0.1:$NGHTTPD_PORT/index.json" >/dev/null

: >"$WORK/idgate" ; : >"$WORK/nghttpd" ; : >"$WORK/tls"
for round in $(seq "$ROUNDS"); do
    idgate=$(rate -d "$WORK/body.json" "http://127.0.0.1:$H2C_PORT/echo")
    nghttpd=$(rate "http://127.0.0.1:$NGHTTPD_PORT/index.json")
    tls=$(rate -d "$WORK/body.json" "https://127.0.0.1:$TLS_PORT/echo")
    echo "round $round: idgate h2c POST $idgate/s   nghttpd h2c GET $nghttpd/s   idgate TLS POST $tls/s" >&2
    echo "$idgate" >>"$WORK/idgate"; echo "$nghttpd" >>"$WORK/nghttpd"; echo "$tls" >>"$WORK/tls"
done

IDGATE=$(median <"$WORK/idgate")
NGHTTPD=$(median <"$WORK/nghttpd")
TLS=$(median <"$WORK/tls")
echo "h2load -c $CLIENTS -m $STREAMS -n $N, server on core $SERVER_CORE, client on core $CLIENT_CORE, $ROUNDS rounds (medians):"
printf '  idgate-h2bench h2c POST /echo : %10.0f req/s\n' "$IDGATE"
printf '  nghttpd        h2c GET static : %10.0f req/s\n' "$NGHTTPD"
printf '  idgate-h2bench TLS POST /echo : %10.0f req/s\n' "$TLS"
awk -v a="$IDGATE" -v b="$NGHTTPD" -v t="$TLS" 'BEGIN {
    printf "  ratio idgate/nghttpd          : %10.2fx (target >= 0.80x)\n", a / b
    printf "  ratio TLS/h2c (idgate)        : %10.2fx\n", t / a
}'
