# Command-line basics: help, usage errors, exit codes, init, simple records.
. "$(dirname "$0")/lib.sh"

run --help
expect "duet --help exits 0 and lists commands" '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "partnership"'
run
expect "duet without a command is a usage error (2)" '[ $rc -eq 2 ]'
expect_error "unknown command is a usage error" 2 "unknown command 'frobnicate'" frobnicate
expect_error "unknown global option is a usage error" 2 "unknown option '--nope'" --nope init

for cmd in init programme cohort module person partnership instrument checkin reflection \
           observation consent import export demo audit qset sort; do
  run "$cmd" --help
  expect "duet $cmd --help exits 0" '[ $rc -eq 0 ] && [ -n "$out" ]'
done
for sub in "programme add" "cohort list" "partnership add" "import responses" "export responses" \
           "consent withdraw" "checkin add" "audit verify" "qset import" "sort add" "import sorts" \
           "export sorts" "analyse norms"; do
  # shellcheck disable=SC2086
  run $sub --help
  expect "duet $sub --help exits 0" '[ $rc -eq 0 ] && [ -n "$out" ]'
done

run init
expect "init creates the database" '[ $rc -eq 0 ] && [ -f test.db ]'
run instrument list --json
expect "init loads the default instrument" '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq -r ".[0].name")" = partnership-checkin ]'
run init
expect "init is idempotent" '[ $rc -eq 0 ] && [ "$(printf "%s" "$out")" != "" ]'

run programme add "Leading collaboratively 2026" --description "Our first programme"
expect "programme add" '[ $rc -eq 0 ]'
expect_error "duplicate programme is refused" 1 "programme 'Leading collaboratively 2026' already exists" \
  programme add "Leading collaboratively 2026"
run programme list --json
expect "programme list --json" '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq -r ".[0].name")" = "Leading collaboratively 2026" ]'
expect_error "errors start with duet: error:" 1 "duet: error: programme 'Nope' does not exist" programme show Nope
expect_error "missing argument is a usage error" 2 "give exactly one NAME" programme add
expect_error "unknown option is a usage error" 2 "unknown option '--colour'" programme add X --colour red

run cohort add "Spring 2026" --programme "Leading collaboratively 2026" --starts 2026-03-01
expect "cohort add" '[ $rc -eq 0 ]'
expect_error "an impossible date is refused" 1 "'2026-02-30' is not a real date" \
  cohort add "Autumn" --programme "Leading collaboratively 2026" --starts 2026-02-30
run module add --cohort "Spring 2026" --number 1 --date 2026-03-01 --theme "Finding your partner"
expect "module add" '[ $rc -eq 0 ]'
expect_error "a module number must be a number" 2 "is not a module number" module add --cohort "Spring 2026" --number one

run person add rosa.p --name "Rosa P" --organisation "Valley Carers"
run person add ian.s --name "Ian S" --organisation "Northshire ICB"
run person add tom.c --name "Tom C"
run person add fac.h --name "Helen (facilitator)"
expect_error "a person key with a space is refused" 1 "may contain only letters" person add "bad key" --name X
run partnership add P1 --cohort "Spring 2026" --member rosa.p:carer --member ian.s:commissioner --title "Carers in commissioning"
expect "a pair with one member on each side is accepted" '[ $rc -eq 0 ]'
expect_error "a pair without the system side is refused" 1 "needs at least one member on each side" \
  partnership add P2 --cohort "Spring 2026" --member rosa.p:carer --member tom.c:advocate
expect_error "a staff member is refused" 1 "is a staff role" \
  partnership add P3 --cohort "Spring 2026" --member rosa.p:carer --member fac.h:facilitator
expect_error "an unknown role is refused" 1 "role 'wizard' is not in the catalogue" \
  partnership add P4 --cohort "Spring 2026" --member rosa.p:carer --member ian.s:wizard
run partnership show P1 --json
expect "partnership show lists members with sides" \
  '[ "$(printf "%s" "$out" | jq -r "[.members[].side] | sort | join(\",\")")" = "lived_experience,system" ]'

run checkin add --partnership P1 --person rosa.p --module 1 --answer voice_1=6 --answer rung=5 --answer "drivers=Better care"
expect "checkin add with flags" '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "3 answers"'
expect_error "a duplicate check-in is refused" 1 "a duplicate check-in" \
  checkin add --partnership P1 --person rosa.p --module 1 --answer voice_1=5
expect_error "an answer off the scale names the item" 1 "answer 'voice_2': 8 is outside the scale 1..7" \
  checkin add --partnership P1 --person ian.s --module 1 --answer voice_2=8
cat > ci.json <<'JSON'
{"partnership": "P1", "person": "ian.s", "module": 1,
 "answers": {"voice_1": 4, "trust_1": 6, "discoveries": "We agree more than we thought.",
             "concerns": ["Budget", "Time"]}}
JSON
run checkin add --file ci.json
expect "checkin add --file" '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "4 answers"'

run reflection add --person rosa.p --partnership P1 --module 1 --visibility partner --text "It went well."
expect "reflection add" '[ $rc -eq 0 ]'
expect_error "a bad visibility is refused" 1 "visibility 'public' is not one of" \
  reflection add --person rosa.p --partnership P1 --visibility public --text x
expect_error "a non-member cannot reflect on a partnership" 1 "is not a member of partnership" \
  reflection add --person tom.c --partnership P1 --text x
run observation add --observer fac.h --partnership P1 --module 1 --text "Shared agenda." --talk-share 0.45 --decisions-lived 2 --decisions-system 2
expect "observation add" '[ $rc -eq 0 ]'
expect_error "talk share outside 0..1 is refused" 1 "outside 0..1" \
  observation add --observer fac.h --partnership P1 --module 1 --text x --talk-share 1.5

run export dictionary
expect "export dictionary has a header and one row per item" \
  '[ $rc -eq 0 ] && [ "$(printf "%s\n" "$out" | head -1)" = "item,instrument,instrument_version,construct,type,min,max,reverse_keyed,label" ] && printf "%s" "$out" | grep -q "^voice_3,partnership-checkin,1,voice,scale,1,7,1,"'
run audit verify --json
expect "the audit log verifies" '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq -r .intact)" = true ]'
for d in "2026- 1- 1" "2026-+1-01" "26-01-01" "2026-13-01" "2025-02-29"; do
  expect_error "the date '$d' is refused" 1 "'$d' is not" cohort add "Cohort $d" --programme "Leading collaboratively 2026" --starts "$d"
done
run cohort add "Leap" --programme "Leading collaboratively 2026" --starts 2024-02-29
expect "a leap day is a date" '[ $rc -eq 0 ]'
rm -f missing.db
expect_error "a command on a missing database says how to create it" 1 "missing.db does not exist; create it with 'duet init'" --db missing.db programme list
expect "and does not create it" '[ ! -f missing.db ]'
