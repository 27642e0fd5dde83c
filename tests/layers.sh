#!/bin/sh
# The architecture check: a layer may include only itself and layers below it.
#   core < io, model, stats < store < app, analysis < web < cli
# Prints "ok"/"not ok" per layer.
cd "$(dirname "$0")/.." || exit 1
allowed() {
  case $1 in
    core) echo "core" ;;
    io|model|stats) echo "core $1" ;;
    store) echo "core io store" ;;
    app|analysis) echo "core io model stats store app analysis" ;;
    web) echo "core io model stats store app analysis web" ;;
    cli) echo "core io model stats store app analysis web cli" ;;
  esac
}
for dir in src/*/; do
  layer=$(basename "$dir")
  ok=$(allowed "$layer")
  bad=""
  for inc in $(grep -ho '#include "[a-z]*/' "$dir"*.c "$dir"*.h 2>/dev/null | sed 's/#include "//; s|/||' | sort -u); do
    case " $ok " in
      *" $inc "*) ;;
      *) bad="$bad $inc" ;;
    esac
  done
  if [ -n "$bad" ]; then
    echo "not ok - layer $layer includes higher or unknown layers:$bad"
  else
    echo "ok - layer $layer includes only: $ok"
  fi
done
