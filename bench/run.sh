#!/usr/bin/env bash
# Benchmarks of issue 3 (see BENCHMARKS.md). Usage: bench/run.sh sqlite|postgres [TICKETS]
# BENCH_REUSE=1 skips seeding and reuses the database of the previous run.
# Needs: a release build (cargo build --release -p balai), wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-sqlite}"
tickets="${2:-1000000}"
bin=${CARGO_TARGET_DIR:-target}/release/balai
port=18181
case "$backend" in
  sqlite) [ -n "${BENCH_REUSE:-}" ] || rm -f /tmp/balai-bench.db*; url="sqlite:///tmp/balai-bench.db" ;;
  postgres)
    admin="${BALAI_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
    [ -n "${BENCH_REUSE:-}" ] || psql "$admin" -qc "DROP DATABASE IF EXISTS balai_bench WITH (FORCE)" -qc "CREATE DATABASE balai_bench"
    url="${admin%/*}/balai_bench" ;;
esac
export BALAI_DATABASE_URL="$url" BALAI_BIND="127.0.0.1:$port" BALAI_WEB__INTAKE_PER_MINUTE=0 BALAI_WEB__LOGIN_PER_MINUTE=1000
if [ -z "${BENCH_REUSE:-}" ]; then
  echo "== seed $tickets tickets ($backend)"
  /usr/bin/time -f "seed wall=%es maxrss=%MKB" "$bin" seed --tickets "$tickets" --agencies 20 2>&1 | grep -v '^[0-9]*/'
  "$bin" create-admin --username bench --password bench-password >/dev/null
fi
RUST_LOG=error "$bin" serve & pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
rss() { awk '/VmRSS/ {print $2 " kB"}' /proc/$pid/status; }
echo "idle RSS: $(rss)"
token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/token" -H 'content-type: application/json' \
  -d '{"username":"bench","password":"bench-password"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
auth="Authorization: Bearer $token"
base="http://127.0.0.1:$port/api/v1/tickets"
for name in "first page|?limit=25" "filtered page|?agency=OPD007&status=open&category=pengaduan&limit=25" "full-text search|?q=jembatan%20retak&limit=25"; do
  label=${name%%|*}; query=${name#*|}
  echo "== inbox $label"
  wrk -t2 -c16 -d15s -H "$auth" -s bench/report.lua "$base$query" | grep RESULT
done
echo "RSS after inbox load: $(rss)"
echo "== public intake, max throughput (60 s)"
wrk -t2 -c32 -d60s -s bench/intake.lua "$base" | grep RESULT
echo "RSS after intake load: $(rss)"
echo "== public intake paced at 200/s (30 s)"
python3 bench/paced.py "http://127.0.0.1:$port" 200 30
