#!/bin/sh
# Builds the CSV fuzz target (fuzz/fuzz_csv.c) with libFuzzer, ASan and UBSan
# into build-fuzz/ and runs it for N seconds (default 20), starting from the
# seeds in fuzz/corpus/csv/. Inputs it finds go to build-fuzz/corpus-csv/,
# crashes to build-fuzz/crash-*. Exits non-zero when the fuzzer finds a bug.
#   sh scripts/fuzz.sh [SECONDS]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-20}
out="$here/build-fuzz"
cc=${CLANG:-clang}

if ! command -v "$cc" >/dev/null 2>&1; then
  echo "fuzz.sh: clang not found; install it: sudo apt-get install -y clang libclang-rt-14-dev" >&2
  exit 1
fi
mkdir -p "$out/corpus-csv"
# libFuzzer's runtime is a separate Debian package (libclang-rt-14-dev on Debian 12).
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
  > "$out/probe.c"
if ! "$cc" -fsanitize=fuzzer "$out/probe.c" -o "$out/probe" 2>/dev/null; then
  echo "fuzz.sh: $cc cannot link libFuzzer; install it: sudo apt-get install -y libclang-rt-14-dev" >&2
  exit 1
fi

cd "$here"
"$cc" -std=c17 -D_GNU_SOURCE -g -O1 -Wall -Wextra \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
  -Isrc fuzz/fuzz_csv.c src/io/csv.c src/core/buf.c src/core/utf8.c src/core/err.c \
  -o "$out/fuzz_csv"

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

"$out/fuzz_csv" -max_total_time="$secs" -max_len=4096 -timeout=10 \
  -dict="$out/csv.dict" -artifact_prefix="$out/" -print_final_stats=1 \
  "$out/corpus-csv" fuzz/corpus/csv
