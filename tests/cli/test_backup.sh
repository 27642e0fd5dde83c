# duet backup and duet restore: consistent copies while others write, and restores that refuse damaged, tampered or foreign files.
. "$(dirname "$0")/lib.sh"

sha() { sha256sum "$1" | cut -d' ' -f1; }
count() { sqlite3 "$1" "$2"; }

"$DUET" demo --pairs 4 --modules 3 >/dev/null
# Make the database large enough that copying it takes many steps.
sqlite3 "$DUET_DB" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
  INSERT INTO reflection (person_id, partnership_id, module_id, visibility, text, created_at)
  SELECT (SELECT person_id FROM membership WHERE partnership_id = (SELECT id FROM partnership WHERE code = 'P01') LIMIT 1),
         (SELECT id FROM partnership WHERE code = 'P01'), NULL, 'private', 'bulk ' || i || ' ' || hex(randomblob(200)), '2026-01-01T00:00:00Z' FROM n;"
person=$(sqlite3 "$DUET_DB" "SELECT p.key FROM membership m JOIN person p ON p.id = m.person_id JOIN partnership t ON t.id = m.partnership_id WHERE t.code = 'P02' LIMIT 1")

run backup --help
expect "backup --help shows the synopsis" '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "^usage: duet backup FILE"'
run restore --help
expect "restore --help shows the synopsis" '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "^usage: duet restore FILE"'
expect_error "backup needs a file" 2 "name the backup file" backup
expect_error "backup takes one file" 2 "unexpected argument 'b'" backup a b

# ---- a backup while writers go on ----
# Two writers append reflections through the command line as fast as they
# can; each acknowledged write (exit 0) is logged. What was acknowledged
# before the backup started must be in the backup.
: >"$work/acked"
writer() {
  i=0
  while [ ! -f "$work/stop" ]; do
    i=$((i + 1))
    if "$DUET" reflection add --person "$person" --partnership P02 --visibility partner \
         --text "live $1 $i" >/dev/null 2>&1; then
      echo "live $1 $i" >>"$work/acked"
    fi
  done
}
writer a & wa=$!
writer b & wb=$!
while [ "$(wc -l <"$work/acked")" -lt 20 ]; do sleep 0.05; done
cp "$work/acked" "$work/acked-before"
run backup "$work/b1.db" --json
backup_rc=$rc backup_out=$out
while [ "$(wc -l <"$work/acked")" -lt "$(($(wc -l <"$work/acked-before") + 5))" ]; do sleep 0.05; done
touch "$work/stop"
wait $wa $wb
rc=$backup_rc out=$backup_out
expect "backup while two writers write" '[ $rc -eq 0 ] && printf "%s" "$out" | jq -e ".audit_intact == true and .pages > 100 and .steps > 1 and .bytes == (.pages * .page_size)" >/dev/null'
expect "the backup is readable by its owner only" '[ "$(stat -c %a "$work/b1.db")" = 600 ]'
expect "no temporary file is left" '[ ! -e "$work/b1.db.tmp" ] && [ ! -e "$work/b1.db.tmp-journal" ]'
expect "the backup is one file, not in WAL mode" '[ "$(sqlite3 "$work/b1.db" "PRAGMA journal_mode")" = delete ] && [ ! -e "$work/b1.db-wal" ]'

mkdir "$work/fresh"
run --db "$work/fresh/restored.db" restore "$work/b1.db" --json
expect "restore into a fresh folder" '[ $rc -eq 0 ] && printf "%s" "$out" | jq -e ".replaced == false and .schema_version >= 6" >/dev/null'
missing=0
while IFS= read -r t; do
  n=$(sqlite3 "$work/fresh/restored.db" "SELECT count(*) FROM reflection WHERE text = '$t'")
  [ "$n" -eq 1 ] || missing=$((missing + 1))
done <"$work/acked-before"
expect "every write acknowledged before the backup began is in it ($(wc -l <"$work/acked-before") writes)" '[ $missing -eq 0 ]'
expect "the bulk rows are there" '[ "$(count "$work/fresh/restored.db" "SELECT count(*) FROM reflection WHERE text LIKE '"'"'bulk %'"'"'")" -eq 20000 ]'
run --db "$work/fresh/restored.db" audit verify
expect "duet audit verify passes on the restored database" '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "intact"'
run --db "$work/fresh/restored.db" reflection list --partnership P02 --json
expect "the restored database opens and reads" '[ $rc -eq 0 ]'

# ---- overwriting ----
expect_error "backup refuses an existing file" 1 "exists; choose another name or add --force" backup "$work/b1.db"
before=$(sha "$work/b1.db")
run backup "$work/b1.db" --force
expect "backup --force replaces it" '[ $rc -eq 0 ] && [ "$(sha "$work/b1.db")" != "$before" ]'
expect_error "backup refuses the database itself" 1 "is the database itself" backup "$DUET_DB" --force
touch "$work/b2.db.tmp"
expect_error "backup refuses while FILE.tmp exists" 1 "b2.db.tmp' exists" backup "$work/b2.db"
expect "and leaves no b2.db" '[ ! -e "$work/b2.db" ]'
rm -f "$work/b2.db.tmp"

# ---- restores that must be refused; the target is unchanged ----
target="$work/fresh/restored.db"
target_sha=$(sha "$target")
expect_error "restore refuses an existing database without --force" 1 "exists; add --force to replace it" \
  --db "$target" restore "$work/b1.db"

# Corrupted: overwrite the header of the reflection table's root page.
cp "$work/b1.db" "$work/corrupt.db"
root=$(sqlite3 "$work/corrupt.db" "SELECT rootpage FROM sqlite_schema WHERE name = 'reflection'")
page=$(sqlite3 "$work/corrupt.db" "PRAGMA page_size")
printf '\377\377\377\377\377\377\377\377\377\377\377\377' |
  dd of="$work/corrupt.db" bs=1 seek=$(((root - 1) * page)) conv=notrunc 2>/dev/null
expect_error "restore refuses a corrupted backup" 1 "corrupt.db' is damaged" --db "$target" restore --force "$work/corrupt.db"
expect "the target is unchanged after the corrupted one" '[ "$(sha "$target")" = "$target_sha" ]'

# Corrupted in the middle of the file: flip bytes of a b-tree page.
cp "$work/b1.db" "$work/flipped.db"
pages=$(sqlite3 "$work/flipped.db" "PRAGMA page_count")
mid=$((pages / 2))
printf '\001\002\003\004\005\006\007\010' | dd of="$work/flipped.db" bs=1 seek=$((mid * page)) conv=notrunc 2>/dev/null
expect_error "restore refuses a backup with bytes flipped mid-file" 1 "flipped.db' is damaged" --db "$target" restore --force "$work/flipped.db"

# Tampered audit chain: the append-only trigger dropped, an entry changed,
# the trigger put back as it was.
cp "$work/b1.db" "$work/tampered.db"
trigger=$(sqlite3 "$work/tampered.db" "SELECT sql FROM sqlite_schema WHERE name = 'audit_no_update'")
sqlite3 "$work/tampered.db" "DROP TRIGGER audit_no_update; UPDATE audit SET actor = 'mallory' WHERE seq = 5; $trigger;"
expect "the tampered copy still passes the integrity check" '[ "$(sqlite3 "$work/tampered.db" "PRAGMA integrity_check")" = ok ]'
expect_error "restore refuses a backup whose audit chain is broken" 1 "the audit log of '$work/tampered.db' is broken at entry 5" \
  --db "$target" restore --force "$work/tampered.db"
expect "the target is unchanged after the tampered one" '[ "$(sha "$target")" = "$target_sha" ]'

# The append-only trigger dropped (and nothing else).
version=$(sqlite3 "$work/b1.db" "PRAGMA user_version")
cp "$work/b1.db" "$work/notrigger.db"
sqlite3 "$work/notrigger.db" "DROP TRIGGER audit_no_delete"
expect_error "restore refuses a backup whose schema is not duet's" 1 "does not have the schema of version $version: trigger audit_no_delete is missing" \
  --db "$target" restore --force "$work/notrigger.db"
cp "$work/b1.db" "$work/extra.db"
sqlite3 "$work/extra.db" "CREATE TABLE stash (x)"
expect_error "restore refuses a backup with a table duet does not make" 1 "table stash is not duet's" \
  --db "$target" restore --force "$work/extra.db"

# Newer than this duet.
cp "$work/b1.db" "$work/newer.db"
sqlite3 "$work/newer.db" "PRAGMA user_version = 99"
expect_error "restore refuses a newer schema" 1 "has schema version 99 but this duet knows only up to" \
  --db "$target" restore --force "$work/newer.db"

# A reference to nothing.
cp "$work/b1.db" "$work/dangling.db"
sqlite3 "$work/dangling.db" "PRAGMA foreign_keys = OFF; UPDATE reflection SET person_id = 999999 WHERE id = (SELECT max(id) FROM reflection)"
expect_error "restore refuses dangling references" 1 "1 row whose references point at nothing (the first: table reflection" \
  --db "$target" restore --force "$work/dangling.db"

# Not a database, not duet's, missing, live.
printf 'this is not a database, just some text that is long enough to be read as a header....' >"$work/text.db"
expect_error "restore refuses a file that is not a database" 1 "text.db' is not an SQLite database" --db "$target" restore --force "$work/text.db"
sqlite3 "$work/other.db" "CREATE TABLE t (x); INSERT INTO t VALUES (1)"
expect_error "restore refuses an SQLite database that is not duet's" 1 "other.db' is not a duet database" --db "$target" restore --force "$work/other.db"
expect_error "restore names a missing file" 1 "nothing.db': No such file" --db "$target" restore --force "$work/nothing.db"
cp "$work/b1.db" "$work/live.db"
printf 'x' >"$work/live.db-wal"
expect_error "restore refuses a database with a write-ahead log beside it" 1 "it is a database in use, not a backup" --db "$target" restore --force "$work/live.db"
expect "the target is unchanged after every refusal" '[ "$(sha "$target")" = "$target_sha" ] && [ -z "$(ls -A "$work/fresh" | grep -v "^restored.db$")" ]'

# ---- --check ----
run restore --check "$work/b1.db" --json
expect "restore --check accepts a sound backup" '[ $rc -eq 0 ] && printf "%s" "$out" | jq -e ".checked_only == true and .database == null" >/dev/null'
expect_error "restore --check refuses the tampered one" 1 "is broken at entry 5" restore --check "$work/tampered.db"
expect_error "--check does not go with --force" 2 "does not go with --force" restore --check --force "$work/b1.db"

# ---- replacing a database that has a write-ahead log ----
# A writer left uncommitted-to-the-main-file pages in the target's -wal; the
# restore must fold them in and remove the log, or SQLite would apply it to
# the restored database.
cp "$work/b1.db" "$work/w.db"
sqlite3 "$work/w.db" "PRAGMA journal_mode = WAL" >/dev/null
"$DUET" --db "$work/w.db" reflection add --person "$person" --partnership P02 --text "only in w" >/dev/null
want=$(count "$work/b1.db" "SELECT count(*) FROM reflection")
run --db "$work/w.db" restore --force "$work/b1.db"
expect "restore --force replaces a database" '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "is replaced"'
expect "no -wal or -shm is left beside it" '[ ! -e "$work/w.db-wal" ] && [ ! -e "$work/w.db-shm" ] && [ ! -e "$work/w.db-journal" ]'
expect "the restored content is the backup's" '[ "$(count "$work/w.db" "SELECT count(*) FROM reflection")" -eq "$want" ] && [ "$(count "$work/w.db" "SELECT count(*) FROM reflection WHERE text = '"'"'only in w'"'"'")" -eq 0 ]'
run --db "$work/w.db" audit verify
expect "and its audit log verifies" '[ $rc -eq 0 ]'

# ---- a database another program has open ----
# A connection that stays open (as a running server's do) holds the database.
{ echo "SELECT count(*) FROM reflection;"; sleep 3; } | sqlite3 "$work/w.db" >/dev/null &
holder=$!
sleep 0.5
held_count=$(count "$work/w.db" "SELECT count(*) FROM audit")
cp "$work/b1.db" "$work/b3.db"
"$DUET" --db "$work/b3.db" reflection add --person "$person" --partnership P02 --text "in b3" >/dev/null
"$DUET" --db "$work/b3.db" backup "$work/b3.bak" >/dev/null
expect_error "restore refuses a database another program has open" 1 "is in use by another program" \
  --db "$work/w.db" restore --force "$work/b3.bak"
expect "and leaves it as it was" '[ "$(count "$work/w.db" "SELECT count(*) FROM audit")" -eq "$held_count" ] && [ "$(count "$work/w.db" "SELECT count(*) FROM reflection WHERE text = '"'"'in b3'"'"'")" -eq 0 ]'
wait $holder
run --db "$work/w.db" restore --force "$work/b3.bak"
expect "once it is closed, the restore goes ahead" '[ $rc -eq 0 ] && [ "$(count "$work/w.db" "SELECT count(*) FROM reflection WHERE text = '"'"'in b3'"'"'")" -eq 1 ]'
