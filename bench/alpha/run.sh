#!/bin/sh
# bench/alpha/run.sh — how fast `duet stats alpha` computes Krippendorff's alpha
# over a large coding study.
#
#   sh bench/alpha/run.sh          (from anywhere; prints a Markdown section)
#
# Builds duet (unless DUET is set) and bench/alpha/gen.c against libduet.a; gen
# writes UNITS x CODERS codings of CATS categories, each cell missing with
# probability MISS, otherwise the unit's true category or (20 %) a random one
# (fixed seed). Then it times, RUNS times each (wall clock of the whole command,
# reading the CSV included; the best counts):
#   duet stats alpha codings.csv --level nominal
#   duet stats alpha codings.csv --level interval
# and once: --level ordinal, and --level nominal --bootstrap 200.
#
# Settings (environment): UNITS (100000), CODERS (10), CATS (5), MISS (0.05),
# SEED (1), RUNS (3), TARGET_S (1), DUET (a duet binary to time instead of
# building one), LIB (the libduet.a for gen; default: next to DUET), CC, TMPDIR,
# KEEP=1 (keep the work folder). Progress goes to stderr, the results (Markdown)
# to stdout. Exits 1 when a step fails; a slow result is reported, not failed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../lib.sh"
UNITS=${UNITS:-100000}
CODERS=${CODERS:-10}
CATS=${CATS:-5}
MISS=${MISS:-0.05}
SEED=${SEED:-1}
RUNS=${RUNS:-3}
TARGET_S=${TARGET_S:-1}

if [ -z "${DUET:-}" ]; then
  say "building duet (make -C $top build/duet)"
  make -C "$top" build/duet >&2
  DUET=$top/build/duet
fi
[ -x "$DUET" ] || { say "run.sh: $DUET is not an executable"; exit 1; }
LIB=${LIB:-$(dirname "$DUET")/libduet.a}
[ -f "$LIB" ] || { say "run.sh: no $LIB (set LIB to a libduet.a)"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/duet-bench-alpha.XXXXXX")
if [ "${KEEP:-0}" = 1 ]; then
  trap 'say "kept $work (codings.csv, gen, *.out)"' EXIT
else
  trap 'rm -rf "$work"' EXIT
fi
trap 'exit 130' INT TERM

say "building gen"
${CC:-cc} -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -I"$top/src" -o "$work/gen" "$here/gen.c" \
  "$LIB" -lm
say "generating $UNITS units x $CODERS coders ($CATS categories, $MISS missing, seed $SEED)"
"$work/gen" "$UNITS" "$CODERS" "$CATS" "$MISS" "$SEED" >"$work/codings.csv"
bytes=$(wc -c <"$work/codings.csv" | tr -d ' ')

for level in nominal interval; do
  i=1
  while [ "$i" -le "$RUNS" ]; do
    say "duet stats alpha --level $level, run $i of $RUNS"
    timed "$level-$i" "$DUET" stats alpha "$work/codings.csv" --level "$level" --json
    say "  $(cut -d' ' -f1 "$work/$level-$i.time") s"
    i=$((i + 1))
  done
done
say "once more: --level ordinal, and --bootstrap 200"
timed ordinal "$DUET" stats alpha "$work/codings.csv" --level ordinal --json
timed boot "$DUET" stats alpha "$work/codings.csv" --level nominal --bootstrap 200 --json

field() { cut -d' ' -f"$2" "$1"; }
nb=$(best "$work"/nominal-*.time)
ib=$(best "$work"/interval-*.time)
nom_s=$(echo "$nb" | cut -d' ' -f1)
int_s=$(echo "$ib" | cut -d' ' -f1)
all() { for f in "$work"/"$1"-*.time; do cut -d' ' -f1 "$f"; done | tr '\n' ' '; }
alpha() { sed -n 's/^  "alpha": \(.*\),$/\1/p' "$work/$1.out" | head -1; }
pairable=$(sed -n 's/^  "n_pairable_values": \(.*\),$/\1/p' "$work/nominal-1.out")
lohi=$(awk '/"lo":/ { gsub(/,/, "", $2); lo = $2 } /"hi":/ { gsub(/,/, "", $2); hi = $2 }
            END { printf "[%.4f, %.4f]", lo, hi }' "$work/boot.out")

verdict=$(awk -v a="$nom_s" -v b="$int_s" -v t="$TARGET_S" 'BEGIN {
  s = a > b ? a : b
  if (s + 0 <= t + 0) printf "meets the target (slowest level %.3f s <= %s s)", s, t;
  else printf "MISSES the target (%.3f s > %s s)", s, t }')

cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || echo "?")
os=$(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release 2>/dev/null)
[ -n "$os" ] || os=$(uname -s)
cc=$(${CC:-cc} --version 2>/dev/null | head -1)
commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo "?")
if [ -n "$(git -C "$top" status --porcelain 2>/dev/null)" ]; then commit="$commit (with uncommitted changes)"; fi

cat <<EOF_MD
### Krippendorff's alpha: $UNITS units x $CODERS coders

- Machine: ${cpu:-unknown CPU}, $ncpu CPUs online, $mem RAM; $os; $cc
- duet: commit $commit, binary $DUET, $(date -u +%Y-%m-%d)
- Data: $bytes bytes, made by bench/alpha/gen.c ($CATS categories, $MISS missing, seed
  $SEED); $pairable pairable values
- Command: \`duet stats alpha codings.csv --level L --json\`, wall time of the whole
  command including reading the CSV; best of $RUNS

| run | best wall time | CPU time (user+sys) | peak RSS | alpha |
|---|---|---|---|---|
| nominal | $nom_s s | $(echo "$nb" | cut -d' ' -f3) s | $(mib "$(echo "$nb" | cut -d' ' -f2)") | $(alpha nominal-1) |
| interval | $int_s s | $(echo "$ib" | cut -d' ' -f3) s | $(mib "$(echo "$ib" | cut -d' ' -f2)") | $(alpha interval-1) |
| ordinal (once) | $(field "$work/ordinal.time" 1) s | $(field "$work/ordinal.time" 3) s | $(mib "$(field "$work/ordinal.time" 2)") | $(alpha ordinal) |
| nominal, --bootstrap 200 (once) | $(field "$work/boot.time" 1) s | $(field "$work/boot.time" 3) s | $(mib "$(field "$work/boot.time" 2)") | 95 % interval $lohi |

- Wall times of all runs (s): nominal $(all nominal); interval $(all interval)
- Load average when it finished: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
- Time: duet $verdict
EOF_MD
