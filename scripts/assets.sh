#!/bin/sh
# assets.sh OUT_DIR — builds the static files that `duet serve` serves under
# /assets/: exactly the files listed in OUT_DIR/manifest.txt, one a line
# ("PATH HASHED_PATH [br] [gz]": the file, its content-hashed name, and the
# precompressed copies PATH.br and PATH.gz beside it), which the server loads
# into memory at startup.
#
#   duet.css            web/scss/duet.scss (NHS.UK frontend + duet), compressed
#   duet.js             web/static/duet.js (ES module; imports ./nhsuk.js)
#   nhsuk.js            nhsuk-frontend's minified bundle (ES module)
#   vega.min.js         \
#   vega-lite.min.js     > UMD bundles, loaded by duet.js on pages with charts
#   vega-embed.min.js   /  (vega-embed bundles vega-interpreter, used with ast)
#   nhsuk/manifest.json web app manifest, and the icons it lists
#   nhsuk/images/...    favicons and the icons duet.css refers to
#
# Installs the npm packages first (npm ci, no install scripts, no browser
# download) when node_modules is missing or older than package-lock.json.
# Idempotent: OUT_DIR is built beside itself and swapped in, so it never holds
# stale files. See docs/frontend.md.
set -eu

die() {
  echo "assets.sh: $*" >&2
  exit 1
}

if [ $# -ne 1 ] || [ -z "$1" ]; then
  die "usage: scripts/assets.sh OUT_DIR"
fi

root=$(cd "$(dirname "$0")/.." && pwd)
out=$1
case "$out" in
  /*) ;;
  *) out=$(pwd)/$out ;;
esac
out=${out%/}
case "$out" in
  '' | / | "$root" | "$root/web" | "$root/src" | "$root/node_modules")
    die "refusing to write to $1" ;;
esac
# Never delete a folder this script did not make.
if [ -d "$out" ] && [ ! -f "$out/manifest.txt" ] && [ -n "$(ls -A "$out")" ]; then
  die "$1 exists, is not empty and has no manifest.txt: not an assets folder; remove it or choose another"
fi

command -v npm >/dev/null 2>&1 ||
  die "npm is not installed (it comes with Node.js; scripts/install-deps.sh installs it)"
# Node.js 20 or later first on PATH (fetched once when the system's is older).
DUET_ROOT=$root . "$root/scripts/node.sh"

# Never let a package download a browser: the tests use Debian's chromium.
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD

nm=$root/node_modules
stamp=$nm/.package-lock.json # written by npm at the end of every install
if [ ! -f "$stamp" ] || [ -n "$(find "$root/package-lock.json" -newer "$stamp")" ]; then
  echo "assets.sh: npm ci" >&2
  (cd "$root" && npm ci --no-audit --no-fund --ignore-scripts) ||
    die "npm ci failed"
  # npm ci may keep the old stamp's time when nothing changed: mark it fresh.
  touch "$stamp"
fi

for f in \
  nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js \
  nhsuk-frontend/dist/nhsuk/assets/manifest.json \
  vega/build/vega.min.js \
  vega-lite/build/vega-lite.min.js \
  vega-embed/build/vega-embed.min.js \
  sass/sass.js; do
  [ -f "$nm/$f" ] || die "node_modules/$f is missing: has a package upgrade moved it? (see docs/frontend.md)"
done

tmp=$out.tmp.$$
trap 'rm -rf "$tmp"' EXIT HUP INT TERM
rm -rf "$tmp"
mkdir -p "$tmp/nhsuk/images"

# A vendor script without its trailing "//# sourceMappingURL=" line: the maps
# are not served, and a browser would ask for them.
copy_js() {
  sed '/^\/\/# sourceMappingURL=/d; s|//# sourceMappingURL=[^ ]*$||' "$1" >"$2"
}

# duet.css
node "$nm/sass/sass.js" --load-path="$nm" --style=compressed --no-source-map \
  "$root/web/scss/duet.scss" "$tmp/duet.css" ||
  die "sass failed on web/scss/duet.scss"
if grep -q '@font-face' "$tmp/duet.css"; then
  die "duet.css has an @font-face rule: the web font must stay off (see docs/frontend.md)"
fi

# Scripts.
cp "$root/web/static/duet.js" "$tmp/duet.js"
copy_js "$nm/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js" "$tmp/nhsuk.js"
copy_js "$nm/vega/build/vega.min.js" "$tmp/vega.min.js"
copy_js "$nm/vega-lite/build/vega-lite.min.js" "$tmp/vega-lite.min.js"
copy_js "$nm/vega-embed/build/vega-embed.min.js" "$tmp/vega-embed.min.js"

# NHS.UK frontend's images: the favicons that the page head links to, the
# icons of the web app manifest, and every image duet.css refers to.
img=$nm/nhsuk-frontend/dist/nhsuk/assets/images
cp "$nm/nhsuk-frontend/dist/nhsuk/assets/manifest.json" "$tmp/nhsuk/manifest.json"
{
  echo favicon.ico
  echo favicon.svg
  echo nhsuk-icon-mask.svg
  echo nhsuk-icon-180.png
  sed -n 's|.*"src": *"images/\([^"]*\)".*|\1|p' "$tmp/nhsuk/manifest.json"
  # Each url(...) in duet.css must be under /assets/nhsuk/images/.
  # shellcheck disable=SC2020 # one newline for each of the four characters
  tr ';{},' '\n\n\n\n' <"$tmp/duet.css" | sed -n 's/.*url(\([^)]*\)).*/\1/p' | tr -d "\"'" |
    while read -r u; do
      case "$u" in
        /assets/nhsuk/images/*) echo "${u#/assets/nhsuk/images/}" ;;
        data:*) ;;
        *) echo "!$u" ;;
      esac
    done
} | sort -u >"$tmp/images.list"
if grep -q '^!' "$tmp/images.list"; then
  die "duet.css refers to files outside /assets/nhsuk/images/: $(sed -n 's/^!//p' "$tmp/images.list" | tr '\n' ' ')"
fi
while read -r f; do
  case "$f" in
    */* | .* | '') die "unexpected image name '$f'" ;;
  esac
  [ -f "$img/$f" ] || die "nhsuk-frontend has no assets/images/$f"
  cp "$img/$f" "$tmp/nhsuk/images/$f"
done <"$tmp/images.list"
rm "$tmp/images.list"

# Content-hashed names: NAME.HASH.EXT, HASH the first 12 hex digits of the
# file's SHA-256. A file that names others (duet.css its images, duet.js the
# scripts it loads) is rewritten to their hashed names before it is hashed
# itself, so a change anywhere gives every file that leads to it a new name.
hashed_name() { # PATH -> PATH with .HASH inserted before its extension
  h=$(sha256sum "$tmp/$1" | cut -c1-12)
  case "$1" in
    */*) d=${1%/*}/ b=${1##*/} ;;
    *) d='' b=$1 ;;
  esac
  echo "$d${b%.*}.$h.${b##*.}"
}
: >"$tmp/hashed.list"
for f in $(cd "$tmp" && find nhsuk -type f | LC_ALL=C sort) nhsuk.js vega.min.js vega-lite.min.js vega-embed.min.js; do
  echo "$f $(hashed_name "$f")" >>"$tmp/hashed.list"
done
# duet.css: url("/assets/nhsuk/images/NAME") -> the hashed name.
while read -r f h; do
  case "$f" in
    nhsuk/images/*) ;;
    *) continue ;;
  esac
  fe=$(printf '%s' "$f" | sed 's/[.]/\\./g')
  sed "s|/assets/$fe\([\"')]\)|/assets/$h\1|g" "$tmp/duet.css" >"$tmp/duet.css.new"
  mv "$tmp/duet.css.new" "$tmp/duet.css"
done <"$tmp/hashed.list"
# shellcheck disable=SC2020 # one newline for each of the four characters
if tr ';{},' '\n\n\n\n' <"$tmp/duet.css" | grep 'url(' | grep -Eqv '/assets/nhsuk/images/[^/]*\.[0-9a-f]{12}\.[a-z]+|data:'; then
  die "duet.css still refers to an un-hashed image after the rewrite"
fi
# duet.js: each quoted 'NAME.js' it loads beside itself -> the hashed name;
# every one must be found, or the page would load a stale file.
while read -r f h; do
  case "$f" in
    */* | *.json) continue ;;
  esac
  fe=$(printf '%s' "$f" | sed 's/[.]/\\./g')
  grep -q "'$fe'" "$tmp/duet.js" || die "web/static/duet.js does not name '$f': update scripts/assets.sh"
  sed "s|'$fe'|'$h'|g" "$tmp/duet.js" >"$tmp/duet.js.new"
  mv "$tmp/duet.js.new" "$tmp/duet.js"
done <"$tmp/hashed.list"
for f in duet.css duet.js; do
  echo "$f $(hashed_name "$f")" >>"$tmp/hashed.list"
done

# Precompressed copies beside each file that compresses: NAME.gz (gzip -9,
# no name or time stamp: the same bytes every build) and NAME.br (brotli at
# its highest quality); a copy no smaller than the file is not kept.
command -v brotli >/dev/null 2>&1 ||
  die "brotli is not installed (Debian package brotli; scripts/install-deps.sh installs it)"
size() { wc -c <"$1" | tr -d ' '; }
: >"$tmp/manifest.new"
while read -r f h; do
  encs=''
  case "$f" in
    *.png) ;; # already compressed
    *)
      gzip -9 -n -c "$tmp/$f" >"$tmp/$f.gz"
      brotli -q 11 -c "$tmp/$f" >"$tmp/$f.br"
      for e in br gz; do
        if [ "$(size "$tmp/$f.$e")" -lt "$(size "$tmp/$f")" ]; then
          encs="$encs $e"
        else
          rm "$tmp/$f.$e"
        fi
      done ;;
  esac
  echo "$f $h$encs" >>"$tmp/manifest.new"
done <"$tmp/hashed.list"
rm "$tmp/hashed.list"

# The manifest: one served file a line, sorted, relative to OUT_DIR: its
# name, its hashed name, then which precompressed copies sit beside it
# (br: NAME.br, gz: NAME.gz).
LC_ALL=C sort "$tmp/manifest.new" >"$tmp/manifest.txt"
rm "$tmp/manifest.new"
if [ "$(wc -l <"$tmp/manifest.txt")" -ne "$(cd "$tmp" && find . -type f ! -name '*.gz' ! -name '*.br' ! -name manifest.txt | wc -l)" ]; then
  die "the manifest does not list every file built"
fi

rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT HUP INT TERM
echo "assets.sh: $(wc -l <"$out/manifest.txt" | tr -d ' ') files in $1" >&2
