#!/usr/bin/env bash
# The API contract check: schemathesis reads /api/openapi.json from a running server and sends
# generated requests to every operation, valid and invalid ones, checking each answer against
# the document (status codes, schemas, content types, that invalid input is refused and valid
# input accepted, that nothing is a 5xx). Exits non-zero on any failure.
#
# It builds the debug binary, serves it on a free loopback port with a fresh SQLite data dir
# filled by `tianfu demo`, signs in an administrator made by `tianfu staff add --admin`, and
# runs schemathesis (installed with pip into target/api-contract/venv, which git ignores).
# The run is bounded (a few examples per operation) and derandomised for CI.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
config="$PWD/scripts/schemathesis.toml"
MAX_EXAMPLES=${API_CONTRACT_MAX_EXAMPLES:-20}

# The same build as the test run's (dev-dependencies' features included), so nothing rebuilds.
cargo build --workspace --tests
bin="${CARGO_TARGET_DIR:-target}/debug/tianfu"

venv="$PWD/target/api-contract/venv"
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
export TIANFU_DATA_DIR="$work/data" TIANFU_BIND="127.0.0.1:$port" RUST_LOG="${RUST_LOG:-warn}"
unset TIANFU_DATABASE_URL
# schemathesis sends thousands of requests from one address within minutes: the rate limits and
# sign-in delays (tested in tests/http/security_gate.rs) would answer most of them with 429.
export TIANFU_LIMIT_REGISTER=1000000/60 TIANFU_LIMIT_LOGIN=1000000/60 TIANFU_LIMIT_RESET=1000000/60 \
  TIANFU_LIMIT_CODES=1000000/60 TIANFU_LIMIT_CODES_PER_PHONE=1000000/60 TIANFU_LIMIT_SEARCH=1000000/60 \
  TIANFU_LIMIT_WRITES=1000000/60 TIANFU_LIMIT_WRITES_PER_ACCOUNT=1000000/60 \
  TIANFU_LOGIN_FREE_FAILURES=1000000 TIANFU_LOGIN_FREE_FAILURES_PER_ADDRESS=1000000

phone=13988880000
password=Contract2026
"$bin" demo > /dev/null
"$bin" staff add --phone "$phone" --password "$password" --name 契约检查员 \
  --region-code 51 --department worker --admin > /dev/null

"$bin" serve > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -fsS "$base/healthz" > /dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "$base/healthz" > /dev/null

token=$(curl -fsS -X POST "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"phone\": \"$phone\", \"password\": \"$password\"}" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')

# Logging out would end the session every other request uses, so logout is left out; the HTTP
# tests cover it.
#
# Every check runs (schemathesis 4's default; `--checks all` on the command line would override
# the per-phase setting in the configuration), positive_data_acceptance included: the document states the business rules
# the handlers enforce; scripts/schemathesis.toml lists the few operations whose rules no schema
# can state (time, the database, check digits), where a 422 is expected for valid-looking input.
status=0
# From the temporary directory, where schemathesis keeps its state (.schemathesis/).
(cd "$work" && "$venv/bin/schemathesis" --config-file "$config" run "$base/api/openapi.json" \
  --max-examples "$MAX_EXAMPLES" \
  --generation-deterministic \
  --workers 1 \
  --exclude-path /api/v1/auth/logout \
  --header "Authorization: Bearer $token" \
  --no-color \
  "$@") || status=$?

if [ "$status" != 0 ]; then
  echo "API contract check failed (schemathesis exit $status); the server's log:" >&2
  grep -E "ERROR|panicked" "$work/server.log" | tail -20 >&2 || true
fi
exit "$status"
