# Bad responses files are refused whole, each with its own precise message.
. "$(dirname "$0")/lib.sh"

"$DUET" demo --structure-only --pairs 4 --modules 3 >/dev/null
H="cohort,module,partnership,person,item,value"
C="Demo cohort 2026"
row() { printf '%s,%s,%s,%s,%s,%s\n' "$C" "$@"; }
count_checkins() { sqlite3 test.db "SELECT count(*) FROM checkin"; }

# 10,000 good rows and one bad one: nothing is imported, the line is named.
"$DUET" --db big.db demo --structure-only --pairs 500 --modules 2 >/dev/null
sqlite3 big.db "SELECT p.key, t.code FROM membership m JOIN person p ON p.id = m.person_id JOIN partnership t ON t.id = m.partnership_id ORDER BY t.code, p.key" > members.txt
{
  echo "$H"
  awk -F'|' -v c="$C" 'BEGIN { n = split("voice_1 voice_2 voice_3 power_1 power_2", it, " ") }
    { for (m = 1; m <= 2; m++) for (i = 1; i <= n; i++) {
        rows++; if (rows <= 10000) printf "%s,%d,%s,%s,%s,%d\n", c, m, $2, $1, it[i], 1 + rows % 7 } }' members.txt
} > good.csv
lines=$(wc -l < good.csv)
awk -v c="$C" 'NR == 6002 { print c ",1,P01,amira.01a,voice_1,8"; next } { print }' good.csv > onebad.csv
run --db big.db import responses onebad.csv
expect "10,000 rows with one bad row: nothing imported, line 6002 named" \
  '[ $rc -eq 1 ] && printf "%s" "$err" | grep -qF "onebad.csv:6002: column '"'"'value'"'"': 8 is outside the scale 1..7" && [ "$(sqlite3 big.db "SELECT count(*) FROM checkin")" -eq 0 ]'
run --db big.db import responses good.csv
expect "the 10,000 good rows import" '[ $rc -eq 0 ] && [ "$lines" -eq 10001 ] && printf "%s" "$out" | grep -q "imported 10000 responses"'

bad() {  # bad NAME TEXT ROW...
  name=$1 text=$2
  shift 2
  { echo "$H"; for r in "$@"; do printf '%s\n' "$r"; done; } > bad.csv
  run import responses bad.csv
  expect "$name" '[ $rc -eq 1 ] && printf "%s" "$err" | grep -qF -- "$text" && [ "$(count_checkins)" -eq 0 ]'
}
bad "value off the scale" "bad.csv:2: column 'value': 8 is outside the scale 1..7" "$C,1,P01,amira.01a,voice_1,8"
bad "ladder rung off the ladder" "bad.csv:2: column 'value': 9 is outside" "$C,1,P01,amira.01a,rung,9"
bad "not a number" "bad.csv:2: column 'value': 'often' is not a whole number" "$C,1,P01,amira.01a,voice_1,often"
bad "unknown person" "bad.csv:3: column 'person': person 'nobody' does not exist" \
  "$C,1,P01,amira.01a,voice_1,3" "$C,1,P01,nobody,voice_1,3"
bad "a person outside the partnership" "bad.csv:2: column 'person': person 'dev.02a' is not a member of partnership 'P01'" \
  "$C,1,P01,dev.02a,voice_1,3"
bad "unknown partnership" "bad.csv:2: column 'partnership': partnership 'P99' does not exist" "$C,1,P99,amira.01a,voice_1,3"
bad "unknown item" "bad.csv:2: column 'item': item 'voice_9' is not defined by any instrument" "$C,1,P01,amira.01a,voice_9,3"
bad "module that does not exist" "bad.csv:2: column 'module': module 7 does not exist" "$C,7,P01,amira.01a,voice_1,3"
bad "a cohort that is not the partnership's" "bad.csv:2: column 'cohort': cohort 'Other' does not exist" \
  "Other,1,P01,amira.01a,voice_1,3"
bad "the same item twice in one check-in" "bad.csv:3: the same item is answered twice in one check-in (first on line 2)" \
  "$C,1,P01,amira.01a,voice_1,3" "$C,1,P01,amira.01a,voice_1,4"
bad "an empty value" "bad.csv:2: column 'value': the value is empty" "$C,1,P01,amira.01a,voice_1,"
bad "wrong column count" "bad.csv:2: expected 6 columns, found 7" "$C,1,P01,amira.01a,voice_1,3,extra"
bad "unbalanced quotes" "bad.csv:2: column 'value': a quoted field is not closed" "$C,1,P01,amira.01a,voice_1,\"3"
printf '%s\n%s,1,P01,amira.01a,discoveries,caf\351\n' "$H" "$C" > bad.csv
run import responses bad.csv
expect "invalid UTF-8" '[ $rc -eq 1 ] && printf "%s" "$err" | grep -qF "bad.csv:2: column '"'"'value'"'"': invalid UTF-8"'
printf 'cohort,module,partner,person,item,value\n' > bad.csv
run import responses bad.csv
expect "a wrong header" '[ $rc -eq 1 ] && printf "%s" "$err" | grep -qF "bad.csv"'
run import responses missing.csv
expect "a missing file" '[ $rc -eq 1 ] && printf "%s" "$err" | grep -qF "missing.csv"'

run import responses
expect "import without a file is a usage error" '[ $rc -eq 2 ]'

# A text answer with commas, quotes and a newline survives the round trip.
{ echo "$H"; printf '%s,1,P01,amira.01a,discoveries,"We said ""yes"", then\nwe meant it"\n' "$C"; } > text.csv
run import responses text.csv
run export responses --names --exact --out text2.csv
expect "quoted text with a newline round-trips" '[ $rc -eq 0 ] && cmp -s text.csv text2.csv'
