#!/usr/bin/env bash
# Installs everything orderflow needs on Debian bookworm (as root) and builds what the product
# runs on: the WebAssembly module and the UI (test.sh builds the native engine tests itself).
# Idempotent: each step is skipped when its result is already there and up to date.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs
step() { printf '\n== %s\n' "$*"; }

# Developer tools, beside what builds and runs the product: clang-format for `npm run format`.
DEV_PACKAGES=(clang-format)
APT_PACKAGES=(cmake ninja-build g++ clang libclang-rt-14-dev make python3 pkg-config
              nlohmann-json3-dev libgtest-dev emscripten binaryen chromium ca-certificates
              postgresql)  # postgresql: the throwaway clusters of the tests (scripts/pg-cluster.sh)
missing=()
for p in "${APT_PACKAGES[@]}" "${DEV_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then missing+=(nodejs npm); fi
if [ ${#missing[@]} -gt 0 ]; then
  step "apt: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "orderflow needs Node.js 20.19 or newer (Vite 8, better-sqlite3 12); this machine has $(node --version)." >&2
  exit 1
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci"
  npm ci --no-audit --no-fund
fi

step "build: WebAssembly module (dist/)"
cmake --preset wasm >/dev/null
cmake --build --preset wasm

step "build: the elements' bundle and manifest (dist/orderflow-elements.js, custom-elements.json)"
node scripts/build-elements.js

if [ -f web/vite.config.js ]; then
  step "build: browser UI (web/dist/)"
  npx vite build --config web/vite.config.js --logLevel warn
fi
