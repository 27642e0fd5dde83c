# tests/cli/lib.sh — a tiny harness for command-line tests (sourced).
#   run ARGS...          runs $DUET with a fresh database per test file; sets
#                        $rc, $out (stdout) and $err (stderr)
#   expect NAME COND     prints "ok - NAME" or "not ok - NAME" (COND is sh code)
# Every test file gets its own temporary folder, removed at exit, so files are
# independent of each other and of the order they run in.
set -u
: "${DUET:?set DUET to the duet binary}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DUET_DB="$work/test.db"
export DUET_ACTOR=tester
cd "$work" || exit 1

run() {
  "$DUET" "$@" >"$work/.out" 2>"$work/.err"
  rc=$?
  out=$(cat "$work/.out")
  err=$(cat "$work/.err")
}

expect() {
  if eval "$2"; then
    echo "ok - $1"
  else
    echo "not ok - $1"
    echo "    rc=$rc"
    echo "    stdout: $(printf '%s' "$out" | head -c 600)"
    echo "    stderr: $(printf '%s' "$err" | head -c 600)"
  fi
}

# expect_error NAME RC TEXT ARGS... — the command fails with exit RC and its
# stderr contains TEXT.
expect_error() {
  name=$1 want=$2 text=$3
  shift 3
  run "$@"
  expect "$name" '[ "$rc" -eq "$want" ] && printf "%s" "$err" | grep -qF -- "$text"'
}
