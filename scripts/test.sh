#!/usr/bin/env bash
# The test command: install what the tests need, then run every test of the workspace,
# including the server integration tests and the headless-Chromium UI tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/install-deps.sh
bash scripts/fetch-duckdb.sh
bash scripts/fetch-models.sh
export SR360_SCREENSHOTS="${SR360_SCREENSHOTS:-$SR360_ROOT/docs/screenshots}"
cargo test --locked --workspace --no-fail-fast "$@"
