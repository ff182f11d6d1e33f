#!/usr/bin/env bash
# Builds the platform, fills the embedded SQLite database (./data) with demo data and serves it
# at http://127.0.0.1:8080 (TIANFU_BIND to change). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release -p tianfu
./target/release/tianfu demo
echo "天府科技云已启动：http://${TIANFU_BIND:-127.0.0.1:8080}"
exec ./target/release/tianfu serve
