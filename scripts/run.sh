#!/bin/sh
# scripts/run.sh DUET DB — what `make run` does after building: creates DB
# with the demo programme (if it does not exist yet) and shows a short tour.
set -eu
duet=$1
db=$2
if [ ! -f "$db" ]; then
  "$duet" --db "$db" init
  "$duet" --db "$db" demo
else
  echo "using the existing $db (delete it to start again with a fresh demo)"
fi
say() { if [ -t 1 ]; then printf '\n\033[1m$ %s\033[0m\n' "$*"; else printf '\n$ %s\n' "$*"; fi; }
say duet partnership list
"$duet" --db "$db" partnership list
say duet partnership show P03
"$duet" --db "$db" partnership show P03
say duet module list --cohort \"Demo cohort 2026\"
"$duet" --db "$db" module list --cohort "Demo cohort 2026"
say duet export responses \| head -4
"$duet" --db "$db" export responses | head -4
say duet audit verify
"$duet" --db "$db" audit verify
cat <<TXT

That is the demo programme in $db. Try next:
  $duet --db $db --help                       every command
  $duet --db $db person show amira.01a        a participant, their partnerships and consent
  $duet --db $db analyse relationships        every partnership read, ranked by concern
  $duet --db $db analyse determinants         the actor-partner model
  $duet --db $db export dictionary            the data dictionary
  $duet --db $db instrument show partnership-checkin
The web application is not part of this release yet; docs/cli.md covers the command line.
TXT
