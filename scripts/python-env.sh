# Sourced by the scripts that run python3 (benchmarks): the repository's virtual environment (.venv, made by
# scripts/install-deps.sh) goes first on PATH when it exists, so `python3` is the interpreter with the packages the
# tests and scripts use, whatever else (pyenv, conda) is on PATH. The Makefile does the same for its targets.
_idgate_venv_bin=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.venv/bin
if [ -x "$_idgate_venv_bin/python3" ]; then
    PATH="$_idgate_venv_bin:$PATH"
    export PATH
fi
unset _idgate_venv_bin
