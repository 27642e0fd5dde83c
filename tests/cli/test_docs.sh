# The maintainers' documentation describes the code as it is: every file it
# names exists, and the lists that must be complete (the layers, the files of
# each folder, the web pages, the tests, the libraries, the schema) are.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib.sh"
arch="$top/docs/architecture.md"
web="$top/docs/web.md"
dm="$top/docs/data-model.md"
readme="$top/README.md"

# expect_empty NAME LIST — ok when LIST is empty; otherwise shows what is in it.
expect_empty() {
  rc=0 out=$2 err=
  expect "$1" '[ -z "$out" ]'
}
# The words of every `quoted span` of a Markdown file, one a line.
spans() { grep -o '`[^`]*`' "$1" | tr -d '`' | tr ' ' '\n'; }
# The lines of section "## TITLE" of a Markdown file.
section() { awk -v t="## $2" '$0 == t {on = 1; next} /^## / {on = 0} on' "$1"; }
# Placeholders the docs write for files that are made, not shipped.
placeholder() {
  case $1 in
    *NNN*|*NAME*|*TOPIC*|*MODULE*|*TARGET*|*'<'*|*what_it_does*) return 0 ;;
  esac
  return 1
}

# 1. Every path in the repository named in `…` in the docs and the README exists
#    (a glob must match at least one file).
missing=
for md in "$top"/docs/*.md "$readme"; do
  for p in $(spans "$md" | grep -E '^\.?(src|tests|scripts|data|fuzz|bench|deps|web|docs|ci)/' |
             sed 's/[,.;:)]*$//' | sort -u); do
    placeholder "$p" && continue
    # a path from the root, or one as an #include names it (web/server.h)
    # shellcheck disable=SC2086
    set -- "$top"/$p "$top"/src/$p
    [ -e "$1" ] || [ -e "$2" ] || missing="$missing ${md#"$top"/}:$p"
  done
done
expect_empty "every file and folder the docs name exists" "$missing"

# 2. The layers: architecture.md gives the order of tests/layers.sh and has a
#    row for every folder under src/.
order=$(sed -n 's/^#   \(core < .*\)$/\1/p' "$top/tests/layers.sh")
rc=0 out=$order err=
expect "architecture.md states the layer order of tests/layers.sh ($order)" \
  '[ -n "$order" ] && grep -qF "$order" "$arch"'
nolayer=
for d in "$top"/src/*/; do
  l=$(basename "$d")
  section "$arch" Layers | grep -q "^| \`$l\` |" || nolayer="$nolayer $l"
done
expect_empty "architecture.md's layer table has every layer" "$nolayer"

# 3. The folders table of architecture.md: what it names is in that folder,
#    and every source file of src/ is named under its folder.
rows=$(section "$arch" "Folders, files and prefixes" | awk -F'|' '
  /^\| *`src\// {folder = $2; gsub(/[ `]/, "", folder)}
  /^\|/ && folder != "" {print folder "\t" $3}')
wrong=
named=$(printf '%s\n' "$rows" | while IFS="$(printf '\t')" read -r folder files; do
  first=1
  for t in $(printf '%s' "$files" | grep -o '`[^`]*`' | tr -d '`'); do
    placeholder "$t" && continue
    case $t in
      */*) continue ;;
      *.c|*.h) printf '%s %s\n' "$folder" "$t" ;;
      *.*) ;;
      *) [ $first = 1 ] && printf '%s %s\n' "$folder" "$t" ;;
    esac
    first=0
  done
done)
wrong=$(printf '%s\n' "$named" | while read -r folder t; do
  [ -n "$folder" ] || continue
  # shellcheck disable=SC2086
  set -- "$top/$folder"$t "$top/$folder$t.c" "$top/$folder$t.h"
  [ -e "$1" ] || [ -e "$2" ] || [ -e "$3" ] || printf ' %s%s' "$folder" "$t"
done)
expect_empty "every file architecture.md's folders table names exists there" "$wrong"
unlisted=
for f in "$top"/src/*/*.c "$top"/src/*/*.h; do
  folder=src/$(basename "$(dirname "$f")")/
  base=$(basename "$f")
  stem=${base%.*}
  hit=$(printf '%s\n' "$named" | while read -r d t; do
    [ "$d" = "$folder" ] || continue
    # shellcheck disable=SC2254
    case $base in $t|$stem) echo y ;; esac
    [ "$t" = "$stem" ] && echo y
  done)
  [ -n "$hit" ] || unlisted="$unlisted $folder$base"
done
expect_empty "architecture.md's folders table names every file under src/" "$unlisted"

# 4. docs/web.md's file table names every file of src/web/, and only those.
webfiles=$(section "$web" "For maintainers" | grep '^| `' | cut -d'|' -f2 | grep -o '`[^`]*`' | tr -d '`')
wrong=
for t in $webfiles; do [ -e "$top/src/web/$t" ] || wrong="$wrong $t"; done
for f in "$top"/src/web/*.c; do
  printf '%s\n' "$webfiles" | grep -qx "$(basename "$f")" || wrong="$wrong $(basename "$f")(unlisted)"
done
expect_empty "docs/web.md's file table matches src/web/*.c" "$wrong"

# 5. Every page (a GET route outside /api/) of the route tables is in docs/web.md.
nopage=
for r in $(grep -ohE '\{"GET", "/[^"]*"' "$top"/src/web/*.c | sed 's/.*, "//; s/"$//' |
           grep -v '^/api/' | sort -u); do
  grep -qE "\`$r[\`?]" "$web" || nopage="$nopage $r"
done
expect_empty "docs/web.md lists every page of the route tables" "$nopage"

# 6. The Tests section of architecture.md names every kind of test tests/run.sh runs.
kinds="tests/unit/test_*.c tests/layers.sh $(grep -oE 'tests/[a-z]+/test_\*\.[a-z]+' "$top/tests/run.sh" | sort -u)"
notest=
for k in $kinds; do section "$arch" Tests | grep -qF "\`$k\`" || notest="$notest $k"; done
expect_empty "architecture.md's Tests section names every kind of test in tests/run.sh" "$notest"

# 7. The libraries: the Makefile's pkg-config packages and every Debian
#    package of deps/debian-packages.txt are named in architecture.md.
nolib=
pkgs=$(sed -n 's/^PKGS *:= *//p' "$top/Makefile")
for p in $pkgs; do spans "$arch" | grep -qxF "$p" || nolib="$nolib $p"; done
for p in $(sed 's/#.*//' "$top/deps/debian-packages.txt" | awk 'NF {print $1}'); do
  spans "$arch" | grep -qxF "$p" || nolib="$nolib $p"
done
expect_empty "architecture.md names every pkg-config and Debian package the build uses" "$nolib"

# 8. The README's Layout table names every top-level folder and every folder of data/.
nofolder=
layout=$(section "$readme" Layout)
for d in "$top"/*/ "$top"/.ci/ "$top"/data/*/; do
  rel=${d#"$top"/}
  case $rel in build*|node_modules/|.tools/) continue ;; esac
  printf '%s\n' "$layout" | grep -qF "\`$rel" || nofolder="$nofolder $rel"
done
expect_empty "the README's Layout table names every folder" "$nofolder"

# 9. data-model.md names every table of the schema and every column.
schema=$(cat "$top"/src/store/migrations/*.sql)
gone=$(printf '%s\n' "$schema" | sed -n 's/^DROP TABLE \([a-z_]*\).*/\1/p; s/^ALTER TABLE \([a-z_]*\) RENAME TO.*/\1/p')
tables=$(printf '%s\n' "$schema" | sed -n 's/^CREATE \(TABLE\|VIEW\) \([a-z_]*\).*/\2/p; s/^ALTER TABLE [a-z_]* RENAME TO \([a-z_]*\).*/\1/p' | sort -u)
nodoc=
for t in $tables; do
  printf '%s\n' "$gone" | grep -qx "$t" && continue
  grep -qE "(\`|\| )$t(\`| \|)" "$dm" || nodoc="$nodoc $t"
done
for c in $(printf '%s\n' "$schema" | awk '/^CREATE TABLE/ {on = 1; next} /^\)/ {on = 0}
             on && $1 ~ /^[a-z_]+$/ {print $1}' | sort -u); do
  grep -qF "\`$c\`" "$dm" || nodoc="$nodoc $c"
done
expect_empty "data-model.md names every table and column of the migrations" "$nodoc"
