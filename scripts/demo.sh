#!/usr/bin/env bash
# The demo in one command: build, fetch what is missing, generate the demo shop, serve on
# 127.0.0.1:8360 and print the login. Extra arguments go to `sr360 demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/install-deps.sh --build
bash scripts/fetch-duckdb.sh
bash scripts/fetch-models.sh
cargo build --locked --bin sr360
exec "$CARGO_TARGET_DIR/debug/sr360" demo --data "${SR360_DATA_DIR:-data}" "$@"
