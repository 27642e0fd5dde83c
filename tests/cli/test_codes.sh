# `duet analyse codes`: code frequencies by side and module, and co-occurrence,
# from passages coded with `duet coding add` on the demo's documents.
. "$(dirname "$0")/lib.sh"

"$DUET" demo --sign-ins --pairs 4 --modules 3 >/dev/null

run analyse codes
expect "with nothing coded the tables say so" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "No coded documents yet"'
run analyse codes --json
expect "with nothing coded --json lists no codes" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | jq -e ".codes == [] and .n_documents_coded.all == 0 and .co_occurrence.matrix == []" >/dev/null'

# One reflection from each side, and one observer's note.
docs=$("$DUET" coding documents --json)
lived=$(printf "%s" "$docs" | jq -r '[.[] | select(.kind == "reflection" and .side == "lived_experience")][0].id')
system=$(printf "%s" "$docs" | jq -r '[.[] | select(.kind == "reflection" and .side == "system")][0].id')
note=$(printf "%s" "$docs" | jq -r '[.[] | select(.kind == "observation")][0].id')
cohort=$(printf "%s" "$docs" | jq -r '.[0].cohort')
book=$("$DUET" codebook show starter --json)
voice=$(printf "%s" "$book" | jq -r '.codes[] | select(.name == "Voice") | .guid')
trust=$(printf "%s" "$book" | jq -r '.codes[] | select(.name == "Trust") | .guid')

# Lived: Voice [0,10) and Trust [5,15) overlap. System: Voice [0,5).
# Observation: Trust [0,5).
run coding add reflection "$lived" 0 10 "$voice" --coder res.demo
expect "a lived-experience passage is coded" '[ $rc -eq 0 ]'
run coding add reflection "$lived" 5 15 "$trust" --coder res.demo
run coding add reflection "$system" 0 5 "$voice" --coder res.demo
run coding add observation "$note" 0 5 "$trust" --coder res.demo
expect "an observer's note is coded" '[ $rc -eq 0 ]'

run analyse codes --json
expect "the documents coded are counted by side" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | jq -e ".n_documents_coded == {lived_experience: 1, system: 1, observations: 1, imported: 0, all: 3}" >/dev/null'
expect "codes are listed by name, only those used" \
  '[ "$(printf "%s" "$out" | jq -c "[.codes[].name]")" = "[\"Trust\",\"Voice\"]" ]'
expect "Voice is on both sides: shared, p = 1" \
  'printf "%s" "$out" | jq -e ".by_side[1] | .lived_experience.count == 1 and .system.count == 1 and .p == 1 and .classification == \"shared\"" >/dev/null'
expect "Trust is on one side only, and in one observer note" \
  'printf "%s" "$out" | jq -e ".by_side[0] | .lived_experience.count == 1 and .system.count == 0 and .observations == 1 and .classification == \"one_side\"" >/dev/null'
expect "overlapping passages co-occur; the diagonal counts documents" \
  '[ "$(printf "%s" "$out" | jq -c ".co_occurrence.matrix")" = "[[2,1],[1,2]]" ]'
expect "by module has a row per code and module with coded documents" \
  'printf "%s" "$out" | jq -e "(.by_module | length) > 0 and all(.by_module[]; .count <= .coded)" >/dev/null'

run analyse codes --cohort "$cohort"
expect "the tables name the codes and the test" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "Voice" && printf "%s" "$out" | grep -q "Fisher" && printf "%s" "$out" | grep -q "Co-occurrence"'

run analyse codes --csv
expect "--csv has a header and one row per code" \
  '[ $rc -eq 0 ] && [ "$(printf "%s\n" "$out" | wc -l)" -eq 3 ] && printf "%s" "$out" | head -1 | grep -q "^cohort,coder,code,name,lived_experience_count,lived_experience_coded,lived_experience_proportion,system_count,system_coded,system_proportion,observations,imported,n_documents,p,q,classification$"'
expect "--csv rows carry full precision and the reading" \
  'printf "%s" "$out" | grep -q ",Voice,1,1,1,1,1,1,0,0,2,1,1,shared$"'

run analyse codes --coder nobody --json
expect "a coder who coded nothing gives an empty report" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | jq -e ".codes == [] and .coder == \"nobody\"" >/dev/null'

expect_error "an unknown cohort" 1 "cohort 'Nope' does not exist" analyse codes --cohort Nope
expect_error "--json and --csv together" 2 "choose one of --json and --csv" analyse codes --json --csv
expect_error "an unexpected argument" 2 "unexpected argument 'x'" analyse codes x
expect_error "an unknown option" 2 "analyse codes" analyse codes --bogus
run analyse codes --help
expect "--help shows the synopsis" '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "codes \[--cohort C\] \[--coder KEY\]"'
