#!/usr/bin/env bash
# The quick-start demo, from nothing: installs what it needs, builds the engine (cached), starts a throwaway
# OpenSSH server on 127.0.0.1, then runs plain `pulumi up`, `pulumi preview` and `pulumi destroy` of the root
# Pulumi.yaml program (examples/quickstart/index.ts, TypeScript run by Pulumi's own language host and ts-node)
# against it, showing what landed on the server and that destroy leaves it clean. Usage: bash scripts/demo.sh
#
# The package is installed as users get it: `npm pack` (whose prepack compiles it) unpacked into node_modules, so the
# program resolves `pulumi-filedrop` by name and Pulumi serializes the dynamic provider as a reference to it (npm
# refuses to install a package into itself, hence the unpacking). State, PULUMI_HOME and the server live in
# .filedrop/demo (ignored by git); nothing outside the repo is touched but the engine cache and a /tmp folder.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$(pwd)"
bash scripts/setup.sh
engine="$(bash scripts/engine.sh | tail -n 1)"
npx tsc -p tsconfig.json   # the test harness too: scripts/servers/sshd.sh runs its TypeScript sshd from dist/

work="$repo/.filedrop/demo"
rm -rf "$work" && mkdir -p "$work"
echo "=== npm pack (prepack compiles the package) and install it into node_modules ==="
tgz="$(npm pack --silent --pack-destination "$work" 2>/dev/null | tail -n 1)"
rm -rf node_modules/pulumi-filedrop && mkdir -p node_modules/pulumi-filedrop
tar -xzf "$work/$tgz" --strip-components=1 -C node_modules/pulumi-filedrop
echo "$tgz: $(tar -tzf "$work/$tgz" | wc -l) files"

# The sshd's files (authorized_keys among them) live in a /tmp folder the login user can traverse: sshd reads
# authorized_keys as that user, and a checkout under /root (mode 0700) would make every login fail.
servers="$(mktemp -d /tmp/filedrop-demo-sshd-XXXX)"
chmod 0755 "$servers"
bash scripts/servers/sshd.sh start "$servers"
remote="$(mktemp -d /tmp/filedrop-demo-XXXX)"
trap 'bash scripts/servers/sshd.sh stop "$servers"; rm -rf "$remote" "$servers"' EXIT
read -r host port user key known < <(node -e 'const d=require(process.argv[1]);console.log(d.host,d.port,d.user,d.privateKeyPath,d.knownHostsPath)' "$servers/sshd.json")
chmod 0755 "$remote"
[ "$(id -u)" != 0 ] || chown "$user" "$remote"

# The program's settings (read by examples/quickstart/index.ts), and an offline Pulumi: a local file backend, a
# scratch PULUMI_HOME, no update check and no plugin downloads (the engine folder holds every plugin it needs).
export FILEDROP_DEMO_HOST="$host" FILEDROP_DEMO_PORT="$port" FILEDROP_DEMO_USER="$user" FILEDROP_DEMO_KEY="$key"
export FILEDROP_DEMO_KNOWN_HOSTS="$known" FILEDROP_DEMO_ROOT="$remote/app"
export PATH="$engine:$PATH" PULUMI_HOME="$work/pulumi-home" PULUMI_BACKEND_URL="file://$work/state"
export PULUMI_CONFIG_PASSPHRASE="demo-only-passphrase" PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
mkdir -p "$work/state" "$PULUMI_HOME"
show() { echo; echo "\$ $*"; "$@"; }

echo; echo "=== the engine: $(command -v pulumi) $(pulumi version), language host $(command -v pulumi-language-nodejs) ==="
show pulumi stack select --create demo --non-interactive
echo; echo "=== pulumi up (SFTP to $user@$host:$port, files under $remote/app) ==="
show pulumi up --yes --non-interactive
echo; echo "=== on the server ==="
find "$remote" -printf '%M %u %8s %p\n' | sort -k4
echo; echo "=== a second preview: no changes, and no connection is opened ==="
show pulumi preview --non-interactive --expect-no-changes
echo; echo "=== pulumi destroy ==="
show pulumi destroy --yes --non-interactive
echo; echo "=== on the server after destroy ==="
find "$remote" -printf '%M %u %8s %p\n'
