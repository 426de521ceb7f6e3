#!/usr/bin/env bash
# Developer entry point: sets up .venv from pyproject.toml (once), then runs what you ask.
#   deploy/dev.sh demo     the demo practice with the terminal client
#   deploy/dev.sh test     every check and the whole test suite (what CI runs)
#   deploy/dev.sh bench    the benchmarks (prints a table)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$ROOT/.venv
PY=${PYTHON:-python3}

ensure_venv() {
  local stamp=$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)
  if [ ! -f "$stamp" ]; then
    if [ ! -x "$VENV/bin/python" ]; then
      "$PY" -m venv "$VENV" 2>/dev/null || {
        echo "python3 -m venv failed; installing python3-venv" >&2
        apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
        "$PY" -m venv "$VENV"
      }
    fi
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e ".[dev]"
    rm -f "$VENV"/.installed-* && touch "$stamp"
  fi
}

ensure_debian_packages() {
  # tmux drives the real terminal in the demo test; PostgreSQL 15 is the compatibility target.
  local missing=()
  command -v tmux >/dev/null || missing+=(tmux)
  [ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql-15)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      echo "missing Debian packages: ${missing[*]} (install them with apt-get)" >&2
      exit 1
    fi
  fi
}

cmd=${1:-help}
shift || true
case "$cmd" in
  demo)
    ensure_venv
    exec "$VENV/bin/pms-server" demo "$@"
    ;;
  test)
    ensure_venv
    ensure_debian_packages
    exec "$VENV/bin/python" tests/run_all.py "$@"
    ;;
  bench)
    ensure_venv
    exec "$VENV/bin/python" -m tests.bench "$@"
    ;;
  *)
    sed -n '2,6p' "$0"
    exit 2
    ;;
esac
