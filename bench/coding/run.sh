#!/bin/sh
# bench/coding/run.sh — how fast duet reads a large coding study out of the
# store: agreement between coders, code frequencies, and the exports.
#
#   sh bench/coding/run.sh          (from anywhere; prints a Markdown section)
#
# Makes a demo programme of PAIRS partnerships and MODULES modules (every
# codable text: shared reflections and observers' notes), CODERS researcher
# accounts, and has every coder code PASSAGES passages of every text, one
# code each, with a little disagreement about where passages end and which
# code applies (written straight into the database with sqlite3, fixed
# pattern, so the store holds what `duet coding add` would write, without the
# audit entries). Then it times, RUNS times each (wall clock of the whole
# command; the best counts):
#   duet analyse agreement --json
#   duet analyse codes --json
#   duet coding export --csv
#   duet coding export --qdpx --out project.qdpx
#
# Settings (environment): PAIRS (400), MODULES (8), CODERS (10), PASSAGES (3),
# RUNS (3), DUET (a duet binary to time instead of building one), TMPDIR,
# KEEP=1 (keep the work folder). Progress goes to stderr, the results
# (Markdown) to stdout. Exits 1 when a step fails.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../lib.sh"
PAIRS=${PAIRS:-400}
MODULES=${MODULES:-8}
CODERS=${CODERS:-10}
PASSAGES=${PASSAGES:-3}
RUNS=${RUNS:-3}

if [ -z "${DUET:-}" ]; then
  say "building duet (make -C $top build/duet)"
  make -C "$top" build/duet >&2
  DUET=$top/build/duet
fi
[ -x "$DUET" ] || { say "run.sh: $DUET is not an executable"; exit 1; }
command -v sqlite3 >/dev/null || { say "run.sh: needs sqlite3"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/duet-bench-coding.XXXXXX")
if [ "${KEEP:-0}" = 1 ]; then
  trap 'say "kept $work"' EXIT
else
  trap 'rm -rf "$work"' EXIT
fi
trap 'exit 130' INT TERM
db=$work/bench.db

say "duet demo --pairs $PAIRS --modules $MODULES"
"$DUET" --db "$db" demo --pairs "$PAIRS" --modules "$MODULES" >/dev/null
i=1
while [ "$i" -le "$CODERS" ]; do
  "$DUET" --db "$db" person add "coder$i" --name "Coder $i" >/dev/null
  echo "bench-password-number-$i" |
    "$DUET" --db "$db" user add --person "coder$i" --role researcher --password-stdin >/dev/null
  i=$((i + 1))
done

say "coding: $CODERS coders x $PASSAGES passages x every codable text"
sqlite3 "$db" <<SQL
PRAGMA foreign_keys = ON;
CREATE TEMP TABLE g AS SELECT 1 AS x;   -- GUIDs: random version-4 UUIDs
INSERT INTO coder (guid, name, account_id)
  SELECT lower(printf('%s-%s-4%s-8%s-%s', hex(randomblob(4)), hex(randomblob(2)),
         substr(hex(randomblob(2)), 2), substr(hex(randomblob(2)), 2), hex(randomblob(6)))),
         p.key, a.id
  FROM account a JOIN person p ON p.id = a.person_id WHERE p.key LIKE 'coder%';
INSERT INTO source (guid, reflection_id, observation_id, created_at)
  SELECT lower(printf('%s-%s-4%s-8%s-%s', hex(randomblob(4)), hex(randomblob(2)),
         substr(hex(randomblob(2)), 2), substr(hex(randomblob(2)), 2), hex(randomblob(6)))),
         CASE kind WHEN 'reflection' THEN doc_id END,
         CASE kind WHEN 'observation' THEN doc_id END, '2026-01-01T00:00:00Z'
  FROM codable WHERE kind <> 'imported' AND source_id IS NULL;
WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n + 1 < $PASSAGES)
INSERT INTO selection (guid, source_id, start_pos, end_pos, coder_id, created_at)
  SELECT lower(printf('%s-%s-4%s-8%s-%s', hex(randomblob(4)), hex(randomblob(2)),
         substr(hex(randomblob(2)), 2), substr(hex(randomblob(2)), 2), hex(randomblob(6)))),
         d.source_id, k.n * 20, k.n * 20 + 12 + (c.id % 3) * 2, c.id, '2026-01-01T00:00:00Z'
  FROM codable d, coder c, k WHERE length(d.text) >= $PASSAGES * 20 + 20;
INSERT INTO coding (guid, selection_id, code_id, created_at)
  SELECT lower(printf('%s-%s-4%s-8%s-%s', hex(randomblob(4)), hex(randomblob(2)),
         substr(hex(randomblob(2)), 2), substr(hex(randomblob(2)), 2), hex(randomblob(6)))),
         x.id, (SELECT min(id) FROM code) + (x.source_id + x.start_pos / 20
           + CASE WHEN x.coder_id % 5 = 0 THEN 1 ELSE 0 END) % 19, '2026-01-01T00:00:00Z'
  FROM selection x;
SQL
texts=$("$DUET" --db "$db" coding documents --json | jq length)
codings=$(sqlite3 "$db" "SELECT count(*) FROM coding")
say "$texts codable texts, $codings codings"

# (timed sets $name itself: the loop's variable is $what)
for what in agreement codes csv qdpx; do
  i=1
  while [ "$i" -le "$RUNS" ]; do
    say "$what, run $i of $RUNS"
    case $what in
      agreement) timed "$what-$i" "$DUET" --db "$db" analyse agreement --json ;;
      codes) timed "$what-$i" "$DUET" --db "$db" analyse codes --json ;;
      csv) timed "$what-$i" "$DUET" --db "$db" coding export --csv ;;
      qdpx) timed "$what-$i" "$DUET" --db "$db" coding export --qdpx --out "$work/p.qdpx" ;;
    esac
    say "  $(cut -d' ' -f1 "$work/$what-$i.time") s"
    i=$((i + 1))
  done
done
units=$(jq .units "$work/agreement-1.out")
pooled=$(jq .all_codes.alpha "$work/agreement-1.out")
qdpx_bytes=$(wc -c <"$work/p.qdpx" | tr -d ' ')

cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || echo "?")
os=$(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release 2>/dev/null)
[ -n "$os" ] || os=$(uname -s)
commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo "?")
if [ -n "$(git -C "$top" status --porcelain 2>/dev/null)" ]; then commit="$commit (with uncommitted changes)"; fi
row() {
  b=$(best "$work"/"$1"-*.time)
  all=$(for f in "$work"/"$1"-*.time; do cut -d' ' -f1 "$f"; done | tr '\n' ' ')
  printf '| %s | %s s | %s s | %s | %s|\n' "$2" "$(echo "$b" | cut -d' ' -f1)" \
    "$(echo "$b" | cut -d' ' -f3)" "$(mib "$(echo "$b" | cut -d' ' -f2)")" "$all"
}

cat <<EOF_MD
### Coding: $codings codings by $CODERS coders on $texts texts

- Machine: ${cpu:-unknown CPU}, $ncpu CPUs online, $mem RAM; $os
- duet: commit $commit, binary $DUET, $(date -u +%Y-%m-%d)
- Data: \`duet demo --pairs $PAIRS --modules $MODULES\`; every coder codes $PASSAGES
  passages of every text long enough, one code each (bench/coding/run.sh);
  $units units (segments) for agreement, pooled alpha $pooled; the .qdpx is
  $qdpx_bytes bytes
- Wall time of the whole command (opening the database included); best of $RUNS

| command | best wall time | CPU time (user+sys) | peak RSS | all runs (s) |
|---|---|---|---|---|
$(row agreement "\`duet analyse agreement --json\`")
$(row codes "\`duet analyse codes --json\`")
$(row csv "\`duet coding export --csv\`")
$(row qdpx "\`duet coding export --qdpx\`")

- Load average when it finished: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
EOF_MD
