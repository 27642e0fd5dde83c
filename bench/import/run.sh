#!/bin/sh
# bench/import/run.sh — how fast `duet import responses` takes a big file.
#
#   sh bench/import/run.sh            (from anywhere; prints a Markdown section)
#
# Builds duet, builds bench/import/gen.c against build/libduet.a, and has it
# make (in a temporary folder) a structure-only database with enough
# partnerships for ROWS answers plus the matching ROWS-row responses CSV.
# Then, RUNS times, copies the structure-only database afresh and times
# `duet import responses` into it; the best run gives rows/s. It also times
# `duet export responses` (default purpose: research; everyone consented) and
# `--purpose all` of the imported database, checks that the export is the
# input byte for byte, and reports peak RSS from GNU time when it is there.
#
# Settings (environment): ROWS (default 1000000), RUNS (3), MODULES (8),
# TARGET rows/s (200000), DUET (a duet binary to time instead of building
# one; gen then links against the libduet.a next to it, or LIB), TMPDIR,
# KEEP=1 (keep the work folder, e.g. to profile an import of its files).
# Progress goes to stderr, the results (Markdown) to stdout. Exits non-zero
# when a step fails or the export does not round-trip; a slow run is
# reported, not failed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../lib.sh"
ROWS=${ROWS:-1000000}
RUNS=${RUNS:-3}
MODULES=${MODULES:-8}
TARGET=${TARGET:-200000}


if [ -z "${DUET:-}" ]; then
  say "building duet (make -C $top)"
  make -C "$top" >&2
  DUET=$top/build/duet
fi
LIB=${LIB:-$(dirname "$DUET")/libduet.a}
if [ ! -f "$LIB" ]; then
  make -C "$top" build/libduet.a >&2
  LIB=$top/build/libduet.a
fi
[ -x "$DUET" ] || { say "run.sh: $DUET is not an executable"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/duet-bench-import.XXXXXX")
if [ "${KEEP:-0}" = 1 ]; then
  trap 'say "kept $work (structure.db, big.csv, run.db, gen)"' EXIT
else
  trap 'rm -rf "$work"' EXIT
fi
trap 'exit 130' INT TERM

say "building gen"
# The flags the Makefile uses for the same packages (pkg-config output is
# meant to be split into words).
# shellcheck disable=SC2046
${CC:-cc} -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -fopenmp -I"$top/src" \
  $(pkg-config --cflags sqlite3 jansson libsodium gsl) -o "$work/gen" "$here/gen.c" "$LIB" \
  $(pkg-config --libs sqlite3 jansson libsodium gsl) -fopenmp -lm

say "generating the structure and $ROWS rows"
"$work/gen" "$work/structure.db" "$work/big.csv" "$ROWS" "$MODULES" >&2
rm -f "$work/structure.db-wal" "$work/structure.db-shm"

# field N "A B C" — the Nth word.
field() { echo "$2" | cut -d' ' -f"$1"; }

rate() { awk -v n="$ROWS" -v s="$1" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "n/a" }'; }

i=1
while [ "$i" -le "$RUNS" ]; do
  rm -f "$work/run.db" "$work/run.db-wal" "$work/run.db-shm"
  cp "$work/structure.db" "$work/run.db"
  say "import run $i of $RUNS"
  timed "import$i" "$DUET" --db "$work/run.db" import responses "$work/big.csv"
  say "  $(cat "$work/import$i.out") ($(cut -d' ' -f1 "$work/import$i.time") s)"
  i=$((i + 1))
done
set -- "$work"/import*.time
imp=$(best "$@")
imp_s=$(field 1 "$imp")
imp_all=$(for f in "$@"; do cut -d' ' -f1 "$f"; done | tr '\n' ' ')

i=1
while [ "$i" -le "$RUNS" ]; do
  say "export runs $i of $RUNS"
  timed "export$i" "$DUET" --db "$work/run.db" export responses --out "$work/export.csv"
  timed "exportall$i" "$DUET" --db "$work/run.db" export responses --purpose all \
    --out "$work/export-all.csv"
  i=$((i + 1))
done
exp=$(best "$work"/export[0-9]*.time)
exp_all=$(best "$work"/exportall*.time)
if cmp -s "$work/big.csv" "$work/export.csv" && cmp -s "$work/big.csv" "$work/export-all.csv"; then
  roundtrip="yes: both exports equal the input byte for byte"
else
  roundtrip="NO: the export differs from the input"
fi

imp_rate=$(rate "$imp_s")
verdict=$(awk -v r="$imp_rate" -v t="$TARGET" 'BEGIN {
  if (r == "n/a") print "not measured";
  else if (r + 0 >= t + 0) printf "meets the target (%.2f x %d rows/s)", r / t, t;
  else printf "BELOW the target (%.2f x %d rows/s)", r / t, t }')

cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || echo "?")
os=$(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release 2>/dev/null)
[ -n "$os" ] || os=$(uname -s)
cc=$(${CC:-cc} --version 2>/dev/null | head -1)
sqlite=$(pkg-config --modversion sqlite3 2>/dev/null || echo "?")
commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo "?")
if [ -n "$(git -C "$top" status --porcelain 2>/dev/null)" ]; then commit="$commit (with uncommitted changes)"; fi
csv_bytes=$(wc -c <"$work/big.csv" | tr -d ' ')
db_bytes=$(wc -c <"$work/run.db" | tr -d ' ')
checkins=$(sed -n 's/.* in \([0-9]*\) check-ins.*/\1/p' "$work/import1.out")

cat <<EOF
### Import: $ROWS rows

- Machine: ${cpu:-unknown CPU}, $ncpu CPUs online, $mem RAM; $os; $cc; SQLite $sqlite
- duet: commit $commit, binary $DUET, $(date -u +%Y-%m-%d)
- Input: $csv_bytes bytes, $ROWS rows, $checkins check-ins ($MODULES modules,
  21 numeric items per check-in), made by bench/import/gen.c
- Command: \`duet --db run.db import responses big.csv\`, each run into a
  fresh copy of the structure-only database; best of $RUNS

| step | best wall time | rows/s | CPU time of that run (user+sys) | peak RSS |
|---|---|---|---|---|
| import | $imp_s s | $imp_rate | $(field 3 "$imp") s | $(mib "$(field 2 "$imp")") |
| export (purpose research) | $(field 1 "$exp") s | $(rate "$(field 1 "$exp")") | $(field 3 "$exp") s | $(mib "$(field 2 "$exp")") |
| export --purpose all | $(field 1 "$exp_all") s | $(rate "$(field 1 "$exp_all")") | $(field 3 "$exp_all") s | $(mib "$(field 2 "$exp_all")") |

- Import wall times of all runs (s): $imp_all
- Load average when it finished: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
- Database after import: $db_bytes bytes
- Round trip: $roundtrip
- Import: $imp_rate rows/s $verdict
EOF

case $roundtrip in
  yes*) exit 0 ;;
  *) exit 1 ;;
esac
