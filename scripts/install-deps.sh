#!/usr/bin/env bash
# Installs what idgate needs on a fresh Debian machine, only what is missing: the system libraries it links
# (LMDB, nghttp2, OpenSSL), the tools the tests, benchmarks and README examples drive (nghttp, h2load, nghttpd, curl,
# openssl, mdb_stat/mdb_dump from lmdb-utils), and the Python packages the protocol-abuse, API-conformance and
# answer-signature tests use. Safe to run repeatedly; prints a line before each step that takes a while.
#
# The Python packages go into a virtual environment in the repository (.venv, git-ignored), created with the
# system interpreter (/usr/bin/python3 when present): Debian's own python3 refuses `pip install` outside one
# (PEP 668, "externally managed"), and a root pip would mix the tests' packages into the system's. The Makefile
# puts .venv/bin first on PATH for `make test`, `make serve` and the benchmarks, so the tests' `python3` is this one;
# elsewhere: `export PATH="$PWD/.venv/bin:$PATH"` or `source scripts/python-env.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(liblmdb-dev libnghttp2-dev libssl-dev nghttp2-client nghttp2-server curl openssl lmdb-utils
                 python3 python3-venv postgresql haproxy)
python_modules=(h2 httpx schemathesis cryptography)   # import names
python_packages=(h2 httpx schemathesis cryptography)  # PyPI names
venv=.venv

sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"

missing=()
for p in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing Debian packages ${missing[*]} (about a minute)" >&2
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The system interpreter, not whatever python3 comes first on PATH (pyenv, a conda shell, an older .venv).
system_python=/usr/bin/python3
[ -x "$system_python" ] || system_python=$(command -v python3)

# A .venv whose interpreter no longer runs (moved repository, upgraded or removed Python) is made anew.
if [ -d "$venv" ] && ! "$venv/bin/python3" -c 'import sys' >/dev/null 2>&1; then
  echo "install-deps: $venv is broken (its Python no longer runs); recreating it" >&2
  rm -rf "$venv"
fi
if [ ! -x "$venv/bin/python3" ]; then
  echo "install-deps: creating the Python virtual environment $venv with $system_python" >&2
  "$system_python" -m venv "$venv"
fi

imports=$(IFS=,; echo "${python_modules[*]}")
if ! "$venv/bin/python3" -c "import $imports" 2>/dev/null; then
  echo "install-deps: installing Python packages ${python_packages[*]} into $venv (a minute or two)" >&2
  "$venv/bin/python3" -m pip install -q --disable-pip-version-check "${python_packages[@]}"
fi
