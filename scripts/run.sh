#!/bin/sh
# scripts/run.sh DUET DB [LISTEN] — what `make run` does after building:
# creates DB with the demo programme and its sign-ins (if it does not exist
# yet), shows a short tour of the command line, then serves the web
# application until Ctrl-C.
set -eu
duet=$1
db=$2
listen=${3:-127.0.0.1:8080}
if [ ! -f "$db" ]; then
  "$duet" --db "$db" init
  "$duet" --db "$db" demo --sign-ins
else
  echo "using the existing $db (delete it to start again with a fresh demo)"
fi
say() { if [ -t 1 ]; then printf '\n\033[1m$ %s\033[0m\n' "$*"; else printf '\n$ %s\n' "$*"; fi; }
say duet partnership list
"$duet" --db "$db" partnership list
say duet user list
"$duet" --db "$db" user list | head -8
cat <<TXT

On the command line, try:
  $duet --db $db --help                       every command
  $duet --db $db partnership show P03         a partnership (a triad)
  $duet --db $db analyse relationships        every partnership read, ranked by concern
  $duet --db $db analyse determinants         the actor-partner model
  $duet --db $db analyse norms                unspoken rules from the Q-sorts, and regimes
  $duet --db $db coding documents             texts to code with the starter codebook
                                               (or sign in as res.demo and open /coding)
  $duet --db $db audit verify                 the tamper-evident audit log

Demo sign-ins for the web application (demo data only; never reuse these):
  participant   amira.01a  (or any partnership member)   harbour-lantern-participant
  facilitator   fac.demo                                 harbour-lantern-cohorts
  researcher    res.demo                                 harbour-lantern-analysis
  admin         admin.demo                               harbour-lantern-accounts

TXT
exec "$duet" --db "$db" serve --listen "$listen"
