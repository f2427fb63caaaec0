#!/usr/bin/env bash
# The shell half of the test servers: what needs root and Debian's tools, done once per machine, under one lock.
#
#   bash scripts/servers/install.sh     -> installs what is missing, prints one line of JSON (no secret) on stdout
#
#   * Debian packages: openssh-server, openssh-client (ssh-agent, ssh-add), sudo, openssl, tcpdump (wire captures in the security tests), proftpd-core + proftpd-mod-crypto (mod_tls, mod_digest) and vsftpd.
#     vsftpd and proftpd-core both "Conflict: ftp-server", so only one can be installed by dpkg: the other is
#     unpacked from its .deb (apt-get download + dpkg-deb -x) into /var/cache/filedrop-ftp and run from there, with
#     its library dependencies installed by apt.
#   * nginx-light for the nginx example's test (examples/nginx-site): the harness runs it as the test user on a
#     loopback high port; the packaged service never starts (policy-rc.d below) and is disabled if it did.
#   * Every apt-get runs under a policy-rc.d that forbids starting services (no system daemon on port 21/22); an
#     existing policy-rc.d is put back. A packaged service that did start anyway is stopped and disabled.
#   * The test login users `filedrop` and `filedrop-other` (a second, unprivileged account), with one random password
#     per machine kept root-only in /var/lib/filedrop-test/user-password (concurrent runs share it, so nobody
#     changes it under another run's servers); /bin/bash listed in /etc/shells and a PAM service for vsftpd
#     (Debian's stack without /etc/ftpusers, which may not exist when vsftpd is only unpacked).
#   * Password-less sudo for `filedrop` only (/etc/sudoers.d/filedrop-test, checked by visudo), for the `sudo`
#     connection tests; `filedrop-other` has none, for the refusal case.
#
# Everything else (keys, certificates, configs, ports, starting, readiness, stopping) is the TypeScript harness's
# job: test/harness/servers/.
set -euo pipefail

CACHE_DIR=/var/cache/filedrop-ftp
LOCK=/var/lock/filedrop-servers.lock
PASSWORD_FILE=/var/lib/filedrop-test/user-password
USERS=(filedrop filedrop-other)

log() { echo "[servers/install] $*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (installs packages, creates users, starts servers that switch users)"
mkdir -p "$(dirname "$LOCK")"
exec 9>"$LOCK"
flock -w 900 9 || die "another install.sh holds $LOCK for more than 15 minutes"

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'; }

# apt-get install under a policy-rc.d that forbids starting services (exit 101); the old one is put back.
apt_install() {
    local policy=/usr/sbin/policy-rc.d backup="" rc=0
    if [ -e "$policy" ]; then backup="$(mktemp)" && cp -p "$policy" "$backup"; fi
    printf '#!/bin/sh\n# pulumi-filedrop scripts/servers/install.sh: no services during install\nexit 101\n' >"$policy"
    chmod 0755 "$policy"
    log "installing $*"
    local args=(-y -q -o DPkg::Lock::Timeout=300 --no-install-recommends)
    DEBIAN_FRONTEND=noninteractive apt-get install "${args[@]}" "$@" >&2 ||
        { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install "${args[@]}" "$@" >&2; } || rc=$?
    if [ -n "$backup" ]; then mv -f "$backup" "$policy"; else rm -f "$policy"; fi
    [ "$rc" = 0 ] || die "apt-get install $* failed (exit $rc)"
}

# Stop and disable a system service a package registered; the harness never uses it.
disable_service() {
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
        systemctl disable --now "$1" >/dev/null 2>&1 || true
    else
        [ -x "/etc/init.d/$1" ] && "/etc/init.d/$1" stop >/dev/null 2>&1 || true
        command -v update-rc.d >/dev/null && update-rc.d "$1" disable >/dev/null 2>&1 || true
    fi
}

# Unpacks a package into $CACHE_DIR/<pkg>-<version>/ without registering it with dpkg; prints that folder.
unpack_deb() {
    local pkg=$1 version root deb libs missing=()
    version="$(apt-cache policy "$pkg" | awk '/Candidate:/ {print $2}')"
    if [ -z "$version" ] || [ "$version" = "(none)" ]; then
        apt-get update -q >&2
        version="$(apt-cache policy "$pkg" | awk '/Candidate:/ {print $2}')"
    fi
    [ -n "$version" ] && [ "$version" != "(none)" ] || die "no installable version of $pkg"
    root="$CACHE_DIR/$pkg-$version"
    if [ ! -e "$root/.complete" ]; then
        log "unpacking $pkg $version into $root (it conflicts with an installed FTP server)"
        rm -rf "$root" "$CACHE_DIR/deb-$pkg" && mkdir -p "$CACHE_DIR/deb-$pkg"
        chown _apt "$CACHE_DIR/deb-$pkg" 2>/dev/null || true # apt's download sandbox user must write here
        (cd "$CACHE_DIR/deb-$pkg" && apt-get download -q "$pkg=$version" >&2) || die "apt-get download $pkg failed"
        deb="$(ls "$CACHE_DIR/deb-$pkg"/*.deb)"
        # Library dependencies only (first alternative of each), not the conflicting package's other dependencies.
        libs="$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed -e 's/|.*//' -e 's/(.*)//' -e 's/[[:space:]]//g' | grep -E '^(lib|zlib)' || true)"
        for l in $libs; do is_installed "$l" || missing+=("$l"); done
        [ ${#missing[@]} = 0 ] || apt_install "${missing[@]}"
        mkdir -p "$root" && dpkg-deb -x "$deb" "$root"
        rm -rf "$CACHE_DIR/deb-$pkg"
        touch "$root/.complete"
    fi
    echo "$root"
}

install_packages() {
    local need=()
    for p in openssh-server openssh-client sudo openssl passwd tcpdump; do is_installed "$p" || need+=("$p"); done
    [ ${#need[@]} = 0 ] || { apt_install "${need[@]}"; disable_service ssh; }
    is_installed nginx-light || { apt_install nginx-light; disable_service nginx; }
    # ProFTPD by dpkg unless vsftpd already is; the other one unpacked.
    if is_installed vsftpd && ! is_installed proftpd-core; then
        VSFTPD_BIN=/usr/sbin/vsftpd
        local proot croot
        proot="$(unpack_deb proftpd-core)"
        croot="$(unpack_deb proftpd-mod-crypto)"
        cp -n "$croot"/usr/lib/proftpd/*.so "$proot/usr/lib/proftpd/" 2>/dev/null || true
        PROFTPD_BIN="$proot/usr/sbin/proftpd"
        PROFTPD_MODULES="$proot/usr/lib/proftpd"
    else
        need=()
        for p in proftpd-core proftpd-mod-crypto; do is_installed "$p" || need+=("$p"); done
        [ ${#need[@]} = 0 ] || { apt_install "${need[@]}"; disable_service proftpd; }
        PROFTPD_BIN=/usr/sbin/proftpd
        PROFTPD_MODULES=/usr/lib/proftpd
        if is_installed vsftpd; then VSFTPD_BIN=/usr/sbin/vsftpd; else VSFTPD_BIN="$(unpack_deb vsftpd)/usr/sbin/vsftpd"; fi
    fi
    [ -x "$VSFTPD_BIN" ] || die "vsftpd binary missing at $VSFTPD_BIN"
    [ -x "$PROFTPD_BIN" ] || die "proftpd binary missing at $PROFTPD_BIN"
    [ -f "$PROFTPD_MODULES/mod_tls.so" ] || die "mod_tls.so missing in $PROFTPD_MODULES"
    if ldd "$VSFTPD_BIN" | grep -q 'not found'; then die "vsftpd has unresolved libraries: $(ldd "$VSFTPD_BIN" | grep 'not found')"; fi
    for svc in vsftpd proftpd nginx; do
        if [ -f "/run/$svc.pid" ] && kill -0 "$(cat "/run/$svc.pid")" 2>/dev/null; then disable_service "$svc"; fi
    done
}

ensure_users() {
    local password=""
    mkdir -p "$(dirname "$PASSWORD_FILE")" && chmod 0700 "$(dirname "$PASSWORD_FILE")"
    [ -s "$PASSWORD_FILE" ] && password="$(cat "$PASSWORD_FILE")"
    if [ -z "$password" ]; then
        password="$(openssl rand -hex 16)"
        (umask 077 && printf '%s\n' "$password" >"$PASSWORD_FILE")
    fi
    chmod 0600 "$PASSWORD_FILE"
    for u in "${USERS[@]}"; do
        id -u "$u" >/dev/null 2>&1 || { log "creating user $u"; useradd --create-home --shell /bin/bash "$u"; }
        # chpasswd reads the password from stdin, never from argv.
        printf '%s:%s\n' "$u" "$password" | chpasswd
    done
    grep -qx /bin/bash /etc/shells || echo /bin/bash >>/etc/shells # vsftpd's PAM stack ends with pam_shells
    local pam=/etc/pam.d/filedrop-vsftpd
    printf '# pulumi-filedrop scripts/servers/install.sh: PAM for the test vsftpd\n@include common-account\n@include common-session\n@include common-auth\nauth\trequired\tpam_shells.so\n' >"$pam.tmp"
    mv -f "$pam.tmp" "$pam"
    local sudoers=/etc/sudoers.d/filedrop-test
    printf '# pulumi-filedrop scripts/servers/install.sh: the test deploy user may sudo without a password\n%s ALL=(ALL) NOPASSWD: ALL\n' "${USERS[0]}" >"$sudoers.tmp"
    chmod 0440 "$sudoers.tmp"
    visudo -cqf "$sudoers.tmp" || die "visudo refused $sudoers.tmp"
    mv -f "$sudoers.tmp" "$sudoers"
}

install_packages
ensure_users
mkdir -p /run/sshd # sshd's privilege separation folder
printf '{"sshd":"/usr/sbin/sshd","vsftpd":"%s","proftpd":"%s","proftpdModules":"%s","users":["%s","%s"],"passwordFile":"%s"}\n' \
    "$(readlink -f "$VSFTPD_BIN")" "$(readlink -f "$PROFTPD_BIN")" "$PROFTPD_MODULES" "${USERS[0]}" "${USERS[1]}" "$PASSWORD_FILE"
