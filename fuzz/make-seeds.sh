#!/bin/sh
# fuzz/make-seeds.sh [DUET] — (re)writes the fuzz seeds that come from real
# files: duet's shipped data, the test fixtures, and files duet itself writes
# (exports of a small demo database, a REFI-QDA codebook and project, a model
# summary). DUET defaults to build/duet (run `make` first). The hand-written
# seeds beside them in fuzz/corpus/ (edge cases) are left alone, and so are the
# HTTP requests recorded from Chromium (node fuzz/capture-http.mjs). Where each
# seed comes from: fuzz/corpus/README.md.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
duet=${1:-$here/build/duet}
c="$here/fuzz/corpus"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export DUET_NOW=2026-01-15T10:00:00Z DUET_ACTOR=fuzz DUET_DB="$tmp/demo.db"
d() { "$duet" "$@"; }

# Shipped data and fixtures, as they are.
cp "$here/data/instruments/partnership-checkin.json" "$c/instrument/data-partnership-checkin.json"
cp "$here/data/qsets/norms-default.json" "$c/qset/data-norms-default.json"
for f in agreement/krippendorff-2011.csv qfactor/small.csv; do
  cp "$here/tests/fixtures/$f" "$c/csv/fixture-$(echo "$f" | tr / -)"
done
for f in lmm/one.csv lmm/missing.csv lmm/zero.csv lmm/anova.csv lmm/anova.default.csv \
         agreement/wikipedia-3x15.csv qfactor/medium.csv qfactor/small.pca.varimax.csv desc/lmm.csv; do
  cp "$here/tests/fixtures/$f" "$c/table/fixture-$(echo "$f" | tr / -)"
done
for f in qfactor/small.csv qfactor/medium.csv; do
  cp "$here/tests/fixtures/$f" "$c/qsortcsv/fixture-$(echo "$f" | tr / -)"
done
for f in agreement/krippendorff-2011.csv agreement/wikipedia-3x15.csv; do
  cp "$here/tests/fixtures/$f" "$c/codetable/fixture-$(echo "$f" | tr / -)"
done
# Codebooks that other QDA tools wrote (tests/fixtures/refi-qda/README.md).
for f in refi-qda/qualcoder-3.8.2-codebook.qdc refi-qda/taguette-1.4.1-codebook.qdc \
         refi-qda/atlasti-win-23.4.0-codebook.qdc; do
  cp "$here/tests/fixtures/$f" "$c/qdc/fixture-$(echo "$f" | tr / -)"
done
# ... and projects (their project.qde alone: the target's text form, no entries).
for f in refi-qda/atlasti-8.4-standard-project.qde refi-qda/f4-2025.2.9-project.qde \
         refi-qda/openqda-dev-project.qde; do
  cp "$here/tests/fixtures/$f" "$c/qdpx/fixture-$(echo "$f" | tr / -)"
done
# The example instrument of docs/instruments.md.
awk '/^## Example/ { f = 1 } f && /^```json/ { g = 1; next } g && /^```/ { exit } g' \
  "$here/docs/instruments.md" > "$c/instrument/docs-mini-checkin.json"

# A small demo, coded by two researchers, and what duet writes from it.
d demo --pairs 3 --modules 2 >/dev/null
for r in ann ben; do
  d person add "$r" --name "Coder $r" >/dev/null
  echo "a-long-enough-password-$r" | d user add --person "$r" --role researcher --password-stdin >/dev/null
done
V=68570dc7-977f-53a6-a4d3-6d201fd2410a   # Voice, in the starter codebook
T=aa935c9a-a6f5-523a-a8be-eb67888fc240   # Trust
docs=$(d coding documents --json)
first=$(printf '%s' "$docs" | jq -r '[.[] | select(.kind == "reflection")][0].id')
obs=$(printf '%s' "$docs" | jq -r '[.[] | select(.kind == "observation")][0].id')
d coding add reflection "$first" 0 20 "$V" --coder ann >/dev/null
d coding add reflection "$first" 10 40 "$T" "$V" --coder ben >/dev/null
d coding add observation "$obs" 0 30 "$T" --coder ann >/dev/null
d coding memo reflection "$first" --text "Ça va: a memo — with non-ASCII" >/dev/null
d export responses --out "$c/csv/duet-export-responses.csv" 2>/dev/null
d export sorts --out "$c/csv/duet-export-sorts.csv" 2>/dev/null
cp "$c/csv/duet-export-sorts.csv" "$c/table/duet-export-sorts.csv"
d export dictionary --out "$c/csv/duet-export-dictionary.csv" 2>/dev/null
d coding export --csv --out "$c/csv/duet-coding-export.csv" 2>/dev/null
d instrument show partnership-checkin --json > "$c/instrument/duet-instrument-show.json"
d qset show norms-default --json > "$c/qset/duet-qset-show.json"
d codebook export starter --qdc --out "$c/qdc/duet-codebook-export-starter.qdc"
d coding export --qdpx --names --out "$c/qdpx/duet-coding-export.qdpx" 2>/dev/null
d coding export --qdpx --pseudonymise --out "$c/qdpx/duet-coding-export-pseudonymised.qdpx" 2>/dev/null
# The same project in the target's unzipped form: project.qde, then NUL and
# "NAME\nDATA" for each source (see fuzz/fuzz_qdpx.c).
mkdir "$tmp/q"
(cd "$tmp/q" && unzip -q "$c/qdpx/duet-coding-export.qdpx")
{
  cat "$tmp/q/project.qde"
  for f in "$tmp"/q/sources/*; do
    printf '\0sources/%s\n' "$(basename "$f")"
    cat "$f"
  done
} > "$c/qdpx/duet-coding-export-unzipped.txt"

# The identity model: the first byte picks the reader (fuzz/fuzz_model_json.c).
d simulate --pairs 200 --seed 3 --summary > "$tmp/summary.json"
{ printf '\001'; cat "$tmp/summary.json"; } > "$c/model_json/target-duet-simulate-summary"
awk '/^duet sweep GRID.json/ { f = 1 } f && /^```json/ { g = 1; next } g && /^```/ { exit } g' \
  "$here/docs/model.md" > "$tmp/grid.json"
{ printf '\000'; cat "$tmp/grid.json"; } > "$c/model_json/grid-docs-model"
d sweep "$tmp/grid.json" --replicates 1 --out "$tmp/sweep.csv" 2>/dev/null
head -c 4000 "$tmp/sweep.csv" > "$c/table/duet-sweep.csv"
d simulate --pairs 2 --modules 3 --seed 2 --out "$c/table/duet-simulate-trajectories.csv" >/dev/null
printf '\002{"power_patient": [0.1, 0.6]}' > "$c/model_json/priors-docs-model"
# Each parameter of the summary as NAME=VALUE, as the command line passes them.
jq -r '.parameters | to_entries[] | "\(.key)=\(.value)"' "$tmp/summary.json" | while read -r kv; do
  printf '\003%s' "$kv" > "$c/model_json/param-${kv%%=*}"
done
echo "make-seeds.sh: seeds written under $c"
