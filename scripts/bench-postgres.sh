#!/usr/bin/env bash
# The page benchmark with the PostgreSQL comparison (issue #4): installs Debian's PostgreSQL
# when missing, starts a throwaway cluster on a Unix socket, runs
# `sr360-bench pages --postgres ...` (optimised build) and removes the cluster again.
# Extra arguments go to `sr360-bench pages` (e.g. --demo-scale 5 for a quick run); BENCH_BIN
# runs an already built binary.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/fetch-duckdb.sh

SUDO=""
[[ "$(id -u)" == 0 ]] || SUDO="sudo"
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "installing: postgresql (Debian)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"

# PostgreSQL refuses to run as root: the cluster belongs to the `postgres` user then.
run_pg() { if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PGDIR="$(mktemp -d /tmp/sr360-pg.XXXXXX)"
chmod 755 "$PGDIR"
[[ "$(id -u)" == 0 ]] && chown postgres "$PGDIR"
PGUSER_NAME="$(if [[ "$(id -u)" == 0 ]]; then echo postgres; else id -un; fi)"
cleanup() { run_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$PGDIR"; }
trap cleanup EXIT
run_pg "$PGBIN/initdb" -D "$PGDIR/data" -U "$PGUSER_NAME" --auth=trust >/dev/null
# Settings a small warehouse server would get on this machine (defaults are for 128 MB hosts).
run_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w start \
  -o "-k $PGDIR -c listen_addresses='' -p 54329 -c shared_buffers=2GB -c work_mem=128MB -c effective_cache_size=8GB -c max_parallel_workers_per_gather=2" >/dev/null

# BENCH_BIN: an already built binary (skips the build).
BIN="${BENCH_BIN:-$CARGO_TARGET_DIR/perf/sr360-bench}"
[[ -n "${BENCH_BIN:-}" ]] || cargo build --locked --profile perf -p smartretail360 -p sr360-bench --bins
SR360_SECRETS__BACKEND=file "$BIN" pages --postgres "host=$PGDIR port=54329 user=$PGUSER_NAME dbname=postgres" "$@"
