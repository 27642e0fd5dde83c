# Withdrawal leaves no trace: after research consent is withdrawn no audit
# entry names the person (payload or actor), the chain still verifies, the
# erased rows' ids are never given to anyone else, and the erased words and
# the person's name are gone from the bytes of the database files.
. "$(dirname "$0")/lib.sh"

V=68570dc7-977f-53a6-a4d3-6d201fd2410a   # Voice, in the starter codebook
"$DUET" demo --pairs 4 --modules 3 >/dev/null
cohort=$(sqlite3 test.db "SELECT name FROM cohort LIMIT 1")
"$DUET" person add wzq.01a --name "Wilhelmina Quarrington" \
  --organisation "Quarrington Carers Circle" --contact "wilhelmina.q@example.org" >/dev/null
"$DUET" person add sol.09b --name "Solomon Brightwater" >/dev/null
"$DUET" partnership add P09 --cohort "$cohort" --member wzq.01a:patient_leader \
  --member sol.09b:clinician >/dev/null
for p in wzq.01a sol.09b; do "$DUET" consent give --person $p --purpose research >/dev/null; done
echo "a-long-enough-password-wzq" | "$DUET" user add --person wzq.01a --role participant \
  --password-stdin >/dev/null
"$DUET" person add coder.zz --name "Coder Zed" >/dev/null
echo "a-long-enough-password-cod" | "$DUET" user add --person coder.zz --role researcher \
  --password-stdin >/dev/null

# She writes for herself (the audit log records her as the actor).
"$DUET" --as wzq.01a reflection add --person wzq.01a --partnership P09 --module 1 \
  --visibility programme --text "We ZEBRAQUOKKA123 decided together at last." >/dev/null
"$DUET" --as wzq.01a reflection add --person wzq.01a --partnership P09 --module 2 \
  --visibility private --text "Only for me: PRIVATEOKAPI456." >/dev/null
"$DUET" --as wzq.01a checkin add --partnership P09 --person wzq.01a --module 1 \
  --answer voice_1=5 --answer discoveries="NARWHALANSWER789 was new to me" >/dev/null
doc=$(sqlite3 test.db "SELECT r.id FROM reflection r JOIN person p ON p.id = r.person_id
                       WHERE p.key = 'wzq.01a' AND r.visibility = 'programme'")
run --as coder.zz coding add reflection "$doc" 3 17 "$V" --coder coder.zz
expect "her shared reflection can be coded" '[ $rc -eq 0 ]'
sel=$out
run --as coder.zz coding memo reflection "$doc" --text "WOMBATMEMO321 says she changed her mind"
expect "a memo on her text can be written" '[ $rc -eq 0 ]'
pid=$(sqlite3 test.db "SELECT id FROM person WHERE key = 'wzq.01a'")
top_refl=$(sqlite3 test.db "SELECT max(id) FROM reflection")
mine_top=$(sqlite3 test.db "SELECT max(id) FROM reflection WHERE person_id = $pid")
expect "her reflection has the highest id" '[ "$top_refl" = "$mine_top" ]'
top_src=$(sqlite3 test.db "SELECT max(id) FROM source")
top_sel=$(sqlite3 test.db "SELECT max(id) FROM selection")
top_cod=$(sqlite3 test.db "SELECT max(id) FROM coding")
top_memo=$(sqlite3 test.db "SELECT max(id) FROM memo")
expect "she appears in the audit log before withdrawal" \
  '[ "$(sqlite3 test.db "SELECT count(*) FROM audit WHERE actor = '"'"'wzq.01a'"'"'")" -ge 3 ]'

run --as wzq.01a consent withdraw --person wzq.01a --purpose research
expect "she withdraws from research" '[ $rc -eq 0 ]'
expect "the command tells her new sign-in name" \
  'printf "%s" "$out" | grep -qF "withdrawn-$pid"'

# ---- 1. the audit log names her nowhere, and still verifies ---------------------
names="wzq.01a|Wilhelmina|Quarrington|wilhelmina.q@|ZEBRAQUOKKA123|PRIVATEOKAPI456|NARWHALANSWER789|WOMBATMEMO321"
found=$(sqlite3 test.db "SELECT a.seq, a.actor, a.tbl, a.row_id, p.old_value, p.new_value
                          FROM audit a LEFT JOIN audit_payload p ON p.seq = a.seq" | grep -E "$names")
out=$found
expect "no audit entry names her or holds her words, in any column" '[ -z "$found" ]'
# She acted 5 times: 2 reflections and a check-in before, then the
# withdrawal and the erasure, which are written under her pseudonym.
expect "the entries she made are kept under her pseudonym" \
  '[ "$(sqlite3 test.db "SELECT count(*) FROM audit WHERE actor = '"'"'withdrawn-$pid'"'"'")" -eq 5 ]'
run audit verify
expect "the audit chain still verifies" '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "intact"'
run audit verify --json
expect "verify counts the 3 entries redacted" \
  '[ "$(printf "%s" "$out" | jq .redacted_actors)" -eq 3 ]'
others=$(sqlite3 test.db "SELECT group_concat(DISTINCT actor) FROM audit")
out=$others
expect "other actors are left as they were" \
  'printf "%s" "$others" | grep -q "tester" && printf "%s" "$others" | grep -q "coder.zz"'
expect "no table still holds her words or her name" \
  '[ -z "$(sqlite3 test.db .dump | grep -E "$names")" ]'

# Tampering is still found: a redacted entry changed, and a name put back.
cp test.db tampered.db
seq=$(sqlite3 tampered.db "SELECT min(seq) FROM audit WHERE actor = 'withdrawn-$pid'")
sqlite3 tampered.db "DROP TRIGGER audit_no_update; UPDATE audit SET row_id = row_id + 1 WHERE seq = $seq"
run --db tampered.db audit verify --json
expect "a redacted entry whose record is changed is found" \
  '[ $rc -eq 1 ] && [ "$(printf "%s" "$out" | jq .first_bad)" -eq "$seq" ]'
cp test.db tampered.db
sqlite3 tampered.db "DROP TRIGGER audit_no_update; UPDATE audit SET actor = 'someone-else' WHERE seq = $seq"
run --db tampered.db audit verify --json
expect "a redacted actor changed to another name is found" \
  '[ $rc -eq 1 ] && [ "$(printf "%s" "$out" | jq .first_bad)" -eq "$seq" ]'
cp test.db tampered.db
sqlite3 tampered.db "UPDATE audit SET actor = 'withdrawn-1' WHERE seq = 1"
run --db tampered.db audit verify --json
expect "an actor made a pseudonym without a withdrawal's record is found" \
  '[ $rc -eq 1 ] && [ "$(printf "%s" "$out" | jq .first_bad)" -eq 1 ]'
sqlite3 tampered.db "UPDATE audit SET tbl = 'x' WHERE seq = 2" 2>/dev/null
expect "the log refuses any other change to an entry" \
  '[ "$(sqlite3 tampered.db "SELECT tbl FROM audit WHERE seq = 2")" != x ]'

# ---- 2. erased ids are never given again ---------------------------------------
"$DUET" reflection add --person sol.09b --partnership P09 --module 1 --visibility programme \
  --text "Solomon writes after her." >/dev/null
new_refl=$(sqlite3 test.db "SELECT max(id) FROM reflection")
expect "a new reflection gets an id above the erased one ($new_refl > $top_refl)" \
  '[ "$new_refl" -gt "$top_refl" ]'
doc2=$(sqlite3 test.db "SELECT r.id FROM reflection r JOIN person p ON p.id = r.person_id
                        WHERE p.key = 'sol.09b'")
"$DUET" coding add reflection "$doc2" 0 7 "$V" --coder coder.zz >/dev/null
"$DUET" coding memo reflection "$doc2" --text "a memo on Solomon" >/dev/null
expect "new sources, selections, codings and memos get new ids" \
  '[ "$(sqlite3 test.db "SELECT max(id) FROM source")" -gt "$top_src" ] &&
   [ "$(sqlite3 test.db "SELECT max(id) FROM selection")" -gt "$top_sel" ] &&
   [ "$(sqlite3 test.db "SELECT max(id) FROM coding")" -gt "$top_cod" ] &&
   [ "$(sqlite3 test.db "SELECT max(id) FROM memo")" -gt "$top_memo" ]'
run audit verify
expect "the chain verifies after later writes" '[ $rc -eq 0 ]'

# ---- 3. the bytes on disk ------------------------------------------------------
# Every file of the database, read as bytes (a missing WAL or shm is clean).
leftover=""
for f in test.db test.db-wal test.db-shm; do
  [ -f "$f" ] || continue
  for w in ZEBRAQUOKKA123 PRIVATEOKAPI456 NARWHALANSWER789 WOMBATMEMO321 Wilhelmina \
           Quarrington wilhelmina.q@ wzq.01a; do
    n=$(grep -a -c -F "$w" "$f")
    [ "$n" -eq 0 ] || leftover="$leftover $f:$w"
  done
done
out=$leftover
expect "neither her words nor her name are left in the database files" '[ -z "$leftover" ]'
expect "the partner's words are still there" \
  '[ "$(sqlite3 test.db "SELECT count(*) FROM reflection WHERE text LIKE '"'"'Solomon%'"'"'")" -eq 1 ]'

# ---- 4. her account ------------------------------------------------------------
run user list --json
expect "her account is kept, enabled, under her new sign-in name" \
  '[ "$(printf "%s" "$out" | jq -r ".[] | select(.person == \"withdrawn-$pid\") | .disabled_at")" = null ]'
