#!/usr/bin/env bash
# Installs what idgate needs on a fresh Debian machine, only what is missing: the system libraries it links
# (LMDB, nghttp2, OpenSSL), the HTTP/2 tools the tests and benchmarks drive (nghttp, h2load, nghttpd, curl), and the
# Python packages the protocol-abuse, API-conformance and answer-signature tests use. Safe to run repeatedly.
set -euo pipefail

debian_packages=(liblmdb-dev libnghttp2-dev libssl-dev nghttp2-client nghttp2-server curl openssl lmdb-utils)
python_modules=(h2 httpx schemathesis cryptography)   # import names
python_packages=(h2 httpx schemathesis cryptography)  # PyPI names

missing=()
for p in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing Debian packages: ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

need_pip=0
for m in "${python_modules[@]}"; do
  python3 -c "import $m" 2>/dev/null || need_pip=1
done
if [ $need_pip -eq 1 ]; then
  echo "install-deps: installing Python packages: ${python_packages[*]}" >&2
  python3 -m pip install -q --disable-pip-version-check "${python_packages[@]}"
fi
