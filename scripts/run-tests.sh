#!/usr/bin/env bash
# Run the whole suite. Uses PostgreSQL when DATABASE_URL points at it (SQLite otherwise).
# pytest's exit code 5 (no tests collected) is a failure: a suite that runs nothing proves nothing.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

if [ -x /usr/bin/chromium ] || [ -n "${GOVREG_CHROMIUM:-}" ]; then
  echo "Browser tests: Chromium found."
else
  echo "!!! Browser tests will be SKIPPED: Chromium is not installed (apt-get install chromium)."
fi

$BIN/python -m pytest "$@"
status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: failing the run." >&2
  exit 1
fi
exit "$status"
