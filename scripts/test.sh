#!/usr/bin/env bash
# The test command: install what the tests need, then run every test of the workspace,
# including the server integration tests and the headless-Chromium UI tests. Screenshots of
# the UI land in docs/screenshots/ (git-ignored) for a person to look at.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/install-deps.sh
bash scripts/fetch-duckdb.sh
bash scripts/fetch-models.sh
bash scripts/fetch-baskets.sh
# The code stays in rustfmt's layout (fix with `cargo fmt --all`).
cargo fmt --all --check >/dev/null || { echo "code not formatted: run cargo fmt --all" >&2; exit 1; }
# Lints, including the no-panic rule (unwrap/expect/panic/unreachable outside tests; see
# [workspace.lints] in Cargo.toml): any warning fails the run.
cargo clippy --locked --workspace --all-targets --quiet -- -D warnings
# Tests that need the fetched models and basket data fail instead of skipping.
export SR360_REQUIRE_MODELS=1
export SR360_SCREENSHOTS="${SR360_SCREENSHOTS:-$SR360_ROOT/docs/screenshots}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
cargo test --locked --workspace --all-targets --no-fail-fast "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line for the whole run.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
