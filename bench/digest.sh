#!/usr/bin/env bash
# Digest benchmark (issue 5): the hourly digest for 5,000 officials over 1,000,000 tickets.
# Usage: bench/digest.sh [sqlite|postgres] [TICKETS] [OFFICIALS]
# Seeds TICKETS synthetic tickets over the last year (balai seed: ~115 of them fall in the last
# hour), adds OFFICIALS liaison officers with phone numbers spread over the 20 agencies, then
# times `balai notify` (hourly and daily digest) twice: the second run must send nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-sqlite}"
tickets="${2:-1000000}"
officials="${3:-5000}"
bin=${CARGO_TARGET_DIR:-target}/release/balai
case "$backend" in
  sqlite) [ -n "${BENCH_REUSE:-}" ] || rm -f /tmp/balai-digest.db*; url="sqlite:///tmp/balai-digest.db"; sql() { sqlite3 /tmp/balai-digest.db "$1"; } ;;
  postgres)
    admin="${BALAI_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
    [ -n "${BENCH_REUSE:-}" ] || psql "$admin" -qc "DROP DATABASE IF EXISTS balai_digest WITH (FORCE)" -qc "CREATE DATABASE balai_digest"
    url="${admin%/*}/balai_digest"; sql() { psql "$url" -qtAc "$1"; } ;;
esac
export BALAI_DATABASE_URL="$url"
if [ -z "${BENCH_REUSE:-}" ]; then
  echo "== seed $tickets tickets ($backend)"
  "$bin" seed --tickets "$tickets" --agencies 20 2>&1 | tail -1
fi
sql "DELETE FROM notification_runs; DELETE FROM messages WHERE kind LIKE 'digest%'; DELETE FROM users WHERE username LIKE 'petugas%'" >/dev/null
sql "WITH a AS (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM agencies WHERE kind <> 'secretariat'),
          s AS (SELECT ROW_NUMBER() OVER () AS n FROM tickets LIMIT $officials)
     INSERT INTO users (username, password_hash, full_name, role, agency_id, phone, created_at)
     SELECT 'petugas' || s.n, 'x', 'Petugas ' || s.n, 'liaison_officer', a.id, '+62812' || (10000000 + s.n), 0
     FROM s JOIN a ON a.k = s.n % 20" >/dev/null
echo "officials: $(sql "SELECT COUNT(*) FROM users WHERE role = 'liaison_officer'")"
at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for run in first second; do
  echo "== $run run at $at"
  /usr/bin/time -f "wall=%es maxrss=%MKB" "$bin" notify --at "$at"
done
