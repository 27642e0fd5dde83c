# duet stats alpha / kappa: the published check values through the command line
# (tests/fixtures/agreement/, sources and check values in its README), every key of --json, text labels, and refusals that name file,
# line, column and reason (exit 1) or the usage (exit 2).
fixtures=$(cd "$(dirname "$0")/../fixtures/agreement" && pwd)
. "$(dirname "$0")/lib.sh"
cp "$fixtures/krippendorff-2011.csv" k.csv
cp "$fixtures/wikipedia-3x15.csv" w.csv

# near FILTER WANT [TOL] — the number FILTER picks from $out is within TOL (5e-5) of WANT.
near() {
  printf '%s' "$out" | jq -e --argjson w "$2" --argjson tol "${3:-5e-5}" \
    "($1) as \$g | (\$g | type) == \"number\" and ((\$g - \$w) | fabs) <= \$tol" >/dev/null
}

run stats alpha --help
expect "stats alpha --help prints the usage" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | grep -qF "alpha FILE.csv [--level" &&
   printf "%s" "$out" | grep -qF -- "--bootstrap B"'
run stats kappa --help
expect "stats kappa --help prints the usage" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | grep -qF "kappa FILE.csv [--json]"'

for case in "k.csv nominal 0.7434" "k.csv ordinal 0.8154" "k.csv interval 0.8491" \
            "k.csv ratio 0.7974" "w.csv nominal 0.6914" "w.csv ordinal 0.8067" \
            "w.csv interval 0.8108" "w.csv ratio 0.8089"; do
  set -- $case
  file=$1 level=$2 want=$3
  run stats alpha "$file" --level "$level" --json
  expect "alpha of $file at the $level level is $want" '[ $rc -eq 0 ] && near .alpha "$want"'
done

run stats alpha k.csv --json
expect "--json has every key; nominal is the default" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | jq -e "keys == ([\"statistic\", \"file\", \"level\", \"alpha\",
     \"d_o\", \"d_e\", \"n_units\", \"n_coders\", \"n_pairable_units\", \"n_pairable_values\",
     \"n_distinct_values\", \"n_unpaired_units\", \"labels\", \"bootstrap\"] | sort) and
     .level == \"nominal\" and .bootstrap == null and .n_units == 12 and .n_coders == 4 and
     .n_pairable_units == 11 and .n_pairable_values == 40 and .n_distinct_values == 5 and
     .n_unpaired_units == 1 and .labels == false" >/dev/null &&
   near .alpha 0.74342105263157898 1e-15'

run stats alpha k.csv --level interval
expect "the table reads alpha, the data and Krippendorff's reading" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | grep -qF "Krippendorff'"'"'s alpha (interval): 0.8491" &&
   printf "%s" "$out" | grep -qF "12 units x 4 coders; 11 pairable units with 40 values" &&
   printf "%s" "$out" | grep -qF "reliable (alpha >= .800)"'

run stats alpha k.csv --level interval --bootstrap 300 --seed 5 --json
first=$out
run stats alpha k.csv --level interval --bootstrap 300 --seed 5 --json
expect "--bootstrap gives a deterministic interval around alpha" \
  '[ $rc -eq 0 ] && [ "$out" = "$first" ] && printf "%s" "$out" | jq -e ".bootstrap | (keys == ([\"replicates\",
     \"used\", \"seed\", \"confidence\", \"lo\", \"hi\", \"method\"] | sort)) and .replicates == 300 and
     .seed == 5 and .lo < 0.8491 and .hi > 0.8491 and .hi <= 1" >/dev/null'

# Two units, (A,B) and (B,A), as text labels: alpha = -0.5; kappa = -1.
printf 'unit,ann,bob\nu1,A,B\nu2,B,A\n' > swap.csv
run stats alpha swap.csv --json
expect "text labels work for nominal alpha: -0.5" '[ $rc -eq 0 ] && near .alpha -0.5 1e-15 &&
   printf "%s" "$out" | jq -e ".labels == true" >/dev/null'

# Cohen: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no: p_o .70, p_e .50, kappa .400.
{
  echo "unit,a,b"
  i=0
  for pair in "20 yes yes" "5 yes no" "10 no yes" "15 no no"; do
    set -- $pair
    k=0
    while [ $k -lt "$1" ]; do i=$((i + 1)); k=$((k + 1)); echo "$i,$2,$3"; done
  done
  echo "51,,yes"
} > cohen.csv
run stats kappa cohen.csv --json
expect "Cohen's kappa 0.400 with p_o 0.70 and p_e 0.50; a half-coded unit is left out" \
  '[ $rc -eq 0 ] && near .kappa 0.4 1e-12 && near .p_o 0.7 1e-12 && near .p_e 0.5 1e-12 &&
   printf "%s" "$out" | jq -e ".statistic == \"cohen_kappa\" and .n_units == 51 and .n_used == 50 and
     .n_dropped == 1 and .n_raters == 2 and .n_categories == 2 and .labels == true and
     keys == ([\"statistic\", \"file\", \"kappa\", \"p_o\", \"p_e\", \"n_units\", \"n_coders\", \"n_used\",
     \"n_dropped\", \"n_raters\", \"n_categories\", \"labels\"] | sort)" >/dev/null'
run stats kappa cohen.csv
expect "Cohen's table" '[ $rc -eq 0 ] && printf "%s" "$out" | grep -qF "Cohen'"'"'s kappa (2 coders: a, b): 0.4000" &&
   printf "%s" "$out" | grep -qF "p_o 0.7000, chance agreement p_e 0.5000"'

# Fleiss: Wikipedia's 10 subjects x 14 raters from its counts table.
{
  printf 'subject'
  r=1; while [ $r -le 14 ]; do printf ',r%d' $r; r=$((r + 1)); done
  echo
  s=0
  for row in "0 0 0 0 14" "0 2 6 4 2" "0 0 3 5 6" "0 3 9 2 0" "2 2 8 1 1" "7 7 0 0 0" \
             "3 2 6 3 0" "2 5 3 2 2" "6 5 2 1 0" "0 2 2 3 7"; do
    s=$((s + 1))
    printf 's%d' $s
    cat=0
    for n in $row; do
      cat=$((cat + 1))
      k=0; while [ $k -lt "$n" ]; do printf ',%d' $cat; k=$((k + 1)); done
    done
    echo
  done
} > fleiss.csv
run stats kappa fleiss.csv --json
expect "Fleiss' kappa: P-bar 0.3780, P_e 0.2128, kappa 0.2099" \
  '[ $rc -eq 0 ] && near .p_o 0.3780 && near .p_e 0.2128 && near .kappa 0.2099 &&
   printf "%s" "$out" | jq -e ".statistic == \"fleiss_kappa\" and .n_raters == 14 and .n_categories == 5" >/dev/null'
run stats kappa fleiss.csv
expect "Fleiss' table" '[ $rc -eq 0 ] && printf "%s" "$out" | grep -qF "Fleiss'"'"' kappa (14 ratings per unit): 0.2099"'

# Refusals.
expect_error "unequal ratings refuse Fleiss" 1 "unit 2 has 4 ratings but unit 1 has 3" stats kappa k.csv
printf 'unit,a,b\n1,1,\n2,,2\n' > lone.csv
expect_error "no pairable unit" 1 "lone.csv: no pairable unit" stats alpha lone.csv
printf 'unit,a,b\n1,3,3\n2,3,3\n' > same.csv
expect_error "a single distinct value: alpha undefined" 1 "alpha is undefined" stats alpha same.csv
expect_error "a single distinct value: kappa undefined" 1 "kappa is undefined" stats kappa same.csv
printf 'unit,a,b\n1,1,2\n2,2,x\n' > text.csv
expect_error "text at the interval level names file, line and column" 1 \
  "text.csv:3: column 'b': 'x' is not a number; --level interval needs numbers" stats alpha text.csv --level interval
printf 'unit,a,b\n1,1,2\n2,2\n' > short.csv
expect_error "a short row names the line" 1 "short.csv:3" stats alpha short.csv
printf 'unit,a,a\n1,1,2\n' > dup.csv
expect_error "a coder named twice" 1 "coder 'a' appears twice" stats alpha dup.csv
printf 'unit,a,b\n1,1,2\n1,2,1\n' > dupu.csv
expect_error "a unit named twice" 1 "dupu.csv:3: unit '1' appears twice" stats alpha dupu.csv
printf 'unit,a\n1,1\n' > one.csv
expect_error "one coder is refused" 1 "one.csv:1: the header has 2 columns" stats alpha one.csv
printf 'unit,a,b\n1,-1,2\n2,2,2\n' > neg.csv
expect_error "ratio refuses negative values" 1 "negative" stats alpha neg.csv --level ratio
: > empty.csv
expect_error "an empty file" 1 "empty.csv: the file is empty" stats alpha empty.csv
expect_error "a missing file" 1 "nosuch.csv" stats alpha nosuch.csv
expect_error "a bad level is a usage error" 2 "--level 'metric'" stats alpha k.csv --level metric
expect_error "bad --bootstrap" 2 "--bootstrap '0'" stats alpha k.csv --bootstrap 0
expect_error "--seed without --bootstrap" 2 "--seed goes with --bootstrap" stats alpha k.csv --seed 3
expect_error "no file" 2 "give the CSV file" stats kappa
