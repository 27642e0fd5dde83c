# duet analyse on the demo: every partnership is read, and the flags match the
# course the demo generator gave each one (docs/analysis.md; src/app/demo.c:
# partnerships 2, 6, 10 tokenistic, 4, 8, 12 polarising, the rest improving).
. "$(dirname "$0")/lib.sh"

"$DUET" demo >/dev/null
run analyse relationships --json
printf '%s' "$out" > rel.json
expect "analyse relationships --json covers all 12 partnerships" \
  '[ $rc -eq 0 ] && [ "$(jq ".partnerships | length" rel.json)" -eq 12 ]'
expect "every partnership has six modules with scores, gaps, rungs and a tokenism signal" \
  '[ "$(jq "[.partnerships[] | .modules | length] | unique" -c rel.json)" = "[6]" ] &&
   [ "$(jq "[.partnerships[].modules[] | select(.gap.quality == null or .tokenism_signal == null or (.rungs | length) < 2)] | length" rel.json)" -eq 0 ]'
expect "each partnership has a trajectory with a slope per side" \
  '[ "$(jq "[.partnerships[] | select(.trajectory.quality_slope.lived_experience.slope == null or .trajectory.quality_slope.system.slope == null)] | length" rel.json)" -eq 0 ]'
flags() { jq -r --arg p "$1" '.partnerships[] | select(.partnership == $p) | .flags | [to_entries[] | select(.value) | .key] | join(",")' rel.json; }
for p in P02 P06 P10; do
  expect "tokenistic demo partnership $p is flagged tokenistic" 'flags $p | grep -q tokenistic'
done
for p in P04 P08 P12; do
  expect "polarising demo partnership $p is flagged polarising" 'flags $p | grep -q polarising'
done
for p in P01 P03 P05 P07 P09 P11; do
  expect "healthy demo partnership $p is not flagged" '[ -z "$(flags $p)" ]'
done
expect "the ranking puts a troubled partnership first" \
  '[ "$(jq -r ".cohort.ranking[0].partnership" rel.json | grep -c "P02\|P04\|P06\|P08\|P10\|P12")" -eq 1 ]'
expect "partner nonindependence is reported for quality" \
  'jq -e ".cohort.nonindependence.quality.r | type == \"number\"" rel.json >/dev/null'
run analyse relationships --csv --out rel.csv
expect "--csv writes one row per partnership and module" \
  '[ $rc -eq 0 ] && [ "$(wc -l < rel.csv)" -eq 73 ] && head -1 rel.csv | grep -q "^cohort,partnership,module,quality_lived_experience"'
run analyse relationships
expect "the default is a ranking table" '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "^partnership  concern"'
run analyse partnership P02
expect "analyse partnership shows module by module" '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "trajectory:"'
expect_error "an unknown partnership" 1 "partnership 'P99' has no check-ins" analyse partnership P99
expect_error "an empty cohort" 1 "no check-ins to analyse in cohort 'Nope'" analyse relationships --cohort Nope

# Consent: a person who withdraws is left out of the analysis.
"$DUET" consent withdraw --person amira.01a --purpose research >/dev/null
run analyse partnership P01 --json
expect "a withdrawn member's answers are not analysed" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq -r "[.members[].person] | join(\",\")")" = "hamid.01b" ]'

# Determinants: the demo draws quality from the pair identity model, in which
# acting unlike oneself (strain) adds to a member's loss, so strain's actor
# effect on quality is negative on both sides (src/app/demo.c, docs/model.md).
"$DUET" --db det.db demo >/dev/null
run --db det.db analyse determinants --json --bootstrap 100
printf '%s' "$out" > det.json
expect "analyse determinants fits the APIM" '[ $rc -eq 0 ] && [ "$(jq .partnerships det.json)" -eq 12 ]'
for side in lived_experience system; do
  expect "strain's actor effect on quality is negative for the $side side (CI below 0)" \
    'jq -e ".effects.strain.actor.$side.hi95 < 0" det.json >/dev/null'
done
expect "k has a bootstrap interval and a reading" \
  'jq -e ".effects.strain.k.lived_experience | (.lo95 | type == \"number\") and (.reading | length > 0)" det.json >/dev/null'
run --db det.db analyse determinants --json --bootstrap 100
expect "the bootstrap is reproducible for a seed" '[ "$out" = "$(cat det.json)" ]'
expect_error "an unknown outcome is refused" 1 "outcome 'happiness' is not a construct" \
  --db det.db analyse determinants --outcome happiness
"$DUET" --db few.db demo --pairs 4 >/dev/null
expect_error "too few partnerships are refused with a clear message" 1 "too few partnerships to estimate" \
  --db few.db analyse determinants
