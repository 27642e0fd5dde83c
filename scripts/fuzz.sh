#!/bin/sh
# scripts/fuzz.sh [SECONDS] [TARGET...] — builds each libFuzzer target
# fuzz/fuzz_TARGET.c with AddressSanitizer and UBSan into build-fuzz/ and runs
# it for SECONDS (default 20) from the seeds in fuzz/corpus/TARGET/. Targets
# default to all of csv, instrument, qset, qdc, qdpx, model_json, table, http, qsortcsv, codetable.
#
# Each target first runs once over its seeds alone (-runs=0, no length limit)
# to measure the coverage they reach; then it fuzzes with -max_len set to its
# largest seed plus a quarter, rounded up to 1 KiB (at least 4096), so no seed
# is cut short. One line per target reports the edges (libFuzzer's cov) and
# features (ft) reached, the seeds and the edges they reach alone, max_len,
# and the runs; a last line totals them. New inputs go to
# build-fuzz/corpus-TARGET/, crashes to build-fuzz/TARGET-crash-* (kept, as
# are -leak-*, -timeout-*, -oom-*). Exits non-zero when a fuzzer finds a bug,
# when a seed is over 64 KiB or max_len would cut one, when a target ends
# below the coverage of its seeds alone, or below the floor recorded for it
# here (a run that reaches that little is not exercising the reader).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-20}
[ $# -gt 0 ] && shift
targets=${*:-csv instrument qset qdc qdpx model_json table http qsortcsv codetable}
out="$here/build-fuzz"
cc=${CLANG:-clang}

if ! command -v "$cc" >/dev/null 2>&1; then
  echo "fuzz.sh: clang not found; install it: sudo apt-get install -y clang libclang-rt-14-dev" >&2
  exit 1
fi
mkdir -p "$out"
# libFuzzer's runtime is a separate Debian package (libclang-rt-14-dev on Debian 12).
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
  > "$out/probe.c"
if ! "$cc" -fsanitize=fuzzer "$out/probe.c" -o "$out/probe" 2>/dev/null; then
  echo "fuzz.sh: $cc cannot link libFuzzer; install it: sudo apt-get install -y libclang-rt-14-dev" >&2
  exit 1
fi

cd "$here"
# The readers under test and what they need (no OpenMP: its pragmas are ignored here).
sh scripts/embed.sh instrument_default_json data/instruments/partnership-checkin.json \
  > "$out/instrument_default.c"
srcs="src/core/buf.c src/core/utf8.c src/core/err.c src/core/strmap.c src/core/json.c src/io/csv.c src/io/instrument.c src/io/jsonread.c src/io/qset.c src/io/qset_default.c src/io/table.c \
      src/io/qsortcsv.c src/io/codetable.c \
      src/io/codebook.c src/io/codebook_starter.c src/io/qdc.c src/io/qdc_schema.c \
      src/io/qdpx.c src/io/qdpx_schema.c \
      src/model/params.c src/model/philox.c src/model/sim.c src/model/sweep.c src/model/abc.c \
      src/web/http.c src/web/html.c fuzz/omp_stub.c $out/instrument_default.c"
flags="-std=c17 -D_GNU_SOURCE -g -O1 -Wno-unknown-pragmas -Isrc \
       -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
flags="$flags $(pkg-config --cflags jansson libxml-2.0 libzip)"
libs="$(pkg-config --libs jansson libxml-2.0 libzip) -lm"

# The readers are compiled once (instrumented for coverage), then linked into
# each target. JOBS compilers at a time (default 2).
rm -rf "$out/obj"
mkdir -p "$out/obj"
# shellcheck disable=SC2086,SC2016
printf '%s\n' $srcs | xargs -P "${JOBS:-2}" -I{} sh -c \
  'o="$1/obj/$(echo "$2" | tr / _).o"; '"$cc"' '"$flags"' -fsanitize=fuzzer-no-link -c "$2" -o "$o"' \
  sh "$out" {}
objs=$(ls "$out"/obj/*.o)

# Tokens that matter to a CSV parser.
cat > "$out/csv.dict" <<'DICT'
"\""
"\"\""
","
"\x0d\x0a"
"\x0a"
"\x0d"
"\xef\xbb\xbf"
"\x00"
"\xff"
"\xc3\xa9"
DICT
cat > "$out/json.dict" <<'DICT'
"{"
"}"
"["
"]"
":"
","
"\"name\""
"\"values\""
"\"from\""
"\"to\""
"\"steps\""
"\"vary\""
"\"fixed\""
"\"replicates\""
"\"regimes\""
"\"mean_balance\""
"\"items\""
"\"constructs\""
"\"type\""
"\"scale\""
"\"grid\""
"\"count\""
"\"polarity\""
"\"dimension\""
"\"statements\""
"\"dimensions\""
"1e308"
"-0"
DICT

# Tokens that matter to the REFI-QDA codebook reader.
cat > "$out/xml.dict" <<'DICT'
"<?xml version=\"1.0\"?>"
"<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\">"
"</CodeBook>"
"<Codes>"
"</Codes>"
"<Code "
"</Code>"
"/>"
"<Description>"
"</Description>"
"<Sets>"
"<Set "
"<MemberCode "
" guid=\"00000000-0000-4000-8000-000000000000\""
" name=\"A\""
" isCodable=\"true\""
" color=\"#ABC\""
" origin=\"duet codebook a version 1\""
"Definition: "
"When to use: "
"When not to use: "
"Example: "
"&amp;"
"&#10;"
"<!DOCTYPE"
"<![CDATA["
"xmlns:x="
DICT

# Tokens that matter to the REFI-QDA project reader (inside its zip).
cat > "$out/qdpx.dict" <<'DICT'
"PK\x03\x04"
"PK\x01\x02"
"PK\x05\x06"
"project.qde"
"sources/"
"Sources/"
"<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"p\">"
"</Project>"
"<Users>"
"<User "
"<CodeBook><Codes>"
"<Code "
"<Sources>"
"<TextSource "
"<PDFSource "
"<PlainTextContent>"
"<PlainTextSelection "
"<Coding "
"<CodeRef "
"<Cases>"
"<Case "
"<VariableValue>"
"<SourceRef "
" plainTextPath=\"internal://a.txt\""
" startPosition=\"0\""
" endPosition=\"3\""
" creatingUser="
" targetGUID=\"00000000-0000-4000-8000-000000000000\""
" guid=\"00000000-0000-4000-8000-000000000001\""
"\xef\xbb\xbf"
DICT

# Tokens that matter to the request parsers (requests, forms, cookies, routes, origins).
cat > "$out/http.dict" <<'DICT'
"%"
"%25"
"%2F"
"%00"
"%0A"
"%C3%A9"
"%C0%AF"
"%ED%A0%80"
"+"
"&"
"="
"; "
"\x0a"
"\x00"
"/"
"//"
"/partnerships/"
"/modules/"
"/checkin"
"duet_session="
"http://"
"https://"
"[::1]:"
":65535"
"GET "
"POST "
" HTTP/1.1\x0d\x0a"
"\x0d\x0a"
"\x0d\x0a\x0d\x0a"
"Cookie: "
"Origin: "
"Host: "
"__Host-duet_session="
"duet_signin="
"?"
DICT

# The least coverage (edges) a target may end with: about 70% of what its
# seeds alone reached when these were set (csv 175, instrument 241, qset 168,
# qdc 349, qdpx 612, model_json 191, table 167, http 319, qsortcsv 137,
# codetable 134; clang 14). A run that
# ends below it is not exercising its reader, e.g. because its seeds no longer
# parse (the instrument target once reached 27 edges: its only seed was cut
# short). Raise a floor when a target's seeds reach much more.
floor_of() {
  case $1 in
    csv) echo 120 ;; instrument) echo 170 ;; qset) echo 115 ;; qdc) echo 240 ;;
    qdpx) echo 430 ;; model_json) echo 130 ;; table) echo 115 ;; http) echo 220 ;;
    qsortcsv) echo 95 ;; codetable) echo 95 ;;
    *) echo 1 ;;
  esac
}

# "cov: X ft: Y" of libFuzzer's last status line in a log, as "X Y".
cov_of() {
  l=$(grep -E '^#[0-9]+[[:space:]]+[A-Z]+[[:space:]]+cov: ' "$1" | tail -1 |
    sed -E 's/.* cov: ([0-9]+) ft: ([0-9]+).*/\1 \2/')
  echo "${l:-0 0}"
}

fail() { echo "fuzz: $t: FAILED: $*" >&2; status=1; failed="$failed $t"; }

status=0
tcov=0 tft=0 tseeds=0 truns=0 tsecs=0 failed=""
for t in $targets; do
  seeds="fuzz/corpus/$t"
  # shellcheck disable=SC2086
  "$cc" $flags -fsanitize=fuzzer "fuzz/fuzz_$t.c" $objs $libs -o "$out/fuzz_$t"
  dict="$out/json.dict"
  case $t in csv | table | qsortcsv | codetable) dict="$out/csv.dict" ;; esac
  [ "$t" = http ] && dict="$out/http.dict"
  [ "$t" = qdc ] && dict="$out/xml.dict"
  [ "$t" = qdpx ] && dict="$out/qdpx.dict"
  mkdir -p "$out/corpus-$t"
  nseeds=$(find "$seeds" -type f | wc -l | tr -d ' ')
  biggest=$(find "$seeds" -type f -exec wc -c {} + | awk '$2 != "total" && $1 > m { m = $1 } END { print m + 0 }')
  if [ "$biggest" -gt 65536 ]; then
    fail "a seed in $seeds is $biggest bytes; keep each under 64 KiB"
    continue
  fi
  maxlen=$(( (biggest + biggest / 4 + 1023) / 1024 * 1024 ))
  [ "$maxlen" -lt 4096 ] && maxlen=4096

  # Coverage of the seeds alone, each read whole; then read as the run will
  # read them (at most max_len bytes), which must reach the same features
  # (within 0.5%: a reader that makes fresh GUIDs varies by one or two).
  if ! "$out/fuzz_$t" -runs=0 -timeout=10 -artifact_prefix="$out/$t-" "$seeds" \
       >"$out/$t.seeds.log" 2>&1; then
    fail "a seed fails; see $out/$t.seeds.log"
    tail -30 "$out/$t.seeds.log" >&2
    continue
  fi
  r=$(cov_of "$out/$t.seeds.log")
  scov=${r% *} sft=${r#* }
  "$out/fuzz_$t" -runs=0 -max_len="$maxlen" -timeout=10 "$seeds" >"$out/$t.seeds-cut.log" 2>&1 || true
  r=$(cov_of "$out/$t.seeds-cut.log")
  if [ $(( ${r#* } + 1 + sft / 200 )) -lt "$sft" ]; then
    fail "max_len $maxlen cuts its seeds short: they reach ${r#* } features so, $sft whole"
    continue
  fi

  t0=$(date +%s)
  rc=0
  "$out/fuzz_$t" -max_total_time="$secs" -max_len="$maxlen" -timeout=10 -dict="$dict" \
    -artifact_prefix="$out/$t-" -print_final_stats=1 "$out/corpus-$t" "$seeds" \
    >"$out/$t.log" 2>&1 || rc=$?
  s=$(( $(date +%s) - t0 ))
  r=$(cov_of "$out/$t.log")
  cov=${r% *} ft=${r#* }
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log")
  runs=${runs:-0}
  echo "fuzz: $t: $cov edges (cov), $ft features (ft), $nseeds seeds (alone: $scov edges), max_len $maxlen, $runs runs in $s s"
  if [ "$rc" -ne 0 ]; then
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$out/$t.log" | tail -1)
    fail "found a problem${crash:+, kept in $crash} (reproduce: $out/fuzz_$t ${crash:-FILE}); log: $out/$t.log"
    tail -30 "$out/$t.log" >&2
  else
    floor=$(floor_of "$t")
    [ "$cov" -lt "$scov" ] && fail "$cov edges after the run, below the $scov its seeds reach alone"
    [ "$cov" -lt "$floor" ] && fail "$cov edges, below this target's floor of $floor"
  fi
  tcov=$((tcov + cov)) tft=$((tft + ft)) tseeds=$((tseeds + nseeds)) truns=$((truns + runs)) tsecs=$((tsecs + s))
done
n=$(echo "$targets" | wc -w | tr -d ' ')
echo "fuzz: total: $n targets, $tcov edges (cov), $tft features (ft), $tseeds seeds, $truns runs in $tsecs s${failed:+; failed:$failed}"
exit $status
