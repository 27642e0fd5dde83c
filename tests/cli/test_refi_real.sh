# REFI-QDA files written by real tools (tests/fixtures/refi-qda/README.md
# says where each comes from and under which licence): each one is imported
# with the codes, sources and codings counted by hand from its XML (the
# counts are in the comments), or refused with a message naming the exact
# reason, with nothing stored. xmllint checks each file against the REFI-QDA
# schema on its own, so where duet says the schema is broken, or not, another
# tool agrees.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib.sh"
fx="$top/tests/fixtures/refi-qda"
qdc_xsd="$top/data/refi-qda/Codebook.xsd"
qde_xsd="$top/data/refi-qda/Project.xsd"
have_xmllint() { command -v xmllint >/dev/null 2>&1; }

run init
expect "init" '[ $rc -eq 0 ]'

# ---- QualCoder 3.8.2: a codebook (.qdc) ---------------------------------------
# CRLF line ends, categories written as codes with isCodable="false" and no
# colour, a name with markup characters and CJK, a two-line description.
# Counted by hand: 3 codes at the top, then 6 categories holding 5, 5, 5, 6,
# 4 and 4 codes: 3 + 6 + 29 = 38 codes, 9 of them at the top.
if have_xmllint; then
  xmllint --noout --schema "$qdc_xsd" "$fx/qualcoder-3.8.2-codebook.qdc" >xl.out 2>&1; rc=$?
  expect "xmllint: the QualCoder codebook follows the schema" '[ $rc -eq 0 ]'
fi
cp "$fx/qualcoder-3.8.2-codebook.qdc" qualcoder.qdc
run codebook import qualcoder.qdc
expect "the QualCoder codebook imports: 38 codes" \
  '[ $rc -eq 0 ] && [ "$out" = "imported codebook '"'"'qualcoder'"'"' version 1 (38 codes)" ]'
run codebook show qualcoder --json
printf '%s' "$out" >qc.json
expect "... 9 at the top and 38 in all" \
  '[ "$(jq ".codes | length" qc.json)" -eq 9 ] && [ "$(jq "[.. | objects | select(has(\"guid\"))] | length" qc.json)" -eq 38 ]'
expect "... names kept as written (markup characters, non-ASCII)" \
  '[ "$(jq -r ".codes[2].name" qc.json)" = "Ünïcøde & <angle> \"quoted\" — 教师" ]'
expect "... a category (isCodable=false, no colour) is a code with children" \
  '[ "$(jq -r ".codes[3].name" qc.json)" = "Implementation Quality" ] && [ "$(jq ".codes[3].children | length" qc.json)" -eq 5 ] && [ "$(jq ".codes[3] | has(\"colour\")" qc.json)" = false ]'
expect "... the two-line description is the definition, its CRLF read as one line break" \
  '[ "$(jq -r ".codes[3].children[0].definition" qc.json)" = "$(printf "Teacher follows the published sequence.\nSecond line, after a hard break.")" ]'

# ---- Taguette 1.4.1: a codebook (.qdc) with an empty <Sets/> ------------------
# Taguette writes an empty Sets into every codebook; the schema wants at least
# one Set in it (xmllint says so). duet keeps no sets and passes it over.
# Counted by hand: 3 codes, upper-case GUIDs.
if have_xmllint; then
  xmllint --noout --schema "$qdc_xsd" "$fx/taguette-1.4.1-codebook.qdc" >xl.out 2>&1; rc=$?
  expect "xmllint: the Taguette codebook breaks the schema only by its empty Sets" \
    '[ $rc -ne 0 ] && grep -q "Sets.: Missing child element(s). Expected is ( {urn:QDA-XML:codebook:1.0}Set )" xl.out && [ "$(grep -c "error" xl.out)" -eq 1 ]'
fi
cp "$fx/taguette-1.4.1-codebook.qdc" taguette.qdc
run codebook import taguette.qdc
expect "the Taguette codebook imports: 3 codes" \
  '[ $rc -eq 0 ] && [ "$out" = "imported codebook '"'"'taguette'"'"' version 1 (3 codes)" ]'
run codebook show taguette --json
expect "... names and lower-cased GUIDs as written" \
  '[ "$(printf "%s" "$out" | jq -r "[.codes[].name] | join(\",\")")" = "interesting,Scarcity,public opinion" ] && [ "$(printf "%s" "$out" | jq -r ".codes[0].guid")" = "0d62985d-b147-5d01-a9b5-cae5dcd98342" ]'

# ---- ATLAS.ti 8.4 (macOS): the REFI-QDA standard project (.qde) ---------------
# Published as its XML alone, so make-qdpx.sh zips it as project.qde; its
# texts are not in the archive. Counted by hand: 3 users, 14 codes (flat), 6
# text sources with 6 selections and 7 codings, and 1 picture, 2 PDF, 1 audio
# and 2 video sources (line 87 is the picture). duet imports text only, and
# says so before it looks for any text.
if have_xmllint; then
  xmllint --noout --schema "$qde_xsd" "$fx/atlasti-8.4-standard-project.qde" >xl.out 2>&1; rc=$?
  expect "xmllint: the ATLAS.ti project follows the schema" '[ $rc -eq 0 ]'
fi
expect "hand counts: 14 codes, 6 text sources, 6 text selections, 7 of their codings" \
  '[ "$(grep -c "<Code " "$fx/atlasti-8.4-standard-project.qde")" -eq 14 ] && [ "$(grep -c "<TextSource " "$fx/atlasti-8.4-standard-project.qde")" -eq 6 ] && [ "$(sed -n "/<TextSource /,/<\/TextSource>/p" "$fx/atlasti-8.4-standard-project.qde" | grep -c "<PlainTextSelection ")" -eq 6 ] && [ "$(sed -n "/<TextSource /,/<\/TextSource>/p" "$fx/atlasti-8.4-standard-project.qde" | grep -c "<Coding ")" -eq 7 ]'
sh "$fx/make-qdpx.sh" "$fx/atlasti-8.4-standard-project.qde" atlas.qdpx
run codebook list --json
before=$out
expect_error "the ATLAS.ti project is refused for its picture, named with its line" 1 \
  "atlas.qdpx: project.qde:87: duet imports text sources only; 'cornflakes-n-milk.jpg' is a PictureSource" \
  coding import atlas.qdpx
run codebook list --json
expect "... and nothing is stored" '[ "$out" = "$before" ]'
run coding coders --json
expect "... no coder either" '[ "$out" = "[]" ]'
# ATLAS.ti 26 names the XML after the project rather than project.qde.
sh "$fx/make-qdpx.sh" "$fx/atlasti-8.4-standard-project.qde" atlas26.qdpx "ATLAS.ti standard project.qde"
expect_error "a project XML named after the project is read, and named in the message" 1 \
  "atlas26.qdpx: ATLAS.ti standard project.qde:87: duet imports text sources only" \
  coding import atlas26.qdpx

# ---- MAXQDA 24: a code named in 124 characters --------------------------------
# A real MAXQDA 24 project (README.md: seen, not kept here) named a code in 124
# characters, which the old limit of 120 refused. The same length, written
# here, imports; so does 1,000; 1,001 is refused naming the limit.
long=$(printf 'REGION - Europe - Eastern, Central and South-Eastern Europe (Poland, Hungary, Romania, Austria, Czechia, Slovakia, Slovenia)')
qdc_with() {
  printf '<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="MAXQDA 24 (Release 24.7.0)"><Codes><Code guid="A5F4A4C6-377B-43BF-BD9F-3C5CAEB010B8" name="%s" isCodable="true" color="#d9f6bd"/></Codes></CodeBook>\n' "$1" >"$2"
}
qdc_with "$long" maxqda.qdc
expect "the test name is 124 characters" '[ "$(printf "%s" "$long" | wc -m)" -eq 124 ]'
run codebook import maxqda.qdc
expect "a 124-character code name imports" '[ $rc -eq 0 ] && [ "$(duet_name=$($DUET codebook show maxqda --json | jq -r ".codes[0].name"); printf "%s" "$duet_name")" = "$long" ]'
qdc_with "$(printf '%01000d' 0 | tr 0 x)" long1000.qdc
run codebook import long1000.qdc
expect "a 1,000-character code name imports" '[ $rc -eq 0 ]'
qdc_with "$(printf '%01001d' 0 | tr 0 x)" long1001.qdc
expect_error "a 1,001-character code name is refused naming the limit" 1 \
  "1001 characters; the limit is 1000" codebook import long1001.qdc
