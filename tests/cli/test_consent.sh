# Consent is honoured at the source; withdrawal is final and erases.
. "$(dirname "$0")/lib.sh"

"$DUET" demo --pairs 4 --modules 3 >/dev/null
run export responses --names --out before.csv
expect "the demo participants appear in the research export" 'grep -q ",amira.01a," before.csv'
run consent withdraw --person amira.01a --purpose research
expect "consent can be withdrawn" '[ $rc -eq 0 ]'
run export responses --names --out after.csv
expect "a withdrawn person is left out of the research export" '[ $rc -eq 0 ] && ! grep -q ",amira.01a," after.csv && ! grep -q ",withdrawn-" after.csv'
expect "the partner still appears" 'grep -q ",hamid.01b," after.csv'
run person show amira.01a
expect "a withdrawn person's key is gone" '[ $rc -eq 1 ]'
run person list --json
expect "their name and contact are erased" \
  '[ "$(printf "%s" "$out" | jq -r "[.[] | select(.erased_at != null) | .display_name] | join(\",\")")" = "(withdrawn)" ]'
expect "their reflections are erased" '[ "$(sqlite3 test.db "SELECT count(*) FROM reflection r JOIN person p ON p.id = r.person_id WHERE p.erased_at IS NOT NULL")" -eq 0 ]'
expect "no audit payload still holds their name" '! sqlite3 test.db "SELECT new_value FROM audit_payload" | grep -q "Amira"'
run audit verify
expect "the audit chain still verifies after erasure" '[ $rc -eq 0 ]'
pid=$(sqlite3 test.db "SELECT key FROM person WHERE erased_at IS NOT NULL")
expect_error "withdrawal is final" 1 "withdrawal is final" consent give --person "$pid" --purpose research
expect_error "an unknown purpose is refused" 1 "consent purpose 'marketing' is not one of" \
  consent give --person hamid.01b --purpose marketing
expect_error "consent cannot be given twice" 1 "has already given consent for research" \
  consent give --person hamid.01b --purpose research
run export responses --purpose all --names --out all.csv
expect "--purpose all includes everyone with answers" '[ $rc -eq 0 ] && [ "$(wc -l < all.csv)" -ge "$(wc -l < after.csv)" ]'
expect_error "keys starting with withdrawn- are reserved" 1 "keys starting with 'withdrawn-' are kept" \
  person add withdrawn-99 --name "Someone"
seq=$(sqlite3 test.db "SELECT seq FROM audit_payload WHERE erased_at IS NOT NULL LIMIT 1")
sqlite3 test.db "UPDATE audit_payload SET new_value = '{\"display_name\":\"Someone else\"}' WHERE seq = $seq"
run audit verify --json
expect "an erased payload given a value afterwards is detected" \
  '[ $rc -eq 1 ] && [ "$(printf "%s" "$out" | jq .first_bad)" -eq "$seq" ]'
