#!/usr/bin/env bash
# Fuzz the pipeline's byte-level code (sniffing, preparation, mapping) with cargo fuzz.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 60)
# Uses the stable toolchain with RUSTC_BOOTSTRAP, so no nightly is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/fetch-duckdb.sh
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
secs="${1:-60}"
export RUSTC_BOOTSTRAP=1
for t in sniff prepare mapping; do
  (cd fuzz && cargo fuzz run "$t" -- -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048)
done
