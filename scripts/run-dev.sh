#!/usr/bin/env bash
# Migrate, load the demo data and serve GovReg on http://127.0.0.1:8000.
# With REDIS_URL set, a Celery worker and beat run beside the web server; without it,
# background tasks run in-process.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DEBUG="${DEBUG:-1}"

$BIN/python manage.py migrate --no-input
$BIN/python manage.py load_demo

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

if [ -n "${REDIS_URL:-}" ]; then
  echo "REDIS_URL is set: starting a Celery worker and beat."
  $BIN/celery -A govreg worker --loglevel=INFO --concurrency=2 &
  pids+=($!)
  $BIN/celery -A govreg beat --loglevel=INFO --schedule=/tmp/govreg-celerybeat-schedule &
  pids+=($!)
else
  echo "REDIS_URL is not set: background tasks run in-process."
fi

echo "GovReg: http://127.0.0.1:8000 (demo users are listed in README.md; password govreg-demo)"
$BIN/python manage.py runserver 127.0.0.1:8000
