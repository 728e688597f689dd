# Sourced by the other scripts: where caches live and how to find the prebuilt DuckDB.
# Everything heavy is cached outside the checkout so a fresh clone builds warm.
SR360_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SR360_CACHE="${SR360_CACHE:-$HOME/.cache/sr360}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$SR360_CACHE/target}"
DUCKDB_VERSION="1.5.6"
DUCKDB_NPM="@duckdb/node-bindings-linux-x64@1.5.6-r.1"
export DUCKDB_LIB_DIR="${DUCKDB_LIB_DIR:-$SR360_CACHE/duckdb-$DUCKDB_VERSION}"
export LD_LIBRARY_PATH="$DUCKDB_LIB_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
