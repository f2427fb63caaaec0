#!/usr/bin/env bash
# Builds (once) and prints the folder holding the Pulumi engine our tests and the demo drive:
#   pulumi                          the CLI, built from the Go module proxy at the version of @pulumi/pulumi
#   pulumi-resource-pulumi-nodejs   the dynamic-provider plugin shim (Pulumi's own, from the sdk module)
#   pulumi-language-nodejs          the Node.js language host, when the module proxy serves it (see below)
#
# Usage: bash scripts/engine.sh        -> progress on stderr, the bin folder on stdout (last line)
#
# Cache: ${FILEDROP_ENGINE_CACHE:-~/.cache/pulumi-filedrop/engine}/v<version>/bin, outside the repo, keyed by
# version; a second run returns at once. Where `pulumi` is already on PATH at the same version together with
# `pulumi-language-nodejs`, that installation is used instead and nothing is built.
#
# What worked here (verified 2026-11-23, Go 1.26, pulumi v3.248.0):
# - `go install github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v3.248.0` is refused because pkg's go.mod has
#   `replace` lines, so we build inside a throwaway wrapper module that requires pkg and sdk at the version,
#   repeats pkg's clipboard replace and replaces pkg/sdk module-wide with the same version.
# - The checksum database is not reachable from our machines (lookups answer 404 through the proxy), so the
#   build runs with GOSUMDB=off; modules still come only from the Go module proxy over TLS.
# - The Node.js language host (module github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) has no
#   version tags, and the proxy answers "403 Forbidden: This module version is not available." for its
#   pseudo-version at the commit behind pkg/v3.248.0 (and for @latest and @v/list). We still try each run, and use
#   it when it can be had. Without it, programs run through Pulumi's Automation API inline-program mode (the
#   language runtime served by @pulumi/pulumi itself, the CLI attached with --client): see scripts/run-program.ts.
# - A first build takes about 5 minutes on 2 cores (module download included); the result is ~150 MB.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="$(node -p "require('$here/package.json').devDependencies['@pulumi/pulumi']")"
cache="${FILEDROP_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-filedrop/engine}/v$version"
bin="$cache/bin"
log() { echo "[engine] $*" >&2; }

# 1. A compatible installation on PATH wins.
if command -v pulumi >/dev/null 2>&1 && command -v pulumi-language-nodejs >/dev/null 2>&1; then
    onpath="$(pulumi version 2>/dev/null || true)"
    if [ "$onpath" = "v$version" ]; then
        log "using pulumi $onpath from PATH ($(command -v pulumi))"
        dirname "$(command -v pulumi)"
        exit 0
    fi
    log "pulumi on PATH is $onpath, not v$version: building v$version"
fi

export GOTOOLCHAIN=local GOSUMDB=off GOFLAGS=-mod=mod
command -v go >/dev/null || { log "Go is needed to build the Pulumi CLI: install Go 1.24 or newer"; exit 1; }
mkdir -p "$bin" "$cache/src"
cd "$cache/src"

write_wrapper_module() {
    cat >go.mod <<EOF
module filedrop.local/engine

go 1.24

require (
	github.com/pulumi/pulumi/pkg/v3 v$version
	github.com/pulumi/pulumi/sdk/v3 v$version
)

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e

replace github.com/pulumi/pulumi/sdk/v3 => github.com/pulumi/pulumi/sdk/v3 v$version

replace github.com/pulumi/pulumi/pkg/v3 => github.com/pulumi/pulumi/pkg/v3 v$version
EOF
}

ldflags="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version"

# 2. The CLI.
if [ ! -x "$bin/pulumi" ]; then
    log "building the Pulumi CLI v$version from the Go module proxy (first time only, ~5 minutes)..."
    start=$(date +%s)
    write_wrapper_module
    go get "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$version" 2>&1 | grep -v -e '^go: downloading' -e 'retracted' -e 'go get .*@latest' -e 'to switch to' >&2 || true
    CGO_ENABLED=0 go build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" \
        -o "$bin/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    mv "$bin/pulumi.tmp" "$bin/pulumi"
    log "built $("$bin/pulumi" version) in $(( $(date +%s) - start ))s"
fi

# 3. The dynamic provider plugin shim, Pulumi's own copy from the sdk module.
if [ ! -x "$bin/pulumi-resource-pulumi-nodejs" ]; then
    sdkdir="$(go mod download -json "github.com/pulumi/pulumi/sdk/v3@v$version" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Dir))')"
    install -m 0755 "$sdkdir/nodejs/dist/pulumi-resource-pulumi-nodejs" "$bin/pulumi-resource-pulumi-nodejs"
fi

# 4. The Node.js language host, if the proxy serves it (it did not on 2026-11-23; see the header).
if [ ! -x "$bin/pulumi-language-nodejs" ]; then
    hostmod="github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3"
    info="$(go mod download -json "github.com/pulumi/pulumi/pkg/v3@v$version")"
    commit="$(node -e 'const j=JSON.parse(process.argv[1]);console.log(j.Origin&&j.Origin.Hash||"")' "$info")"
    infofile="$(node -e 'console.log(JSON.parse(process.argv[1]).Info)' "$info")"
    stamp="$(node -e 'const t=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).Time;console.log(t.replace(/[-:TZ]/g,"").slice(0,14))' "$infofile")"
    pseudo="v3.0.0-$stamp-${commit:0:12}"
    if out="$(go mod download -json "$hostmod@$pseudo" 2>&1)" && ! grep -q '"Error"' <<<"$out"; then
        log "building pulumi-language-nodejs at $pseudo"
        (cd "$(node -e 'console.log(JSON.parse(process.argv[1]).Dir)' "$out")" &&
            CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$bin/pulumi-language-nodejs" .) >&2 ||
            log "could not build the language host; programs run in Automation API inline mode"
    else
        reason="$(grep -o '"Error": "[^"]*' <<<"$out" | sed 's/"Error": "//' | head -c 300)"
        echo "$reason" >"$cache/language-host-unavailable.txt"
        log "pulumi-language-nodejs is not served by the module proxy ($pseudo); programs run in Automation API inline mode"
    fi
fi

echo "$bin"
