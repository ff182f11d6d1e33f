#!/usr/bin/env bash
# Runs every test: unit tests, black-box HTTP and page tests, and the browser test, each HTTP
# test once on SQLite and once on PostgreSQL. Fails if no PostgreSQL test ran.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test

log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo nextest run --workspace --no-fail-fast 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
[ "$status" = 0 ] || exit "$status"

postgres_passed=$(grep -cE '^\s+PASS .*::postgres::' "$log" || true)
sqlite_passed=$(grep -cE '^\s+PASS .*::sqlite::' "$log" || true)
echo "tests on PostgreSQL: $postgres_passed passed; on SQLite: $sqlite_passed passed"
if [ "$postgres_passed" = 0 ] || [ "$postgres_passed" != "$sqlite_passed" ]; then
  echo "error: the PostgreSQL half of the suite did not run in full" >&2
  exit 1
fi

# The API contract: schemathesis against a running server with demo data (scripts/api_contract.sh).
bash scripts/api_contract.sh
