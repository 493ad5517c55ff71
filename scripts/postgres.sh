#!/usr/bin/env bash
# A private, throwaway PostgreSQL cluster for idgate's registry of record (tests, demos, scripts/fleet-check.sh).
#
#   scripts/postgres.sh install                     install Debian's postgresql when missing (apt-get)
#   scripts/postgres.sh start --dir DIR --port PORT create the cluster in DIR if new, start it on 127.0.0.1:PORT
#   scripts/postgres.sh stop --dir DIR              stop it (fast shutdown); the data stays
#   scripts/postgres.sh destroy --dir DIR           stop it and delete DIR
#   scripts/postgres.sh url --dir DIR               print the connection settings again
#
# `start` prints two lines for the shell or a test to read:
#   IDGATE_POSTGRES_URL=postgres://idgate@127.0.0.1:PORT/idgate
#   IDGATE_POSTGRES_PASSWORD_FILE=DIR/password
# The password (random, scram-sha-256) lives only in that file (mode 600): never on a command line or in a URL.
# PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user (created by the
# package). It listens on 127.0.0.1 only (password required); its Unix socket is in DIR (mode 700, owner only).
set -euo pipefail

usage() { sed -n '2,15p' "$0" >&2; exit 2; }

command=${1:-}
[ -n "$command" ] || usage
shift
dir="" port=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir=${2:?--dir needs a directory}; shift 2 ;;
    --port) port=${2:?--port needs a number}; shift 2 ;;
    *) echo "postgres.sh: unknown argument '$1'" >&2; usage ;;
  esac
done

bindir() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$found" ] && [ -x "$found/initdb" ] && echo "$found"
}

install_postgres() {
  if bindir >/dev/null; then return 0; fi
  echo "postgres.sh: installing Debian's postgresql (apt-get) ..." >&2
  local sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update
  # Only the server binaries: the package's own cluster (postgresql-common) is not started by us.
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y --no-install-recommends postgresql
  bindir >/dev/null || { echo "postgres.sh: postgresql installed but initdb not found" >&2; exit 1; }
}

# Runs a PostgreSQL tool as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

require_dir() {
  [ -n "$dir" ] || { echo "postgres.sh: --dir is required" >&2; exit 2; }
  dir=$(realpath -m "$dir")
}

print_settings() {
  local cluster_port
  cluster_port=$(cat "$dir/port")
  echo "IDGATE_POSTGRES_URL=postgres://idgate@127.0.0.1:$cluster_port/idgate"
  echo "IDGATE_POSTGRES_PASSWORD_FILE=$dir/password"
}

start_cluster() {
  require_dir
  [ -n "$port" ] || { [ -f "$dir/port" ] && port=$(cat "$dir/port"); } || true
  [[ "$port" =~ ^[0-9]+$ ]] || { echo "postgres.sh: --port PORT is required for a new cluster" >&2; exit 2; }
  install_postgres
  local bin
  bin=$(bindir)
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then
      id postgres >/dev/null 2>&1 || { echo "postgres.sh: no 'postgres' user to own the cluster" >&2; exit 1; }
      chown postgres: "$dir"
      chmod 700 "$dir"
      # The owner must be able to reach DIR through its parents (temporary directories are often 700 root).
      local parent
      parent=$(dirname "$dir")
      while [ "$parent" != "/" ]; do
        runuser -u postgres -- test -x "$parent" || chmod o+x "$parent"
        parent=$(dirname "$parent")
      done
    fi
    (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$dir/password")
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir/password"; fi
    echo "postgres.sh: creating cluster in $dir/data" >&2
    as_owner "$bin/initdb" --pgdata="$dir/data" --username=idgate --pwfile="$dir/password" \
      --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 50
fsync = on
EOF
    echo "$port" > "$dir/port"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir/port"; fi
  fi
  echo "$port" > "$dir/port"
  echo "postgres.sh: starting PostgreSQL on 127.0.0.1:$port" >&2
  # -l sends the server's output to a file, so whoever reads our stdout is not held open by the server.
  as_owner "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait --timeout=60 \
    -o "-p $port -k $dir" start </dev/null >/dev/null 2>&1 \
    || { echo "postgres.sh: the server did not start; its log:" >&2; tail -n 20 "$dir/server.log" >&2; exit 1; }
  # The database idgate's registry lives in (owned by the cluster's superuser `idgate`).
  if ! as_owner "$bin/psql" -h "$dir" -p "$port" -U idgate -d postgres -Atqc \
      "SELECT 1 FROM pg_database WHERE datname = 'idgate'" </dev/null | grep -q 1; then
    as_owner "$bin/createdb" -h "$dir" -p "$port" -U idgate idgate </dev/null
  fi
  print_settings
}

stop_cluster() {
  require_dir
  [ -f "$dir/data/PG_VERSION" ] || return 0
  local bin
  bin=$(bindir)
  if as_owner "$bin/pg_ctl" --pgdata="$dir/data" status >/dev/null 2>&1; then
    echo "postgres.sh: stopping the cluster in $dir" >&2
    as_owner "$bin/pg_ctl" --pgdata="$dir/data" --mode=fast --wait --timeout=60 stop </dev/null >/dev/null
  fi
}

case "$command" in
  install) install_postgres ;;
  start) start_cluster ;;
  stop) stop_cluster ;;
  destroy) stop_cluster; require_dir; rm -rf "$dir" ;;
  url) require_dir; print_settings ;;
  *) usage ;;
esac
