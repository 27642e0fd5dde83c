# duet stats lmm: fits agree with lme4; bad usage exits 2, bad data exits 1.
# Check values: tests/fixtures/desc/lmm.out, made by lmm.R beside it.
fixtures=$(cd "$(dirname "$0")/../fixtures/desc" && pwd)
. "$(dirname "$0")/lib.sh"
cp "$fixtures/lmm.csv" lmm.csv

run stats --help
if [ "$rc" -ne 0 ]; then
  echo "not ok - duet has a 'stats' command (add cmd_stats to src/cli/main.c and cli.h)"
  exit 1
fi

# near FILTER WANT [REL] — the number FILTER picks from $out is within REL
# (default 1e-5) of WANT, relative to |WANT|. lme4 stops its optimiser at about
# 1e-6 in the variances, so those get 1e-4.
near() {
  printf '%s' "$out" | jq -e --argjson w "$2" --argjson tol "${3:-1e-5}" \
    "($1) as \$g | (\$g | type) == \"number\" and ((\$g - \$w) | fabs) <= \$tol * (\$w | fabs)" \
    >/dev/null
}

run stats lmm lmm.csv --y voice --fixed trust,module,sidecode --group pair --json
expect "REML, one factor: fits and reports the data used" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq -c "[.method, .response, .n_observations, .rows_read, .rows_dropped, .structure, .converged]")" = "[\"REML\",\"voice\",46,48,2,\"single\",true]" ]'
expect "dropped rows are counted on stderr with the first line" \
  'printf "%s" "$err" | grep -qF "dropped 2 rows with missing values (the first at line 8)"'
expect "REML, one factor: terms in order, intercept first" \
  '[ "$(printf "%s" "$out" | jq -c "[.fixed_effects[].term]")" = "[\"(Intercept)\",\"trust\",\"module\",\"sidecode\"]" ]'
expect "REML, one factor: estimates and SEs equal lme4's" \
  'near ".fixed_effects[0].estimate" 3.9367826388946692 && near ".fixed_effects[1].estimate" 0.24043804941735367 &&
   near ".fixed_effects[2].estimate" 0.25979064415431852 && near ".fixed_effects[3].estimate" 0.081633248988966456 &&
   near ".fixed_effects[0].se" 0.75615916494187363 && near ".fixed_effects[1].se" 0.13400062716172653 &&
   near ".fixed_effects[2].se" 0.12035128219575096 && near ".fixed_effects[3].se" 0.18941937949303217'
expect "REML, one factor: t and the Wald interval follow from estimate and SE" \
  'printf "%s" "$out" | jq -e "[.fixed_effects[] | ((.t - .estimate / .se) | fabs) < 1e-12 and
     ((.ci_lower - (.estimate - 1.959964 * .se)) | fabs) < 1e-6 and
     ((.ci_upper - (.estimate + 1.959964 * .se)) | fabs) < 1e-6] | all" >/dev/null'
expect "REML, one factor: variance components, SDs and likelihood equal lme4's" \
  'near ".random_effects[0].variance" 0.831990071072243 1e-4 && near ".random_effects[1].variance" 0.406759696830454 1e-4 &&
   [ "$(printf "%s" "$out" | jq -c "[.random_effects[] | [.group, .levels]]")" = "[[\"pair\",8],[\"residual\",null]]" ] &&
   printf "%s" "$out" | jq -e "[.random_effects[] | ((.sd * .sd - .variance) | fabs) < 1e-12] | all" >/dev/null &&
   near ".log_likelihood" -55.991023868597395 1e-8 && near ".aic" 123.98204773719479 1e-8 &&
   near ".bic" 134.95389611612936 1e-8'

run stats lmm lmm.csv --y voice --fixed trust --fixed module,sidecode --group pair --group person --json
expect "REML, person nested in pair: equals lme4's" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq -r .structure)" = nested ] &&
   [ "$(printf "%s" "$out" | jq -c "[.random_effects[] | [.group, .levels]]")" = "[[\"pair\",8],[\"person\",16],[\"residual\",null]]" ] &&
   near ".fixed_effects[0].estimate" 3.8955876801136937 && near ".fixed_effects[1].estimate" 0.25303738183451424 &&
   near ".fixed_effects[3].se" 0.2694138555786601 &&
   near ".random_effects[0].variance" 0.756004587265932 1e-4 && near ".random_effects[1].variance" 0.182917999549543 1e-4 &&
   near ".random_effects[2].variance" 0.302462954681298 1e-4 &&
   near ".log_likelihood" -54.187545433136734 1e-8 && near ".bic" 135.17558064169714 1e-8'

run stats lmm lmm.csv --y voice --fixed trust,module --group person --group pair --ml --json
expect "ML, nested: equals lme4's REML = FALSE" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq -r "[.method, .structure] | join(\" \")")" = "ML nested" ] &&
   near ".fixed_effects[0].estimate" 3.9428688404004979 && near ".fixed_effects[2].se" 0.10113041934646884 &&
   near ".random_effects[0].variance" 0.151975014031923 1e-4 && near ".random_effects[1].variance" 0.661487467651493 1e-4 &&
   near ".log_likelihood" -51.055093878424998 1e-8 && near ".aic" 114.11018775685 1e-8'

# module is a number, used here as a group: its values are group labels.
run stats lmm lmm.csv --y voice --fixed trust --group pair --group module --json
expect "REML, pair crossed with module: equals lme4's" \
  '[ $rc -eq 0 ] && [ "$(printf "%s" "$out" | jq -c "[.structure, .random_effects[1].levels, .n_observations]")" = "[\"crossed\",3,46]" ] &&
   near ".fixed_effects[0].estimate" 4.6298636602348378 && near ".fixed_effects[1].se" 0.13256316104735841 &&
   near ".random_effects[1].variance" 0.0382437912815532 1e-3 &&
   near ".log_likelihood" -55.939970731492053 1e-8'

run stats lmm lmm.csv --y voice --fixed trust,module,sidecode --group pair
expect "the table for people names the model, the data and both tables" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | grep -qF "Linear mixed model fit by REML" &&
   printf "%s" "$out" | grep -qF "voice ~ 1 + trust + module + sidecode + (1 | pair)" &&
   printf "%s" "$out" | grep -qF "46 observations (dropped 2 rows with missing values)" &&
   printf "%s" "$out" | grep -q "^(Intercept) *3\.93" && printf "%s" "$out" | grep -q "^residual " &&
   printf "%s" "$out" | grep -qF "log-likelihood (REML): -55.991" && printf "%s" "$out" | grep -qF "converged: yes"'

# ---- bad usage: exit 2 ----
expect_error "--y is required" 2 "--y is required" stats lmm lmm.csv --group pair
expect_error "--group is required" 2 "--group is required" stats lmm lmm.csv --y voice
expect_error "the file is required" 2 "give the CSV file to read" stats lmm --y voice --group pair
expect_error "an unknown column is a usage error naming the columns" 2 \
  "lmm.csv: no column 'trst' (the columns are: 'pair', 'person', 'side'" \
  stats lmm lmm.csv --y voice --fixed trst --group pair
expect_error "an unknown group column is a usage error" 2 "no column 'par'" \
  stats lmm lmm.csv --y voice --group par
expect_error "a column used as --y and --fixed is refused" 2 \
  "column 'voice' is used twice (in --y and in --fixed)" stats lmm lmm.csv --y voice --fixed trust,voice --group pair
expect_error "a column named twice in --fixed is refused" 2 "column 'trust' is named twice in --fixed" \
  stats lmm lmm.csv --y voice --fixed trust --fixed trust --group pair
expect_error "a column used as --group and --fixed is refused" 2 "column 'pair' is used twice" \
  stats lmm lmm.csv --y voice --fixed pair --group pair
expect_error "an empty name in --fixed is refused" 2 "--fixed 'trust,,module' has an empty column name" \
  stats lmm lmm.csv --y voice --fixed trust,,module --group pair
expect_error "three groups are refused" 2 "at most two --group factors" \
  stats lmm lmm.csv --y voice --group pair --group person --group module
expect_error "an unknown option is refused" 2 "unknown option '--colour'" \
  stats lmm lmm.csv --y voice --group pair --colour
expect_error "an unknown subcommand is refused" 2 "unknown subcommand 'anova'" stats anova

# ---- bad data: exit 1 ----
expect_error "a text column as a fixed effect is refused with advice" 1 \
  "lmm.csv:2: column 'side' is not numeric ('patient'; 47 more cells in it are not numbers either); code it as numbers (e.g. 0/1) or leave it out" \
  stats lmm lmm.csv --y voice --fixed side --group pair
printf 'y,x,g\n1,2,a\n2,"2,5",b\n' > comma.csv
expect_error "a decimal comma names file, line and column" 1 "comma.csv:3: column 'x': '2,5' has a decimal comma" \
  stats lmm comma.csv --y y --fixed x --group g
printf 'y,x,g\n1,2,a\n2,3,a\n3,5,a\n' > one.csv
expect_error "a single group is refused" 1 "column 'g' has a single group ('a') in the 3 rows used" \
  stats lmm one.csv --y y --fixed x --group g
printf 'y,x,g\nNA,2,a\n1,,b\n' > miss.csv
expect_error "no complete rows is refused" 1 "every row has a missing value in a used column" \
  stats lmm miss.csv --y y --fixed x --group g
printf 'y,x,z,g\n1,2,4,a\n2,3,6,a\n3,5,10,b\n4,1,2,b\n5,2,4,c\n2,2,4,c\n' > collinear.csv
expect_error "collinear fixed effects are refused by name" 1 "column 'z'" \
  stats lmm collinear.csv --y y --fixed x,z --group g
printf 'y,x,g\n1,2\n' > ragged.csv
expect_error "a ragged row names file and line" 1 "ragged.csv:2: expected 3 columns, found 2" \
  stats lmm ragged.csv --y y --group g
expect_error "a missing file is refused" 1 "nothere.csv" stats lmm nothere.csv --y y --group g
