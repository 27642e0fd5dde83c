# Coding from the command line: which texts are codable (never a private
# reflection), coding passages in code points, refusals with exit codes, the
# JSON and CSV exports, blind mode, memos, agreement between coders
# (expected values worked out by hand below), and the REFI-QDA project:
# exported, validated by xmllint, imported into a fresh database and
# exported again with the same selections; invalid projects refused whole.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib.sh"
xsd="$top/data/refi-qda/Project.xsd"
V=68570dc7-977f-53a6-a4d3-6d201fd2410a   # Voice, in the starter codebook
T=aa935c9a-a6f5-523a-a8be-eb67888fc240   # Trust

run init
"$DUET" programme add Prog >/dev/null
"$DUET" cohort add --programme Prog C >/dev/null
"$DUET" module add --cohort C --number 1 >/dev/null
for p in lena sami; do "$DUET" person add $p --name "Person $p" >/dev/null; done
"$DUET" person add nora --name "No Consent" >/dev/null
"$DUET" partnership add --cohort C P1 --member lena:patient_leader --member sami:clinician >/dev/null
"$DUET" consent give --person lena --purpose research >/dev/null
"$DUET" consent give --person sami --purpose research >/dev/null
for r in ann ben; do
  "$DUET" person add $r --name "Coder $r" >/dev/null
  echo "a-long-enough-password" | "$DUET" user add --person $r --role researcher --password-stdin >/dev/null
done
# A reflection with non-ASCII text: "Ça va" is 5 code points but 6 bytes.
"$DUET" reflection add --person lena --partnership P1 --module 1 --visibility programme \
  --text "Ça va. We decide together now." >/dev/null
"$DUET" reflection add --person lena --partnership P1 --module 1 --visibility private \
  --text "PRIVATE words" >/dev/null
"$DUET" reflection add --person sami --partnership P1 --module 1 --visibility programme \
  --text "I listen more than I did." >/dev/null

run coding documents --json
expect "coding documents lists the two shared reflections, not the private one" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq length)" -eq 2 ] && ! printf "%s" "$out" | grep -q PRIVATE'
d1=$(printf '%s' "$out" | jq -r '.[] | select(.pseudonym == "P1-L1") | .id')
d2=$(printf '%s' "$out" | jq -r '.[] | select(.pseudonym == "P1-S1") | .id')
expect "lengths are in code points" \
  '[ "$(printf "%s" "$out" | jq ".[] | select(.id == $d1) | .length")" -eq 30 ]'
expect "authors appear by pseudonym" '! printf "%s" "$out" | grep -q "Person"'

# ---- coding and refusals -------------------------------------------------------
run coding add reflection "$d1" 0 5 "$V" --coder ann
expect "coding add prints the selection's GUID" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | grep -Eq "^[0-9a-f-]{36}$"'
sel=$out
run coding show reflection "$d1" --json
expect "coding show gives the text and the coded passage" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq -r ".selections[0].codes[0].name")" = Voice ]'
private=$(( d1 + 1 ))
expect_error "a private reflection is not codable (not found)" 1 "no codable reflection" \
  coding add reflection "$private" 0 5 "$V" --coder ann
expect_error "a passage past the end is refused" 1 "past the end of the text (30 characters)" \
  coding add reflection "$d1" 25 31 "$V" --coder ann
expect_error "an empty passage is refused" 1 "must be before end" \
  coding add reflection "$d1" 5 5 "$V" --coder ann
expect_error "an unknown code is refused" 1 "no codebook has a code" \
  coding add reflection "$d1" 0 5 00000000-0000-4000-8000-000000000000 --coder ann
expect_error "someone without an account cannot code" 1 "has no account" \
  coding add reflection "$d1" 0 5 "$V" --coder lena
expect_error "a kind that is not one is a usage error" 2 "not one of reflection" \
  coding add essay 1 0 5 "$V" --coder ann
expect_error "coding add without --coder is a usage error" 2 "--coder" \
  coding add reflection "$d1" 0 5 "$V"
expect_error "another coder cannot remove ann's passage" 1 "has no selection" \
  coding remove "$sel" --coder ben

# ---- agreement ----------------------------------------------------------------
# ann: d1 [0,5) Voice, [7,15) Trust;   ben: d1 [0,5) Voice, [7,15) Voice.
# Units: [0,5) and [7,15) (the gap [5,7) nobody selected).
# Voice: (1,1), (0,1): four values, three 1s: D_o = 2/4, D_e = 2*3*1/(4*3)
#   = 1/2, alpha = 0; agreement 1/2.  Trust: (0,0), (1,0): alpha = 0 by the
#   same count; agreement 1/2.  Pooled: 8 values, four 1s, 4 disagreeing
#   pairs: D_o = 4/8, D_e = 2*4*4/(8*7) = 4/7, alpha = 1 - 7/8 = 0.125.
"$DUET" coding add reflection "$d1" 7 15 "$T" --coder ann >/dev/null
"$DUET" coding add reflection "$d1" 0 5 "$V" --coder ben >/dev/null
"$DUET" coding add reflection "$d1" 7 15 "$V" --coder ben >/dev/null
run analyse agreement --json
expect "analyse agreement: pooled alpha 1/8 over 2 units" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq ".units")" -eq 2 ] && printf "%s" "$out" | jq -e ".all_codes.alpha == 0.125 and (.codes[] | select(.name == \"Voice\") | .alpha == 0 and .percent_agreement == 0.5)" >/dev/null'
run analyse agreement
expect "analyse agreement prints a table for people" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "^Voice  *0.000  *50.0%" && printf "%s" "$out" | grep -q "^(all codes)  *0.125"'
expect_error "agreement with one coder says it needs two" 1 "two coders or more" \
  analyse agreement --coders ann
expect_error "agreement names a coder without codings" 1 "'zed' has no codings" \
  analyse agreement --coders ann,zed

# ---- exports ------------------------------------------------------------------
run coding export --csv
expect "coding export --csv: a header and one row per code applied, with the passage" \
  '[ $rc -eq 0 ] && [ "$(printf "%s\n" "$out" | head -1)" = "cohort,partnership,module,kind,document,source,author,side,coder,selection,start,end,code,code_name,passage" ] && [ "$(printf "%s\n" "$out" | wc -l)" -eq 5 ] && printf "%s" "$out" | grep -q ",0,5,$V,Voice,Ça va$"'
run coding export
expect "coding export writes JSON with numbers as numbers" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq length)" -eq 4 ] && printf "%s" "$out" | jq -e ".[0].start | type == \"number\"" >/dev/null'
expect_error "--names and --pseudonymise do not go together" 2 "choose one of --names and --pseudonymise" \
  coding export --csv --names --pseudonymise
expect_error "--exact goes with --csv" 2 "--exact goes with --csv" coding export --exact

# ---- blind mode and memos -----------------------------------------------------
run coding blind
expect "blind coding is on by default" '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "is on"'
run coding blind off
expect "coding blind off reveals" '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "is off"'
run coding memo reflection "$d1" --text "Voice here is about the board." --json
expect "coding memo adds and lists a memo on the document" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq -r ".[0].text")" = "Voice here is about the board." ]'

# ---- REFI-QDA project ---------------------------------------------------------
run coding export --qdpx --names --out p.qdpx
expect "coding export --qdpx --names writes a zip with project.qde and the sources" \
  '[ $rc -eq 0 ] && unzip -l p.qdpx | grep -q " project.qde$" && [ "$(unzip -l p.qdpx | grep -c " sources/")" -eq 2 ]'
if command -v xmllint >/dev/null 2>&1; then
  unzip -p p.qdpx project.qde | xmllint --noout --schema "$xsd" - >xl.out 2>&1; rc=$?
  expect "xmllint validates project.qde against Project.xsd" '[ $rc -eq 0 ]'
fi
expect "the shipped Project.xsd is the REFI-QDA one (its SHA-256 in data/refi-qda/README.md)" \
  '(cd "$top/data/refi-qda" && grep " Project.xsd$" README.md | sed "s/^ *//" | sha256sum -c --status -)'
expect "the compiled-in Project.xsd is the data file" \
  '(cd "$top" && sh scripts/embed.sh qdpx_schema_xsd data/refi-qda/Project.xsd | cmp -s - src/io/qdpx_schema.c)'
expect "the project keeps the non-ASCII text" \
  'unzip -p p.qdpx "sources/*" | grep -q "Ça va. We decide together now."'
expect "the private reflection is not in the project" '! unzip -p p.qdpx | grep -q PRIVATE'
expect "a project with --names names authors" 'unzip -p p.qdpx project.qde | grep -q "by Person lena"'
run coding export --qdpx --pseudonymise --out pp.qdpx
expect "a pseudonymised project names authors by pseudonym (--pseudonymise is the default)" \
  '[ $rc -eq 0 ] && unzip -p pp.qdpx project.qde | grep -q "by P1-L1" && ! unzip -p pp.qdpx project.qde | grep -q "Person lena"'
expect_error "--qdpx needs a file" 2 "give --out FILE.qdpx" coding export --qdpx

export DUET_DB="$work/fresh.db"
"$DUET" init >/dev/null
run coding import p.qdpx
expect "coding import takes the project into a fresh database" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "2 users, 2 sources, 4 selections"'
run analyse agreement --json
expect "agreement in the fresh database is the same (alpha 1/8)" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | jq -e ".all_codes.alpha == 0.125" >/dev/null'
run coding export --csv
a=$(printf '%s\n' "$out" | cut -d, -f9-15 | sort)
b=$(DUET_DB="$work/test.db" "$DUET" coding export --csv | cut -d, -f9-15 | sort)
expect "the imported codings are the exported ones (coder, selection, positions, code, passage)" \
  '[ -n "$a" ] && [ "$a" = "$b" ]'
expect_error "importing the same project again is refused" 1 "already in this database" coding import p.qdpx
run coding coders --json
expect "nothing was added by the refused import" '[ "$(printf "%s" "$out" | jq length)" -eq 2 ]'

# Broken projects: refused whole, nothing written.
export DUET_DB="$work/third.db"
"$DUET" init >/dev/null
mkdir bad && (cd bad && unzip -q ../p.qdpx)
sed 's/urn:QDA-XML:project:1.0/urn:example:other/' bad/project.qde > bad/x && mv bad/x bad/project.qde
(cd bad && zip -q -r ../foreign.qdpx .)
expect_error "a project in a foreign namespace is refused" 1 "namespace" coding import foreign.qdpx
printf 'not a zip' > notzip.qdpx
expect_error "a file that is not a zip is refused" 1 "notzip.qdpx" coding import notzip.qdpx
run coding coders --json
expect "refused imports wrote nothing" '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq length)" -eq 0 ]'

# ---- memos on codes -----------------------------------------------------------
export DUET_DB="$work/test.db"
run codebook memo starter --code "$V" --text "Does silence count as voice?" --json
expect "codebook memo adds a memo to a code and lists it" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | jq -e ".[0].target == \"code\" and .[0].code == \"$V\" and .[0].text == \"Does silence count as voice?\"" >/dev/null'
expect_error "a memo on a code the codebook lacks is refused" 1 "has no code with guid" \
  codebook memo starter --code 00000000-0000-4000-8000-000000000000 --text "x"
expect_error "--code without --text is a usage error" 2 "--code goes with --text" \
  codebook memo starter --code "$V"
