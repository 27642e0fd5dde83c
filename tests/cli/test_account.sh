# Accounts, API tokens and cohort staff from the command line; demo sign-ins.
. "$(dirname "$0")/lib.sh"

# run_in INPUT ARGS... — as run, with INPUT (one line) on standard input.
run_in() {
  input=$1
  shift
  printf '%s\n' "$input" | "$DUET" "$@" >"$work/.out" 2>"$work/.err"
  rc=$?
  out=$(cat "$work/.out")
  err=$(cat "$work/.err")
}
accounts() { sqlite3 test.db "SELECT count(*) FROM account"; }

for sub in "user" "user add" "user list" "user disable" "token" "token create" "cohort staff"; do
  # shellcheck disable=SC2086
  run $sub --help
  expect "duet $sub --help exits 0" '[ $rc -eq 0 ] && [ -n "$out" ]'
done

"$DUET" demo --pairs 3 --modules 2 --structure-only >/dev/null
expect "the default demo makes no accounts" '[ "$(accounts)" -eq 0 ]'

run_in "tide pool kestrel" user add --person amira.01a --role participant --password-stdin
expect "user add reads the password from standard input" \
  '[ $rc -eq 0 ] && [ "$out" = "added a participant account for '"'"'amira.01a'"'"'" ] && [ "$(accounts)" -eq 1 ]'
expect "the stored hash is Argon2id and the password is nowhere" \
  '[ "$(sqlite3 test.db "SELECT substr(password_hash, 1, 10) FROM account")" = "\$argon2id\$" ] &&
   ! sqlite3 test.db .dump | grep -q "tide pool"'

run_in "short" user add --person hamid.01b --role participant --password-stdin
expect "a short password is refused, and nothing written" \
  '[ $rc -eq 1 ] && printf "%s" "$err" | grep -qF "duet: error: the password has 5 characters; use at least 8" && [ "$(accounts)" -eq 1 ]'
run_in "Password123" user add --person hamid.01b --role participant --password-stdin
expect "a common password is refused, whatever its case, and nothing written" \
  '[ $rc -eq 1 ] && printf "%s" "$err" | grep -qF "the password is one of the most common passwords" && [ "$(accounts)" -eq 1 ]'
run user add --person hamid.01b --role participant --password-stdin </dev/null
expect "an empty standard input is refused with a clear message" \
  '[ $rc -eq 1 ] && printf "%s" "$err" | grep -qF "no password on standard input" && [ "$(accounts)" -eq 1 ]'
run_in "$(printf 'x%.0s' $(seq 1 300))" user add --person hamid.01b --role participant --password-stdin
expect "an over-long password is refused" \
  '[ $rc -eq 1 ] && printf "%s" "$err" | grep -qF "the password is longer than 256 bytes"'
expect_error "the password is never taken from the command line" 2 "--password-stdin" \
  user add --person hamid.01b --role participant
expect_error "an unknown role is refused" 1 "role 'owner' is not one of participant, facilitator, researcher, admin" \
  user add --person hamid.01b --role owner --password-stdin
run_in "tide pool kestrel" user add --person amira.01a --role admin --password-stdin
expect "a second account for a person is refused" \
  '[ $rc -eq 1 ] && printf "%s" "$err" | grep -qF "an account for person '"'"'amira.01a'"'"' already exists" && [ "$(accounts)" -eq 1 ]'
run_in "tide pool kestrel" user add --person nobody --role admin --password-stdin
expect "an unknown person is refused" '[ $rc -eq 1 ] && printf "%s" "$err" | grep -qF "person '"'"'nobody'"'"' does not exist"'
run_in "fen lantern quartz" user add --person fac.demo --role facilitator --password-stdin
expect "a facilitator account" '[ $rc -eq 0 ]'

run user list
expect "user list shows people and roles" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "^amira.01a .*participant" && printf "%s" "$out" | grep -q "^fac.demo .*facilitator"'
run user list --json
expect "user list --json is valid JSON without hashes" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq "length")" -eq 2 ] &&
   [ "$(printf "%s" "$out" | jq -r ".[0] | keys | join(\",\")")" = "created_at,disabled_at,display_name,person,role" ]'

run token create --person fac.demo --label "analysis laptop"
token=$out
expect "token create prints the token alone on standard output" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$token" | wc -l)" -eq 0 ] && printf "%s" "$token" | grep -Eq "^[A-Za-z0-9_-]{43}$"'
expect "and says on standard error that it cannot be shown again" \
  'printf "%s" "$err" | grep -qF "cannot be shown again"'
expect "only its digest is stored" \
  '[ "$(sqlite3 test.db "SELECT length(token_hash) FROM api_token")" -eq 32 ] && ! sqlite3 test.db .dump | grep -qF "$token"'
run token create --person fac.demo --json
expect "token create --json is valid JSON" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq -r ".person")" = fac.demo ] && [ "$(printf "%s" "$out" | jq -r ".token | length")" -eq 43 ]'
expect_error "a token for a person without an account is refused" 1 "person 'hamid.01b' has no account" \
  token create --person hamid.01b
run audit list --json --limit 50
expect "the audit log records accounts and tokens without secrets" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq "[.[] | select(.table == \"account\" or .table == \"api_token\")] | length")" -eq 4 ] &&
   ! printf "%s" "$out" | grep -q "argon2" && ! printf "%s" "$out" | grep -qF "$token"'

run user disable --person fac.demo
expect "user disable" '[ $rc -eq 0 ] && printf "%s" "$out" | grep -qF "disabled the account of '"'"'fac.demo'"'"'"'
expect "disabling revokes the API tokens" \
  '[ "$(sqlite3 test.db "SELECT count(*) FROM api_token WHERE revoked_at IS NULL")" -eq 0 ]'
run user list --json
expect "a disabled account shows when it was disabled" \
  '[ "$(printf "%s" "$out" | jq -r ".[] | select(.person == \"fac.demo\") | .disabled_at != null")" = true ]'
expect_error "disabling twice is refused" 1 "the account of person 'fac.demo' is already disabled" \
  user disable --person fac.demo
expect_error "a disabled account gets no token" 1 "the account of person 'fac.demo' is disabled" \
  token create --person fac.demo

run cohort staff add "Demo cohort 2026" fac.demo
expect "cohort staff add" '[ $rc -eq 0 ]'
expect_error "staff twice is refused" 1 "person 'fac.demo' is already staff of cohort 'Demo cohort 2026'" \
  cohort staff add "Demo cohort 2026" fac.demo
expect_error "a member of the cohort cannot be its staff" 1 "staff cannot take part in the cohort they run" \
  cohort staff add "Demo cohort 2026" amira.01a
expect_error "an unknown cohort" 1 "cohort 'Nope' does not exist" cohort staff list Nope
run cohort staff list "Demo cohort 2026" --json
expect "cohort staff list --json" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq -r "[.[] | .person + \":\" + .role] | join(\",\")")" = "fac.demo:facilitator" ]'
run cohort staff list "Demo cohort 2026"
expect "cohort staff list as a table" '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "^fac.demo "'

run --db signins.db demo --pairs 3 --modules 2 --sign-ins
expect "demo --sign-ins prints the sign-ins" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "^  participant  amira.01a, dev.02a, ... (every partnership member)  harbour-lantern-participant$" &&
   printf "%s" "$out" | grep -q "^  facilitator  fac.demo .* harbour-lantern-cohorts$" &&
   printf "%s" "$out" | grep -q "^  researcher   res.demo .* harbour-lantern-analysis$" &&
   printf "%s" "$out" | grep -q "^  admin        admin.demo .* harbour-lantern-accounts$"'
run --db signins.db user list --json
expect "demo --sign-ins gives every member and the team an account" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq "[.[] | select(.role == \"participant\")] | length")" -eq 7 ] &&
   [ "$(printf "%s" "$out" | jq -r "[.[] | select(.role != \"participant\") | .person + \":\" + .role] | join(\",\")")" = "admin.demo:admin,fac.demo:facilitator,res.demo:researcher" ]'
run --db signins.db cohort staff list "Demo cohort 2026" --json
expect "demo --sign-ins makes fac.demo staff of the cohort" \
  '[ "$(printf "%s" "$out" | jq -r ".[0].person")" = fac.demo ]'
run --db signins.db audit verify
expect "the audit chain verifies after the sign-ins" '[ $rc -eq 0 ]'
run --db signins-json.db demo --pairs 3 --modules 2 --structure-only --sign-ins --json
expect "demo --sign-ins --json lists the sign-ins" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq -r ".sign_ins | map(.role + \"=\" + .password) | join(\",\")")" = "participant=harbour-lantern-participant,facilitator=harbour-lantern-cohorts,researcher=harbour-lantern-analysis,admin=harbour-lantern-accounts" ]'
