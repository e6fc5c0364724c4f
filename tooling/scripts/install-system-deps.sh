#!/usr/bin/env bash
# Installs the Debian packages the tests and benchmarks need (a Secret Service for Bun.secrets; wrk,
# the load generator of bench/_wrk.ts; Chromium and a font for the web UI's browser tests and
# benchmark), once.
set -euo pipefail
need=()
for p in libsecret-1-0 gnome-keyring dbus-daemon libglib2.0-bin wrk chromium fonts-dejavu-core; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" > /dev/null
