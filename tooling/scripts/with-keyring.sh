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
  printf %s fw-test-keyring | XDG_DATA_HOME="$FW_KEYRING_DIR/data" XDG_CACHE_HOME="$FW_KEYRING_DIR/cache" \
    gnome-keyring-daemon --unlock --components=secrets > /dev/null
  gdbus wait --session --timeout 10 org.freedesktop.secrets || { echo "with-keyring: Secret Service did not start" >&2; exit 1; }
  export FW_KEYCHAIN_AVAILABLE=1
  "$@"
  status=$?
  # Stop only the daemon this script started: the one whose environment names this keyring folder
  # (a daemon of another run started meanwhile is not ours; killing it would let D-Bus activate a
  # fresh, locked one under that run, whose writes then fail).
  for pid in $(pgrep -x gnome-keyring-d); do
    if tr "\0" "\n" < "/proc/$pid/environ" 2> /dev/null | grep -qxF "FW_KEYRING_DIR=$FW_KEYRING_DIR"; then kill "$pid" 2> /dev/null; fi
  done
  exit $status
' with-keyring "$@"
