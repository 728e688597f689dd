#!/usr/bin/env bash
# The search benchmarks (issue #6): sentence embeddings per second with candle against Python
# sentence-transformers on the same model and sentences, in the same run; HNSW recall@10 and
# latency at 100k documents. The peer (torch and sentence-transformers from PyPI) goes into
# the virtualenv under $HOME/.cache/sr360. Writes docs/bench/search.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/fetch-duckdb.sh
bash scripts/fetch-models.sh >/dev/null
CACHE="${SR360_CACHE:-$HOME/.cache/sr360}"
VENV="$CACHE/bench-venv"
if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV" || { apt-get install -y -qq python3-venv >/dev/null && python3 -m venv "$VENV"; }
fi
"$VENV/bin/python" -c 'import sentence_transformers' 2>/dev/null \
  || "$VENV/bin/pip" install --quiet 'torch==2.5.1' 'sentence-transformers==3.3.1'
BIN="${BENCH_BIN:-$CARGO_TARGET_DIR/perf/sr360-bench}"
[[ -n "${BENCH_BIN:-}" ]] || cargo build --locked --profile perf -p smartretail360 -p sr360-bench --bins
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
MODEL="$SR360_ROOT/models/all-MiniLM-L6-v2"
"$BIN" search --model "$MODEL" --write-sentences "$WORK/sentences.txt"
"$VENV/bin/python" scripts/bench_search_peer.py "$MODEL" "$WORK/sentences.txt" "$WORK/peer.json"
"$BIN" search --model "$MODEL" --peer "$WORK/peer.json" "$@"
