#!/usr/bin/env bash
# Builds the libFuzzer targets (preset "fuzz": clang, ASan + UBSan) and runs each for
# FUZZ_SECONDS (default 30; 0 = only replay the seed corpus once) from its seed corpus in
# tests/fuzz/corpus/<target>/. New corpus
# entries and crash artifacts go to a temporary folder (printed), never into the repository.
# Prints executions per target and ends with one line: "N passed, N failed" (one per target);
# with FUZZ_REPORT=<file.tap> it also writes a TAP report (one test per target) there.
set -uo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${FUZZ_SECONDS:-30}"
if [ "$SECONDS_EACH" = 0 ]; then LIMIT=(-runs=0); else LIMIT=(-max_total_time="$SECONDS_EACH"); fi
TARGETS=(fuzz_load fuzz_check)

if ! cmake --preset fuzz >/dev/null || ! cmake --build --preset fuzz --target "${TARGETS[@]}"; then
  echo "fuzz: build failed"
  [ -n "${FUZZ_REPORT:-}" ] && printf '# pass 0\n# fail %d\n' "${#TARGETS[@]}" >"$FUZZ_REPORT"
  echo "# pass 0"; echo "# fail ${#TARGETS[@]}"
  echo "0 passed, ${#TARGETS[@]} failed"
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/orderflow-fuzz.XXXXXX")
passed=0; failed=0; tap=()
for t in "${TARGETS[@]}"; do
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  log="$work/$t/log.txt"
  dict=(); [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
  printf '\n== fuzz: %s for %ss\n' "$t" "$SECONDS_EACH"
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}" \
    "build/fuzz/tests/fuzz/$t" "${LIMIT[@]}" -print_final_stats=1 -max_len=8192 -timeout=10 \
      -rss_limit_mb=2048 -artifact_prefix="$work/$t/artifacts/" "${dict[@]}" \
      "$work/$t/corpus" "tests/fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1)); tap+=("ok $((passed + failed)) - $t")
    printf '%s: ok, %s executions, %s, corpus %s\n' "$t" "${execs:-?}" "${cov:-cov: ?}" "$(ls "$work/$t/corpus" | wc -l) new inputs"
  else
    failed=$((failed + 1)); tap+=("not ok $((passed + failed)) - $t")
    printf '%s: FAILED (exit %d) after %s executions; log %s\n' "$t" "$rc" "${execs:-?}" "$log"
    grep -E 'ERROR|invariant failed|runtime error|SUMMARY|Test unit written' "$log" | head -20
    ls "$work/$t/artifacts/" 2>/dev/null | sed "s|^|  artifact: $work/$t/artifacts/|"
  fi
done
echo "fuzz work folder: $work"
if [ -n "${FUZZ_REPORT:-}" ]; then
  { echo "TAP version 13"; printf '%s\n' "${tap[@]}"; echo "1..${#TARGETS[@]}"
    echo "# tests ${#TARGETS[@]}"; echo "# pass $passed"; echo "# fail $failed"; } >"$FUZZ_REPORT"
fi
echo "# pass $passed"
echo "# fail $failed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
