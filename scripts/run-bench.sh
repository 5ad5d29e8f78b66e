#!/usr/bin/env bash
# Run every benchmark and print the figures (bench/README.md). `--short` is CI's mode: small
# data and short runs, to prove the harness works; the figures then are only indicative.
# Needs PostgreSQL (BENCH_DATABASE_URL) and Redis (BENCH_REDIS_URL) on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
short=""
[ "${1:-}" = "--short" ] && short="--short"
export BENCH_DATABASE_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/govreg_bench}"

echo "== Pages: the register, a system page, the API and public register beside the ladder"
$BIN/python bench/pages.py $short
echo "== Packs: GovReg's share of the render time, the council pack"
DATABASE_URL="$BENCH_DATABASE_URL" $BIN/python bench/packs.py ${short:+--quick}
echo "== Soak: mixed journeys, writes counted, packs built"
$BIN/python bench/soak.py $short
echo "== Backup and restore drill"
$BIN/python bench/backup_drill.py $short
