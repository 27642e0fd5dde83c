#!/bin/sh
# Builds docs/openapi.json from docs/openapi/base.json (info, security) and
# one file of "paths" per part of the API (docs/openapi/<part>.json), so each
# handler file's routes are described next to each other. Run it after
# editing a part; tests/cli/test_openapi.sh fails when the two disagree.
#   sh scripts/openapi.sh            rewrite docs/openapi.json
#   sh scripts/openapi.sh --stdout   print it instead
set -eu
cd "$(dirname "$0")/.."
parts=$(ls docs/openapi/*.json | grep -v '/base.json$')
# shellcheck disable=SC2086
out=$(jq -S -s '.[0] * {paths: (.[1:] | add)}' docs/openapi/base.json $parts)
if [ "${1:-}" = "--stdout" ]; then
  printf '%s\n' "$out"
else
  printf '%s\n' "$out" > docs/openapi.json.tmp && mv docs/openapi.json.tmp docs/openapi.json
fi
