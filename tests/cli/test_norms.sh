# Q-sets, Q-sorts and `analyse norms`: the default Q-set, imports refused whole
# with file:line:column messages, the demo's sorts recovering the regime each
# partnership was drawn in, and calibration from the database.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib.sh"

# ---- Q-sets -----------------------------------------------------------------
run init
expect "init stores the default Q-set" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "with the default instrument and Q-set"'
run qset list --json
expect "qset list shows norms-default with 36 statements" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq -r ".[] | select(.name == \"norms-default\") | .statements")" = 36 ]'
run qset show norms-default --json
expect "qset show --json is the shipped definition" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq -S .)" = "$(jq -S . "$top/data/qsets/norms-default.json")" ]'
run qset show norms-default
expect "qset show lists the dimensions, grid and statements" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "^grid: -4:2  -3:3  -2:4  -1:5  0:8  +1:5  +2:4  +3:3  +4:2" && printf "%s" "$out" | grep -q "^s36 "'
expect "the compiled-in Q-set is data/qsets/norms-default.json (regenerate src/io/qset_default.c with scripts/embed.sh)" \
  '(cd "$top" && sh scripts/embed.sh qset_default_json data/qsets/norms-default.json | cmp -s - src/io/qset_default.c)'

cat > tiny.json <<'EOF'
{"format": "duet-qset/1", "name": "tiny", "version": 1, "title": "Tiny",
 "dimensions": [{"name": "voice", "label": "Voice", "lived_experience_pole": "Speak up", "system_pole": "Defer"}],
 "grid": [{"value": -1, "count": 1}, {"value": 0, "count": 2}, {"value": 1, "count": 1}],
 "statements": [{"id": "a", "text": "A", "dimension": "voice", "polarity": 1},
                {"id": "b", "text": "B", "dimension": "voice", "polarity": -1},
                {"id": "c", "text": "C", "dimension": "voice", "polarity": 1},
                {"id": "d", "text": "D", "dimension": "voice", "polarity": -1}]}
EOF
run qset import tiny.json
expect "qset import stores a valid Q-set" '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "imported Q-set '"'"'tiny'"'"' version 1 (4 statements on 1 dimensions)"'
expect_error "the same name and version twice is refused" 1 "Q-set 'tiny' version 1 already exists" qset import tiny.json
sed 's/"polarity": -1}]}/"polarity": 2}]}/' tiny.json > bad.json
expect_error "an invalid Q-set is refused with its path" 1 "bad.json: statements[3].polarity: 2 is not +1 or -1" qset import bad.json
expect_error "an unknown Q-set" 1 "Q-set 'nope' does not exist" qset show nope

# ---- sorts: one by one, and imports refused whole ---------------------------
"$DUET" --db s.db demo --structure-only --pairs 4 --modules 3 >/dev/null
C="Demo cohort 2026"
nsorts() { sqlite3 "$1" "SELECT count(*) FROM qsort"; }
# A valid sort of norms-default: the statements in order fill the grid from -4 up.
awk 'BEGIN { split("2 3 4 5 8 5 4 3 2", n, " "); v = -4; k = 0
       print "statement,value"
       for (i = 1; i <= 36; i++) { if (k == n[v + 5]) { v++; k = 0 }; k++
         printf "s%02d,%s%d\n", i, (v > 0 ? "+" : ""), v } }' > one.csv
run --db s.db sort add --person amira.01a --partnership P01 --module 1 --file one.csv
expect "sort add records a valid sort" '[ $rc -eq 0 ] && [ "$(nsorts s.db)" -eq 1 ]'
run --db s.db sort show --person amira.01a --partnership P01 --module 1
expect "sort show prints it column by column" '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "^ +4: s35 s36$"'
sed 's/^s36,+4$/s36,+3/' one.csv > grid.csv
expect_error "a sort that breaks the grid" 1 "grid.csv: column +3 holds 4 statements; the grid allows 3" \
  --db s.db sort add --person amira.01a --partnership P01 --module 2 --file grid.csv
sed 's/^s36,+4$/s35,+4/' one.csv > twice.csv
expect_error "a statement placed twice" 1 "twice.csv:37: column 'statement': statement 's35' is placed twice" \
  --db s.db sort add --person amira.01a --partnership P01 --module 2 --file twice.csv
expect_error "a second sort for the same module" 1 "person 'amira.01a' already has a sort for partnership 'P01' at module 1 with Q-set 'norms-default'" \
  --db s.db sort add --person amira.01a --partnership P01 --module 1 --file one.csv
expect "refused sorts are not written" '[ "$(nsorts s.db)" -eq 1 ]'

# statements x persons: every member of P01 and P02 at module 2.
members="amira.01a hamid.01b dev.02a kiran.02b"
{ printf 'statement'; for p in $members; do printf ',%s' "$p"; done; echo
  tail -n +2 one.csv | tr -d + | while IFS=, read -r id v; do
    printf '%s' "$id"; for p in $members; do printf ',%s' "$v"; done; echo; done; } > m2.csv
bad() {  # bad NAME FILE TEXT [OPTIONS...]
  name=$1 file=$2 text=$3
  shift 3
  run --db s.db import sorts "$file" "$@"
  expect "$name: refused, nothing written" \
    '[ $rc -eq 1 ] && printf "%s" "$err" | grep -qF -- "$text" && [ "$(nsorts s.db)" -eq 1 ]'
}
sed '2s/,-4$/,7/' m2.csv > v.csv
bad "a value off the grid" v.csv "v.csv:2: column 'kiran.02b': +7 is not a column of the grid (-4 .. +4)" --cohort "$C" --module 2
sed '3s/^s02/s99/' m2.csv > u.csv
bad "an unknown statement" u.csv "u.csv:3: column 'statement': 's99' is not a statement of Q-set 'norms-default'" --cohort "$C" --module 2
sed '3s/^s02/s01/' m2.csv > r.csv
bad "a repeated statement" r.csv "r.csv:3: column 'statement': statement 's01' has a second row (the first is on line 2)" --cohort "$C" --module 2
sed '/^s07,/d' m2.csv > o.csv
bad "an omitted statement" o.csv "o.csv: statement 's07' has no row (every statement of Q-set 'norms-default' needs one)" --cohort "$C" --module 2
sed '37s/,4$/,3/' m2.csv > g.csv
bad "a sort that breaks the grid" g.csv "g.csv:1: column 'kiran.02b': column +3 holds 4 statements; the grid allows 3" --cohort "$C" --module 2
sed '1s/kiran.02b/nobody.99/' m2.csv > p.csv
bad "an unknown person" p.csv "p.csv:1: column 'nobody.99': person 'nobody.99' does not exist" --cohort "$C" --module 2
bad "no module" m2.csv "m2.csv:1: column 'amira.01a': no module for this sort: give --module M, or name the column 'amira.01a@M'" --cohort "$C"
bad "an unknown cohort" m2.csv "cohort 'Nope' does not exist" --cohort Nope --module 2
bad "a module the cohort lacks" m2.csv "m2.csv:1: column 'amira.01a': module 9 does not exist in the cohort of partnership 'P01'" --cohort "$C" --module 9
run --db s.db import sorts m2.csv --cohort "$C" --module 2
expect "a good file imports every sort" '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "imported 4 sorts of 36 statements" && [ "$(nsorts s.db)" -eq 5 ]'
run --db s.db export sorts --module 2 --names --exact
expect "export sorts --module --names writes the import layout back" '[ $rc -eq 0 ] && [ "$out" = "$(cat m2.csv)" ]'
run --db s.db sort list --json
expect "sort list shows who sorted" '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq "length")" -eq 5 ]'

# ---- the demo: sorts from the model's norms recover its regimes ------------
run demo --json
printf '%s' "$out" > demo.json
expect "the demo has a sort by every member at the first and last module" \
  '[ $rc -eq 0 ] && [ "$(jq .sorts demo.json)" -eq 50 ]'
expect "the demo's partnerships cover four regimes" \
  '[ "$(jq -r "[.courses[].regime] | unique | join(\",\")" demo.json)" = "partnership,patient_native,polarised,stalled" ]'
run analyse norms --json
printf '%s' "$out" > norms.json
expect "analyse norms reads all 12 partnerships" \
  '[ $rc -eq 0 ] && [ "$(jq ".partnerships | length" norms.json)" -eq 12 ]'
hits=$(jq -n --slurpfile d demo.json --slurpfile n norms.json \
  '[$d[0].courses[] as $c | $n[0].partnerships[] | select(.partnership == $c.partnership and .regime == $c.regime)] | length')
echo "# analyse norms recovered $hits of 12 demo regimes"
expect "analyse norms recovers the demo's regime in at least 80% of partnerships ($hits of 12)" '[ "$hits" -ge 10 ]'
expect "positions lie in -1..+1 and D0, DM are numbers" \
  '[ "$(jq "[.partnerships[].modules[].sorts[].positions[] | select(. < -1 or . > 1)] | length" norms.json)" -eq 0 ] &&
   [ "$(jq "[.partnerships[] | select((.d0 | type) != \"number\" or (.dm | type) != \"number\")] | length" norms.json)" -eq 0 ]'
expect "the viewpoints at the last module find a factor held by each side" \
  '[ "$(jq ".viewpoints.module" norms.json)" -eq 6 ] && [ "$(jq ".viewpoints.factors | length" norms.json)" -eq 3 ] &&
   jq -e ".viewpoints.side_specific.statements | length > 0" norms.json >/dev/null'
run analyse norms
expect "analyse norms prints a table by default" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "^partnership  kind" && printf "%s" "$out" | grep -q "^shared norms"'
run analyse norms --module 1 --factors 2 --json
expect "--module and --factors choose the viewpoints" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq ".viewpoints.module, .viewpoints.factors_extracted" | tr "\n" " ")" = "1 2 " ]'
expect_error "--factors out of range" 2 "--factors '9' is not a number in 1..8" analyse norms --factors 9
expect_error "an empty cohort" 1 "no sorts to analyse in cohort 'Nope'" analyse norms --cohort Nope

# Export and re-import every module of the demo.
run export sorts --names --exact --out all.csv
"$DUET" --db again.db demo --structure-only >/dev/null
run --db again.db import sorts all.csv
expect "the whole demo's sorts round-trip (key@module columns)" \
  '[ $rc -eq 0 ] && [ "$("$DUET" --db again.db export sorts --names --exact)" = "$(cat all.csv)" ]'

# Consent: withdrawing research consent deletes the person's sorts.
"$DUET" consent withdraw --person amira.01a --purpose research >/dev/null
run analyse norms --json
expect "a withdrawn member's sorts are gone" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq "[.partnerships[].members[] | select(.person == \"amira.01a\")] | length")" -eq 0 ] &&
   [ "$(sqlite3 test.db "SELECT count(*) FROM qsort o JOIN person p ON p.id = o.person_id WHERE p.erased_at IS NOT NULL")" -eq 0 ]'

# ---- calibration from the database -----------------------------------------
run calibrate --from-db --particles 20 --generations 1 --json
expect "calibrate --from-db builds the target from the cohort and runs" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | jq -e ".target.regimes.partnership > 0 and .target.modules == 6 and .target.pairs == 12 and .pairs_per_simulation == 12 and (.target.mean_final_quality.patient | type == \"number\")" >/dev/null'
run calibrate --from-db --cohort "Demo cohort 2026" --particles 20 --generations 0
expect "calibrate --from-db prints the target" '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "^target from the database (12 partnerships): partnership"'
expect_error "--from-db with a target file" 2 "give TARGET.json or --from-db, not both" calibrate --from-db t.json
expect_error "--from-db on an empty cohort" 1 "no check-ins or sorts to summarise in cohort 'Nope'" calibrate --from-db --cohort Nope
