#!/usr/bin/env bash
# Sets orderflow up (see setup.sh) and runs every test: engine (GoogleTest under ASan + UBSan),
# module and server (node --test against the packed package), browser (Playwright in Chromium)
# the module again under a debug wasm build, and the bounded fuzz runs. Prints one closing line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

logs=$(mktemp -d)
passed=0; failed=0; status=0
suite() {  # suite NAME command...: runs one suite, adds its counts to the totals
  local name=$1; shift
  printf '\n== test: %s\n' "$name"
  "$@" 2>&1 | tee "$logs/$name.log"
  local rc=${PIPESTATUS[0]}
  local p f
  p=$(grep -oE '^(# |ℹ )?pass [0-9]+' "$logs/$name.log" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
  f=$(grep -oE '^(# |ℹ )?fail [0-9]+' "$logs/$name.log" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
  if grep -qE 'tests passed, [0-9]+ tests failed out of' "$logs/$name.log"; then
    local line; line=$(grep -E 'tests passed, [0-9]+ tests failed out of' "$logs/$name.log" | tail -1)
    local total fails
    total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line"); fails=$(sed -E 's/.* ([0-9]+) tests failed.*/\1/' <<<"$line")
    p=$(( total - fails )); f=$fails
  fi
  p=${p:-0}; f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$(( passed + p )); failed=$(( failed + f ))
  [ "$rc" -eq 0 ] || status=1
  printf '== %s: %d passed, %d failed (exit %d)\n' "$name" "$p" "$f" "$rc"
}

# The hardening issue's load figure: 50 concurrent clients for 30 s against the server.
export ORDERFLOW_FAULT_LOAD_S=${ORDERFLOW_FAULT_LOAD_S:-30}

# The native engine and its GoogleTest suite (ASan + UBSan) are built here, not in setup.sh:
# starting the product needs only the wasm module and the UI.
engine() { cmake --preset native >/dev/null && cmake --build --preset native && ctest --preset native --parallel 2; }
suite engine engine
[ -d tests/node ] && suite node node --test --test-concurrency=2 tests/node/
# The module's tests again, against the debug build (-sASSERTIONS=2 -sSAFE_HEAP=1).
module_debug() {
  cmake --preset wasm-debug >/dev/null && cmake --build --preset wasm-debug >/dev/null &&
    ORDERFLOW_DIST=build/wasm-debug/dist node --test --test-concurrency=2 tests/node/module*.test.js tests/node/hostile.test.js
}
suite module-debug module_debug
[ -d tests/e2e ] && suite e2e node --test --test-concurrency=1 tests/e2e/
[ -x scripts/fuzz.sh ] && suite fuzz ./scripts/fuzz.sh

printf '\ntests: %d passed, %d failed\n' "$passed" "$failed"
exit $status
