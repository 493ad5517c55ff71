# Shared by the benchmark scripts (sourced): a work folder that is removed on exit together with every process
# recorded in PIDS, medians of a column of numbers, and gateway configurations derived from a demo folder's.

WORK=$(mktemp -d)
PIDS=()
bench_cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap bench_cleanup EXIT

# release_bin: BIN names the release build of idgate and idgate-load to measure: the one given in BIN (another
# build; nothing is built), else this checkout's, built first.
release_bin() {
    [ -n "${BIN:-}" ] && return 0
    swift build -c release -Xswiftc -enforce-exclusivity=unchecked --product idgate >&2
    swift build -c release -Xswiftc -enforce-exclusivity=unchecked --product idgate-load >&2
    BIN="$(swift build -c release --show-bin-path)"
}

# drop_from_cache FILE: evicts the file's pages from the page cache (written back first; no root needed), so the
# next reads come from disk. Pages a running process has mapped stay.
drop_from_cache() {
    python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY); os.fsync(fd); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED); os.close(fd)' "$1"
}

# ticks STATFILE: CPU ticks (user + system) of a process or thread from its /proc stat file.
ticks() { awk '{ print $14 + $15 }' "$1"; }

# The median of the numbers on standard input, one per line.
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# bench_config DEMO PORT NAME AUDIT SIGNING [DURABILITY]: writes $WORK/NAME.json, the demo's configuration with one
# h2c listener on PORT, one event loop, absolute paths, audit into $WORK/audit-NAME, audit and signing on or off
# (true/false), audit durability beforeResponse (default) or async.
bench_config() {
    python3 - "$@" "$WORK" <<'PY'
import json, os, sys
demo, port, name, audit, signing = sys.argv[1:6]
durability = sys.argv[6] if len(sys.argv) > 7 else "beforeResponse"
work = sys.argv[-1]
config = json.load(open(os.path.join(demo, "config.json")))
def absolute(p): return p if p.startswith("/") else os.path.abspath(os.path.join(demo, p))
config["server"] = {"listeners": [{"host": "127.0.0.1", "port": int(port)}], "threads": 1}
for section, key in (("registry", "path"), ("clients", "file"), ("signing", "keyFile"), ("audit", "keyFile")):
    config[section][key] = absolute(config[section][key])
config["chip"]["trust"] = [absolute(p) for p in config["chip"]["trust"]]
config["audit"].update({"enabled": audit == "true", "directory": os.path.join(work, "audit-" + name),
                        "durability": durability})
config["signing"]["enabled"] = signing == "true"
json.dump(config, open(os.path.join(work, name + ".json"), "w"), indent=1)
PY
}

# ensure_demo BIN DEMO RESIDENTS: generates a demo registry of RESIDENTS residents in DEMO with BIN/idgate, once.
ensure_demo() {
    [ -f "$2/config.json" ] && return 0
    echo "generating a demo registry of $3 residents in $2 (once)" >&2
    rm -rf "$2"
    "$1/idgate" demo init --dir "$2" --residents "$3" >&2
}

# match_configs DEMO PORT: the identity-match configurations the benchmarks compare: full (audit beforeResponse +
# signing), bare (both off), audit, sign, async (audit with durability async + signing), noguess (full without the
# guessing limiter), noindex (full without the audit's subject index).
match_configs() {
    bench_config "$1" "$2" full true true
    bench_config "$1" "$2" bare false false
    bench_config "$1" "$2" audit true false
    bench_config "$1" "$2" sign false true
    bench_config "$1" "$2" async true true async
    # noguess: full with the guessing limiter off (no subject hash on the request path, no lookup): its cost.
    python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); c["guessing"] = {"enabled": False}
json.dump(c, open(sys.argv[2], "w"), indent=1)' "$WORK/full.json" "$WORK/noguess.json"
    python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); c["audit"]["subjectIndex"] = False
json.dump(c, open(sys.argv[2], "w"), indent=1)' "$WORK/full.json" "$WORK/noindex.json"
}

# no_shedding: turns overload shedding (queueing delay and late answers) off in every $WORK/*.json. Under a deep
# closed loop it answers part of the requests 503 `overloaded`: their few microseconds would be averaged into an
# answer's CPU, and a rate that counts them is not a rate of answers.
no_shedding() {
    for file in "$WORK"/*.json; do
        python3 - "$file" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config.setdefault("overload", {}).update({"queueDelayTargetMillis": 600000, "answerDelayTargetMillis": 600000})
json.dump(config, open(sys.argv[1], "w"), indent=1)
PY
    done
}

# start_gateway BIN PORT NAME CORE: serves $WORK/NAME.json pinned to CORE, waits until ready; sets GATEWAY_PID.
start_gateway() {
    taskset -c "$4" "$1/idgate" serve --config "$WORK/$3.json" >"$WORK/gateway-$3.log" 2>&1 &
    GATEWAY_PID=$!
    PIDS+=("$GATEWAY_PID")
    for _ in $(seq 100); do
        curl -s --http2-prior-knowledge "http://127.0.0.1:$2/readyz" 2>/dev/null | grep -q ready && return 0
        sleep 0.1
    done
    echo "gateway ($3) did not become ready:" >&2; cat "$WORK/gateway-$3.log" >&2; exit 1
}
stop_gateway() { kill -TERM "$GATEWAY_PID"; wait "$GATEWAY_PID" 2>/dev/null || true; }
