#!/usr/bin/env bash
# Sets orderflow up (see setup.sh) and starts the reference server with the UI and demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PORT="${PORT:-3000}"
export ORDERFLOW_DATA_DIR="${ORDERFLOW_DATA_DIR:-$PWD/.data}"
exec npm start --silent
