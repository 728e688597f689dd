#!/usr/bin/env bash
# Debian packages the build and tests need. Installs only what is missing.
#   chromium, chromium-driver: the browser tests of the UI
#   npm: fetching DuckDB's prebuilt library
set -euo pipefail
pkgs=(chromium chromium-driver npm)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [[ "$(id -u)" == 0 ]] || SUDO="sudo"
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
