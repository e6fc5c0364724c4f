#!/usr/bin/env bash
# The whole test run: system services, build, every suite, and one closing total line.
# Called by the README's test command (after `bun install`), and so by .ci/run.
set -uo pipefail
cd "$(dirname "$0")/../.."
export TURBO_TELEMETRY_DISABLED=1 NO_COLOR=1

bash tooling/scripts/install-system-deps.sh || { echo "system dependencies failed to install" >&2; echo "0 passed, 1 failed"; exit 1; }

rm -rf .test-results && mkdir -p .test-results
if ! bun run build > .test-results/build.log 2>&1; then
  cat .test-results/build.log >&2
  echo "build failed" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# Every suite runs inside a private D-Bus session with an unlocked gnome-keyring, so the
# keychain tests use a real Secret Service. with-keyring.sh starts it and stops it afterwards.
bash tooling/scripts/with-keyring.sh bun --bun vitest run --reporter=default --reporter=json --outputFile.json=.test-results/vitest.json
status=$?

bun tooling/scripts/summarize.ts .test-results
summary=$?
[ $status -eq 0 ] && [ $summary -eq 0 ] && exit 0
exit 1
