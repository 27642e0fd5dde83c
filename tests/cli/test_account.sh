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

for sub in "user" "user add" "user list" "user disable" "user enable" "token" "token create" \
           "token list" "token revoke" "cohort staff"; do
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
# Context-specific words (NIST SP 800-63B): the sign-in name, words of the
# person's name (hamid.01b is "Hamid Okafor" in the demo), the service, repetition.
run_in "Hamid.01B keeps a secret" user add --person hamid.01b --role participant --password-stdin
expect "a password containing the sign-in name is refused" \
  '[ $rc -eq 1 ] && printf "%s" "$err" | grep -qF "duet: error: the password contains the sign-in name '"'"'hamid.01b'"'"'; choose one without it" && [ "$(accounts)" -eq 2 ]'
name=$(sqlite3 test.db "SELECT display_name FROM person WHERE key = 'hamid.01b'")
first=${name%% *}
run_in "my friend ${first} says hi" user add --person hamid.01b --role participant --password-stdin
expect "a password containing the person's first name ($first) is refused" \
  '[ $rc -eq 1 ] && printf "%s" "$err" | grep -qF "the password contains '"'"'$first'"'"' from the person'"'"'s name" && [ "$(accounts)" -eq 2 ]'
run_in "my-Duet-sign-in" user add --person hamid.01b --role participant --password-stdin
expect "a password containing the service's name is refused" \
  '[ $rc -eq 1 ] && printf "%s" "$err" | grep -qF "the password contains the name of this service ('"'"'duet'"'"')" && [ "$(accounts)" -eq 2 ]'
run_in "xyzxyzxyzxyz" user add --person hamid.01b --role participant --password-stdin
expect "a short sequence repeated is refused" \
  '[ $rc -eq 1 ] && printf "%s" "$err" | grep -qF "the password is a short sequence repeated" && [ "$(accounts)" -eq 2 ]'

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
# Expiry: 90 days by default, --expires DAYS (1 to 366) otherwise; the dates
# are checked against date(1), not against duet.
plus_days() { date -u -d "$1 + $2 days" +%Y-%m-%dT%H:%M:%SZ; }
created=$(printf "%s" "$out" | jq -r ".created_at")
expect "a token expires 90 days after it was made by default" \
  '[ "$(printf "%s" "$out" | jq -r ".expires_at")" = "$(plus_days "$created" 90)" ]'
run token create --person fac.demo --label "one week" --expires 7 --json
week_id=$(printf "%s" "$out" | jq -r ".id")
expect "token create --expires 7" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq -r ".expires_at")" = "$(plus_days "$(printf "%s" "$out" | jq -r ".created_at")" 7)" ]'
run token create --person fac.demo --expires 366
expect "token create --expires 366 (the longest)" '[ $rc -eq 0 ]'
for bad in 0 -3 367 10000 seven 1.5 ""; do
  expect_error "token create --expires '$bad' is refused" 2 "--expires '$bad' is not a number of days from 1 to 366" \
    token create --person fac.demo --expires "$bad"
done
expect "no token was made by the refused ones" '[ "$(sqlite3 test.db "SELECT count(*) FROM api_token")" -eq 4 ]'

run token list --json
expect "token list --json lists every token with its dates, never the token or its digest" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq length)" -eq 4 ] &&
   [ "$(printf "%s" "$out" | jq -r ".[0] | keys | join(\",\")")" = "created_at,expires_at,id,label,last_used_at,person,revoked_at,status" ] &&
   [ "$(printf "%s" "$out" | jq -r "[.[] | .status] | unique | join(\",\")")" = "active" ] &&
   [ "$(printf "%s" "$out" | jq -r ".[0].label")" = "analysis laptop" ] &&
   ! printf "%s" "$out" | grep -qF "$token"'
run token list fac.demo
expect "token list PERSON as a table" \
  '[ $rc -eq 0 ] && [ "$(printf "%s\n" "$out" | grep -c " active")" -eq 4 ] && printf "%s" "$out" | grep -q "one week"'
run token list amira.01a --json
expect "token list of a person without tokens is empty" '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq length)" -eq 0 ]'
expect_error "token list of an unknown person" 1 "person 'nobody' does not exist" token list nobody
export DUET_NOW=2099-01-01T00:00:00Z
run token list --json
unset DUET_NOW
expect "once past expires_at a token is listed as expired" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq -r "[.[] | .status] | unique | join(\",\")")" = "expired" ]'

run token revoke "$week_id"
expect "token revoke ID" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | grep -qF "revoked API token $week_id of '"'"'fac.demo'"'"'"'
run token list --json
expect "a revoked token is listed as revoked, the others stay active" \
  '[ "$(printf "%s" "$out" | jq -r ".[] | select(.id == $week_id) | .status")" = revoked ] &&
   [ "$(printf "%s" "$out" | jq -r ".[] | select(.id == $week_id) | .revoked_at != null")" = true ] &&
   [ "$(printf "%s" "$out" | jq "[.[] | select(.status == \"active\")] | length")" -eq 3 ]'
expect_error "revoking twice is refused" 1 "API token $week_id is already revoked" token revoke "$week_id"
expect_error "revoking an unknown token is refused" 1 "API token 999 does not exist" token revoke 999
expect_error "token revoke needs a token id" 2 "'abc' is not a token id" token revoke abc
run audit list --json --limit 50
expect "the revocation is audited, without the token or its digest" \
  '[ "$(printf "%s" "$out" | jq "[.[] | select(.table == \"api_token\" and .action == \"update\" and .row_id == $week_id)] | length")" -eq 1 ] &&
   ! printf "%s" "$out" | grep -qF "$token" && ! printf "%s" "$out" | grep -qi "hash\|digest"'
expect_error "a token for a person without an account is refused" 1 "person 'hamid.01b' has no account" \
  token create --person hamid.01b
run audit list --json --limit 80
expect "the audit log records accounts and tokens without secrets" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq "[.[] | select(.table == \"account\" or .table == \"api_token\")] | length")" -eq 7 ] &&
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
run audit list --json --limit 80
expect "disabling audits each token it revokes" \
  '[ "$(printf "%s" "$out" | jq "[.[] | select(.table == \"api_token\" and .action == \"update\")] | length")" -eq 4 ]'

run user enable --person fac.demo
expect "user enable" '[ $rc -eq 0 ] && printf "%s" "$out" | grep -qF "enabled the account of '"'"'fac.demo'"'"'"'
run user list --json
expect "an enabled account has no disabled_at" \
  '[ "$(printf "%s" "$out" | jq -r ".[] | select(.person == \"fac.demo\") | .disabled_at")" = null ]'
expect "enabling does not bring back the revoked tokens" \
  '[ "$(sqlite3 test.db "SELECT count(*) FROM api_token WHERE revoked_at IS NULL")" -eq 0 ]'
expect_error "enabling an account that is not disabled is refused" 1 \
  "the account of person 'fac.demo' is not disabled" user enable fac.demo
expect_error "enabling a person without an account is refused" 1 "person 'hamid.01b' has no account" \
  user enable --person hamid.01b
expect_error "user enable needs a person" 2 "give --person KEY" user enable
run audit list --json --limit 5
expect "enabling is audited" \
  '[ "$(printf "%s" "$out" | jq -r "[.[] | select(.table == \"account\" and .action == \"update\")][0].new_value | tostring")" = "{\"disabled_at\":null}" ]'
run token create --person fac.demo --label "after enabling"
expect "an enabled account gets tokens again" '[ $rc -eq 0 ]'
run user disable fac.demo
expect "user disable PERSON (without --person) works too" '[ $rc -eq 0 ]'

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
