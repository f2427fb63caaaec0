#!/usr/bin/env bash
# The yardsticks of bench/whole (lftp, rclone) from Debian, installed only when missing (as root, or with sudo).
set -euo pipefail
need=()
command -v lftp >/dev/null || need+=(lftp)
command -v rclone >/dev/null || need+=(rclone)
if [ ${#need[@]} -gt 0 ]; then
    sudo_=""; [ "$(id -u)" = 0 ] || sudo_=sudo
    $sudo_ apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
