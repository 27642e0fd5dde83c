#!/bin/sh
# scripts/fuzz.sh [SECONDS] [TARGET...] — builds each libFuzzer target
# fuzz/fuzz_TARGET.c with AddressSanitizer and UBSan into build-fuzz/ and runs
# it for SECONDS (default 20) from the seeds in fuzz/corpus/TARGET/. Targets
# default to all of csv, instrument, qset, qdc, qdpx, model_json, table, http. New inputs go to
# build-fuzz/corpus-TARGET/, crashes to build-fuzz/crash-*. Exits non-zero
# when a fuzzer finds a bug.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-20}
[ $# -gt 0 ] && shift
targets=${*:-csv instrument qset qdc qdpx model_json table http}
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
      src/io/codebook.c src/io/codebook_starter.c src/io/qdc.c src/io/qdc_schema.c \
      src/io/qdpx.c src/io/qdpx_schema.c \
      src/model/params.c src/model/philox.c src/model/sim.c src/model/sweep.c src/model/abc.c \
      src/web/http.c src/web/html.c fuzz/omp_stub.c $out/instrument_default.c"
flags="-std=c17 -D_GNU_SOURCE -g -O1 -Wno-unknown-pragmas -Isrc \
       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"

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

# Tokens that matter to the request parsers (forms, cookies, routes, origins).
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
DICT

status=0
for t in $targets; do
  # shellcheck disable=SC2086
  "$cc" $flags "fuzz/fuzz_$t.c" $srcs $(pkg-config --cflags --libs jansson libxml-2.0 libzip) -lm -o "$out/fuzz_$t"
  dict="$out/json.dict"
  [ "$t" = csv ] && dict="$out/csv.dict"
  [ "$t" = http ] && dict="$out/http.dict"
  [ "$t" = qdc ] && dict="$out/xml.dict"
  [ "$t" = qdpx ] && dict="$out/qdpx.dict"
  mkdir -p "$out/corpus-$t"
  echo "fuzz.sh: $t for ${secs}s"
  if ! "$out/fuzz_$t" -max_total_time="$secs" -max_len=4096 -timeout=10 -dict="$dict" \
       -artifact_prefix="$out/$t-" -print_final_stats=1 "$out/corpus-$t" "fuzz/corpus/$t" \
       >"$out/$t.log" 2>&1; then
    echo "fuzz.sh: $t found a problem; see $out/$t.log" >&2
    tail -30 "$out/$t.log" >&2
    status=1
  else
    grep -E '^stat::number_of_executed_units' "$out/$t.log" || true
  fi
done
exit $status
