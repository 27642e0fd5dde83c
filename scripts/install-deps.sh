#!/bin/sh
# Installs the Debian packages listed in deps/debian-packages.txt that are missing.
# A line "PKG if-missing-command:CMD" installs PKG only when CMD is not on PATH
# (npm: a machine whose nodejs already ships npm must not get Debian's npm too).
# As root it runs apt-get; otherwise it prints the exact command to run and fails.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
list="$here/deps/debian-packages.txt"
missing=""
while read -r p cond _; do
  case "$p" in ''|'#'*) continue ;; esac
  case "$cond" in
    if-missing-command:*) command -v "${cond#if-missing-command:}" >/dev/null 2>&1 && continue ;;
  esac
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done < "$list"
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
