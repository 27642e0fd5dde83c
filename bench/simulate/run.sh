#!/bin/sh
# bench/simulate/run.sh — how fast `duet simulate` runs the pair identity model.
#
#   sh bench/simulate/run.sh          (from anywhere; prints a Markdown section)
#
# Builds duet if needed, then times `duet simulate --summary` at K = 4 for
# PAIRS pairs x MODULES modules, RUNS times on 1 thread and RUNS times on 2
# threads (wall clock; the best run counts), and reports pair-modules/s,
# the speed-up, peak RSS (GNU time, when present) and whether the JSON
# summaries of 1 and 2 threads are byte-identical (they must be).
#
# Settings (environment): PAIRS (default 1000000), MODULES (8), RUNS (3),
# TARGET pair-modules/s on one thread (12000000), DUET (a duet binary to
# time instead of building one), TMPDIR. Progress goes to stderr, the
# results (Markdown) to stdout. Exits 1 when a step fails or the summaries
# differ; a slow run is reported, not failed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../lib.sh"
PAIRS=${PAIRS:-1000000}
MODULES=${MODULES:-8}
RUNS=${RUNS:-3}
TARGET=${TARGET:-12000000}


if [ -z "${DUET:-}" ]; then
  say "building duet (make -C $top build/duet)"
  make -C "$top" build/duet >&2
  DUET=$top/build/duet
fi
[ -x "$DUET" ] || { say "run.sh: $DUET is not an executable"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/duet-bench-simulate.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

rate() { awk -v n="$PAIRS" -v m="$MODULES" -v s="$1" 'BEGIN { if (s > 0) printf "%.1f", n * m / s / 1e6; else print "n/a" }'; }

for t in 1 2; do
  i=1
  while [ "$i" -le "$RUNS" ]; do
    say "$t thread(s), run $i of $RUNS"
    timed "t$t-$i" "$DUET" simulate --pairs "$PAIRS" --modules "$MODULES" --dims 4 \
      --summary --threads "$t"
    say "  $(cut -d' ' -f1 "$work/t$t-$i.time") s"
    i=$((i + 1))
  done
done

b1=$(best "$work"/t1-*.time)
b2=$(best "$work"/t2-*.time)
s1=$(echo "$b1" | cut -d' ' -f1)
s2=$(echo "$b2" | cut -d' ' -f1)
rss1=$(echo "$b1" | cut -d' ' -f2)
rss2=$(echo "$b2" | cut -d' ' -f2)
cpu1=$(echo "$b1" | cut -d' ' -f3)
cpu2=$(echo "$b2" | cut -d' ' -f3)
r1=$(rate "$s1")
r2=$(rate "$s2")
all1=$(for f in "$work"/t1-*.time; do cut -d' ' -f1 "$f"; done | tr '\n' ' ')
all2=$(for f in "$work"/t2-*.time; do cut -d' ' -f1 "$f"; done | tr '\n' ' ')
speedup=$(awk -v a="$s1" -v b="$s2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
if cmp -s "$work/t1-1.out" "$work/t2-1.out"; then
  same="yes: the JSON summaries of 1 and 2 threads are byte-identical"
else
  same="NO: the summaries of 1 and 2 threads differ"
fi
verdict=$(awk -v r="$r1" -v t="$TARGET" 'BEGIN {
  if (r == "n/a") print "not measured";
  else if (r * 1e6 >= t) printf "meets the target (%.2f x %.0f M/s)", r * 1e6 / t, t / 1e6;
  else printf "BELOW the target (%.2f x %.0f M/s)", r * 1e6 / t, t / 1e6 }')
verdict2=$(awk -v s="$speedup" 'BEGIN {
  if (s == "n/a") print "not measured";
  else if (s + 0 >= 1.8) printf "meets the 1.8x target";
  else printf "BELOW the 1.8x target" }')
simd=$(grep -q avx2 /proc/cpuinfo 2>/dev/null && echo "AVX2 kernel" || echo "portable kernel (no AVX2)")

cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || echo "?")
os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME" || uname -s)
cc=$(${CC:-cc} --version 2>/dev/null | head -1)
commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo "?")
if [ -n "$(git -C "$top" status --porcelain 2>/dev/null)" ]; then commit="$commit (with uncommitted changes)"; fi

cat <<EOF2
### Simulate: $PAIRS pairs x $MODULES modules, K = 4

- Machine: ${cpu:-unknown CPU}, $ncpu CPUs online, $mem RAM; $os; $cc
- duet: commit $commit, binary $DUET, $(date -u +%Y-%m-%d); $simd
- Command: \`duet simulate --pairs $PAIRS --modules $MODULES --dims 4 --summary --threads T\`,
  wall time of the whole command; best of $RUNS

| threads | best wall time | pair-modules/s | CPU time of that run | peak RSS |
|---|---|---|---|---|
| 1 | $s1 s | $r1 M | $cpu1 s | $(mib "$rss1") |
| 2 | $s2 s | $r2 M | $cpu2 s | $(mib "$rss2") |

- Times of all runs (s): 1 thread: $all1; 2 threads: $all2
- One thread: $r1 M pair-modules/s, $verdict
- Two threads: $speedup x one thread, $verdict2
- Same numbers: $same
EOF2

case $same in
  yes*) exit 0 ;;
  *) exit 1 ;;
esac
