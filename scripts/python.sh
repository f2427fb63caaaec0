#!/usr/bin/env bash
# Makes (once) the Python virtualenv that Python test programs share, with the Pulumi SDK of the engine's version
# from pip (`pulumi==VERSION`) and what a generated provider SDK needs to install (parver, semver, setuptools, wheel),
# and prints the virtualenv's folder (last line on stdout). Each test program has a small virtualenv of its own that
# sees this one's packages (test/harness/pythonProgram.ts), so `pulumi package add` installs the generated SDK there,
# offline, and never into this shared one.
#
# Usage: bash scripts/python.sh [VERSION]   VERSION defaults to the @pulumi/pulumi devDependency (3.248.0).
#
# The virtualenv lives in ${FILEDROP_PYTHON_CACHE:-~/.cache/pulumi-filedrop/python}/v<VERSION>, outside the repo; a
# second run returns at once, and two runs at the same time wait for each other (flock). Needs python3 with venv
# (scripts/setup.sh installs python3-venv when it is missing).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/cache.sh
source "$here/scripts/lib/cache.sh"
version="$(wanted_version "${1:-}" "$here")"
cache="$(cache_folder python "${FILEDROP_PYTHON_CACHE:-}" "$version")"
venv="$cache/venv"
log() { echo "[python] $*" >&2; }

wanted="pulumi==$version parver semver setuptools wheel"
ready() {
    [ -x "$venv/bin/python" ] && [ "$(cat "$cache/.ready" 2>/dev/null)" = "$wanted" ]
}

lock_cache "$cache" "making the virtualenv"
if ! ready; then
    log "making a virtualenv with $wanted from pip in $venv"
    start=$(date +%s)
    rm -rf "$venv" "$cache/.ready"
    python3 -m venv "$venv" >&2
    # shellcheck disable=SC2086
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check $wanted >&2
    echo "$wanted" >"$cache/.ready"
    log "made in $(( $(date +%s) - start ))s"
fi
echo "$venv"
