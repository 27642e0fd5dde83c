# Declared options (src/cli/opts.c): one parser for every converted command,
# one message per refusal, and --help lists every option of the table.
. "$(dirname "$0")/lib.sh"

expect_error "an unknown option is a usage error" 2 "duet demo: unknown option '--nope'" demo --nope
expect "and it points at --help" 'printf "%s" "$err" | grep -qF "Try '"'"'duet demo --help'"'"'."'
expect_error "a missing value is a usage error" 2 "option '--pairs' needs a value" demo --pairs
expect_error "a number out of range names the option and the range" 2 \
  "--modules '51' is not a number in 2..50" demo --modules 51
expect_error "so is a number that is not whole" 2 "--pairs '3.5' is not a number in 3..500" \
  demo --pairs 3.5
expect_error "--name=VALUE is checked as --name VALUE" 2 "--pairs '2' is not a number in 3..500" \
  demo --pairs=2
expect_error "a subcommand's number option" 2 "duet qset show: --version '0' is not a version number" \
  qset show --version=0 norms-default
expect_error "a server number option" 2 "duet serve: --threads needs a whole number (got '2000')" \
  serve --threads=2000
expect_error "an option of another command is unknown" 2 "duet backup: unknown option '--check'" \
  backup --check x.db
expect_error "a positional argument where none is taken" 2 "duet demo: unexpected argument 'x'" \
  demo x
expect "no database was created by the usage errors" '[ ! -e "$DUET_DB" ]'

# --name=VALUE and --name VALUE give the same programme; the last one given wins.
run demo --pairs=4 --modules 3 --json
expect "--pairs=4 --modules 3 makes 4 partnerships and 3 modules" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "\"partnerships\": 4" && printf "%s" "$out" | grep -q "\"modules\": 3"'
rm -f "$DUET_DB"
run demo --pairs 9 --pairs 5 --modules=2 --json
expect "a repeated option: the last value is taken" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "\"partnerships\": 5" && printf "%s" "$out" | grep -q "\"modules\": 2"'
run qset show --version=1 norms-default --json
expect "options and arguments mix, --version=1 is read" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "\"version\": 1"'

# --help lists every declared option, with its value's name.
help_lists() { # NAME ARGS... -- OPTIONS...
  name=$1; shift
  args=
  while [ "$1" != -- ]; do args="$args $1"; shift; done
  shift
  # shellcheck disable=SC2086
  run $args --help
  missing=
  for o in "$@"; do
    printf "%s" "$out" | grep -qE "^  $o( |$)" || missing="$missing $o"
  done
  expect "$name --help lists every option ($missing missing)" '[ $rc -eq 0 ] && [ -z "$missing" ]'
}
help_lists demo demo -- "--pairs N" "--modules M" "--seed S" --structure-only --sign-ins --json
help_lists backup backup -- --force --json
help_lists restore restore -- --force --json --check
help_lists serve serve -- "--listen ADDR" "--threads N" "--assets DIR" "--tls-cert FILE" \
  "--tls-key FILE" "--access-log FILE" "--per-ip N" "--timeout S" "--head-timeout S" --routes --json
help_lists "qset show" qset show -- "--version V" --json
help_lists "instrument show" instrument show -- "--version V" --json
run qset --help
expect "qset --help still shows each subcommand's synopsis" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | grep -qF "  show NAME [--version V] [--json]"'

# Choices and repeated options are declared too.
expect_error "a word that is not one of the choices names them all" 2 \
  "duet stats qfactor: --extract 'foo': give pca or centroid" stats qfactor --extract=foo --factors 2 x.csv
expect_error "four choices: 'a, b, c or d'" 2 \
  "--level 'x': give nominal, ordinal, interval or ratio" stats alpha --level x x.csv
expect_error "a repeated option that must be given once" 2 "--y given twice; a model has one response" \
  stats lmm --y a --y b --group g x.csv
expect_error "a repeated option with a limit" 2 "at most two --group factors" \
  stats lmm --y a --group g --group=h --group i x.csv
expect_error "each value of a repeated option is checked" 2 "--answer 'q2' is not ITEM=VALUE" \
  checkin add --partnership P01 --person p --module 1 --answer q1=3 --answer q2
expect_error "there are no short options" 2 "duet qset show: unknown option '-j'" qset show -j norms-default
expect_error "a model parameter is an option like the others" 2 "duet simulate: option '--learning' needs a value" \
  simulate --learning
