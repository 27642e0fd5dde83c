# The demo programme, the responses round trip and determinism.
. "$(dirname "$0")/lib.sh"

run demo --json
expect "demo succeeds" '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq .partnerships)" -eq 12 ]'
run partnership list --json
expect "partnership list --json lists the 12 demo partnerships" \
  '[ "$(printf "%s" "$out" | jq -r "[.[].code] | join(\" \")")" = "P01 P02 P03 P04 P05 P06 P07 P08 P09 P10 P11 P12" ]'
expect "the demo has a triad" '[ "$(printf "%s" "$out" | jq "[.[] | select(.kind == \"triad\")] | length")" -ge 1 ]'
run partnership show P02 --json
expect "the demo has an expert-by-experience + regulator pair" \
  '[ "$(printf "%s" "$out" | jq -r "[.members[].role] | sort | join(\",\")")" = "expert_by_experience,regulator" ]'
run module list --cohort "Demo cohort 2026" --json
expect "the demo has 6 modules, each with check-ins" \
  '[ "$(printf "%s" "$out" | jq "[.[] | select(.checkins > 0)] | length")" -eq 6 ]'
expect_error "a second demo in the same database is refused" 1 "already holds the demo programme" demo

run export responses --names --exact --out all.csv
expect "export responses writes a file" '[ $rc -eq 0 ] && [ "$(head -1 all.csv)" = "cohort,module,partnership,person,item,value" ]'
DUET_DB="$work/fresh.db" "$DUET" demo --structure-only >/dev/null
run --db fresh.db import responses all.csv
expect "import into a fresh database succeeds" '[ $rc -eq 0 ]'
run --db fresh.db export responses --names --exact --out again.csv
expect "export -> import -> export round-trips exactly" '[ $rc -eq 0 ] && cmp -s all.csv again.csv'
run --db fresh.db import responses all.csv
expect "importing the same file twice is refused as duplicate check-ins" \
  '[ $rc -eq 1 ] && printf "%s" "$err" | grep -q "all.csv:2: a duplicate check-in"'

DUET_DB="$work/same.db" "$DUET" demo >/dev/null
run --db same.db export responses --names --exact --out same.csv
expect "the same seed gives the same demo" 'cmp -s all.csv same.csv'
DUET_DB="$work/other.db" "$DUET" demo --seed 2 >/dev/null
run --db other.db export responses --names --exact --out other.csv
expect "another seed gives other answers" '! cmp -s all.csv other.csv'
run --db big.db demo --pairs 30 --modules 8 --json
expect "demo --pairs 30 --modules 8" '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq .partnerships)" -eq 30 ] && [ "$(printf "%s" "$out" | jq .modules)" -eq 8 ]'
expect_error "demo --pairs 1 is refused" 2 "is not a number in 3..500" demo --pairs 1

run audit verify
expect "the demo's audit log is intact" '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "intact"'
sqlite3 test.db "UPDATE audit_payload SET new_value = '{\"name\":\"forged\"}' WHERE seq = 5"
run audit verify --json
expect "a changed audit payload is detected" \
  '[ $rc -eq 1 ] && [ "$(printf "%s" "$out" | jq .first_bad)" -eq 5 ]'
sqlite3 test.db "DELETE FROM audit WHERE seq = 3" 2>/dev/null
run audit list --limit 2000 --json
expect "the audit table refuses deletes" '[ "$(printf "%s" "$out" | jq "[.[] | select(.seq == 3)] | length")" -eq 1 ]'
