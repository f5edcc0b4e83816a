#!/usr/bin/env bash
# Public search over published cases (issue 6, see BENCHMARKS.md).
# Usage: bench/search.sh sqlite|postgres [CASES]   (default 1,000,000)
# Seeds CASES answered tickets (`balai seed --all-answered`), publishes them with generated
# answers and masked text (`balai publish --synthetic-answers`), starts `balai serve` and runs
# each public query for DURATION seconds (default 15) with wrk, 16 connections; p95 from
# bench/report.lua. BENCH_REUSE=1 skips seeding and reuses the previous run's database.
# Needs: a release build (cargo build --release -p balai), wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-sqlite}"
cases="${2:-1000000}"
duration="${DURATION:-15}"
bin=${CARGO_TARGET_DIR:-target}/release/balai
port=18182
case "$backend" in
  sqlite) [ -n "${BENCH_REUSE:-}" ] || rm -f /tmp/balai-search.db*; url="sqlite:///tmp/balai-search.db" ;;
  postgres)
    admin="${BALAI_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
    [ -n "${BENCH_REUSE:-}" ] || psql "$admin" -qc "DROP DATABASE IF EXISTS balai_search WITH (FORCE)" -qc "CREATE DATABASE balai_search"
    url="${admin%/*}/balai_search" ;;
  *) echo "usage: $0 sqlite|postgres [CASES]" >&2; exit 2 ;;
esac
export BALAI_DATABASE_URL="$url" BALAI_BIND="127.0.0.1:$port" BALAI_WEB__INTAKE_PER_MINUTE=0 RUST_LOG="${RUST_LOG:-error}"
if [ -z "${BENCH_REUSE:-}" ]; then
  echo "== seed $cases answered tickets ($backend)"
  /usr/bin/time -f "seed wall=%es maxrss=%MKB" "$bin" seed --tickets "$cases" --agencies 20 --all-answered 2>&1 | grep -v '^[0-9]*/'
  echo "== publish them"
  /usr/bin/time -f "publish wall=%es maxrss=%MKB" "$bin" publish --synthetic-answers 2>&1 | grep -v 'seeded cases published'
fi
"$bin" serve & pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
base="http://127.0.0.1:$port"
started=$(date +%s.%N)
published=$(curl -sf "$base/statistik" | sed -n 's/.*id="published">\([0-9]*\)<.*/\1/p')
echo "published cases: $published; first /statistik (computed, then cached 5 min): $(echo "$(date +%s.%N) - $started" | bc) s"
month=$(date -d '-3 month' +%Y-%m)
rare=$((cases / 2))
for name in \
  "search, two words|/api/v1/cases?q=jembatan%20retak" \
  "search + agency + category|/api/v1/cases?q=lampu&agency=OPD007&category=pengaduan" \
  "search + month|/api/v1/cases?q=banjir&month=$month" \
  "search, one match|/api/v1/cases?q=nomor%20$rare" \
  "search, no match|/api/v1/cases?q=gempa" \
  "search, page 10|/api/v1/cases?q=sampah&page=10" \
  "list, agency + month|/api/v1/cases?agency=OPD003&month=$month" \
  "HTML /kasus search|/kasus?q=jembatan+retak" \
  "HTML /kasus first page|/kasus" \
  "Atom feed with search|/kasus/feed.atom?q=pohon+tumbang"; do
  label=${name%%|*}; query=${name#*|}
  hits=$(curl -sf "$base$query" | grep -o '"id":' | wc -l || true)
  echo "== $label: $query (first page: $hits JSON items)"
  wrk -t2 -c16 -d"${duration}s" -s bench/report.lua "$base$query" | grep RESULT
done
echo "== /statistik (aggregates over all tickets), 4 connections"
wrk -t1 -c4 -d"${duration}s" -s bench/report.lua "$base/statistik" | grep RESULT
