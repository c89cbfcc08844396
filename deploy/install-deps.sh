#!/usr/bin/env bash
# Installs the Debian 12 packages Jiefen needs to build, run and test. Idempotent: when
# every package is already installed it touches nothing (and needs no network).
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  libzmq3-dev liblmdb-dev lmdb-utils libprotobuf-c-dev protobuf-c-compiler
  libsodium-dev libuv1-dev libjansson-dev libinih-dev libhttp-parser-dev
  libcurl4-openssl-dev libcmocka-dev libarchive-dev python3-openpyxl
  libmagic-dev zlib1g-dev
  clang libclang-rt-14-dev
  python3 curl procps tzdata iproute2
  chromium fonts-noto-cjk
  libcairo2-dev libpango1.0-dev libqrencode-dev poppler-utils zbar-tools
  dpkg-dev lintian
)
# Node.js and npm fetch ECharts for the console at build time and drive the browser tests.
# A machine that already has both (NodeSource's nodejs bundles npm and conflicts with
# Debian's npm package) keeps its own.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: need root to install: ${missing[*]}" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
