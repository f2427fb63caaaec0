#!/usr/bin/env bash
# Installs what the demo and the tests need on a fresh Debian machine: Debian packages (as root, only when
# missing) and the npm dependencies (npm ci when node_modules is missing or older than the lock file).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
need=()
command -v go >/dev/null || need+=(golang-go)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh-keygen >/dev/null || need+=(openssh-client)
command -v openssl >/dev/null || need+=(openssl)
# Python programs' virtualenvs (scripts/python.sh).
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
    echo "[setup] installing Debian packages: ${need[*]}" >&2
    sudo_=""; [ "$(id -u)" = 0 ] || sudo_=sudo
    # Keep packages' services (sshd on port 22) from starting; restore any policy-rc.d that was there.
    saved=""
    [ -e /usr/sbin/policy-rc.d ] && saved="$(mktemp)" && $sudo_ cp -p /usr/sbin/policy-rc.d "$saved"
    printf '#!/bin/sh\nexit 101\n' | $sudo_ tee /usr/sbin/policy-rc.d >/dev/null && $sudo_ chmod +x /usr/sbin/policy-rc.d
    ($sudo_ apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq --no-install-recommends "${need[@]}") >&2 || status=$?
    if [ -n "$saved" ]; then $sudo_ mv -f "$saved" /usr/sbin/policy-rc.d; else $sudo_ rm -f /usr/sbin/policy-rc.d; fi
    [ "${status:-0}" = 0 ] || exit "$status"
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
    echo "[setup] npm ci" >&2
    npm ci --no-audit --no-fund --loglevel=error >&2
    touch node_modules
fi
