#!/usr/bin/env bash
# The whole test suite, from nothing: installs what it needs, builds the engine (cached outside the repo), compiles,
# then runs mocha over unit and integration tests (real Pulumi CLI, real OpenSSH and FTPS servers on 127.0.0.1).
# Needs root (or sudo) for Debian packages and the test login user. Usage: bash scripts/test.sh [mocha args]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
start=$(date +%s)
bash scripts/setup.sh
export FILEDROP_ENGINE_BIN="$(bash scripts/engine.sh | tail -n 1)"
npx tsc -p tsconfig.json
echo "[test] setup took $(( $(date +%s) - start ))s; running mocha" >&2
npx mocha "$@"
