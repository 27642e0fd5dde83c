#!/bin/sh
# tests/run.sh BUILD — runs every test against the binaries in BUILD:
#   BUILD/tests/test_*   cmocka unit tests (one process per module)
#   tests/cli/*.sh       command-line tests that run BUILD/duet
#   tests/layers.sh      the architecture check (no layer includes a higher one)
#   tests/web/test_*.mjs the web server and pages, in node (TAP output)
#   tests/docs/test_*.mjs the README's tour against the real output
#   tests/browser/test_*.mjs  headless Chromium through the pages
# Web and browser test files that create artefacts (screenshots, logs) put
# them under BUILD/test-artefacts/.
# and ends with the line "N passed, N failed". Exits 1 when anything failed.
set -u
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
passed=0
failed=0
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

for t in "$build"/tests/test_*; do
  [ -x "$t" ] || continue
  name=$(basename "$t")
  "$t" >"$log/out" 2>&1
  rc=$?
  p=$(sed -n 's/^\[  PASSED  \] \([0-9][0-9]*\) test.*/\1/p' "$log/out" | tail -1)
  f=$(sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test.*/\1/p' "$log/out" | tail -1)
  p=${p:-0}
  f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1   # crashed or a sanitizer stopped it before cmocka's summary
  fi
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$f" -ne 0 ]; then
    echo "FAIL $name ($p passed, $f failed)"
    sed 's/^/    /' "$log/out" | tail -40
  else
    echo "ok   $name ($p passed)"
  fi
done

for t in tests/cli/test_*.sh tests/layers.sh; do
  [ -f "$t" ] || continue
  name=$(basename "$t" .sh)
  DUET="$top/$build/duet" sh "$t" >"$log/out" 2>&1
  rc=$?
  p=$(grep -c '^ok ' "$log/out")
  f=$(grep -c '^not ok ' "$log/out")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1
  fi
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$f" -ne 0 ]; then
    echo "FAIL $name ($p passed, $f failed)"
    grep -v '^ok ' "$log/out" | sed 's/^/    /' | tail -40
  else
    echo "ok   $name ($p passed)"
  fi
done

# The web and browser suites: node's test runner, one TAP line per test,
# on Node.js 20 or later (scripts/node.sh; fetched once if the system's is older).
DUET_ROOT=$top . "$top/scripts/node.sh"
export DUET="$top/$build/duet" DUET_ASSETS="$top/$build/assets"
export DUET_ARTEFACTS="$top/$build/test-artefacts"
mkdir -p "$DUET_ARTEFACTS"
for t in tests/web/test_*.mjs tests/docs/test_*.mjs tests/browser/test_*.mjs; do
  [ -f "$t" ] || continue
  name=$(basename "$t" .mjs)
  timeout 600 node --test-reporter=tap "$t" >"$log/out" 2>&1
  rc=$?
  p=$(grep -c '^ok ' "$log/out")
  f=$(grep -c '^not ok ' "$log/out")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1
  fi
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$f" -ne 0 ]; then
    echo "FAIL $name ($p passed, $f failed)"
    sed 's/^/    /' "$log/out" | grep -v '^    ok ' | tail -60
  else
    echo "ok   $name ($p passed)"
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
