#!/usr/bin/env bash
# Runs "$@" inside a fresh D-Bus session with a fresh, unlocked gnome-keyring (Secret Service),
# then tears both down. The keyring lives in a temp folder removed on exit.
set -uo pipefail
if ! command -v dbus-run-session > /dev/null || ! command -v gnome-keyring-daemon > /dev/null; then
  echo "with-keyring: dbus-run-session or gnome-keyring-daemon missing (run tooling/scripts/install-system-deps.sh)" >&2
  exit 1
fi
d=$(mktemp -d /tmp/fw-keyring.XXXXXX)
trap 'rm -rf "$d"' EXIT
export FW_KEYRING_DIR="$d"
dbus-run-session -- bash -c '
  set -u
  mkdir -p "$FW_KEYRING_DIR/data" "$FW_KEYRING_DIR/cache"
  before=$(pgrep -x gnome-keyring-d | sort)
  printf %s fw-test-keyring | XDG_DATA_HOME="$FW_KEYRING_DIR/data" XDG_CACHE_HOME="$FW_KEYRING_DIR/cache" \
    gnome-keyring-daemon --unlock --components=secrets > /dev/null
  gdbus wait --session --timeout 10 org.freedesktop.secrets || { echo "with-keyring: Secret Service did not start" >&2; exit 1; }
  export FW_KEYCHAIN_AVAILABLE=1
  "$@"
  status=$?
  # Stop only the daemon this script started.
  for pid in $(comm -13 <(echo "$before") <(pgrep -x gnome-keyring-d | sort)); do kill "$pid" 2> /dev/null; done
  exit $status
' with-keyring "$@"
