#!/usr/bin/env bash
# Installs and starts what running and testing the platform needs, on a fresh Debian machine with
# the Rust toolchain: Node.js and the npm packages of package.json, and, with --test, PostgreSQL
# (started on 127.0.0.1:5432), Debian's Chromium and a CJK font for the browser test, and Python's
# venv for the API contract check.
# Idempotent: what is already there is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "setup: installing Node.js and npm"
  apt_install nodejs npm
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages (htmx, Pico CSS, playwright-core)"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "${1:-}" = "--test" ]; then
  if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "wqy"; then
    echo "setup: installing Chromium and a CJK font for the browser test"
    apt_install chromium fonts-wqy-microhei
  fi
  if ! command -v pg_isready >/dev/null; then
    echo "setup: installing PostgreSQL"
    apt_install postgresql
  fi
  if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
    echo "setup: starting PostgreSQL"
    for version in $(ls /etc/postgresql); do
      as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
  pg_isready -h 127.0.0.1 -p 5432 || { echo "setup: PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null || ! command -v curl >/dev/null; then
    echo "setup: installing Python's venv and curl for the API contract check"
    apt_install python3 python3-venv curl
  fi
  if ! command -v cargo-nextest >/dev/null; then
    echo "setup: installing cargo-nextest"
    cargo install --locked cargo-nextest
  fi
fi
