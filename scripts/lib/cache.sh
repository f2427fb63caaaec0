# Sourced by scripts/engine.sh, python.sh and node.sh: the one way they name, and take turns at, their cache folders
# outside the repo (${XDG_CACHE_HOME:-~/.cache}/pulumi-filedrop/<kind>/v<version>).

# The version asked for ($1), else the @pulumi/pulumi devDependency of the repo at $2; without a leading "v".
wanted_version() {
    local v="${1:-}"
    [ -n "$v" ] || v="$(node -p "require('$2/package.json').devDependencies['@pulumi/pulumi']")"
    echo "${v#v}"
}

# The cache folder of kind $1 at version $3; $2 (an override variable's value, may be empty) replaces its parent.
cache_folder() {
    echo "${2:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-filedrop/$1}/v$3"
}

# Holds an exclusive lock on folder $1 (file descriptor 9, until the script ends), so two runs at the same time take
# turns; when another run holds it, says so ($2 names what that run is doing) and waits.
lock_cache() {
    mkdir -p "$1"
    exec 9>"$1/.lock"
    if ! flock -n 9; then
        echo "[$(basename "$0" .sh)] another run is $2 in $1: waiting for it" >&2
        flock 9
    fi
}
