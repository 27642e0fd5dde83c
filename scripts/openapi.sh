#!/bin/sh
# Builds docs/openapi.json from docs/openapi/base.json (info, security) and
# one file of "paths" per part of the API (docs/openapi/<part>.json), so each
# handler file's routes are described next to each other; it gives every
# operation's errors the one Error shape and adds 404 and a default
# response (components in base.json) where a part leaves them out. Run it after
# editing a part; tests/cli/test_openapi.sh fails when the two disagree.
#   sh scripts/openapi.sh            rewrite docs/openapi.json
#   sh scripts/openapi.sh --stdout   print it instead
set -eu
cd "$(dirname "$0")/.."
parts=$(ls docs/openapi/*.json | grep -v '/base.json$')
# shellcheck disable=SC2086
# Every error of every operation has the one shape (components.schemas.Error);
# every operation lists 404 and, as "default", the other refusals.
out=$(jq -S -s '
  .[0] * {paths: (.[1:] | add)}
  | .paths |= map_values(map_values(.responses |= (
      with_entries(if (.key | test("^[45]")) and (.value | has("$ref") | not)
                   then .value.content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
                   else . end)
      | (if has("404") then . else . + {"404": {"$ref": "#/components/responses/NotFound"}} end)
      | . + {"default": {"$ref": "#/components/responses/Error"}})))
' docs/openapi/base.json $parts)
if [ "${1:-}" = "--stdout" ]; then
  printf '%s\n' "$out"
else
  printf '%s\n' "$out" > docs/openapi.json.tmp && mv docs/openapi.json.tmp docs/openapi.json
fi
