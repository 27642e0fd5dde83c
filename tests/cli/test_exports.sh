# Exports that people open: cells a spreadsheet would run as formulas are
# neutralised by default (OWASP "CSV Injection": a ' in front, the cell
# quoted), numbers stay numbers, and --exact keeps every byte for files that
# are read back; people are named by pseudonym by default (no display name,
# no person key of a participant), and --names asks for them. Expected
# cells are written out by hand from the texts below.
. "$(dirname "$0")/lib.sh"
V=68570dc7-977f-53a6-a4d3-6d201fd2410a   # Voice, in the starter codebook
T=aa935c9a-a6f5-523a-a8be-eb67888fc240   # Trust
q=$(printf '\047')                        # a single quote

# One programme, and its copy with no answers (to import into).
setup() {
  "$DUET" init >/dev/null
  "$DUET" programme add Prog >/dev/null
  "$DUET" cohort add --programme Prog "@cohort" >/dev/null   # a name a spreadsheet would run
  "$DUET" module add --cohort "@cohort" --number 1 >/dev/null
  "$DUET" person add lena.k7 --name "Lena Okafor" >/dev/null
  "$DUET" person add sami.q3 --name "Sami Berg" >/dev/null
  "$DUET" partnership add --cohort "@cohort" P1 --member lena.k7:patient_leader \
    --member sami.q3:clinician >/dev/null
  "$DUET" consent give --person lena.k7 --purpose research >/dev/null
  "$DUET" consent give --person sami.q3 --purpose research >/dev/null
}
setup
DUET_DB="$work/copy.db" setup
"$DUET" person add ann.r --name "Ann Reader" >/dev/null
echo "a-long-enough-password-ann" | "$DUET" user add --person ann.r --role researcher --password-stdin >/dev/null

# 0..26 is the formula; 27..36 is "Sami Berg".
"$DUET" reflection add --person lena.k7 --partnership P1 --module 1 --visibility programme \
  --text '=HYPERLINK("http://x","y") Sami Berg and I agreed.' >/dev/null
d=$("$DUET" coding documents --json | jq -r '.[0].id')
"$DUET" coding add reflection "$d" 0 26 "$V" --coder ann.r >/dev/null
"$DUET" coding add reflection "$d" 27 36 "$T" --coder ann.r >/dev/null

# ---- codings CSV ----------------------------------------------------------------
run coding export --csv --out safe.csv
expect "coding export --csv neutralises a passage that starts with =" \
  '[ $rc -eq 0 ] && grep -qF ",Voice,\"${q}=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" safe.csv'
expect "... and a cohort name that starts with @ (quoted, with a quote in front)" \
  '[ "$(grep -c "^\"${q}@cohort\",P1,1,reflection," safe.csv)" -eq 2 ]'
expect "... while numbers stay as they are" 'grep -q ",0,26,$V,Voice," safe.csv'
run coding export --csv --exact --out exact.csv
expect "coding export --csv --exact keeps the formula byte for byte" \
  '[ $rc -eq 0 ] && grep -qF ",Voice,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" exact.csv && [ "$(grep -c "^@cohort,P1,1," exact.csv)" -eq 2 ]'
expect "the two differ only in the quotes added" \
  '[ "$(sed "s/\"${q}@cohort\"/@cohort/; s/\"${q}=/\"=/" safe.csv)" = "$(cat exact.csv)" ]'

# ---- pseudonyms by default ------------------------------------------------------
no_people() {  # no_people FILE...: no participant's name or key in any of them
  ! cat "$@" | grep -qE "Lena Okafor|Sami Berg|lena\.k7|sami\.q3"
}
expect "the CSV names nobody: the passage that named Sami Berg holds the pseudonym" \
  'no_people safe.csv && grep -q ",27,36,$T,Trust,P1-S1$" safe.csv && grep -q ",P1-L1,lived_experience,ann.r," safe.csv'
run coding export --out safe.json
expect "the JSON names nobody either" \
  '[ $rc -eq 0 ] && no_people safe.json && [ "$(jq -r ".[] | select(.code_name == \"Trust\") | .passage" safe.json)" = P1-S1 ]'
run coding export --csv --names --out named.csv
expect "--names keeps the names in passages (authors stay pseudonyms)" \
  '[ $rc -eq 0 ] && grep -q ",27,36,$T,Trust,Sami Berg$" named.csv && ! grep -q "Lena Okafor" named.csv'
run coding export --qdpx --out p.qdpx
mkdir p && (cd p && unzip -q ../p.qdpx)
expect "the .qdpx (project.qde and every source) names nobody by default" \
  '[ $rc -eq 0 ] && printf "%s" "$err" | grep -q "(pseudonymised)" && no_people p/project.qde p/sources/* && grep -q "by P1-L1" p/project.qde'
expect "... its text holds the pseudonym, and the selection moved onto it (27..32)" \
  '! grep -q "Sami Berg" p/sources/* && grep -qF "P1-S1 and I agreed." p/sources/* && grep -q "startPosition=\"27\" endPosition=\"32\"" p/project.qde'
run coding export --qdpx --names --out n.qdpx
mkdir n && (cd n && unzip -q ../n.qdpx)
expect "coding export --qdpx --names names the author and keeps names in the text" \
  '[ $rc -eq 0 ] && printf "%s" "$err" | grep -q "(with names)" && grep -q "by Lena Okafor" n/project.qde && grep -q "Sami Berg" n/sources/*'
run coding export --qdpx --pseudonymise --out pp.qdpx
expect "--pseudonymise is still accepted and is the default" \
  '[ $rc -eq 0 ] && [ "$(unzip -p pp.qdpx "sources/*")" = "$(cat p/sources/*)" ]'
expect_error "--names with --pseudonymise is refused" 2 "choose one of --names and --pseudonymise" \
  coding export --qdpx --names --pseudonymise --out x.qdpx
expect_error "--exact with --qdpx is refused" 2 "--exact goes with --csv" \
  coding export --qdpx --exact --out x.qdpx

# ---- the responses CSV ----------------------------------------------------------
cat > answers.csv <<EOF
cohort,module,partnership,person,item,value
@cohort,1,P1,lena.k7,voice_1,3
@cohort,1,P1,lena.k7,discoveries,=1+2
@cohort,1,P1,sami.q3,voice_1,5
@cohort,1,P1,sami.q3,discoveries,-2+3 and -0.5
EOF
run import responses answers.csv
expect "responses with formula-like text import" '[ $rc -eq 0 ]'
run export responses --out r.csv
cat > r.want <<EOF
cohort,module,partnership,person,item,value
"'@cohort",1,P1,P1-L1,voice_1,3
"'@cohort",1,P1,P1-L1,discoveries,"'=1+2"
"'@cohort",1,P1,P1-S1,voice_1,5
"'@cohort",1,P1,P1-S1,discoveries,"'-2+3 and -0.5"
EOF
expect "export responses: pseudonyms, formulas neutralised, numbers as they are" \
  '[ $rc -eq 0 ] && cmp -s r.want r.csv && no_people r.csv'
run export responses --names --exact --out exact.csv
expect "export responses --names --exact writes the import file back byte for byte" \
  '[ $rc -eq 0 ] && cmp -s answers.csv exact.csv'
run --db copy.db import responses exact.csv
run --db copy.db export responses --names --exact --out again.csv
expect "... which imports elsewhere and exports the same again" '[ $rc -eq 0 ] && cmp -s answers.csv again.csv'
run export responses --names --out names-only.csv
run --db copy.db import responses names-only.csv
expect "a file written for spreadsheets is refused on import, saying to use --exact" \
  '[ $rc -eq 1 ] && printf "%s" "$err" | grep -qF "names-only.csv:2: column '"'"'cohort'"'"'" && printf "%s" "$err" | grep -qF "export with --exact to import again"'
run export responses --exact --out pseudo.csv
run --db copy.db import responses pseudo.csv
expect "a file with pseudonyms is refused on import, saying to use --names" \
  '[ $rc -eq 1 ] && printf "%s" "$err" | grep -qF "person '"'"'P1-L1'"'"'" && printf "%s" "$err" | grep -qF "export with --names to import again"'
run export dictionary --exact
expect "export dictionary takes --exact" '[ $rc -eq 0 ] && printf "%s\n" "$out" | head -1 | grep -q "^item,instrument,"'
expect_error "export dictionary --json --exact is refused" 2 "--exact goes with CSV" export dictionary --json --exact
expect_error "export dictionary has no --names (it names nobody)" 2 "names" export dictionary --names

# ---- analyses as CSV ------------------------------------------------------------
run analyse codes --cohort "@cohort" --csv
expect "analyse codes --csv neutralises the cohort cell" \
  '[ $rc -eq 0 ] && [ "$(printf "%s\n" "$out" | sed -n 2p | cut -d, -f1)" = "\"${q}@cohort\"" ]'
run analyse codes --cohort "@cohort" --csv --exact
expect "analyse codes --csv --exact keeps it" \
  '[ $rc -eq 0 ] && [ "$(printf "%s\n" "$out" | sed -n 2p | cut -d, -f1)" = "@cohort" ]'
expect_error "analyse codes --exact without --csv is refused" 2 "--exact goes with --csv" \
  analyse codes --exact

# The demo's relationships and sorts: negative numbers are numbers, not formulas.
"$DUET" --db demo.db demo --pairs 3 --modules 2 >/dev/null
run --db demo.db analyse relationships --csv
expect "analyse relationships --csv writes negative numbers as numbers" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | grep -qE ",-[0-9.]+," && ! printf "%s" "$out" | grep -q "$q"'
run --db demo.db analyse relationships --csv --exact
expect "... the same bytes with --exact when nothing is formula-like" \
  '[ $rc -eq 0 ] && [ "$out" = "$("$DUET" --db demo.db analyse relationships --csv)" ]'
run --db demo.db export sorts --module 1
expect "export sorts: columns by pseudonym, grid values -4..+4 as numbers" \
  '[ $rc -eq 0 ] && printf "%s\n" "$out" | head -1 | grep -q "^statement,P01-L1,P01-S1,P02-L1," && printf "%s" "$out" | grep -qE ",-[1-4](,|$)" && ! printf "%s" "$out" | grep -qE "$q|amira|hamid"'
run --db demo.db export sorts --module 1 --names
expect "export sorts --names: columns by person key" \
  '[ $rc -eq 0 ] && printf "%s\n" "$out" | head -1 | grep -q "^statement,amira.01a,hamid.01b,"'
run --db demo.db export responses
expect "the demo's research export names nobody by key" \
  '[ $rc -eq 0 ] && ! printf "%s" "$out" | grep -qE "amira\.01a|hamid\.01b|Amira Khan" && printf "%s" "$out" | grep -q ",P01,P01-L1,"'
