#!/usr/bin/env bash
# The quick-start demo, from nothing: installs what it needs, builds the engine (cached), starts a throwaway
# OpenSSH server on 127.0.0.1, runs `pulumi up` of the root Pulumi.yaml program against it, shows what landed on
# the server, then `pulumi destroy`s it and shows the server is clean again. Usage: bash scripts/demo.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$(pwd)"
bash scripts/setup.sh
engine="$(bash scripts/engine.sh | tail -n 1)"
npx tsc -p tsconfig.json

# Install the package the way users get it: packed, into node_modules (the program resolves it by name, and Pulumi
# serializes the dynamic provider as a reference to it). npm refuses to install a package into itself, so unpack.
work="$repo/.filedrop/demo"
rm -rf "$work" && mkdir -p "$work"
tgz="$(npm pack --silent --pack-destination "$work" | tail -n 1)"
rm -rf node_modules/pulumi-filedrop && mkdir -p node_modules/pulumi-filedrop
tar -xzf "$work/$tgz" --strip-components=1 -C node_modules/pulumi-filedrop

servers="$work/servers"
bash scripts/servers/sshd.sh start "$servers"
trap 'bash scripts/servers/sshd.sh stop "$servers"' EXIT
read -r host port user key known < <(python3 -c 'import json,sys;d=json.load(open(sys.argv[1]));print(d["host"],d["port"],d["user"],d["privateKeyPath"],d["knownHostsPath"])' "$servers/sshd.json")
remote="$(mktemp -d /tmp/filedrop-demo-XXXX)"
chmod 0755 "$remote"
[ "$(id -u)" != 0 ] || chown "$user" "$remote"

export FILEDROP_DEMO_HOST="$host" FILEDROP_DEMO_PORT="$port" FILEDROP_DEMO_USER="$user" FILEDROP_DEMO_KEY="$key"
export FILEDROP_DEMO_KNOWN_HOSTS="$known" FILEDROP_DEMO_ROOT="$remote/app"
export PULUMI_HOME="$work/pulumi-home" PULUMI_BACKEND_URL="file://$work/state" PULUMI_CONFIG_PASSPHRASE="demo-only-passphrase"
mkdir -p "$work/state" "$PULUMI_HOME"
run() { node dist/scripts/run-program.js "$1" --cwd "$repo" --stack demo --engine "$engine"; }

echo; echo "=== pulumi up (SFTP to $user@$host:$port, files under $remote/app) ==="
run up
echo; echo "=== on the server ==="
find "$remote" -printf '%M %u %8s %p\n' | sort -k4
echo; echo "=== a second preview: no changes, no connection ==="
run preview | tail -n 4
echo; echo "=== pulumi destroy ==="
run destroy | tail -n 6
echo; echo "=== on the server after destroy ==="
find "$remote" -printf '%M %u %8s %p\n'
rmdir "$remote"
