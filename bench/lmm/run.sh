#!/bin/sh
# bench/lmm/run.sh — how fast lmm_fit fits a two-factor REML mixed model,
# against lme4's lmer on the same data.
#
#   sh bench/lmm/run.sh            (from anywhere; prints a Markdown section)
#
# Builds build/libduet.a and bench/lmm/gen.c against it. gen makes PAIRS
# partnerships x 2 members x MODULES modules (one row each; person nested in
# partnership; fixed effects intercept, module, side, x) and writes it as
# CSV; then `gen --fit` times lmm_fit on the same numbers in memory, RUNS
# times (wall clock of the call alone; the best counts), and prints the
# estimates. When Rscript with lme4 is installed, R reads the CSV and times
#   lmer(y ~ module + side + x + (1 | pair) + (1 | person), REML = TRUE)
# with lmer's default control, R_RUNS times (the fit alone, not read.csv).
# The two fits must agree: fixed effects, SEs and variances to 1e-4
# relative (lmer's default optimiser stops about 1e-5 from the optimum),
# and duet's REML log-likelihood must not be below lmer's by more than 1e-6.
# A second duet fit at twice the size shows how time and memory scale.
#
# Settings (environment): PAIRS (default 10000), MODULES (8), RUNS (5),
# R_RUNS (3), TARGET_S seconds for duet (1), TARGET_X times faster than
# lmer (10), LIB (a libduet.a to link instead of building one), CC, TMPDIR,
# KEEP=1 (keep the work folder). Progress goes to stderr, the results
# (Markdown) to stdout. Exits 1 when a step fails or the fits disagree; a
# slow result is reported, not failed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PAIRS=${PAIRS:-10000}
MODULES=${MODULES:-8}
RUNS=${RUNS:-5}
R_RUNS=${R_RUNS:-3}
TARGET_S=${TARGET_S:-1}
TARGET_X=${TARGET_X:-10}
ROWS=$((PAIRS * 2 * MODULES))

say() { printf '%s\n' "$*" >&2; }

if [ -z "${LIB:-}" ]; then
  say "building libduet.a (make -C $top build/libduet.a)"
  make -C "$top" build/libduet.a >&2
  LIB=$top/build/libduet.a
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/duet-bench-lmm.XXXXXX")
if [ "${KEEP:-0}" = 1 ]; then
  trap 'say "kept $work (data.csv, gen, lmer.R, *.out)"' EXIT
else
  trap 'rm -rf "$work"' EXIT
fi
trap 'exit 130' INT TERM

say "building gen"
# shellcheck disable=SC2046
${CC:-cc} -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -fopenmp -I"$top/src" \
  $(pkg-config --cflags sqlite3 jansson libsodium gsl) -o "$work/gen" "$here/gen.c" "$LIB" \
  $(pkg-config --libs sqlite3 jansson libsodium gsl) -fopenmp -lm

if /usr/bin/time -f '%M' -o /dev/null true 2>/dev/null; then
  gnu_time=1
else
  gnu_time=0
fi
# run_rss RSSFILE OUTFILE CMD... — runs CMD, stdout to OUTFILE, peak RSS (KiB)
# to RSSFILE ("n/a" without GNU time).
run_rss() {
  rf=$1
  of=$2
  shift 2
  if [ "$gnu_time" -eq 1 ]; then
    /usr/bin/time -f '%M' -o "$rf" "$@" >"$of"
  else
    "$@" >"$of"
    echo n/a >"$rf"
  fi
}
mib() { awk -v k="$(tail -1 "$1")" 'BEGIN { if (k == "n/a") print "n/a"; else printf "%.0f MiB", k / 1024 }'; }
val() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }

say "generating $ROWS rows ($PAIRS partnerships x 2 x $MODULES modules)"
"$work/gen" "$PAIRS" "$MODULES" "$work/data.csv"

say "duet: lmm_fit, $RUNS runs"
run_rss "$work/duet.rss" "$work/duet.out" "$work/gen" "$PAIRS" "$MODULES" --fit "$RUNS"
duet_s=$(val "$work/duet.out" best)
duet_all=$(awk '$1 == "run" { printf "%s ", $2 }' "$work/duet.out")
say "  best $duet_s s"

say "duet: lmm_fit at twice the size"
run_rss "$work/duet2.rss" "$work/duet2.out" "$work/gen" $((2 * PAIRS)) "$MODULES" --fit "$RUNS"
duet2_s=$(val "$work/duet2.out" best)

have_r=0
if command -v Rscript >/dev/null 2>&1 && Rscript -e 'quit(status = !requireNamespace("lme4", quietly = TRUE))' >/dev/null 2>&1; then
  have_r=1
fi
if [ "$have_r" -eq 1 ]; then
  cat >"$work/lmer.R" <<'EOF'
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(TRUE)
d <- read.csv(args[1])
runs <- as.integer(args[2])
d$pair <- factor(d$pair)
d$person <- factor(d$person)
best <- Inf
for (r in seq_len(runs)) {
  t <- system.time(fit <- lmer(y ~ module + side + x + (1 | pair) + (1 | person), d,
                               REML = TRUE))[["elapsed"]]
  cat(sprintf("run %.3f\n", t))
  best <- min(best, t)
}
cat(sprintf("best %.3f\n", best))
b <- fixef(fit)
se <- sqrt(diag(as.matrix(vcov(fit))))
vc <- as.data.frame(VarCorr(fit))
for (j in seq_along(b)) cat(sprintf("beta[%d] %.17g\nse[%d] %.17g\n", j - 1, b[j], j - 1, se[j]))
cat(sprintf("tau2[0] %.17g\ntau2[1] %.17g\nsigma2 %.17g\nloglik %.17g\n",
            vc$vcov[vc$grp == "pair"], vc$vcov[vc$grp == "person"], sigma(fit)^2,
            as.numeric(logLik(fit))))
cat(sprintf("R %s.%s\nlme4 %s\nMatrix %s\noptimizer %s\n", R.version$major, R.version$minor,
            packageVersion("lme4"), packageVersion("Matrix"), fit@optinfo$optimizer))
EOF
  say "lmer: $R_RUNS runs (each a few seconds)"
  run_rss "$work/lmer.rss" "$work/lmer.out" Rscript "$work/lmer.R" "$work/data.csv" "$R_RUNS"
  lmer_s=$(val "$work/lmer.out" best)
  lmer_all=$(awk '$1 == "run" { printf "%s ", $2 }' "$work/lmer.out")
  say "  best $lmer_s s"
  # Largest relative difference over the estimates, and duet's log-likelihood
  # minus lmer's.
  cmp=$(awk 'FNR == NR { a[$1] = $2; next }
             $1 ~ /^(beta|se|tau2)\[/ || $1 == "sigma2" {
               d = a[$1] - $2; if (d < 0) d = -d; s = $2 < 0 ? -$2 : $2
               r = d / (s > 1e-8 ? s : 1e-8); if (r > m) { m = r; w = $1 } }
             $1 == "loglik" { ll = a[$1] - $2 }
             END { printf "%.2g %s %.3g\n", m, w, ll }' "$work/duet.out" "$work/lmer.out")
  maxrel=$(echo "$cmp" | cut -d' ' -f1)
  worst=$(echo "$cmp" | cut -d' ' -f2)
  dll=$(echo "$cmp" | cut -d' ' -f3)
  agree=$(awk -v m="$maxrel" -v d="$dll" 'BEGIN { print (m <= 1e-4 && d >= -1e-6) ? "yes" : "NO" }')
  ratio=$(awk -v a="$lmer_s" -v b="$duet_s" 'BEGIN { printf "%.1f", a / b }')
  rver="R $(val "$work/lmer.out" R), lme4 $(val "$work/lmer.out" lme4), Matrix $(val "$work/lmer.out" Matrix) (optimizer $(val "$work/lmer.out" optimizer))"
else
  say "Rscript with lme4 not found: lmer is not timed"
  lmer_s=n/a
  lmer_all=n/a
  ratio=n/a
  agree="not checked (no lme4)"
  maxrel=n/a
  worst=
  dll=n/a
  rver="not installed"
  echo n/a >"$work/lmer.rss"
fi

verdict_s=$(awk -v s="$duet_s" -v t="$TARGET_S" 'BEGIN {
  if (s + 0 <= t + 0) printf "meets the target (%.3f s <= %s s)", s, t;
  else printf "MISSES the target (%.3f s > %s s)", s, t }')
verdict_x=$(awk -v r="$ratio" -v t="$TARGET_X" 'BEGIN {
  if (r == "n/a") print "not measured";
  else if (r + 0 >= t + 0) printf "meets the target (%.1fx >= %sx)", r, t;
  else printf "MISSES the target (%.1fx < %sx)", r, t }')

cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || echo "?")
os=$(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release 2>/dev/null)
[ -n "$os" ] || os=$(uname -s)
cc=$(${CC:-cc} --version 2>/dev/null | head -1)
gsl=$(pkg-config --modversion gsl 2>/dev/null || echo "?")
commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo "?")
if [ -n "$(git -C "$top" status --porcelain 2>/dev/null)" ]; then commit="$commit (with uncommitted changes)"; fi

cat <<EOF
### Mixed model: $ROWS rows, two nested factors, REML

- Machine: ${cpu:-unknown CPU}, $ncpu CPUs online, $mem RAM; $os; $cc; GSL $gsl
- duet: commit $commit, $(date -u +%Y-%m-%d); lmer: $rver
- Data: $PAIRS partnerships x 2 members x $MODULES modules, made by bench/lmm/gen.c;
  \`y ~ module + side + x + (1 | pair) + (1 | person)\`, person nested in partnership
  ($PAIRS and $((2 * PAIRS)) levels)
- duet: \`lmm_fit\` alone, data in memory, best of $RUNS; lmer: the \`lmer()\` call
  alone (after \`read.csv\`), default control, best of $R_RUNS

| fit | best wall time | peak RSS of the process | evaluations of the deviance |
|---|---|---|---|
| duet lmm_fit, $ROWS rows | $duet_s s | $(mib "$work/duet.rss") | $(val "$work/duet.out" evaluations) |
| duet lmm_fit, $((2 * ROWS)) rows | $duet2_s s | $(mib "$work/duet2.rss") | $(val "$work/duet2.out" evaluations) |
| lme4 lmer, $ROWS rows | $lmer_s s | $(mib "$work/lmer.rss") (all of R) | |

- duet wall times of all runs (s): $duet_all
- lmer wall times of all runs (s): $lmer_all
- Load average when it finished: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
- Agreement: $agree; largest relative difference $maxrel ($worst); duet's REML
  log-likelihood minus lmer's: $dll (duet converged: $(val "$work/duet.out" converged))
- Time: duet $verdict_s; $ratio x faster than lmer: $verdict_x
EOF

case $agree in
  yes* | not*) exit 0 ;;
  *) exit 1 ;;
esac
