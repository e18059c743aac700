#!/usr/bin/env bash
# Sets orderflow up (see setup.sh) and runs every test: the linter (ESLint), engine (GoogleTest under ASan + UBSan),
# module and server (node --test against the packed package), browser (Playwright in Chromium)
# the module again under a debug wasm build, and the bounded fuzz runs. Prints one closing line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

logs=$(mktemp -d)
passed=0; failed=0; status=0
suite() {  # suite NAME command...: runs one suite; its counts are read from the report it writes
  local name=$1; shift
  printf '\n== test: %s\n' "$name"
  REPORT="$logs/$name" "$@" 2>&1 | tee "$logs/$name.log"
  local rc=${PIPESTATUS[0]}
  local p=0 f=0 reports
  reports=$(ls "$logs/$name".tap "$logs/$name".xml 2>/dev/null)
  if [ -n "$reports" ]; then read -r p f < <(node scripts/report-counts.js $reports); fi
  # a runner that died before writing its report (or exited non-zero with no failed test in it)
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$(( passed + p )); failed=$(( failed + f ))
  [ "$rc" -eq 0 ] || status=1
  printf '== %s: %d passed, %d failed (exit %d)\n' "$name" "$p" "$f" "$rc"
}
# node --test with the human-readable output on the terminal and a TAP report for the counts
node_test() { node --test --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$REPORT.tap" "$@"; }

# ESLint (eslint.config.js) as its own suite. Its JUnit report (eslint-formatter-junit) counts one
# passed test per clean file and one failed test per problem; on failure the problems are shown.
lint() { npx eslint --max-warnings 0 --format junit --output-file "$REPORT.xml" . || { npx eslint --max-warnings 0 .; return 1; }; }

# Layout: every tracked file as the formatters lay it out (Prettier, clang-format 14; `npm run
# format` fixes it). One test, written as TAP for the counts.
format_check() {
  if npm run --silent format:check; then printf 'TAP version 13\n1..1\nok 1 - layout matches npm run format\n# pass 1\n# fail 0\n' >"$REPORT.tap"
  else printf 'TAP version 13\n1..1\nnot ok 1 - layout differs: run npm run format\n# pass 0\n# fail 1\n' >"$REPORT.tap"; return 1; fi
}

# The hardening issue's load figure: 50 concurrent clients for 30 s against the server.
export ORDERFLOW_FAULT_LOAD_S=${ORDERFLOW_FAULT_LOAD_S:-30}

# The native engine and its GoogleTest suite (ASan + UBSan) are built here, not in setup.sh:
# starting the product needs only the wasm module and the UI.
engine() { cmake --preset native >/dev/null && cmake --build --preset native && ctest --preset native --parallel 2 --output-junit "$REPORT.xml"; }
suite lint lint
suite format format_check
suite engine engine
[ -d tests/node ] && suite node node_test --test-concurrency=2 tests/node/
# --- PostgreSQL (issue 14) ------------------------------------------------------------------------
# The PostgreSQL store's own tests and two server instances on one database (tests/postgres/), then
# the server suites, the notification/audit/job suites, the store contract and the hostile-input
# table again with the server on PostgreSQL: a throwaway cluster (scripts/pg-cluster.sh: initdb in
# a temporary folder, unix socket only) removed afterwards, also on failure. Each server gets a
# database of its own (tests/support/server.js). notify-claim.test.js is about SQLite's file lock
# and stays SQLite-only. One file at a time: the PostgreSQL server shares the two cores, and the
# flood test's health timings must not compete with the load tests.
node_postgres() (
  eval "$(scripts/pg-cluster.sh start)" || exit 1
  trap 'scripts/pg-cluster.sh stop "$PG_CLUSTER_DIR"' EXIT
  trap 'exit 130' INT TERM
  DATABASE_URL=$DATABASE_URL ORDERFLOW_TEST_STORE=postgres \
    node_test --test-concurrency=1 tests/postgres/ tests/node/server-*.test.js tests/node/hostile.test.js \
      tests/node/notify.test.js tests/node/notify-audit.test.js tests/node/notify-jobs.test.js \
      tests/node/notify-jobs-limits.test.js tests/node/notify-ui-jobs.test.js tests/node/store-contract.test.js
)
suite node-postgres node_postgres
# --- end PostgreSQL -------------------------------------------------------------------------------
# The module's tests again, against the debug build (-sASSERTIONS=2 -sSAFE_HEAP=1).
module_debug() {
  cmake --preset wasm-debug >/dev/null && cmake --build --preset wasm-debug >/dev/null &&
    ORDERFLOW_DIST=build/wasm-debug/dist node_test --test-concurrency=2 tests/node/module*.test.js tests/node/hostile.test.js
}
suite module-debug module_debug
[ -d tests/e2e ] && suite e2e node_test --test-concurrency=1 tests/e2e/
[ -x scripts/fuzz.sh ] && suite fuzz env FUZZ_REPORT="$logs/fuzz.tap" ./scripts/fuzz.sh

printf '\ntests: %d passed, %d failed\n' "$passed" "$failed"
exit $status
