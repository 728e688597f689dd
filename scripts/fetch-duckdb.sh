#!/usr/bin/env bash
# Fetch DuckDB's own prebuilt libduckdb.so (from its npm package, the only registry that
# ships it) into the cache, so development and CI builds skip the 30-minute DuckDB compile.
# The one-file release build uses `--features bundled` instead.
set -euo pipefail
source "$(dirname "$0")/env.sh"
if [[ -f "$DUCKDB_LIB_DIR/libduckdb.so" ]]; then
  exit 0
fi
command -v npm >/dev/null || { echo "npm is needed to fetch libduckdb.so (apt-get install npm)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
( cd "$work" && npm pack --silent "$DUCKDB_NPM" >/dev/null )
tar -xzf "$work"/*.tgz -C "$work"
mkdir -p "$DUCKDB_LIB_DIR"
cp "$work/package/libduckdb.so" "$DUCKDB_LIB_DIR/libduckdb.so.partial"
mv "$DUCKDB_LIB_DIR/libduckdb.so.partial" "$DUCKDB_LIB_DIR/libduckdb.so"
echo "libduckdb.so $DUCKDB_VERSION in $DUCKDB_LIB_DIR"
