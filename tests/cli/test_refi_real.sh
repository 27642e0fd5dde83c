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
# text sources with 6 selections and 7 codings, and 6 sources that are not
# texts (line 87 is the first): the picture cornflakes-n-milk.jpg (1
# selection, 2 codings), the PDFs Kellogg's Passion for Nutrition.pdf (none)
# and Pay de Limón... (4 PDFSelections and the 2 PlainTextSelections of its
# text Representation, 6 codings), the audio Jeanine's Breakfast.m4a (none),
# the videos 1960s Coca Cola commercial.mp4 (none) and 1994 Diet Coke-Diet
# Coke Break.mp4 (2 VideoSelections, 1 coding): 9 selections and 9 codings
# on them. By default duet refuses the project for its picture, before it
# looks for any text, and says how to import the rest.
atl="$fx/atlasti-8.4-standard-project.qde"
if have_xmllint; then
  xmllint --noout --schema "$qde_xsd" "$atl" >xl.out 2>&1; rc=$?
  expect "xmllint: the ATLAS.ti project follows the schema" '[ $rc -eq 0 ]'
fi
expect "hand counts: 14 codes, 6 text sources, 6 text selections, 7 of their codings" \
  '[ "$(grep -c "<Code " "$atl")" -eq 14 ] && [ "$(grep -c "<TextSource " "$atl")" -eq 6 ] && [ "$(sed -n "/<TextSource /,/<\/TextSource>/p" "$atl" | grep -c "<PlainTextSelection ")" -eq 6 ] && [ "$(sed -n "/<TextSource /,/<\/TextSource>/p" "$atl" | grep -c "<Coding ")" -eq 7 ]'
expect "hand counts: from line 87 to </Sources>, 6 sources that are not texts, 9 selections, 9 codings" \
  '[ "$(sed -n "87,/<\/Sources>/p" "$atl" | grep -cE "<(Picture|PDF|Audio|Video)Source ")" -eq 6 ] && [ "$(sed -n "87,/<\/Sources>/p" "$atl" | grep -cE "<[A-Za-z]*Selection ")" -eq 9 ] && [ "$(sed -n "87,/<\/Sources>/p" "$atl" | grep -c "<Coding ")" -eq 9 ] && [ "$(sed -n "1,86p" "$atl" | grep -cE "<(Picture|PDF|Audio|Video)Source ")" -eq 0 ]'
sh "$fx/make-qdpx.sh" "$atl" atlas.qdpx
run codebook list --json
before=$out
expect_error "the ATLAS.ti project is refused for its picture, named with its line" 1 \
  "atlas.qdpx: project.qde:87: duet imports text sources only; 'cornflakes-n-milk.jpg' is a PictureSource (6 of the project's sources are not texts; --text-only imports the text sources and skips them)" \
  coding import atlas.qdpx
run codebook list --json
expect "... and nothing is stored" '[ "$out" = "$before" ]'
run coding coders --json
expect "... no coder either" '[ "$out" = "[]" ]'
# ATLAS.ti 26 names the XML after the project rather than project.qde.
sh "$fx/make-qdpx.sh" "$atl" atlas26.qdpx "ATLAS.ti standard project.qde"
expect_error "a project XML named after the project is read, and named in the message" 1 \
  "atlas26.qdpx: ATLAS.ti standard project.qde:87: duet imports text sources only" \
  coding import atlas26.qdpx
# --text-only without the texts: the first text source's file is missing.
expect_error "with --text-only and no texts, the missing text is named" 1 \
  "atlas.qdpx: project.qde:42: source '69a4332d-5b31-4915-b520-5275cfc21b40': sources/01106019-2518-43DD-BBD1-8F025... is not in the archive" \
  coding import --text-only atlas.qdpx
run coding coders --json
expect "... and nothing is stored" '[ "$out" = "[]" ]'
# --text-only with stand-in texts (2,000 characters each, since the published
# project has none): the text sources import with their selections and
# codings; the six others are skipped and listed.
sh "$fx/make-qdpx.sh" --stand-in-texts "$atl" atlas-t.qdpx
expect "the archive holds project.qde and 6 stand-in texts, nothing for the media" \
  '[ "$(unzip -Z1 atlas-t.qdpx | grep -c "^sources/.*\.txt$")" -eq 6 ] && [ "$(unzip -Z1 atlas-t.qdpx | grep -vc "^sources/")" -eq 1 ]'
run coding import --text-only atlas-t.qdpx
expect "with --text-only the ATLAS.ti project imports: 14 codes, 3 users, 6 sources, 6 selections" \
  '[ $rc -eq 0 ] && [ "$out" = "imported atlas-t.qdpx: codebook '"'"'imported'"'"' version 1 (14 codes), 3 users, 6 sources, 6 selections" ]'
expect "... stderr names the 6 skipped sources with their 9 selections and 9 codings" \
  'printf "%s\n" "$err" | head -1 | grep -qx "skipped 6 sources that are not texts, with 9 selections and 9 codings on them:" && printf "%s\n" "$err" | grep -qx "  picture '"'"'cornflakes-n-milk.jpg'"'"': 1 selection, 2 codings" && printf "%s\n" "$err" | grep -qx "  video '"'"'1994 Diet Coke-Diet Coke Break.mp4'"'"': 2 selections, 1 coding" && [ "$(printf "%s\n" "$err" | wc -l)" -eq 7 ]'
run coding coders --json
expect "... the coding user has the 6 selections and 7 codings (ATLAS.ti names users as written)" \
  '[ "$(printf "%s" "$out" | jq length)" -eq 3 ] && [ "$(printf "%s" "$out" | jq -r ".[] | select(.selections > 0) | \"\(.coder) \(.selections) \(.codings)\"")" = "ATLAS.ti user 2 6 7" ]'
run coding documents --json
expect "... 6 imported texts of 2,000 characters" \
  '[ "$(printf "%s" "$out" | jq "[.[] | select(.kind == \"imported\" and .length == 2000)] | length")" -eq 6 ]'
export DUET_DB="$work/atlas-json.db"
"$DUET" init >/dev/null
run coding import --text-only --json atlas-t.qdpx
printf '%s' "$out" >at.json
expect "--json: the counts, and skipped_sources with name and kind, in the file's order" \
  '[ $rc -eq 0 ] && [ "$(jq -c "[.codes, .users, .sources, .selections, .codings, .skipped_selections, .skipped_codings]" at.json)" = "[14,3,6,6,7,9,9]" ] && [ "$(jq -r "[.skipped_sources[].kind] | join(\",\")" at.json)" = "picture,pdf,pdf,audio,video,video" ] && [ "$(jq -r ".skipped_sources[3].name" at.json)" = "Jeanine'"'"'s Breakfast.m4a" ] && [ "$(jq -c "[.skipped_sources[] | [.selections, .codings]]" at.json)" = "[[1,2],[0,0],[6,6],[0,0],[0,0],[2,1]]" ]'
expect "... the PDF's name as written, in Unicode NFD (o and a combining acute accent)" \
  '[ "$(jq -r ".skipped_sources[2].name" at.json)" = "$(printf "Pay de Limo\314\201n con Base de Granola | Kellogg'"'"'s \302\256.pdf")" ]'
export DUET_DB="$work/test.db"

# ---- ATLAS.ti Windows 23.4.0: a codebook (.qdc) -------------------------------
# As kept in requal's tests: one code with a colour and a description, one
# code group (a Set whose MemberCode names the code by guid, as the codebook
# schema has it); xsi:schemaLocation names the namespace 0:4 while xmlns is
# 1.0. Counted by hand: 1 code, 1 set (duet keeps no sets).
if have_xmllint; then
  xmllint --noout --schema "$qdc_xsd" "$fx/atlasti-win-23.4.0-codebook.qdc" >xl.out 2>&1; rc=$?
  expect "xmllint: the ATLAS.ti Windows codebook follows the schema" '[ $rc -eq 0 ]'
fi
cp "$fx/atlasti-win-23.4.0-codebook.qdc" atlas23.qdc
run codebook import atlas23.qdc
expect "the ATLAS.ti Windows codebook imports: 1 code" \
  '[ $rc -eq 0 ] && [ "$out" = "imported codebook '"'"'atlas23'"'"' version 1 (1 codes)" ]'
run codebook show atlas23 --json
expect "... its name, description, colour and lower-cased GUID as written" \
  '[ "$(printf "%s" "$out" | jq -c "[.codes[] | [.name, .definition, .colour, .guid]]")" = "[[\"code1\",\"description\",\"#46AA00\",\"1ff58b12-6f6f-4b0c-8be5-bbdc91f55294\"]]" ]'

# ---- f4analyse 2025.2.9: a project (.qde) ---------------------------------------
# Published as its XML alone (the validator's test data of the OpenQDA REFI
# tools). Counted by hand: no users, 1 code (its Description and a NoteRef),
# 4 text sources (lower-case GUIDs, a richTextPath each); the third holds 4
# selections: 320..416 and 995..1260 with one coding each, 603..812 and
# 995..1260 again with a Description and a NoteRef and no coding; 3 notes
# with their texts in the (missing) archive. 2 codings in all, none naming a
# user, so one unnamed coder holds them.
f4="$fx/f4-2025.2.9-project.qde"
if have_xmllint; then
  xmllint --noout --schema "$qde_xsd" "$f4" >xl.out 2>&1; rc=$?
  expect "xmllint: the f4 project follows the schema" '[ $rc -eq 0 ]'
fi
expect "hand counts: 1 code, 4 text sources, 4 selections, 2 codings, no users" \
  '[ "$(grep -c "<Code " "$f4")" -eq 1 ] && [ "$(grep -c "<TextSource " "$f4")" -eq 4 ] && [ "$(grep -c "<PlainTextSelection " "$f4")" -eq 4 ] && [ "$(grep -c "<Coding " "$f4")" -eq 2 ] && ! grep -q "<User " "$f4"'
sh "$fx/make-qdpx.sh" "$f4" f4-bare.qdpx
expect_error "without its texts the f4 project is refused, naming the missing text" 1 \
  "f4-bare.qdpx: project.qde:12: source '333e1cde-f6c3-46c8-98cb-6e92eb1169a1': sources/333e1cde-f6c3-46c8-98cb-6e92e... is not in the archive" \
  coding import f4-bare.qdpx
export DUET_DB="$work/f4.db"
"$DUET" init >/dev/null
sh "$fx/make-qdpx.sh" --stand-in-texts "$f4" f4.qdpx
run coding import --json f4.qdpx
printf '%s' "$out" >f4.json
expect "with stand-in texts the f4 project imports: 1 code, 0 users, 4 sources, 4 selections, 2 codings" \
  '[ $rc -eq 0 ] && [ "$(jq -c "[.codes, .users, .sources, .selections, .codings, (.skipped_sources | length)]" f4.json)" = "[1,0,4,4,2,0]" ] && [ -z "$err" ]'
run coding coders --json
expect "... one unnamed coder with the 4 selections and 2 codings" \
  '[ "$(printf "%s" "$out" | jq -c "[.[] | [.coder, .selections, .codings]]")" = "[[\"(unnamed coder)\",4,2]]" ]'
run codebook show imported --json
expect "... the code's name, description and colour as written" \
  '[ "$(printf "%s" "$out" | jq -c "[.codes[] | [.name, .definition, .colour]]")" = "[[\"Dies ist ein Test-Code\",\"Dies ist der Kommentar vom Test-Code\",\"#044B9B\"]]" ]'
export DUET_DB="$work/test.db"

# ---- OpenQDA (a development build): a project (.qde) that breaks the schema ---
# origin="OpenQDA-x.y.z-commit-hash", kept by the OpenQDA REFI tools as the
# validator's invalid example. Counted by hand: attributes the schema does not
# have (description and creatingUserId on Project, email on User,
# creatingUserId on each of 4 TextSources) and a Codebook element (the schema
# has CodeBook holding Codes): 8 errors. duet names the first, as xmllint
# does, with its line; nothing is stored.
oq="$fx/openqda-dev-project.qde"
if have_xmllint; then
  xmllint --noout --schema "$qde_xsd" "$oq" >xl.out 2>&1; rc=$?
  first=$(grep -m1 "Schemas validity error" xl.out | sed 's/.*Schemas validity error : //')
  expect "xmllint: the OpenQDA project breaks the schema, 8 times, first on line 6" \
    '[ $rc -ne 0 ] && [ "$(grep -c "Schemas validity error" xl.out)" -eq 8 ] && grep -m1 "Schemas validity error" xl.out | grep -q "^[^:]*:6: " && [ "$first" = "Element '"'"'{urn:QDA-XML:project:1.0}Project'"'"', attribute '"'"'description'"'"': The attribute '"'"'description'"'"' is not allowed." ]'
fi
sh "$fx/make-qdpx.sh" "$oq" openqda.qdpx
run coding coders --json
before=$out
expect_error "duet refuses the OpenQDA project for the same first schema error, on line 6" 1 \
  "openqda.qdpx: project.qde:6: does not follow the REFI-QDA project schema: Element '{urn:QDA-XML:project:1.0}Project', attribute 'description': The attribute 'description' is not allowed." \
  coding import --text-only openqda.qdpx
run coding coders --json
expect "... and nothing is stored" '[ "$out" = "$before" ]'

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
