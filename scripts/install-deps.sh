#!/usr/bin/env bash
# Debian packages the build and tests need. Installs only what is missing.
#   chromium, chromium-driver: the browser tests of the UI
#   poppler-utils: the report tests draw exported PDFs back into images (pdftoppm)
#   npm (only when no npm is on PATH): fetching DuckDB's prebuilt library
#   cmake, clang, libclang-dev: building llama.cpp (the copilot's local model) and its bindings
#   moto[server] from PyPI: an S3-compatible server for the object-store tests
#   aiosmtpd from PyPI: an SMTP server for the sign-up e-mail tests
# With --build: only what building and running the demo needs (the demo command).
set -euo pipefail
packages=(cmake clang libclang-dev)
[[ "${1:-}" == "--build" ]] || packages+=(chromium chromium-driver poppler-utils)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v npm >/dev/null || missing+=(npm)
command -v python3 >/dev/null || missing+=(python3 python3-pip)
if ((${#missing[@]})); then
  SUDO=""
  [[ "$(id -u)" == 0 ]] || SUDO="sudo"
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[[ "${1:-}" == "--build" ]] && exit 0
# moto's S3 server: the S3-compatible store the object-storage tests run against.
if ! python3 -c "import moto.server" 2>/dev/null; then
  echo "installing: moto[server] (PyPI)"
  python3 -m pip install --quiet 'moto[server]==5.2.5' 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages 'moto[server]==5.2.5'
fi
# aiosmtpd: the SMTP server the sign-up e-mail tests send to (a Maildir they read back).
if ! python3 -c "import aiosmtpd" 2>/dev/null; then
  echo "installing: aiosmtpd (PyPI)"
  python3 -m pip install --quiet 'aiosmtpd==1.4.6' 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages 'aiosmtpd==1.4.6'
fi
