# duet stats qfactor: the hand-worked case of tests/unit/test_qfactor.c through the
# command line, agreement with R's psych on a fixture, every key of --json, the
# tables, and refusals that name file, line, column and reason (exit 1) or the
# usage (exit 2).
fixtures=$(cd "$(dirname "$0")/../fixtures/qfactor" && pwd)
. "$(dirname "$0")/lib.sh"
cp "$fixtures/small.csv" small.csv

# The hand-worked case (tests/unit/test_qfactor.c has the arithmetic).
cat > hand.csv <<'CSV'
statement,ana,ben,cat,dev
s1,-2,-2,-1,0
s2,-1,-1,0,0
s3,-1,-1,1,-1
s4,0,0,2,1
s5,0,1,-2,-1
s6,1,0,0,2
s7,1,2,1,1
s8,2,1,-1,-2
CSV

run stats qfactor --help
expect "stats qfactor --help prints the usage" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | grep -qF "qfactor FILE.csv --factors F" &&
   printf "%s" "$out" | grep -qF -- "--extract M"'

# near FILTER WANT [TOL] — the number FILTER picks from $out is within TOL (1e-9) of WANT.
near() {
  printf '%s' "$out" | jq -e --argjson w "$2" --argjson tol "${3:-1e-9}" \
    "($1) as \$g | (\$g | type) == \"number\" and ((\$g - \$w) | fabs) <= \$tol" >/dev/null
}

run stats qfactor hand.csv --factors 2 --json
expect "--json has every key" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | jq -e "[\"model\", \"file\", \"n_statements\", \"n_sorts\",
     \"n_factors\", \"extraction\", \"rotation\", \"varimax_iterations\", \"grid\", \"flag_threshold\",
     \"eigenvalues\", \"explained_variance\", \"n_flagged\", \"reliability\", \"se\", \"loadings\",
     \"statements\", \"distinguishing\", \"consensus\"] - keys == []" >/dev/null &&
   printf "%s" "$out" | jq -e "(.loadings[0] | keys) == [\"defines\", \"flagged\", \"loadings\", \"sort\", \"weights\"] and
     (.statements[0] | keys) == [\"consensus\", \"factor_array\", \"statement\", \"z_scores\"] and
     has(\"correlations\") == false" >/dev/null'
expect "hand case: sizes, method and grid" \
  '[ "$(printf "%s" "$out" | jq -c "[.model, .n_statements, .n_sorts, .n_factors, .extraction, .rotation, .varimax_iterations, [.grid[] | [.value, .count]]]")" = "[\"qfactor\",8,4,2,\"pca\",\"varimax\",2,[[-2,1],[-1,2],[0,2],[1,2],[2,1]]]" ]'
expect "hand case: eigenvalues 11/6 and 3/2, loadings sqrt(11/12) and sqrt(3/4)" \
  'near ".eigenvalues[0]" 1.8333333333333333 && near ".eigenvalues[1]" 1.5 &&
   near ".loadings[0].loadings[0]" 0.95742710775633811 && near ".loadings[1].loadings[0]" 0.95742710775633811 &&
   near ".loadings[2].loadings[1]" 0.86602540378443865 && near ".loadings[3].loadings[1]" 0.86602540378443865 &&
   near ".loadings[0].loadings[1] | fabs" 0 && near ".loadings[2].loadings[0] | fabs" 0 &&
   near ".explained_variance[0]" 0.45833333333333333 && near ".explained_variance[1]" 0.375'
expect "hand case: flags, the defining factor, weights" \
  '[ "$(printf "%s" "$out" | jq -c "[.loadings[] | [.sort, .defines, .flagged]]")" = "[[\"ana\",1,[true,false]],[\"ben\",1,[true,false]],[\"cat\",2,[false,true]],[\"dev\",2,[false,true]]]" ] &&
   near ".loadings[0].weights[0]" 11.489125293076057 1e-8 && near ".loadings[3].weights[1]" 3.4641016151377546 1e-8 &&
   near ".flag_threshold" 0.69296464556281663'
expect "hand case: z-scores, factor arrays, reliability 8/9 and SE 1/3" \
  'near ".statements[0].z_scores[0]" -1.5954480704349263 && near ".statements[4].z_scores[1]" -1.3228756555322954 &&
   near ".statements[7].z_scores[0]" 1.1965860528261947 &&
   [ "$(printf "%s" "$out" | jq -c "[.statements[] | .factor_array]")" = "[[-2,-1],[-1,0],[-1,0],[0,2],[0,-2],[1,1],[1,1],[2,-1]]" ] &&
   near ".reliability[0]" 0.88888888888888884 && near ".se[1]" 0.33333333333333333 &&
   [ "$(printf "%s" "$out" | jq -c .n_flagged)" = "[2,2]" ]'
expect "hand case: distinguishing statements and consensus" \
  '[ "$(printf "%s" "$out" | jq -c "[.distinguishing[] | [.statement, .factors, .p_below]]")" = "[[\"s1\",[1,2],0.05],[\"s4\",[1,2],0.01],[\"s5\",[1,2],0.01],[\"s8\",[1,2],0.01]]" ] &&
   near ".distinguishing[0].difference" -1.1544895185908279 &&
   [ "$(printf "%s" "$out" | jq -c ".consensus, [.statements[] | .consensus]")" = "$(printf "[\"s2\",\"s3\",\"s6\",\"s7\"]\n[false,true,true,false,false,true,true,false]")" ]'

run stats qfactor hand.csv --factors 2 --json --correlations
expect "--correlations adds the sort x sort matrix" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq -c ".correlations.sorts")" = "[\"ana\",\"ben\",\"cat\",\"dev\"]" ] &&
   near ".correlations.r[0][1]" 0.83333333333333333 && near ".correlations.r[2][3]" 0.5 &&
   near ".correlations.r[1][2]" 0 && near ".correlations.r[3][3]" 1'

run stats qfactor hand.csv --factors 2
expect "the tables for people: factors, flagged loadings, arrays, distinguishing, consensus" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | grep -qF "Q-methodology factor analysis: principal components, varimax rotation" &&
   printf "%s" "$out" | grep -qF "hand.csv: 8 statements x 4 sorts" &&
   printf "%s" "$out" | grep -qF "grid: -2 (1) -1 (2) 0 (2) +1 (2) +2 (1)" &&
   printf "%s" "$out" | grep -q "^f1 *1\.8333 *45\.8% *2 *0\.8889 *0\.3333$" &&
   printf "%s" "$out" | grep -q "^ana *0\.9574\* *0\.0000 $" &&
   printf "%s" "$out" | grep -q "^s8 *+2 ( 1\.197) *-1 (-1\.323)$" &&
   printf "%s" "$out" | grep -q "^s1 *f1-f2 *-1\.154 \*$" && printf "%s" "$out" | grep -q "^s8 *f1-f2 *2\.519 \*\*$" &&
   printf "%s" "$out" | grep -qx "s2, s3, s6, s7"'

run stats qfactor small.csv --factors 2 --json
expect "a fixture: loadings and eigenvalues equal psych::principal's (tests/fixtures/qfactor/small.pca.varimax.csv)" \
  '[ $rc -eq 0 ] && near ".eigenvalues[0]" 3.1376539238361989 && near ".eigenvalues[1]" 2.1778609708271794 &&
   near ".loadings[0].loadings[0]" 0.91891455439693448 && near ".loadings[3].loadings[1]" -0.84652323356781178 &&
   near ".loadings[7].loadings[0]" 0.44566943398547909'
run stats qfactor small.csv --factors 2 --extract centroid --rotate none --json
expect "the centroid, unrotated, equals the R reference (small.centroid.none.csv)" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq -c "[.extraction, .rotation, has(\"varimax_iterations\")]")" = "[\"centroid\",\"none\",false]" ] &&
   near ".loadings[0].loadings[0]" "$(grep "^loading\[0\]\[0\]," "$fixtures/small.centroid.none.csv" | cut -d, -f2)" &&
   near ".loadings[5].loadings[1]" "$(grep "^loading\[5\]\[1\]," "$fixtures/small.centroid.none.csv" | cut -d, -f2)"'

# ---- bad usage: exit 2 ----
expect_error "--factors is required" 2 "--factors is required" stats qfactor hand.csv
expect_error "--factors out of range" 2 "--factors '9': give a whole number from 1 to 8" stats qfactor hand.csv --factors 9
expect_error "--extract must be pca or centroid" 2 "--extract 'ml': give pca or centroid" stats qfactor hand.csv --factors 2 --extract ml
expect_error "--rotate must be varimax or none" 2 "--rotate 'promax': give varimax or none" stats qfactor hand.csv --factors 2 --rotate promax
expect_error "--correlations needs --json" 2 "--correlations goes with --json" stats qfactor hand.csv --factors 2 --correlations
expect_error "the file is required" 2 "give the CSV file of sorts to read" stats qfactor --factors 2
expect_error "an unknown option is refused" 2 "unknown option '--flag'" stats qfactor hand.csv --factors 2 --flag

# ---- bad data: exit 1, naming file, line, column and reason ----
sed 's/^s2,-1,-1,0,0$/s2,-1,-1.5,0,0/' hand.csv > frac.csv
expect_error "a fraction names file, line and sort" 1 \
  "frac.csv:3: column 'ben': '-1.5' is not a whole number" stats qfactor frac.csv --factors 2
sed 's/^s3,-1,-1,1,-1$/s3,-1,-1,,-1/' hand.csv > gap.csv
expect_error "a missing cell names file, line and sort" 1 \
  "gap.csv:4: column 'cat': no value; every statement needs a place in every sort" stats qfactor gap.csv --factors 2
sed 's/^s3,-1,-1,1,-1$/s3,-1,-1,NA,-1/' hand.csv > na.csv
expect_error "NA is a missing cell too" 1 "na.csv:4: column 'cat': no value" stats qfactor na.csv --factors 2
sed 's/^s4,0,0,2,1$/s4,0,zero,2,1/' hand.csv > word.csv
expect_error "a word is not a number" 1 "word.csv:5: column 'ben': 'zero' is not a number" stats qfactor word.csv --factors 2
sed '1s/.*/statement,ana,ben,ana,dev/' hand.csv > dup.csv
expect_error "a duplicate sort name names both columns" 1 \
  "dup.csv:1: sort 'ana' appears twice in the header (columns 2 and 4)" stats qfactor dup.csv --factors 2
sed '1s/.*/statement,ana,,cat,dev/' hand.csv > noname.csv
expect_error "a sort without a name" 1 "noname.csv:1: header column 3 has no name" stats qfactor noname.csv --factors 2
sed 's/^s7,/s1,/' hand.csv > dupid.csv
expect_error "a duplicate statement id names both lines" 1 \
  "dupid.csv:8: statement 's1' appears twice (lines 2 and 8)" stats qfactor dupid.csv --factors 2
# dev moves s2 from 0 to +2: it then holds 1 statement at 0 (the grid: 2) and 2 at +2 (the grid: 1)
sed 's/^s2,-1,-1,0,0$/s2,-1,-1,0,2/' hand.csv > grid.csv
expect_error "a sort off the first sort's grid" 1 \
  "grid.csv: sort 'dev': has 1 statement at 0, the grid holds 2" stats qfactor grid.csv --factors 2
sed 's/^s2,-1,-1,0,0$/s2,-1,-1,0,3/' hand.csv > out.csv
expect_error "a value outside the grid" 1 \
  "out.csv: sort 'dev': has 1 statement at +3, the grid holds none (its columns are -2 .. +2)" stats qfactor out.csv --factors 2
printf 'statement,ana,ben\ns1,1,2\ns2,0\n' > ragged.csv
expect_error "a ragged row names file and line" 1 "ragged.csv:3: expected 3 columns, found 2" stats qfactor ragged.csv --factors 1
printf 'statement,ana\ns1,1\n' > one.csv
expect_error "one sort is refused" 1 "one.csv:1: the header has 2 columns; expected the statement column, then one column per sort (at least two)" \
  stats qfactor one.csv --factors 1
printf 'statement,ana,ben\n' > empty.csv
expect_error "no statements" 1 "empty.csv: no statements: the file has a header but no rows" stats qfactor empty.csv --factors 1
: > nothing.csv
expect_error "an empty file" 1 "nothing.csv: the file is empty" stats qfactor nothing.csv --factors 1
expect_error "more factors than sorts allow" 1 "hand.csv: 4 factors from 4 sorts: extract fewer factors than there are sorts" \
  stats qfactor hand.csv --factors 4
expect_error "a missing file" 1 "nothere.csv" stats qfactor nothere.csv --factors 2
