# bench/lib.sh — helpers shared by the bench scripts (sourced after $work is set).
#   say TEXT            progress to stderr
#   timed NAME CMD...   runs CMD (stdout to $work/NAME.out) and leaves
#                       "SECONDS MAXRSS_KB CPU_SECONDS" in $work/NAME.time: wall time
#                       of the whole command, then peak RSS and user+system CPU time
#                       from GNU time ("n/a" without it). CPU time shows how much of
#                       the wall time the command really ran on a shared machine.
#   best FILE...        "SECONDS RSS CPU" of the fastest run, with the largest RSS
#   mib KB              "N MiB" (or n/a)

say() { printf '%s\n' "$*" >&2; }

if /usr/bin/time -f '%M' -o /dev/null true 2>/dev/null; then
  gnu_time=1
else
  gnu_time=0
fi

timed() {
  name=$1
  shift
  t0=$(date +%s.%N)
  if [ "$gnu_time" -eq 1 ]; then
    /usr/bin/time -f '%M %U %S' -o "$work/$name.rss" "$@" >"$work/$name.out"
  else
    "$@" >"$work/$name.out"
    echo n/a n/a n/a >"$work/$name.rss"
  fi
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" '{ printf "%.3f %s %s\n", b - a, $1, ($2 == "n/a" ? "n/a" : sprintf("%.2f", $2 + $3)) }' \
    "$work/$name.rss" >"$work/$name.time"
}

best() {
  cat "$@" | awk 'NR == 1 || $1 < s { s = $1; c = $3 } { if ($2 != "n/a" && $2 > r) r = $2 }
                  END { printf "%s %s %s\n", s, (r == "" ? "n/a" : r), c }'
}

mib() { awk -v k="$1" 'BEGIN { if (k == "n/a") print "n/a"; else printf "%.0f MiB", k / 1024 }'; }
