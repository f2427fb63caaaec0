#!/usr/bin/env bash
# A throwaway OpenSSH server on 127.0.0.1, for the tests, the benchmarks and the demo.
#
#   bash scripts/servers/sshd.sh start DIR   -> starts sshd, writes DIR/sshd.json (mode 0600), prints nothing secret
#   bash scripts/servers/sshd.sh stop DIR    -> stops exactly that sshd; idempotent
#
# Everything lives in DIR: config, host key, client keys, known_hosts, pid and log. Debian's openssh-server is
# installed when missing (its system service is kept from starting). Defaults are OpenSSH's own (MaxStartups
# 10:30:100, MaxSessions 10), so the tests meet what users meet; `internal-sftp` serves SFTP and exec is allowed
# (for remote hashing and `validate`).
#
# As root it logs in a dedicated user `filedrop` with a fresh random password each start (shared with
# scripts/servers/ftp.sh through DIR/user.json). As another user it serves that user by key only.
set -euo pipefail

cmd="${1:-}"
dir="${2:-}"
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
log() { echo "[sshd] $*" >&2; }

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }

install_if_missing() {
    if ! command -v /usr/sbin/sshd >/dev/null 2>&1; then
        log "installing openssh-server from Debian's packages"
        # Keep the package's own service from starting on port 22; put back any policy-rc.d that was there.
        local saved=""
        [ -e /usr/sbin/policy-rc.d ] && saved="$(mktemp)" && cp -p /usr/sbin/policy-rc.d "$saved"
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
        trap "if [ -n '$saved' ]; then mv -f '$saved' /usr/sbin/policy-rc.d; else rm -f /usr/sbin/policy-rc.d; fi" RETURN
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openssh-server openssh-client >&2 ||
            { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openssh-server openssh-client >&2; }
    fi
}

# The login user: DIR/user.json is shared with ftp.sh so both servers accept the same account.
ensure_user() {
    if [ "$(id -u)" != 0 ]; then
        user="$(id -un)"
        password=""
        return
    fi
    user=filedrop
    # One password per machine (kept root-only in $machine_pw), so that concurrent test runs, each with its own
    # DIR but the same system user, do not change the password under each other's servers.
    local machine_pw=/var/lib/filedrop-test/user-password
    if [ -s "$machine_pw" ]; then
        password="$(cat "$machine_pw")"
    elif [ -f "$dir/user.json" ]; then
        password="$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["password"])' "$dir/user.json")"
    else
        password="$(python3 -c 'import secrets;print(secrets.token_urlsafe(18))')"
    fi
    mkdir -p "$(dirname "$machine_pw")" && chmod 0700 "$(dirname "$machine_pw")"
    (umask 077 && printf '%s\n' "$password" >"$machine_pw")
    id "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$user"
    echo "$user:$password" | chpasswd
    python3 - "$dir/user.json" "$user" "$password" <<'EOF'
import json, os, pwd, sys
path, user, password = sys.argv[1:4]
pw = pwd.getpwnam(user)
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w") as f:
    json.dump({"user": user, "password": password, "uid": pw.pw_uid, "gid": pw.pw_gid}, f)
EOF
}

start() {
    install_if_missing
    mkdir -p "$dir" /run/sshd
    chmod 0755 "$dir"
    ensure_user
    local port key_pass
    port="$(free_port)"
    key_pass="$(python3 -c 'import secrets;print(secrets.token_urlsafe(12))')"
    rm -f "$dir"/ssh_host_ed25519_key* "$dir"/client_ed25519* "$dir"/client_rsa_enc*
    ssh-keygen -q -t ed25519 -N '' -C filedrop-test-host -f "$dir/ssh_host_ed25519_key"
    ssh-keygen -q -t ed25519 -N '' -C filedrop-test-client -f "$dir/client_ed25519"
    ssh-keygen -q -t rsa -b 2048 -N "$key_pass" -C filedrop-test-client-enc -f "$dir/client_rsa_enc"
    cat "$dir/client_ed25519.pub" "$dir/client_rsa_enc.pub" >"$dir/authorized_keys"
    chmod 0644 "$dir/authorized_keys"
    cat >"$dir/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $dir/ssh_host_ed25519_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers $user
Subsystem sftp internal-sftp
LogLevel VERBOSE
EOF
    /usr/sbin/sshd -t -f "$dir/sshd_config"
    /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log"
    local hostpub fingerprint
    hostpub="$(cut -d' ' -f1,2 "$dir/ssh_host_ed25519_key.pub")"
    fingerprint="$(ssh-keygen -l -E sha256 -f "$dir/ssh_host_ed25519_key.pub" | awk '{print $2}')"
    echo "[127.0.0.1]:$port $hostpub" >"$dir/known_hosts"
    for _ in $(seq 1 100); do
        if ssh-keyscan -p "$port" -T 1 127.0.0.1 >/dev/null 2>&1; then break; fi
        sleep 0.1
    done
    ssh-keyscan -p "$port" -T 2 127.0.0.1 2>/dev/null | grep -q ssh-ed25519 || { log "sshd did not answer on $port; see $dir/sshd.log"; exit 1; }
    python3 - "$dir/sshd.json" <<EOF
import json, os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w") as f:
    json.dump({
        "host": "127.0.0.1", "port": $port, "user": "$user", "password": "$password",
        "privateKeyPath": "$dir/client_ed25519", "encryptedKeyPath": "$dir/client_rsa_enc",
        "encryptedKeyPassphrase": "$key_pass", "hostPublicKey": "$hostpub", "hostKeyFingerprint": "$fingerprint",
        "knownHostsPath": "$dir/known_hosts", "pid": int(open("$dir/sshd.pid").read()), "logFile": "$dir/sshd.log",
        "configFile": "$dir/sshd_config",
    }, f, indent=1)
EOF
    log "sshd listening on 127.0.0.1:$port for $user (host key $fingerprint)"
}

stop() {
    [ -f "$dir/sshd.pid" ] || return 0
    local pid
    pid="$(cat "$dir/sshd.pid")"
    if kill "$pid" 2>/dev/null; then
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$dir/sshd.pid"
}

case "$cmd" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
