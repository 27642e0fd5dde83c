#!/bin/sh
# The API description agrees with the server: docs/openapi.json is what
# scripts/openapi.sh builds from docs/openapi/*.json, every /api/ route the
# server has is described (with its method), nothing described is missing
# from the server, and each operation names the access action its route is
# checked against.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/cli/lib.sh"

built=$(sh "$top/scripts/openapi.sh" --stdout)
committed=$(jq -S . "$top/docs/openapi.json")
rc=0 out="" err=""
expect "docs/openapi.json is up to date (run sh scripts/openapi.sh)" \
  '[ "$built" = "$committed" ]'

run serve --routes --json
expect "serve --routes --json lists routes" '[ "$rc" -eq 0 ] && [ "$(printf "%s" "$out" | jq length)" -gt 5 ]'
server=$(printf '%s' "$out" | jq -r '.[] | select(.path | startswith("/api/")) | "\(.method | ascii_downcase) \(.path) \(.action)"' | sort)
doc=$(jq -r '.paths | to_entries[] | .key as $p | .value | to_entries[] | "\(.key) \($p) \(.value["x-duet-access"])"' "$top/docs/openapi.json" | sort)
printf "%s\n" "$server" > s.txt; printf "%s\n" "$doc" > d.txt
missing=$(comm -23 s.txt d.txt)
extra=$(comm -13 s.txt d.txt)
out=$missing err=$extra
expect "every API route is described in docs/openapi.json with its access action" '[ -z "$missing" ]'
expect "docs/openapi.json describes no route the server lacks" '[ -z "$extra" ]'
n=$(printf '%s\n' "$server" | grep -c .)
expect "the server has API routes to compare ($n)" '[ "$n" -ge 2 ]'
