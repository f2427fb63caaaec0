#!/usr/bin/env bash
# Builds (once) and prints the folder holding the Pulumi engine the demo and the tests put first on PATH, so that
# programs run with plain `pulumi preview/up/refresh/destroy`, exactly as users type them:
#   pulumi                          the CLI, built from the Go module proxy
#   pulumi-language-nodejs          Pulumi's Node.js language host (runs index.ts / index.js programs)
#   pulumi-resource-pulumi-nodejs   the dynamic-provider plugin shim (Pulumi's own, from the sdk module)
#   pulumi-resource-command         @pulumi/command's provider plugin v1.2.1 (for programs that share a connection)
#   pulumi-language-python(-exec), pulumi-language-yaml
#                                   the Python and YAML language hosts (programs that use the provider plugin), for
#                                   the versions whose Python host source pulumi-src holds (3.248.0; not 3.259.0)
#
# Usage: bash scripts/engine.sh [VERSION]   VERSION defaults to the @pulumi/pulumi devDependency (3.248.0, Node 20);
#        3.259.0 is the "current" line (needs Node >= 22 for the SDK). Progress on stderr, the bin folder on stdout
#        (last line).
#
# Order, first that works:
# 1. `pulumi` and `pulumi-language-nodejs` on PATH at VERSION (a user's machine): used as they are, nothing built.
# 2. The cache ${FILEDROP_ENGINE_CACHE:-~/.cache/pulumi-filedrop/engine}/v<VERSION>/bin, outside the repo; a second
#    run returns at once. Two runs at the same time are safe: the whole build holds a `flock` on the version folder.
# 3. Build what is missing:
#    - the CLI from the Go module proxy. `go install …/pkg/v3/cmd/pulumi@vX` is refused because pkg's go.mod has
#      `replace` lines, so it builds inside a throwaway wrapper module that requires pkg and sdk at the version and
#      repeats pkg's clipboard replace. The checksum database is not reachable here, so GOSUMDB=off (modules still
#      come only from the proxy over TLS). First build ~5 minutes on 2 cores; ~150 MB.
#    - the language host: first from the proxy (quick; on 2026-11-23 it answered "403 Forbidden: This module version
#      is not available." for the untagged module github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3),
#      else from the source copy in pulumi-src (`build.sh OUTDIR VERSION`, seconds with warm Go caches), which also
#      builds pulumi-resource-command. pulumi-src is, first that exists: $FILEDROP_PULUMI_SRC, <repo>/../shared/
#      pulumi-src (CI), <main checkout of this git worktree>/../shared/pulumi-src.
#    - the Python and YAML language hosts, with the same `build.sh OUTDIR VERSION python yaml` (~1-2 minutes with
#      warm Go caches; the YAML host comes from github.com/pulumi/pulumi-yaml v1.32.0 on the proxy), only for a
#      version whose Python host source is in pulumi-src. A cache made before these hosts existed gets only them.
#    The Python programs' virtualenv (pip `pulumi==VERSION`) is scripts/python.sh's job.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/cache.sh
source "$here/scripts/lib/cache.sh"
version="$(wanted_version "${1:-}" "$here")"
cache="$(cache_folder engine "${FILEDROP_ENGINE_CACHE:-}" "$version")"
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
    log "pulumi on PATH is $onpath, not v$version: using the cached build of v$version"
fi

# pulumi-src, the source copy of what the module proxy does not serve (see the header); may be absent when the
# cache is already complete.
src=""
common="$(git -C "$here" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)"
for candidate in "${FILEDROP_PULUMI_SRC:-}" "$here/../shared/pulumi-src" ${common:+"$(dirname "$common")/../shared/pulumi-src"}; do
    if [ -n "$candidate" ] && [ -x "$candidate/build.sh" ]; then
        src="$(cd "$candidate" && pwd)"
        break
    fi
done

# The Python and YAML hosts belong to this version's engine when pulumi-src has the Python host's source for it.
extras=()
extra_files=()
if [ -n "$src" ] && [ -d "$src/pulumi-language-python-v$version" ]; then
    extras=(python yaml)
    extra_files=(pulumi-language-python pulumi-language-python-exec pulumi-language-yaml)
fi

complete() {
    local f
    for f in pulumi pulumi-language-nodejs pulumi-resource-pulumi-nodejs pulumi-resource-command "${extra_files[@]}"; do
        [ -x "$bin/$f" ] || return 1
    done
}

mkdir -p "$bin" "$cache/src"
lock_cache "$cache" "building v$version"
if complete; then
    echo "$bin"
    exit 0
fi

export GOTOOLCHAIN=local GOSUMDB=off GOFLAGS=-mod=mod
command -v go >/dev/null || { log "Go is needed to build the Pulumi engine: install Go 1.24 or newer"; exit 1; }
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

# The CLI.
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

# The dynamic provider plugin shim, Pulumi's own copy from the sdk module.
if [ ! -x "$bin/pulumi-resource-pulumi-nodejs" ]; then
    [ -f go.mod ] || write_wrapper_module
    sdkdir="$(go mod download -json "github.com/pulumi/pulumi/sdk/v3@v$version" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Dir))')"
    install -m 0755 "$sdkdir/nodejs/dist/pulumi-resource-pulumi-nodejs" "$bin/pulumi-resource-pulumi-nodejs"
fi

# The language host from the module proxy, when it serves it (it did not on 2026-11-23; see the header).
if [ ! -x "$bin/pulumi-language-nodejs" ]; then
    hostmod="github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3"
    info="$(go mod download -json "github.com/pulumi/pulumi/pkg/v3@v$version")"
    commit="$(node -e 'const j=JSON.parse(process.argv[1]);console.log(j.Origin&&j.Origin.Hash||"")' "$info")"
    infofile="$(node -e 'console.log(JSON.parse(process.argv[1]).Info)' "$info")"
    stamp="$(node -e 'const t=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).Time;console.log(t.replace(/[-:TZ]/g,"").slice(0,14))' "$infofile")"
    pseudo="v3.0.0-$stamp-${commit:0:12}"
    if out="$(go mod download -json "$hostmod@$pseudo" 2>&1)" && ! grep -q '"Error"' <<<"$out"; then
        log "building pulumi-language-nodejs at $pseudo from the module proxy"
        (cd "$(node -e 'console.log(JSON.parse(process.argv[1]).Dir)' "$out")" &&
            CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$bin/pulumi-language-nodejs.tmp" . &&
            mv "$bin/pulumi-language-nodejs.tmp" "$bin/pulumi-language-nodejs") >&2 ||
            log "could not build the language host from the proxy; trying the source copy"
    else
        reason="$(grep -o '"Error": "[^"]*' <<<"$out" | sed 's/"Error": "//' | head -c 300)"
        log "the module proxy does not serve pulumi-language-nodejs ($pseudo: ${reason:-no answer}); building it from source"
    fi
fi

# The language host (if still missing), the command plugin and this version's Python and YAML hosts from the source
# copy in pulumi-src (build.sh builds the Node.js host and the command plugin every time; only missing files are
# installed).
missing=()
for f in pulumi-language-nodejs pulumi-resource-command "${extra_files[@]}"; do
    [ -x "$bin/$f" ] || missing+=("$f")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ -z "$src" ]; then
        log "no pulumi-src found (looked at \$FILEDROP_PULUMI_SRC, $here/../shared/pulumi-src${common:+, $(dirname "$common")/../shared/pulumi-src});"
        log "set FILEDROP_PULUMI_SRC to the folder holding build.sh, or put pulumi-language-nodejs v$version on PATH"
        exit 1
    fi
    log "building ${missing[*]} from $src"
    start=$(date +%s)
    out="$cache/src/plugins"
    rm -rf "$out"
    bash "$src/build.sh" "$out" "$version" "${extras[@]}" >&2
    for f in "${missing[@]}"; do
        install -m 0755 "$out/$f" "$bin/$f"
    done
    rm -rf "$out"
    log "built ${missing[*]} in $(( $(date +%s) - start ))s"
fi

complete || { log "the engine in $bin is incomplete"; exit 1; }
echo "$bin"
