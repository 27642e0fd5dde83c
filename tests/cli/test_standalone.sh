# The repository stands alone: no file a user clones names a path outside it.
# (.ci/run also runs the whole suite from a copy of the tree with nothing beside it.)
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib.sh"

# Every file of the tree but build output, installed packages and git's own.
files() {
  (cd "$top" && find . \( -name .git -o -name node_modules -o -name 'build' -o -name 'build-*' \
      -o -name .tools \) -prune -o -type f -print)
}
# The patterns are split so that this file does not match itself.
dots='\.\./'
outside=$(cd "$top" && files | xargs grep -n -I -E -e "${dots}shared" -e "DUET_""SHARED" \
  -e "${dots}examples/" -e "${dots}spec/" -e "(^|[^a-z_/])shared/(spec|examples|refi-qda|domain)" \
  2>/dev/null | head -5)
rc=0 out=$outside err=
expect "no file refers to a folder beside the repository" '[ -z "$outside" ]'

# What the issue found: the golden file of the model and the spec are in the tree.
expect "the model's golden file is in the repository" '[ -s "$top/tests/fixtures/model/golden-seed1.csv" ]'
run simulate --help
expect "simulate --help points at documentation in the repository" \
  '[ $rc -eq 0 ] && printf "%s" "$out" | grep -q "docs/model.md" && [ -f "$top/docs/model.md" ] && [ -f "$top/docs/spec/identity-model.md" ]'

# Every relative link in the Markdown documentation leads to a file that exists.
broken=
for md in $(cd "$top" && files | grep '\.md$'); do
  dir=$(dirname "$top/$md")
  for link in $(grep -o '](\([^)#: ]*\)[)#]' "$top/$md" | sed 's/^](//; s/[)#]$//' | sort -u); do
    [ -n "$link" ] || continue
    [ -e "$dir/$link" ] || broken="$broken $md:$link"
  done
done
out=$broken
expect "every relative link in the docs leads to a file in the repository" '[ -z "$broken" ]'
