#!/bin/sh
# bench/web/run.sh — how many requests a second `duet serve` answers.
#
#   sh bench/web/run.sh > /tmp/web.md     (from anywhere; about 1 minute)
#
# Three measurements with wrk (-t THREADS -c CONNS -d DURATION --latency),
# each against a server started here on a free port on 127.0.0.1 and stopped
# at the end:
#   page     GET /partnerships/P01 as a signed-in participant (session cookie),
#            on `duet demo --sign-ins`, with the access log written to a file
#            (the real configuration: logging is part of the cost).
#   checkin  POST /api/v1/partnerships/{code}/modules/{n}/checkin, each request
#            a new check-in (bench/web/checkin.lua walks person x module), with
#            bearer tokens from `duet token create`, on a structure-only demo of
#            PAIRS partnerships and MODULES modules (no answers yet).
#   nginx    the same page saved to a file and served by nginx (foreground,
#            its own config, pid, logs and temp folders in the work folder; the
#            system's nginx service is never touched), for comparison.
# After each run it reads the server's peak RSS (VmHWM in /proc/PID/status)
# and the CPU time it used. Prints a Markdown section (stdout) with requests/s,
# p50/p99 latency, errors, RSS and CPU per request, then table rows ready to
# append to bench/RESULTS.md.
#
# Needs: wrk, curl (Debian wrk, curl); jq for the check-in body (the
# check-in run is skipped without it); nginx (Debian nginx-light; the
# comparison is skipped without it). Settings (environment): DURATION (10),
# THREADS (2), CONNS (64), RUNS (1: best of RUNS for each measurement; every
# check-in run starts from a fresh copy of its database), PAIRS (500),
# MODULES (50), PEOPLE (participants given tokens, 900: PEOPLE x MODULES
# check-ins must exceed what a run sends), SEED (1), PAGE_TARGET (3000),
# POST_TARGET (800), PAGE (the page to time, /partnerships/P01), DUET (a binary to time instead of building one), TMPDIR,
# KEEP=1 (keep the work folder). Exits non-zero when a step fails or a run
# had errors (non-2xx answers, socket errors, a check-in stored twice); a slow
# result is reported, not failed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../lib.sh"
DURATION=${DURATION:-10}
THREADS=${THREADS:-2}
CONNS=${CONNS:-64}
RUNS=${RUNS:-1}
PAIRS=${PAIRS:-500}
MODULES=${MODULES:-50}
PEOPLE=${PEOPLE:-900}
SEED=${SEED:-1}
PAGE_TARGET=${PAGE_TARGET:-3000}
POST_TARGET=${POST_TARGET:-800}
PAGE=${PAGE:-/partnerships/P01}

for tool in wrk curl; do
  command -v "$tool" >/dev/null 2>&1 || { say "run.sh: $tool is missing (apt-get install $tool)"; exit 1; }
done
if [ -z "${DUET:-}" ]; then
  say "building duet (make -C $top)"
  make -C "$top" >&2
  DUET=$top/build/duet
fi
[ -x "$DUET" ] || { say "run.sh: $DUET is not an executable"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/duet-bench-web.XXXXXX")
pids=""
cleanup() {
  for p in $pids; do
    kill "$p" 2>/dev/null || true
  done
  for p in $pids; do
    wait "$p" 2>/dev/null || true
  done
  if [ "${KEEP:-0}" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A private copy of the binary and its assets: other work may rebuild build/
# while this runs.
cp "$DUET" "$work/duet"
assets=${DUET_ASSETS:-$(dirname "$DUET")/assets}
[ -d "$assets" ] || { say "run.sh: no assets folder at $assets (make builds it)"; exit 1; }
cp -R "$assets" "$work/assets"
duet() { "$work/duet" "$@"; }

# free_port FROM — the first TCP port from FROM up that nothing listens on.
free_port() {
  used=$(awk 'FNR > 1 && $4 == "0A" { split($2, a, ":"); print a[2] }' /proc/net/tcp \
           /proc/net/tcp6 2>/dev/null | tr '\n' ' ')
  p=$1
  while [ "$p" -lt $(($1 + 1000)) ]; do
    case " $used " in
      *" $(printf '%04X' "$p") "*) p=$((p + 1)) ;;
      *) echo "$p"; return 0 ;;
    esac
  done
  say "run.sh: no free port in $1..$(($1 + 999))"
  return 1
}
base_port=$((20000 + $$ % 20000))

# start_duet NAME DB — starts duet serve on DB with its access log in
# $work/NAME.access; sets $port and $spid. Retries on another port when the
# one chosen was taken in between.
start_duet() {
  tries=0
  while [ "$tries" -lt 5 ]; do
    port=$(free_port $((base_port + tries * 7)))
    # The binary itself, not the duet() function: $! must be the server.
    "$work/duet" --db "$2" serve --listen "127.0.0.1:$port" --assets "$work/assets" \
      --access-log "$work/$1.access" >"$work/$1.serve" 2>&1 &
    spid=$!
    cpids=$spid
    pids="$pids $spid"
    n=0
    while [ "$n" -lt 100 ]; do
      if grep -q '^duet: serving' "$work/$1.serve"; then
        return 0
      fi
      kill -0 "$spid" 2>/dev/null || break
      sleep 0.1
      n=$((n + 1))
    done
    stop "$spid"
    tries=$((tries + 1))
  done
  say "run.sh: duet serve did not start:"
  cat "$work/$1.serve" >&2
  return 1
}

# stop PID — ends a process this script started, and forgets it.
stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  pids=$(echo " $pids " | sed "s/ $1 / /")
}

# Peak RSS (kB) and CPU seconds (user + system) of process $1 so far.
peak_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
cpu_s() {   # cpu_s PID... — summed over the processes
  for p in "$@"; do cat "/proc/$p/stat"; done |
    awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); t += $12 + $13 } END { printf "%.2f\n", t / hz }'
}

# run_wrk NAME URL [WRK ARGS...] — one wrk run into $work/NAME.wrk, and
# "REQ_PER_S P50_MS P99_MS REQUESTS ERRORS CPU_S" into $work/NAME.res, where
# ERRORS counts non-2xx/3xx answers and socket errors and CPU_S is the CPU
# time the server (the processes in $cpids) used during the run.
run_wrk() {
  wname=$1
  wurl=$2
  shift 2
  # shellcheck disable=SC2086
  c0=$(cpu_s $cpids)
  wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$@" "$wurl" >"$work/$wname.wrk" 2>&1
  # shellcheck disable=SC2086
  c1=$(cpu_s $cpids)
  awk -v c0="$c0" -v c1="$c1" '
    function ms(v) {
      if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
      if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v
    }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    / requests in / { n = $1 }
    /^Requests\/sec:/ { rps = $2 }
    /Non-2xx or 3xx responses:/ { err += $NF }
    /Socket errors:/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
    END { printf "%.0f %.3f %.3f %d %d %.2f\n", rps, p50, p99, n, err, c1 - c0 }' \
    "$work/$wname.wrk" >"$work/$wname.res"
  say "  $wname: $(cat "$work/$wname.res") (req/s p50 p99 requests errors cpu)"
}

# best NAME — the .res line of the run of NAME with the fewest errors, then
# the most requests/s.
best_res() { cat "$work/$1".*.res | sort -k5,5n -k1,1nr | head -1; }
col() { echo "$2" | cut -d' ' -f"$1"; }

status=0
curl_s() { curl -sS --max-time 10 "$@"; }

# ---------------------------------------------------------------- page
say "making the demo programme (seed $SEED)"
duet --db "$work/page.db" demo --sign-ins --seed "$SEED" >"$work/demo.out"
person=$(duet --db "$work/page.db" partnership show P01 --json |
  sed -n 's/^ *"person": "\([^"]*\)".*/\1/p' | head -1)
[ -n "$person" ] || { say "run.sh: P01 has no members"; exit 1; }

start_duet page "$work/page.db"
url="http://127.0.0.1:$port"
say "duet serve on $url (pid $spid); signing in as $person"
curl_s -c "$work/jar" -o "$work/signin.html" "$url/sign-in"
stoken=$(sed -n 's/.*name="signin_token" value="\([^"]*\)".*/\1/p' "$work/signin.html")
code=$(curl_s -b "$work/jar" -c "$work/jar" -o /dev/null -w '%{http_code}' \
  -H "Origin: $url" --data-urlencode "signin_token=$stoken" --data-urlencode "person=$person" \
  --data-urlencode "password=harbour-lantern-participant" --data-urlencode "next=$PAGE" "$url/sign-in")
session=$(awk '$6 == "duet_session" { print $7 }' "$work/jar")
if [ "$code" != 303 ] || [ -z "$session" ]; then
  say "run.sh: signing in failed (HTTP $code)"
  exit 1
fi
code=$(curl_s -H "Cookie: duet_session=$session" -o "$work/page.html" -w '%{http_code}' "$url$PAGE")
if [ "$code" != 200 ]; then
  say "run.sh: GET $PAGE answered $code: is the partnership page there? (duet serve --routes)"
  exit 1
fi
page_bytes=$(wc -c <"$work/page.html" | tr -d ' ')
say "warming up (2 s)"
wrk -t"$THREADS" -c"$CONNS" -d2s -H "Cookie: duet_session=$session" "$url$PAGE" >/dev/null 2>&1
i=1
while [ "$i" -le "$RUNS" ]; do
  run_wrk "page.$i" "$url$PAGE" -H "Cookie: duet_session=$session"
  i=$((i + 1))
done
page=$(best_res page)
page_rss=$(peak_kb "$spid")
page_threads=$(awk '/^Threads:/ { print $2 }' "/proc/$spid/status")
log_lines=$(wc -l <"$work/page.access" | tr -d ' ')
stop "$spid"
[ "$(col 5 "$page")" -eq 0 ] || status=1

# ------------------------------------------------------------- checkin
post="not measured"
if ! command -v jq >/dev/null 2>&1; then
  post="not measured: jq is missing (apt-get install jq)"
else
  say "making a structure-only demo: $PAIRS partnerships, $MODULES modules"
  duet --db "$work/post.db" demo --sign-ins --structure-only --pairs "$PAIRS" \
    --modules "$MODULES" --seed "$SEED" >/dev/null
  # Participants in key order (their partnership is the last column); one
  # more than PEOPLE: the last one is the probe below, outside the run.
  duet --db "$work/post.db" person list |
    awk 'NR > 1 && $NF ~ /^P[0-9]+$/ { print $1, $NF }' | head -n $((PEOPLE + 1)) >"$work/members"
  say "creating $(wc -l <"$work/members" | tr -d ' ') API tokens"
  : >"$work/people"
  while read -r key pcode; do
    tok=$(duet --db "$work/post.db" token create --person "$key" 2>/dev/null)
    echo "$tok $pcode" >>"$work/people"
  done <"$work/members"
  tail -n 1 "$work/people" >"$work/probe"
  head -n "$PEOPLE" "$work/people" >"$work/people.run"
  npeople=$(wc -l <"$work/people.run" | tr -d ' ')
  read -r ptok pcode <"$work/probe"
  cp "$work/post.db" "$work/post.pristine.db"
  start_duet post "$work/post.db"
  url="http://127.0.0.1:$port"
  api="$url/api/v1/partnerships/$pcode/modules/1/checkin"
  code=$(curl_s -H "Authorization: Bearer $ptok" -o "$work/checkin.get" -w '%{http_code}' "$api")
  stop "$spid"
  if [ "$code" != 200 ]; then
    post="not measured: GET /api/v1/partnerships/{code}/modules/{n}/checkin answered $code"
    say "run.sh: $post"
  else
    # One answer per item, the same for everyone: the scale's midpoint
    # (rounded down), the middle rung, a sentence, a one-entry list.
    jq -c '{answers: ([.items[] | {key: .name, value:
             (if .type == "scale" then ((.min + .max) / 2 | floor)
              elif .type == "ladder" then 4
              elif .type == "list" then ["Agree the next step together"]
              else "We planned the next workshop together." end)}] | from_entries)}' \
      "$work/checkin.get" >"$work/body.json"
    # What checkin.lua reads (the same in every wrk thread).
    CHECKIN_PEOPLE="$work/people.run" CHECKIN_BODY="$work/body.json" CHECKIN_THREADS=$THREADS
    export CHECKIN_PEOPLE CHECKIN_BODY CHECKIN_THREADS
    i=1
    while [ "$i" -le "$RUNS" ]; do
      cp "$work/post.pristine.db" "$work/post.db"
      rm -f "$work/post.db-wal" "$work/post.db-shm"
      start_duet post "$work/post.db"
      url="http://127.0.0.1:$port"
      api="$url/api/v1/partnerships/$pcode/modules/1/checkin"
      # The probe person checks the body: the first POST is taken, the same
      # again is refused (so every request of the run must be a new one).
      pc1=$(curl_s -H "Authorization: Bearer $ptok" -H 'Content-Type: application/json' \
        --data-binary @"$work/body.json" -o "$work/probe1.out" -w '%{http_code}' "$api")
      pc2=$(curl_s -H "Authorization: Bearer $ptok" -H 'Content-Type: application/json' \
        --data-binary @"$work/body.json" -o "$work/probe2.out" -w '%{http_code}' "$api")
      case $pc1 in
        2??) ;;
        *) say "run.sh: the probe check-in was refused ($pc1): $(cat "$work/probe1.out")"; exit 1 ;;
      esac
      case $pc2 in
        2??) say "run.sh: the same check-in was taken twice ($pc2)"; status=1 ;;
      esac
      run_wrk "post.$i" "$url" -s "$here/checkin.lua"
      post_rss=$(peak_kb "$spid")
      stop "$spid"
      # Check-ins stored (the probe's included), against the 2xx answers.
      stored=$(duet --db "$work/post.db" export responses --purpose all |
        awk -F, 'NR > 1 { print $2 "," $3 "," $4 }' | sort -u | wc -l | tr -d ' ')
      say "  post.$i: $stored check-ins stored; capacity $((npeople * MODULES))"
      echo "$stored" >"$work/post.$i.stored"
      [ "$(col 5 "$(cat "$work/post.$i.res")")" -eq 0 ] || status=1
      i=$((i + 1))
    done
    post=$(best_res post)
  fi
fi

# --------------------------------------------------------------- nginx
ngx="not measured"
if command -v nginx >/dev/null 2>&1; then
  nd="$work/nginx"
  mkdir -p "$(dirname "$nd/www$PAGE")" "$nd/tmp" "$nd/logs"
  cp "$work/page.html" "$nd/www$PAGE"
  nport=$(free_port $((base_port + 100)))
  # Workers run as the invoking user so they can read the work folder.
  cat >"$nd/nginx.conf" <<EOF
worker_processes $THREADS;
daemon off;
pid $nd/nginx.pid;
error_log $nd/logs/error.log;
user $(id -un) $(id -gn);
events { worker_connections 1024; }
http {
  access_log $nd/logs/access.log;
  client_body_temp_path $nd/tmp/body;
  proxy_temp_path $nd/tmp/proxy;
  fastcgi_temp_path $nd/tmp/fastcgi;
  uwsgi_temp_path $nd/tmp/uwsgi;
  scgi_temp_path $nd/tmp/scgi;
  default_type text/html;
  sendfile on;
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:$nport;
    root $nd/www;
    add_header Cache-Control no-store;
  }
}
EOF
  nginx -p "$nd" -e "$nd/logs/error.log" -c "$nd/nginx.conf" >"$nd/logs/stdout" 2>&1 &
  spid=$!
  pids="$pids $spid"
  n=0
  until curl -s -o /dev/null "http://127.0.0.1:$nport$PAGE" || [ "$n" -ge 50 ]; do
    sleep 0.1
    n=$((n + 1))
  done
  if curl_s -o "$nd/got.html" "http://127.0.0.1:$nport$PAGE" && cmp -s "$nd/got.html" "$work/page.html"; then
    cpids="$spid $(ps -o pid= --ppid "$spid" 2>/dev/null | tr '\n' ' ')"
    i=1
    while [ "$i" -le "$RUNS" ]; do
      run_wrk "nginx.$i" "http://127.0.0.1:$nport$PAGE"
      i=$((i + 1))
    done
    ngx=$(best_res nginx)
    # Peak RSS of the master and its workers together.
    ngx_rss=0
    for p in $cpids; do
      ngx_rss=$((ngx_rss + $(peak_kb "$p")))
    done
  else
    say "run.sh: nginx did not serve the page: $(cat "$nd/logs/error.log" "$nd/logs/stdout" 2>/dev/null)"
  fi
  stop "$spid"
fi

# ------------------------------------------------------------- report
verdict() {
  awk -v r="$1" -v t="$2" 'BEGIN {
    if (r + 0 >= t + 0) printf "met (%.2f x)", r / t; else printf "BELOW (%.2f x)", r / t }'
}
cpu_per_req() { awk -v c="$1" -v n="$2" 'BEGIN { if (n > 0) printf "%.0f", c / n * 1e6; else print "n/a" }'; }
row() {   # row LABEL RES RSS_KB
  echo "| $1 | $(col 1 "$2") | $(col 2 "$2") ms | $(col 3 "$2") ms | $(col 4 "$2") | $(col 5 "$2") | $(mib "$3") | $(cpu_per_req "$(col 6 "$2")" "$(col 4 "$2")") µs |"
}
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || echo "?")
os=$(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release 2>/dev/null)
commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo "?")
if [ -n "$(git -C "$top" status --porcelain 2>/dev/null)" ]; then commit="$commit (with uncommitted changes)"; fi
mhd=$(pkg-config --modversion libmicrohttpd 2>/dev/null || echo "?")
nrun=$(wc -l <"$work/people.run" 2>/dev/null | tr -d ' ' || echo 0)
body_bytes="?"
[ -f "$work/body.json" ] && body_bytes=$(wc -c <"$work/body.json" | tr -d ' ')

cat <<EOF
### Web: wrk -t$THREADS -c$CONNS -d${DURATION}s against duet serve

- Machine: ${cpu:-unknown CPU}, $ncpu CPUs online, $mem RAM; ${os:-$(uname -s)}; libmicrohttpd $mhd; $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2); $(nginx -v 2>&1 | cut -d' ' -f3)
- duet: commit $commit, binary $DUET, $(date -u +%Y-%m-%d); duet serve with its default worker threads ($page_threads threads in the process), access log to a file
- wrk and the server share the machine's $ncpu CPUs; best of $RUNS run(s) of ${DURATION} s each
- page: GET $PAGE signed in as participant $person (session cookie), $page_bytes bytes, on \`duet demo --sign-ins --seed $SEED\`; $log_lines access-log lines written
- checkin: POST /api/v1/partnerships/{code}/modules/{n}/checkin with a bearer token, every request a new check-in ($nrun participants x $MODULES modules of \`duet demo --structure-only --pairs $PAIRS --modules $MODULES\`), body $body_bytes bytes
- nginx: the same page as a static file, nginx $(nginx -v 2>&1 | cut -d/ -f2), $THREADS workers, access log on

| run | requests/s | p50 | p99 | requests | errors | server peak RSS | server CPU per request |
|---|---|---|---|---|---|---|---|
EOF
row "duet: GET $PAGE, signed in" "$page" "$page_rss"
case $post in
  not*) echo "| duet: check-in POST | $post | | | | | | |" ;;
  *) row "duet: check-in POST (new check-in each)" "$post" "$post_rss" ;;
esac
case $ngx in
  not*) echo "| nginx: the same page, static | $ngx | | | | | | |" ;;
  *) row "nginx: the same page, static file" "$ngx" "$ngx_rss" ;;
esac
echo
echo "- Page: $(col 1 "$page") req/s $(verdict "$(col 1 "$page")" "$PAGE_TARGET") the $PAGE_TARGET req/s target"
case $post in
  not*) echo "- Check-in POST: $post" ;;
  *) echo "- Check-in POST: $(col 1 "$post") req/s $(verdict "$(col 1 "$post")" "$POST_TARGET") the $POST_TARGET req/s target; check-ins stored per run: $(cat "$work"/post.*.stored | tr '\n' ' ')(wrk counts $(col 4 "$post") answers in the best run; requests still in flight when wrk stops are stored too)" ;;
esac
case $ngx in
  not*) ;;
  *) echo "- duet's page rate is $(awk -v a="$(col 1 "$page")" -v b="$(col 1 "$ngx")" 'BEGIN { printf "%.0f %%", 100 * a / b }') of nginx serving the same bytes from a file" ;;
esac
echo "- Load average when it finished: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")"
echo
echo "Rows for the table in bench/RESULTS.md:"
echo
echo '```'
echo "| web: signed-in page $PAGE, wrk -t$THREADS -c$CONNS | ≥ $PAGE_TARGET req/s | $(col 1 "$page") req/s, p50 $(col 2 "$page") ms, p99 $(col 3 "$page") ms, $(mib "$page_rss") | $(verdict "$(col 1 "$page")" "$PAGE_TARGET") |"
case $post in
  not*) echo "| web: check-in POST (API), wrk -t$THREADS -c$CONNS | ≥ $POST_TARGET req/s | $post | |" ;;
  *) echo "| web: check-in POST (API), wrk -t$THREADS -c$CONNS | ≥ $POST_TARGET req/s | $(col 1 "$post") req/s, p50 $(col 2 "$post") ms, p99 $(col 3 "$post") ms, $(mib "$post_rss") | $(verdict "$(col 1 "$post")" "$POST_TARGET") |" ;;
esac
echo '```'
exit $status
