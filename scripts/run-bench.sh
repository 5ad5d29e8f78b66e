#!/usr/bin/env bash
# Run every benchmark and print the figures (bench/README.md). `--short` is CI's mode: small
# data and short runs, to prove the harness works; the figures then are only indicative.
# Needs PostgreSQL (BENCH_DATABASE_URL) and Redis (BENCH_REDIS_URL) on loopback. Every
# benchmark runs even when an earlier one reports a problem; the exit code says whether any did.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PYTHONUNBUFFERED=1  # figures appear as each part finishes
short=""
[ "${1:-}" = "--short" ] && short="--short"
export BENCH_DATABASE_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/govreg_bench}"
failed=()

run() {
  local title="$1"
  shift
  echo "== $title"
  "$@" || failed+=("$title")
}

run "Pages: the register, a system page, the API and public register beside the ladder; load, open model, stress" \
  $BIN/python bench/pages.py $short
run "Query plans of the hot pages (EXPLAIN ANALYZE)" $BIN/python bench/plans.py $short
run "Audit log under concurrent writers (one entry per change, no forks, lock cost)" \
  $BIN/python bench/audit_concurrency.py $short
run "Packs: GovReg's share of the render time, the council pack" \
  env DATABASE_URL="$BENCH_DATABASE_URL" $BIN/python bench/packs.py ${short:+--quick}
run "Soak: mixed journeys, writes counted, packs built" $BIN/python bench/soak.py $short
run "Backup and restore drill" $BIN/python bench/backup_drill.py $short

if [ ${#failed[@]} -gt 0 ]; then
  printf '!!! problem reported by: %s\n' "${failed[@]}"
  exit 1
fi
echo "All benchmarks ran without reporting a problem."
