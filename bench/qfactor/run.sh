#!/bin/sh
# bench/qfactor/run.sh — how fast `duet stats qfactor` analyses a large Q study,
# against R's psych::principal on the same data.
#
#   sh bench/qfactor/run.sh          (from anywhere; prints a Markdown section)
#
# Builds duet (unless DUET is set) and bench/qfactor/gen.c against libduet.a;
# gen writes STATEMENTS x SORTS Q-sorts made from VIEWPOINTS latent viewpoints
# plus noise, forced onto a 13-column grid (fixed seed). Then it times, RUNS
# times each (wall clock of the whole command, reading the CSV included; the
# best counts):
#   duet stats qfactor sorts.csv --factors FACTORS        (PCA + varimax, the tables)
# and once each, for comparison: the same with --json, with --extract centroid,
# and with --json --correlations (the 2,000 x 2,000 matrix written out).
# When Rscript with psych is installed, R reads the CSV and times, R_RUNS times,
#   principal(cor(x), nfactors = FACTORS, rotate = "varimax")
# (psych's whole call, which also computes fit statistics on the n x n
# matrix) and the bare minimum in R: cor, eigen(symmetric = TRUE), the top
# loadings and stats::varimax. duet's loadings must equal psych's to 1e-6,
# up to the order and signs of the factors.
#
# Settings (environment): STATEMENTS (200), SORTS (2000), FACTORS (6),
# VIEWPOINTS (6), SEED (1), RUNS (3), R_RUNS (1; psych takes about 90 s a
# run at the default size on the 2-core machine; 0 skips R), TARGET_S (2), DUET (a
# duet binary to time instead of building one), LIB (the libduet.a for gen;
# default: next to DUET), CC, TMPDIR, KEEP=1 (keep the work folder).
# Progress goes to stderr, the results (Markdown) to stdout. Exits 1 when a
# step fails or the loadings disagree; a slow result is reported, not failed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../lib.sh"
STATEMENTS=${STATEMENTS:-200}
SORTS=${SORTS:-2000}
FACTORS=${FACTORS:-6}
VIEWPOINTS=${VIEWPOINTS:-6}
SEED=${SEED:-1}
RUNS=${RUNS:-3}
R_RUNS=${R_RUNS:-1}
TARGET_S=${TARGET_S:-2}

if [ -z "${DUET:-}" ]; then
  say "building duet (make -C $top build/duet)"
  make -C "$top" build/duet >&2
  DUET=$top/build/duet
fi
[ -x "$DUET" ] || { say "run.sh: $DUET is not an executable"; exit 1; }
LIB=${LIB:-$(dirname "$DUET")/libduet.a}
[ -f "$LIB" ] || { say "run.sh: no $LIB (set LIB to a libduet.a)"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/duet-bench-qfactor.XXXXXX")
if [ "${KEEP:-0}" = 1 ]; then
  trap 'say "kept $work (sorts.csv, gen, psych.R, *.out)"' EXIT
else
  trap 'rm -rf "$work"' EXIT
fi
trap 'exit 130' INT TERM

say "building gen"
${CC:-cc} -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -I"$top/src" -o "$work/gen" "$here/gen.c" \
  "$LIB" -lm
say "generating $STATEMENTS statements x $SORTS sorts ($VIEWPOINTS viewpoints, seed $SEED)"
"$work/gen" "$STATEMENTS" "$SORTS" "$VIEWPOINTS" "$SEED" >"$work/sorts.csv"
bytes=$(wc -c <"$work/sorts.csv" | tr -d ' ')

i=1
while [ "$i" -le "$RUNS" ]; do
  say "duet stats qfactor --factors $FACTORS, run $i of $RUNS"
  timed "pca-$i" "$DUET" stats qfactor "$work/sorts.csv" --factors "$FACTORS"
  say "  $(cut -d' ' -f1 "$work/pca-$i.time") s"
  i=$((i + 1))
done
b=$(best "$work"/pca-*.time)
pca_s=$(echo "$b" | cut -d' ' -f1)
pca_rss=$(echo "$b" | cut -d' ' -f2)
pca_cpu=$(echo "$b" | cut -d' ' -f3)
pca_all=$(for f in "$work"/pca-*.time; do cut -d' ' -f1 "$f"; done | tr '\n' ' ')

say "the same with --json, with --extract centroid, and with --json --correlations"
timed json "$DUET" stats qfactor "$work/sorts.csv" --factors "$FACTORS" --json
timed centroid "$DUET" stats qfactor "$work/sorts.csv" --factors "$FACTORS" --extract centroid
timed corr "$DUET" stats qfactor "$work/sorts.csv" --factors "$FACTORS" --json --correlations
one() { cut -d' ' -f"$2" "$work/$1.time"; }
iters=$(jq -r .varimax_iterations "$work/json.out" 2>/dev/null || echo "?")

have_r=0
if [ "$R_RUNS" -gt 0 ] && command -v Rscript >/dev/null 2>&1 && command -v jq >/dev/null 2>&1 &&
   Rscript -e 'quit(status = !requireNamespace("psych", quietly = TRUE))' >/dev/null 2>&1; then
  have_r=1
fi
if [ "$have_r" -eq 1 ]; then
  cat >"$work/psych.R" <<'EOF_R'
suppressPackageStartupMessages(library(psych))
args <- commandArgs(TRUE)
x <- as.matrix(read.csv(args[1], row.names = 1, check.names = FALSE))
nf <- as.integer(args[2])
runs <- as.integer(args[3])
best <- Inf
core <- Inf
for (r in seq_len(runs)) {
  t <- system.time(p <- suppressWarnings(suppressMessages(
    principal(cor(x), nfactors = nf, rotate = "varimax"))))[["elapsed"]]
  cat(sprintf("run %.3f\n", t))
  best <- min(best, t)
  t2 <- system.time({
    e <- eigen(cor(x), symmetric = TRUE)
    L <- e$vectors[, 1:nf] %*% diag(sqrt(e$values[1:nf]))
    v <- varimax(L)
  })[["elapsed"]]
  cat(sprintf("core %.3f\n", t2))
  core <- min(core, t2)
}
cat(sprintf("best %.3f\ncore_best %.3f\n", best, core))
cat(sprintf("R %s.%s\npsych %s\n", R.version$major, R.version$minor, packageVersion("psych")))
write.table(unclass(p$loadings), args[4], sep = ",", row.names = FALSE, col.names = FALSE)
EOF_R
  say "psych::principal: $R_RUNS run(s) (about 90 s each at the default size)"
  timed psych Rscript "$work/psych.R" "$work/sorts.csv" "$FACTORS" "$R_RUNS" "$work/psych-loadings.csv"
  val() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
  r_s=$(val "$work/psych.out" best)
  r_core=$(val "$work/psych.out" core_best)
  r_all=$(awk '$1 == "run" { printf "%s ", $2 }' "$work/psych.out")
  r_rss=$(one psych 2)
  rver="R $(val "$work/psych.out" R), psych $(val "$work/psych.out" psych)"
  say "  best $r_s s (cor + eigen + varimax alone: $r_core s)"
  jq -r '.loadings[] | .loadings | map(tostring) | join(",")' "$work/json.out" >"$work/duet-loadings.csv"
  # Each of duet's factors against each of psych's, up to sign: the best match
  # per factor, then the worst of those.
  maxdiff=$(awk -F, -v f="$FACTORS" '
    FNR == NR { for (k = 1; k <= f; k++) d[FNR, k] = $k; n = FNR; next }
    { for (k = 1; k <= f; k++) p[FNR, k] = $k }
    END {
      worst = 0
      for (k = 1; k <= f; k++) {
        bestk = 1e300
        for (m = 1; m <= f; m++) for (s = -1; s <= 1; s += 2) {
          mx = 0
          for (j = 1; j <= n; j++) { x = d[j, k] - s * p[j, m]; if (x < 0) x = -x; if (x > mx) mx = x }
          if (mx < bestk) bestk = mx
        }
        if (bestk > worst) worst = bestk
      }
      printf "%.2g\n", worst
    }' "$work/duet-loadings.csv" "$work/psych-loadings.csv")
  agree=$(awk -v m="$maxdiff" 'BEGIN { print (m <= 1e-6) ? "yes" : "NO" }')
  ratio=$(awk -v a="$r_s" -v b="$pca_s" 'BEGIN { printf "%.0f", a / b }')
  ratio_core=$(awk -v a="$r_core" -v b="$pca_s" 'BEGIN { printf "%.0f", a / b }')
else
  say "R_RUNS=0, or Rscript with psych (or jq) not found: psych is not timed"
  r_s=n/a r_core=n/a r_all=n/a r_rss=n/a rver="not installed" maxdiff=n/a
  agree="not checked (psych not run)" ratio=n/a ratio_core=n/a
fi

verdict=$(awk -v s="$pca_s" -v t="$TARGET_S" 'BEGIN {
  if (s + 0 <= t + 0) printf "meets the target (%.3f s <= %s s)", s, t;
  else printf "MISSES the target (%.3f s > %s s)", s, t }')

cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || echo "?")
os=$(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release 2>/dev/null)
[ -n "$os" ] || os=$(uname -s)
cc=$(${CC:-cc} --version 2>/dev/null | head -1)
gsl=$(pkg-config --modversion gsl 2>/dev/null || echo "?")
commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo "?")
if [ -n "$(git -C "$top" status --porcelain 2>/dev/null)" ]; then commit="$commit (with uncommitted changes)"; fi

cat <<EOF_MD
### Q-methodology: $STATEMENTS statements x $SORTS sorts, $FACTORS factors

- Machine: ${cpu:-unknown CPU}, $ncpu CPUs online, $mem RAM; $os; $cc; GSL $gsl
- duet: commit $commit, binary $DUET, $(date -u +%Y-%m-%d); R: $rver
- Data: $bytes bytes, made by bench/qfactor/gen.c ($VIEWPOINTS viewpoints, seed $SEED,
  13-column grid)
- Command: \`duet stats qfactor sorts.csv --factors $FACTORS\` (PCA + varimax, tables to a
  file), wall time of the whole command including reading the CSV; best of $RUNS

| run | best wall time | CPU time (user+sys) | peak RSS |
|---|---|---|---|
| duet, PCA + varimax ($iters varimax iterations) | $pca_s s | $pca_cpu s | $(mib "$pca_rss") |
| duet, the same with --json | $(one json 1) s | $(one json 3) s | $(mib "$(one json 2)") |
| duet, centroid + varimax | $(one centroid 1) s | $(one centroid 3) s | $(mib "$(one centroid 2)") |
| duet, --json --correlations ($SORTS x $SORTS written out) | $(one corr 1) s | $(one corr 3) s | $(mib "$(one corr 2)") |
| psych::principal(cor(x), $FACTORS, "varimax"), after read.csv | $r_s s | | $(mib "$r_rss") (all of R) |
| R: cor + eigen + stats::varimax alone | $r_core s | | |

- duet wall times of all runs (s): $pca_all
- psych wall times of all runs (s): $r_all
- Load average when it finished: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
- Agreement with psych: $agree (largest difference in a loading $maxdiff, factors
  matched up to order and sign)
- Time: duet $verdict; ${ratio}x faster than psych::principal, ${ratio_core}x faster than
  R's cor + eigen + varimax alone
EOF_MD

case $agree in
  yes* | not*) exit 0 ;;
  *) exit 1 ;;
esac
