#!/usr/bin/env bash
# A throwaway OpenSSH server on 127.0.0.1 for shell scripts (the demo); the tests use test/harness/servers/sshd.ts.
#
#   bash scripts/servers/sshd.sh start DIR   -> sshd running, DIR/sshd.json written (mode 0600)
#   bash scripts/servers/sshd.sh stop DIR    -> stops it; idempotent
#
# The TypeScript harness owns the sshd (dist/test/harness/servers/cli.js, built by `npx tsc`); this only keeps that
# node process in the background and remembers its pid.
set -euo pipefail
cmd="${1:-}" dir="${2:-}"
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
cli="$(dirname "${BASH_SOURCE[0]}")/../../dist/test/harness/servers/cli.js"
case "$cmd" in
start)
    mkdir -p "$dir" && rm -f "$dir/sshd.json"
    setsid node "$cli" sshd "$dir" </dev/null >"$dir/harness.log" 2>&1 &
    echo $! >"$dir/harness.pid"
    for _ in $(seq 1 3000); do
        [ -f "$dir/sshd.json" ] && exit 0
        kill -0 "$(cat "$dir/harness.pid")" 2>/dev/null || { cat "$dir/harness.log" >&2; exit 1; }
        sleep 0.1
    done
    echo "sshd did not start within 5 minutes; see $dir/harness.log" >&2; exit 1 ;;
stop)
    [ -f "$dir/harness.pid" ] || exit 0
    pid="$(cat "$dir/harness.pid")"
    kill "$pid" 2>/dev/null && for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$dir/harness.pid" ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
