#!/bin/sh
# Installs the Debian packages listed in deps/debian-packages.txt that are missing.
# As root it runs apt-get; otherwise it prints the exact command to run and fails.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
list="$here/deps/debian-packages.txt"
missing=""
for p in $(grep -v '^#' "$list" | sed 's/[[:space:]].*//' | grep -v '^$'); do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0
echo "duet: installing missing Debian packages:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing
else
  echo "duet: run this as root, then make again:" >&2
  echo "  sudo apt-get install -y$missing" >&2
  exit 1
fi
