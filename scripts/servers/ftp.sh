#!/usr/bin/env bash
# Real FTP/FTPS servers for tests and benchmarks, on 127.0.0.1 only.
#
#   scripts/servers/ftp.sh start DIR   # install what is missing, start servers, write DIR/ftp.json
#   scripts/servers/ftp.sh stop DIR    # stop exactly the processes "start" recorded (idempotent)
#
# Servers (each on its own free port, passive ranges on loopback, distinct per server):
#   vsftpdExplicit   vsftpd, explicit FTPS (AUTH TLS), TLS required for login and data
#   vsftpdImplicit   vsftpd, implicit FTPS
#   vsftpdOtherCa    vsftpd, explicit FTPS presenting a certificate from a second, unrelated CA
#   proftpdExplicit  ProFTPD + mod_tls + mod_digest (HASH/XSHA256), explicit FTPS, TLSRequired on
#   proftpdImplicit  ProFTPD + mod_tls (TLSOptions UseImplicitSSL) + mod_digest
#   plain            vsftpd without any TLS (for "plaintext server is refused" tests)
#
# Everything lives under DIR: DIR/ftp.json (description), DIR/user.json (test user, shared with sshd.sh,
# mode 0600), DIR/ftp/tls (throwaway CAs and certificates), DIR/ftp/<server>/ (config, runtime files),
# DIR/ftp/logs/<server>.log (protocol log: one line containing "CONNECT" per session, to count connections;
# truncated after the readiness checks), <server>.log.daemon (server stdout/stderr), ProFTPD also
# <server>.log.tls (mod_tls) and <server>.log.xfer (transfers).
# Nothing secret is printed; the password is only in DIR/user.json, DIR/ftp.json (both 0600).
#
# Quirks handled here (details next to the code):
#   * vsftpd and proftpd-core both "Conflict: ftp-server" in Debian, so only one of them can be installed by
#     dpkg. The other one is unpacked from its .deb (apt-get download + dpkg-deb -x) into a private cache
#     directory and run from there; its shared-library dependencies are installed with apt.
#   * Package postinst scripts try to start a system daemon on port 21: installs run under a policy-rc.d that
#     forbids starting services, and any system service is stopped/disabled afterwards.
#   * TLS session reuse on the data channel: vsftpd (require_ssl_reuse=YES) and ProFTPD (unless
#     "TLSOptions NoSessionReuseRequired") by default refuse a data connection that does not resume the control
#     connection's TLS session. curl 7.88 and basic-ftp 6.2.6 on Node 20 (it keeps the TLS 1.3 ticket from
#     the "session" event) do resume and pass against both strict servers (checked: login, uploads, rename,
#     list, 4 x 300 files). Default here: reuse REQUIRED, the servers' stock behaviour, so the tests prove
#     the provider works against servers as users run them; FILEDROP_FTP_TLS_REUSE=optional relaxes it for
#     clients that do not resume (tlsSessionReuseRequired in ftp.json says which is in effect).
#   * Logs are truncated once every server passed its readiness check, so they only hold test traffic
#     (both servers open their logs with O_APPEND per session, truncation is safe).
#
# Environment:
#   FILEDROP_FTP_TLS_REUSE=optional|required   (default required: the servers' own stock behaviour, see above)
set -euo pipefail

SCRIPT_NAME="ftp.sh"
FTP_USER="filedrop"
FTP_HOME="/home/filedrop"
PASV_RANGE_SIZE=100                        # passive ports per server
CACHE_DIR="/var/cache/filedrop-ftp"        # unpacked .deb of whichever FTP server dpkg could not install
USER_LOCK="/var/lock/filedrop-user.lock"   # serialises user creation/password (sshd.sh could take it too)
TLS_REUSE="${FILEDROP_FTP_TLS_REUSE:-required}"

log() { printf '%s: %s\n' "$SCRIPT_NAME" "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
  echo "usage: $0 start DIR | stop DIR" >&2
  exit 2
}

# ----------------------------------------------------------------------------------------------------------
# Packages
# ----------------------------------------------------------------------------------------------------------

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'; }

# Run apt-get install under a policy-rc.d that forbids starting services (exit 101), so postinst scripts
# cannot leave a system FTP daemon on port 21. An existing policy-rc.d is put back afterwards.
apt_install() {
  local policy=/usr/sbin/policy-rc.d backup=""
  if [[ -e $policy ]]; then
    backup="$(mktemp)"
    cp -p "$policy" "$backup"
  fi
  printf '#!/bin/sh\n# written by pulumi-filedrop %s: do not start services during install\nexit 101\n' \
    "$SCRIPT_NAME" >"$policy"
  chmod 0755 "$policy"
  local rc=0
  # Lock::Timeout: wait for a concurrent apt/dpkg (e.g. sshd.sh installing openssh-server) instead of failing.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends "$@" >&2 || rc=$?
  if [[ -n $backup ]]; then
    cp -p "$backup" "$policy"
    rm -f "$backup"
  else
    rm -f "$policy"
  fi
  [[ $rc -eq 0 ]] || die "apt-get install $* failed (exit $rc)"
}

# Stop and disable the system service a package may have registered; we never use it.
disable_system_service() {
  local svc=$1
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null; then
    systemctl disable --now "$svc" >/dev/null 2>&1 || true
  else
    if [[ -x /etc/init.d/$svc ]]; then
      /etc/init.d/"$svc" stop >/dev/null 2>&1 || true
    fi
    if command -v update-rc.d >/dev/null; then
      update-rc.d "$svc" disable >/dev/null 2>&1 || true
    fi
  fi
}

# Unpack a Debian package into $CACHE_DIR/<pkg>-<version>/ (no dpkg registration) and install its library
# dependencies. Prints the root of the unpacked tree.
unpack_deb() {
  local pkg=$1 version root deb
  version="$(apt-cache policy "$pkg" | awk '/Candidate:/ {print $2}')"
  [[ -n $version && $version != "(none)" ]] || die "no installable version of $pkg (apt-get update?)"
  root="$CACHE_DIR/$pkg-$version"
  if [[ ! -e $root/.complete ]]; then
    log "unpacking $pkg $version into $root (it conflicts with an installed FTP server)"
    rm -rf "$root" "$CACHE_DIR/deb-$pkg"
    mkdir -p "$CACHE_DIR/deb-$pkg"
    # _apt must be able to write into the download directory, otherwise apt warns about an unsandboxed download.
    chown _apt "$CACHE_DIR/deb-$pkg" 2>/dev/null || true
    (cd "$CACHE_DIR/deb-$pkg" && apt-get download -q -o DPkg::Lock::Timeout=300 "$pkg=$version" >&2) || die "apt-get download $pkg failed"
    deb="$(ls "$CACHE_DIR/deb-$pkg"/*.deb)"
    # Library dependencies only (first alternative of each), not the conflicting package's other deps.
    local libs
    libs="$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed -e 's/|.*//' -e 's/(.*)//' -e 's/[[:space:]]//g' |
      grep -E '^(lib|zlib)' || true)"
    local missing=()
    for l in $libs; do is_installed "$l" || missing+=("$l"); done
    if ((${#missing[@]})); then
      log "installing libraries for unpacked $pkg: ${missing[*]}"
      apt_install "${missing[@]}"
    fi
    mkdir -p "$root"
    dpkg-deb -x "$deb" "$root"
    rm -rf "$CACHE_DIR/deb-$pkg"
    touch "$root/.complete"
  fi
  printf '%s\n' "$root"
}

# Sets VSFTPD_BIN, PROFTPD_BIN, PROFTPD_MODULES.
ensure_packages() {
  local need=()
  is_installed openssl || need+=(openssl)
  is_installed curl || need+=(curl)
  is_installed python3 || need+=(python3)
  is_installed passwd || need+=(passwd)
  if ((${#need[@]})); then
    log "installing ${need[*]}"
    apt_install "${need[@]}"
  fi

  # vsftpd and proftpd-core conflict (both provide ftp-server). Install ProFTPD with dpkg unless vsftpd
  # already is; unpack whichever of the two is left.
  if is_installed vsftpd && ! is_installed proftpd-core; then
    VSFTPD_BIN=/usr/sbin/vsftpd
    local proot
    proot="$(unpack_deb proftpd-core)"
    local croot
    croot="$(unpack_deb proftpd-mod-crypto)"
    PROFTPD_BIN="$proot/usr/sbin/proftpd"
    # Merge the crypto modules (mod_tls, mod_sftp) next to the core ones.
    cp -n "$croot"/usr/lib/proftpd/*.so "$proot/usr/lib/proftpd/" 2>/dev/null || true
    PROFTPD_MODULES="$proot/usr/lib/proftpd"
  else
    need=()
    is_installed proftpd-core || need+=(proftpd-core)
    is_installed proftpd-mod-crypto || need+=(proftpd-mod-crypto)
    if ((${#need[@]})); then
      log "installing ${need[*]}"
      apt_install "${need[@]}"
      disable_system_service proftpd
    fi
    PROFTPD_BIN=/usr/sbin/proftpd
    PROFTPD_MODULES=/usr/lib/proftpd
    if is_installed vsftpd; then
      VSFTPD_BIN=/usr/sbin/vsftpd
    else
      local vroot
      vroot="$(unpack_deb vsftpd)"
      VSFTPD_BIN="$vroot/usr/sbin/vsftpd"
    fi
  fi
  [[ -x $VSFTPD_BIN ]] || die "vsftpd binary missing at $VSFTPD_BIN"
  [[ -x $PROFTPD_BIN ]] || die "proftpd binary missing at $PROFTPD_BIN"
  [[ -f $PROFTPD_MODULES/mod_tls.so ]] || die "mod_tls.so missing in $PROFTPD_MODULES"
  if ldd "$VSFTPD_BIN" | grep -q 'not found'; then die "vsftpd has unresolved libraries: $(ldd "$VSFTPD_BIN" | grep 'not found')"; fi

  # A system daemon left on port 21 by an earlier install would not disturb us (we never use port 21),
  # but the brief is to leave none running: stop it if it is the packaged service.
  for svc in vsftpd proftpd; do
    if [[ -f /run/$svc.pid ]] && kill -0 "$(cat "/run/$svc.pid")" 2>/dev/null; then
      log "stopping system $svc service"
      disable_system_service "$svc"
    fi
  done
}

# ----------------------------------------------------------------------------------------------------------
# Test user (shared with scripts/servers/sshd.sh through DIR/user.json)
# ----------------------------------------------------------------------------------------------------------

ensure_user() {
  local dir=$1
  mkdir -p "$(dirname "$USER_LOCK")"
  exec 9>"$USER_LOCK"
  flock 9
  if ! id -u "$FTP_USER" >/dev/null 2>&1; then
    log "creating user $FTP_USER"
    useradd --create-home --home-dir "$FTP_HOME" --shell /bin/bash "$FTP_USER"
  fi
  mkdir -p "$FTP_HOME"
  chown "$FTP_USER:" "$FTP_HOME"
  # vsftpd's PAM stack ends with pam_shells: the shell must be listed in /etc/shells.
  grep -qx /bin/bash /etc/shells || echo /bin/bash >>/etc/shells

  # One password per machine, shared with sshd.sh: concurrent test runs (each its own DIR, one system user)
  # must not change the password under each other's servers.
  local password="" machine_pw=/var/lib/filedrop-test/user-password
  if [[ -s $machine_pw ]]; then
    password="$(cat "$machine_pw")"
  elif [[ -s $dir/user.json ]]; then
    password="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["password"])' "$dir/user.json")"
  fi
  if [[ -z $password ]]; then
    password="$(openssl rand -hex 16)"
  fi
  mkdir -p "$(dirname "$machine_pw")"
  chmod 0700 "$(dirname "$machine_pw")"
  (umask 077 && printf '%s\n' "$password" >"$machine_pw")
  # Set (or re-set) the password every start; chpasswd reads it from stdin, never from argv.
  printf '%s:%s\n' "$FTP_USER" "$password" | chpasswd
  local uid gid
  uid="$(id -u "$FTP_USER")"
  gid="$(id -g "$FTP_USER")"
  (
    umask 077
    PW="$password" python3 - "$dir/user.json" "$FTP_USER" "$uid" "$gid" <<'EOF'
import json, os, sys
path, user, uid, gid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
tmp = path + ".tmp"
with open(tmp, "w") as f:
    json.dump({"user": user, "password": os.environ["PW"], "uid": uid, "gid": gid}, f, indent=2)
    f.write("\n")
os.chmod(tmp, 0o600)
os.replace(tmp, path)
EOF
  )
  flock -u 9
  exec 9>&-
  FTP_PASSWORD=$password
}

# ----------------------------------------------------------------------------------------------------------
# Certificates
# ----------------------------------------------------------------------------------------------------------

# make_ca NAME SUBJECT -> tls/NAME.key, tls/NAME.pem
make_ca() {
  local tls=$1 name=$2 cn=$3
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/CN=$cn" \
    -keyout "$tls/$name.key" -out "$tls/$name.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null
}

# make_server_cert TLSDIR CA NAME -> tls/NAME.key, tls/NAME.pem signed by CA, SAN IP:127.0.0.1 DNS:localhost
make_server_cert() {
  local tls=$1 ca=$2 name=$3
  openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=localhost" \
    -keyout "$tls/$name.key" -out "$tls/$name.csr" 2>/dev/null
  printf '%s\n' \
    "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth" \
    "subjectAltName=IP:127.0.0.1,DNS:localhost" >"$tls/$name.ext"
  openssl x509 -req -in "$tls/$name.csr" -CA "$tls/$ca.pem" -CAkey "$tls/$ca.key" -CAcreateserial \
    -days 825 -sha256 -extfile "$tls/$name.ext" -out "$tls/$name.pem" 2>/dev/null
  rm -f "$tls/$name.csr" "$tls/$name.ext"
  # vsftpd/ProFTPD read the key as root; keep it private anyway.
  chmod 0600 "$tls/$name.key"
}

# Colon-separated uppercase SHA-256, the format of Node's X509Certificate.fingerprint256 / cert.fingerprint256.
fingerprint256() { openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/^.*=//'; }

make_certs() {
  local tls=$1
  mkdir -p "$tls"
  chmod 0700 "$tls"
  # Fresh every start: throwaway material, nothing to reuse.
  rm -f "$tls"/*
  make_ca "$tls" ca "filedrop test CA"
  make_server_cert "$tls" ca server
  make_ca "$tls" other-ca "filedrop OTHER test CA"
  make_server_cert "$tls" other-ca other-server
  chmod 0644 "$tls"/*.pem
  chmod 0755 "$tls"
}

# ----------------------------------------------------------------------------------------------------------
# Ports
# ----------------------------------------------------------------------------------------------------------

# pick_ports N_SERVERS RANGE_SIZE -> lines "controlPort pasvMin pasvMax".
# Ports are taken below the kernel's ephemeral range (so an outgoing connection cannot grab one between
# picking and listening), each verified bindable on 127.0.0.1, all distinct.
pick_ports() {
  python3 - "$1" "$2" <<'EOF'
import random, socket, sys
n, size = int(sys.argv[1]), int(sys.argv[2])
try:
    lo_eph = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
except Exception:
    lo_eph = 32768
hi = min(lo_eph, 32768) - 1
lo = 10000
used = set()
def free(p):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", p))
        return True
    except OSError:
        return False
    finally:
        s.close()
def block(k):
    for _ in range(2000):
        base = random.randint(lo, hi - k)
        ps = range(base, base + k)
        if any(p in used for p in ps):
            continue
        if all(free(p) for p in ps):
            used.update(ps)
            return base
    sys.exit("no free block of %d ports on 127.0.0.1" % k)
for _ in range(n):
    ctl = block(1)
    pasv = block(size)
    print(ctl, pasv, pasv + size - 1)
EOF
}

# ----------------------------------------------------------------------------------------------------------
# vsftpd
# ----------------------------------------------------------------------------------------------------------

# PAM service for our vsftpd instances: Debian's vsftpd stack without the /etc/ftpusers list (which
# may not exist when vsftpd is unpacked rather than installed).
write_vsftpd_pam() {
  local f=/etc/pam.d/filedrop-vsftpd
  local want
  want=$'# written by pulumi-filedrop scripts/servers/ftp.sh for its test vsftpd instances\n@include common-account\n@include common-session\n@include common-auth\nauth\trequired\tpam_shells.so\n'
  if [[ ! -f $f ]] || [[ "$(cat "$f")"$'\n' != "$want" ]]; then
    printf '%s' "$want" >"$f"
  fi
}

# write_vsftpd_conf FILE MODE(explicit|implicit|plain) PORT PASVMIN PASVMAX CERT KEY LOG EMPTYDIR
write_vsftpd_conf() {
  local f=$1 mode=$2 port=$3 pmin=$4 pmax=$5 cert=$6 key=$7 logf=$8 empty=$9
  {
    echo "# generated by scripts/servers/ftp.sh ($mode)"
    echo "listen=YES"
    echo "listen_ipv6=NO"
    echo "listen_address=127.0.0.1"
    echo "listen_port=$port"
    echo "background=NO"                 # stay in the foreground: the pid we record is the listener
    echo "anonymous_enable=NO"
    echo "local_enable=YES"
    echo "write_enable=YES"
    echo "local_umask=022"
    echo "chmod_enable=YES"              # SITE CHMOD
    echo "chroot_local_user=NO"          # absolute paths such as /tmp/x must work
    echo "pam_service_name=filedrop-vsftpd"
    echo "userlist_enable=NO"
    echo "tcp_wrappers=NO"
    echo "secure_chroot_dir=$empty"      # vsftpd's unprivileged helper chroots here (must be root-owned)
    echo "nopriv_user=nobody"
    # vsftpd 3.0.3's seccomp filter predates current glibc/OpenSSL syscalls and is known to kill sessions
    # elsewhere ("500 OOPS: child died"); not needed for a loopback-only harness, so off.
    echo "seccomp_sandbox=NO"
    echo "pasv_enable=YES"
    echo "pasv_address=127.0.0.1"
    echo "pasv_min_port=$pmin"
    echo "pasv_max_port=$pmax"
    echo "port_enable=YES"
    echo "max_clients=0"                 # no limits: tests open many connections
    echo "max_per_ip=0"
    echo "delay_failed_login=1"
    echo "delay_successful_login=0"
    echo "use_localtime=NO"
    echo "xferlog_enable=YES"
    echo "xferlog_std_format=NO"
    echo "log_ftp_protocol=YES"          # every command (PASS is masked by vsftpd), CONNECT line per session
    echo "vsftpd_log_file=$logf"
    echo "dual_log_enable=NO"
    echo "syslog_enable=NO"
    echo "ftpd_banner=filedrop test vsftpd ($mode)"
    if [[ $mode == plain ]]; then
      echo "ssl_enable=NO"
    else
      echo "ssl_enable=YES"
      echo "rsa_cert_file=$cert"
      echo "rsa_private_key_file=$key"
      echo "allow_anon_ssl=NO"
      echo "force_local_logins_ssl=YES"
      echo "force_local_data_ssl=YES"
      echo "ssl_sslv2=NO"
      echo "ssl_sslv3=NO"
      echo "ssl_tlsv1=YES"               # Debian's 3.0.3 has no per-version 1.2/1.3 switches; OpenSSL's
                                         # defaults then negotiate TLS 1.3 with modern clients
      # Debian's default list is only ECDHE-RSA-AES256-GCM-SHA384 (TLS <= 1.2); HIGH is broader.
      echo "ssl_ciphers=HIGH"
      # Do not ask the client for a certificate.
      echo "ssl_request_cert=NO"
      echo "require_cert=NO"
      # vsftpd's default is YES: a data connection that does not resume the control connection's TLS
      # session is refused ("522 SSL connection failed: session reuse required"). See the header.
      if [[ $TLS_REUSE == required ]]; then echo "require_ssl_reuse=YES"; else echo "require_ssl_reuse=NO"; fi
      # Clients that close the data connection without a TLS close_notify would otherwise see a finished
      # upload reported as "426 Failure reading network stream" (these are vsftpd's defaults; set explicitly).
      echo "strict_ssl_read_eof=NO"
      echo "strict_ssl_write_shutdown=NO"
      if [[ $mode == implicit ]]; then
        echo "implicit_ssl=YES"
      fi
    fi
  } >"$f"
  chmod 0600 "$f"
}

# ----------------------------------------------------------------------------------------------------------
# ProFTPD
# ----------------------------------------------------------------------------------------------------------

tls_options() {
  local opts=()
  [[ $TLS_REUSE == required ]] || opts+=(NoSessionReuseRequired)
  [[ $1 == implicit ]] && opts+=(UseImplicitSSL)
  if ((${#opts[@]})); then echo "  TLSOptions ${opts[*]}"; fi
}

# write_proftpd_conf FILE MODE(explicit|implicit) PORT PASVMIN PASVMAX CERT KEY RUNDIR LOG
write_proftpd_conf() {
  local f=$1 mode=$2 port=$3 pmin=$4 pmax=$5 cert=$6 key=$7 run=$8 logf=$9
  cat >"$f" <<EOF
# generated by scripts/servers/ftp.sh ($mode); never touches /etc/proftpd
ModulePath $PROFTPD_MODULES
<IfModule !mod_tls.c>
  LoadModule mod_tls.c
</IfModule>
<IfModule !mod_digest.c>
  LoadModule mod_digest.c
</IfModule>

ServerName "filedrop test proftpd ($mode)"
ServerIdent on "filedrop test proftpd ($mode)"
ServerType standalone
DefaultServer on
UseIPv6 off
DefaultAddress 127.0.0.1
SocketBindTight on
Port $port
PassivePorts $pmin $pmax

# The daemon runs as root (needed to switch to the logged-in user); idle parts drop to nobody. A session
# runs as the authenticated user, so uploaded files are owned by $FTP_USER.
User nobody
Group nogroup
Umask 022
AllowOverwrite on
# No "DefaultRoot ~": no chroot, absolute paths such as /tmp/x work.
UseFtpUsers off
RequireValidShell off
RootLogin off
# Password check against /etc/shadow directly; no PAM service file needed.
AuthPAM off
AuthOrder mod_auth_unix.c
UseReverseDNS off
WtmpLog off
MaxInstances 500
MaxLoginAttempts 3
TimeoutIdle 600
TimeoutNoTransfer 600

# Runtime files of our own, never the system service's.
PidFile $run/proftpd.pid
ScoreboardFile $run/proftpd.scoreboard
<IfModule mod_ctrls.c>
  ControlsEngine off
</IfModule>
<IfModule mod_delay.c>
  DelayEngine off
</IfModule>

# Logs: one "CONNECT"-style record per session in the extended log (and every command, PASS hidden).
TransferLog $logf.xfer
LogFormat filedrop "%t %a %u %m %r %s"
LogFormat filedropconnect "%t %a CONNECT"
ExtendedLog $logf ALL filedrop
ExtendedLog $logf CONNECT filedropconnect

<Limit SITE_CHMOD>
  AllowAll
</Limit>

<IfModule mod_tls.c>
  TLSEngine on
  TLSLog $logf.tls
  TLSProtocol TLSv1.2 TLSv1.3
  TLSRSACertificateFile $cert
  TLSRSACertificateKeyFile $key
  TLSVerifyClient off
  # Control and data channels must be protected (AUTH TLS + PROT P).
  TLSRequired on
  TLSRenegotiate none
  # ProFTPD by default requires the data connection to resume the control connection's TLS session
  # (see the header of ftp.sh). Implicit FTPS is UseImplicitSSL.
$(tls_options "$mode")
</IfModule>

<IfModule mod_digest.c>
  # FTP HASH (draft-bryan-ftpext-hash) plus XCRC/XMD5/XSHA1/XSHA256/XSHA512.
  DigestEngine on
  DigestAlgorithms all
  DigestDefaultAlgorithm sha256
  # DigestCache stays at its default (on): digests are cached per path, invalidated by a change of mtime
  # (a content change that keeps size and mtime to the nanosecond is served the stale digest).
</IfModule>
EOF
  chmod 0600 "$f"
}

# ----------------------------------------------------------------------------------------------------------
# Process management
# ----------------------------------------------------------------------------------------------------------

# launch OUTFILE CMD... -> prints pid. setsid: own session/process group, detached from the caller's
# terminal and pipes (stdio to a log file) so "start" can return while the server keeps running.
launch() {
  local out=$1
  shift
  setsid "$@" </dev/null >>"$out" 2>&1 &
  echo $!
}

# wait_port PORT PID NAME: poll until something listens on 127.0.0.1:PORT (or the process died).
wait_port() {
  local port=$1 pid=$2 name=$3 i
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || die "$name exited during startup (see its log)"
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  die "$name did not listen on 127.0.0.1:$port within 10 s"
}

# check_login NAME URL [curl TLS args...]: a real login and directory listing (for TLS servers: AUTH TLS or
# implicit TLS, certificate verified against the CA, PROT P data channel). The credentials go to curl on
# stdin (-K -), never on its command line.
check_login() {
  local name=$1 url=$2
  shift 2
  local out rc=0
  out="$(printf 'user = "%s:%s"\n' "$FTP_USER" "$FTP_PASSWORD" |
    curl -sS --max-time 10 -K - "$@" --list-only "$url" 2>&1 >/dev/null)" || rc=$?
  [[ $rc -eq 0 ]] || die "$name readiness check failed (curl exit $rc): $out"
}

# Feature list of a server (FEAT), over AUTH TLS when tls=explicit, implicit TLS when tls=implicit.
feat() {
  local port=$1 tls=$2 ca=$3
  python3 - "$port" "$tls" "$ca" <<'EOF'
import socket, ssl, sys
port, tls, ca = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
s = socket.create_connection(("127.0.0.1", port), timeout=10)
if tls == "implicit":
    s = ctx.wrap_socket(s, server_hostname="127.0.0.1")
f = s.makefile("rwb")
def reply():
    lines = []
    while True:
        l = f.readline().decode("utf-8", "replace").rstrip("\r\n")
        lines.append(l)
        if len(l) >= 4 and l[:3].isdigit() and l[3] == " ":
            return lines
def cmd(c):
    f.write((c + "\r\n").encode()); f.flush()
    return reply()
reply()
if tls == "explicit":
    r = cmd("AUTH TLS")
    if not r[-1].startswith("234"):
        sys.exit("AUTH TLS refused: %r" % r)
    s = ctx.wrap_socket(s, server_hostname="127.0.0.1")
    f = s.makefile("rwb")
for l in cmd("FEAT"):
    print(l)
try:
    cmd("QUIT")
except Exception:
    pass
EOF
}

# Hash algorithms advertised in FEAT ("HASH SHA-1;SHA-256*;..."; "*" marks the selected one), as a JSON array.
hash_algorithms_json() {
  python3 -c '
import json, sys
algs = []
for line in sys.stdin:
    t = line.strip()
    if t.upper().startswith("HASH "):
        algs = [a.strip().rstrip("*") for a in t[5:].split(";") if a.strip()]
print(json.dumps(algs))'
}

# Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat); with the pid it
# identifies the process we started, whatever pid reuse happens later.
proc_starttime() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  # shellcheck disable=SC2086
  set -- $stat
  echo "${20}"
}

# Processes to stop for ftp.json: for each recorded server, the listener if its (pid, start time) still
# match, plus every member of its process group (each server was started with setsid, so the group id is
# the listener's pid; forked sessions inherit it, ProFTPD rewrites their titles so cmdlines are no help).
# If the listener is gone, only group members running the recorded executable and started after it count.
# Zombies are listed too (harmless: kill on them is a no-op, and stop_pids treats state Z as gone).
ours_to_stop() {
  python3 - "$1" <<'EOF2'
import json, os, sys
d = json.load(open(sys.argv[1]))
procs = {}
for e in os.listdir("/proc"):
    if not e.isdigit():
        continue
    try:
        st = open("/proc/%s/stat" % e).read()
        rest = st[st.rindex(")") + 2:].split()
        try:
            exe = os.readlink("/proc/%s/exe" % e)
        except OSError:
            exe = ""
        try:
            args = open("/proc/%s/cmdline" % e, "rb").read().split(b"\0")
        except OSError:
            args = []
        procs[int(e)] = {"ppid": int(rest[1]), "pgid": int(rest[2]), "start": int(rest[19]), "exe": exe,
                         "args": [a.decode("utf-8", "replace") for a in args]}
    except (OSError, ValueError, IndexError):
        pass
out = set()
for v in d.get("servers", {}).values():
    pid, start, exe, conf = v.get("pid"), v.get("pidStartTime"), v.get("executable"), v.get("configFile")
    if not pid or start is None:
        continue
    leader = procs.get(pid)
    alive = leader is not None and leader["start"] == start
    if alive:
        out.add(pid)
    for p, i in procs.items():
        if i["pgid"] != pid or p == os.getpid():
            continue
        if alive or (i["exe"] == exe and i["start"] >= start):
            out.add(p)
    # vsftpd sessions call setsid (own group) but keep the listener's argv (the config file): this finds
    # them even when orphaned.
    for p, i in procs.items():
        if conf and i["exe"] == exe and i["start"] >= start and conf in i["args"] and p != os.getpid():
            out.add(p)
    # Descendants that left the group (none expected; cheap to include).
    if alive:
        frontier = {pid}
        while frontier:
            frontier = {p for p, i in procs.items() if i["ppid"] in frontier and p not in out}
            out |= frontier
print(" ".join(str(p) for p in sorted(out)))
EOF2
}

# All descendants of a pid (session processes forked by the server).
descendants() {
  local pid=$1 child
  for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}

stop_pids() {
  local pids=("$@") p i alive
  ((${#pids[@]})) || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    alive=0
    for p in "${pids[@]}"; do
      # A zombie (state Z) is gone for our purposes.
      if kill -0 "$p" 2>/dev/null && [[ "$(ps -o stat= -p "$p" 2>/dev/null)" != Z* ]]; then alive=1; fi
    done
    ((alive)) || return 0
    sleep 0.1
  done
  log "some processes ignored SIGTERM; sending SIGKILL"
  kill -KILL "${pids[@]}" 2>/dev/null || true
  sleep 0.2
}

# ----------------------------------------------------------------------------------------------------------
# start / stop
# ----------------------------------------------------------------------------------------------------------

cmd_stop() {
  local dir=$1
  local json=$dir/ftp.json
  if [[ ! -f $json ]]; then
    log "nothing to stop ($json missing)"
    return 0
  fi
  local pids
  read -r -a pids <<<"$(ours_to_stop "$json")"
  if ((${#pids[@]})); then
    log "stopping ${#pids[@]} process(es)"
    stop_pids "${pids[@]}"
  fi
  # Mark as stopped (keep the file for its logs/paths, but without pids), so stop is idempotent.
  python3 - "$json" <<'EOF'
import json, os, sys
p = sys.argv[1]
d = json.load(open(p))
for k, v in d.get("servers", {}).items():
    v["pid"] = None
    if isinstance(d.get(k), dict):
        d[k]["pid"] = None
d["running"] = False
tmp = p + ".tmp"
with open(tmp, "w") as f:
    json.dump(d, f, indent=2)
    f.write("\n")
os.chmod(tmp, 0o600)
os.replace(tmp, p)
EOF
  log "stopped"
}

cmd_start() {
  local dir=$1
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  # Idempotence: a previous start in the same DIR is stopped first.
  if [[ -f $dir/ftp.json ]]; then cmd_stop "$dir"; fi

  ensure_packages
  ensure_user "$dir"

  local base=$dir/ftp
  local tls=$base/tls logs=$base/logs
  mkdir -p "$base" "$logs"
  chmod 0755 "$base" "$logs"
  log "generating throwaway CAs and server certificates"
  make_certs "$tls"
  write_vsftpd_pam

  # Root-owned empty directory for vsftpd's secure_chroot_dir.
  local empty=$base/empty
  mkdir -p "$empty"
  chown root:root "$empty"
  chmod 0555 "$empty"

  # name kind(vsftpd|proftpd) mode protocol cert
  local servers=(
    "vsftpdExplicit vsftpd explicit ftps server"
    "vsftpdImplicit vsftpd implicit ftps-implicit server"
    "vsftpdOtherCa vsftpd explicit ftps other-server"
    "proftpdExplicit proftpd explicit ftps server"
    "proftpdImplicit proftpd implicit ftps-implicit server"
    "plain vsftpd plain ftp none"
  )
  local ports
  mapfile -t ports < <(pick_ports "${#servers[@]}" "$PASV_RANGE_SIZE")
  [[ ${#ports[@]} -eq ${#servers[@]} ]] || die "could not pick ports"

  local records=$base/servers.tsv
  : >"$records"
  # If anything below fails, do not leave half a set of servers running.
  STARTED_PIDS=()
  trap cleanup_failed_start EXIT
  local i
  for i in "${!servers[@]}"; do
    local name kind mode protocol cert port pmin pmax
    read -r name kind mode protocol cert <<<"${servers[$i]}"
    read -r port pmin pmax <<<"${ports[$i]}"
    local sdir=$base/$name logf=$logs/$name.log pid
    rm -rf "$sdir"
    mkdir -p "$sdir"
    : >"$logf"
    rm -f "$logf".*
    if [[ $kind == vsftpd ]]; then
      write_vsftpd_conf "$sdir/vsftpd.conf" "$mode" "$port" "$pmin" "$pmax" \
        "$tls/$cert.pem" "$tls/$cert.key" "$logf" "$empty"
      pid="$(launch "$logf.daemon" "$VSFTPD_BIN" "$sdir/vsftpd.conf")"
    else
      write_proftpd_conf "$sdir/proftpd.conf" "$mode" "$port" "$pmin" "$pmax" \
        "$tls/$cert.pem" "$tls/$cert.key" "$sdir" "$logf"
      # Syntax check first: a config error is reported here instead of as a dead process.
      "$PROFTPD_BIN" -t -c "$sdir/proftpd.conf" >"$sdir/configtest.log" 2>&1 ||
        die "proftpd config test failed for $name: $(tail -n 5 "$sdir/configtest.log")"
      # -n: no daemon (foreground), so the recorded pid is the listener.
      pid="$(launch "$logf.daemon" "$PROFTPD_BIN" -n -c "$sdir/proftpd.conf")"
    fi
    STARTED_PIDS+=("$pid")
    local starttime exe conf=$sdir/vsftpd.conf
    [[ $kind == proftpd ]] && conf=$sdir/proftpd.conf
    starttime="$(proc_starttime "$pid")" || die "$name exited immediately (see $logf.daemon)"
    exe="$VSFTPD_BIN"
    [[ $kind == proftpd ]] && exe="$PROFTPD_BIN"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$kind" "$mode" "$protocol" \
      "$port" "$pmin" "$pmax" "$pid" "$logf" "$starttime" "$(readlink -f "$exe")" "$conf" >>"$records"
    log "started $name ($kind, $protocol) on 127.0.0.1:$port, passive $pmin-$pmax, pid $pid"
  done

  # Write ftp.json now (with pids) so that "stop" can clean up even if a readiness check fails below.
  write_json "$dir" "$records" "$tls" "{}"

  # Readiness: port open, then a real login + listing (TLS verified against the right CA).
  local hashes=$base/hashes.tsv
  : >"$hashes"
  local name kind mode protocol port pmin pmax pid logf
  while IFS=$'\t' read -r name kind mode protocol port pmin pmax pid logf _; do
    wait_port "$port" "$pid" "$name"
    local ca=$tls/ca.pem
    [[ $name == vsftpdOtherCa ]] && ca=$tls/other-ca.pem
    case $mode in
      explicit) check_login "$name" "ftp://127.0.0.1:$port/" --ssl-reqd --cacert "$ca" ;;
      implicit) check_login "$name" "ftps://127.0.0.1:$port/" --cacert "$ca" ;;
      plain) check_login "$name" "ftp://127.0.0.1:$port/" ;;
    esac
    local algs="[]"
    if [[ $mode != plain ]]; then
      algs="$(feat "$port" "$mode" "$ca" | hash_algorithms_json)" || die "FEAT failed on $name"
    fi
    printf '%s\t%s\n' "$name" "$algs" >>"$hashes"
    log "$name ready (HASH algorithms: $algs)"
  done <"$records"

  # Only test traffic from here on in the protocol logs (readiness probes removed).
  while IFS=$'\t' read -r name kind mode protocol port pmin pmax pid logf _; do
    : >"$logf"
  done <"$records"

  write_json "$dir" "$records" "$tls" "$hashes"
  trap - EXIT
  log "all servers ready; description in $dir/ftp.json"
}

cleanup_failed_start() {
  local rc=$? p d all=()
  ((${#STARTED_PIDS[@]})) || return 0
  for p in "${STARTED_PIDS[@]}"; do
    all+=("$p")
    for d in $(descendants "$p"); do all+=("$d"); done
  done
  log "start failed: stopping the ${#STARTED_PIDS[@]} server(s) already started"
  stop_pids "${all[@]}"
  exit "$rc"
}

# write_json DIR RECORDS TLSDIR HASHES_TSV|{}
write_json() {
  local dir=$1 records=$2 tls=$3 hashes=$4
  local fp other_fp
  fp="$(fingerprint256 "$tls/server.pem")"
  other_fp="$(fingerprint256 "$tls/other-server.pem")"
  (
    umask 077
    PW="$FTP_PASSWORD" TLS_REUSE="$TLS_REUSE" FTP_UID="$(id -u "$FTP_USER")" FTP_GID="$(id -g "$FTP_USER")" python3 - "$dir/ftp.json" "$records" "$hashes" "$FTP_USER" "$tls" "$fp" "$other_fp" <<'EOF'
import json, os, sys
out, records, hashes, user, tls, fp, other_fp = sys.argv[1:8]
algs = {}
if hashes != "{}" and os.path.exists(hashes):
    for line in open(hashes):
        name, a = line.rstrip("\n").split("\t", 1)
        algs[name] = json.loads(a)
servers = {}
for line in open(records):
    name, kind, mode, protocol, port, pmin, pmax, pid, logf, starttime, exe, conf = line.rstrip("\n").split("\t")
    servers[name] = {
        "host": "127.0.0.1",
        "port": int(port),
        "protocol": protocol,
        "software": kind,
        "pid": int(pid),
        "pidStartTime": int(starttime),   # /proc/PID/stat start time: "stop" checks it before killing
        "executable": exe,
        "configFile": conf,
        "logFile": logf,
        "passivePorts": [int(pmin), int(pmax)],
        "hashAlgorithms": algs.get(name, []),
        "caCertPath": None if protocol == "ftp" else
            os.path.join(tls, "other-ca.pem" if name == "vsftpdOtherCa" else "ca.pem"),
        "certFingerprint256": None if protocol == "ftp" else (other_fp if name == "vsftpdOtherCa" else fp),
    }
d = {
    "user": user,
    "password": os.environ["PW"],
    "uid": int(os.environ["FTP_UID"]),
    "gid": int(os.environ["FTP_GID"]),
    "caCertPath": os.path.join(tls, "ca.pem"),
    "otherCaCertPath": os.path.join(tls, "other-ca.pem"),
    "serverCertFingerprint256": fp,
    "otherServerCertFingerprint256": other_fp,
    "running": True,
    "tlsSessionReuseRequired": os.environ["TLS_REUSE"] == "required",
    "servers": servers,
}
# Convenience: each server also at the top level under its key (vsftpdExplicit, proftpdExplicit, ...).
d.update(servers)
tmp = out + ".tmp"
with open(tmp, "w") as f:
    json.dump(d, f, indent=2)
    f.write("\n")
os.chmod(tmp, 0o600)
os.replace(tmp, out)
EOF
  )
}

main() {
  [[ $# -eq 2 ]] || usage
  [[ $TLS_REUSE == optional || $TLS_REUSE == required ]] || die "FILEDROP_FTP_TLS_REUSE must be optional or required"
  [[ $EUID -eq 0 ]] || die "must run as root (installs packages, creates a user, binds servers that switch users)"
  case $1 in
    start) cmd_start "$2" ;;
    stop) cmd_stop "$2" ;;
    *) usage ;;
  esac
}

main "$@"
