#!/usr/bin/env bash
# SMS intake benchmark (issue 4): MO messages through /gateway/kannel/mo on a fresh database,
# each committed, routed by keyword into a ticket and its acknowledgement queued before the 200.
# Usage: bench/sms.sh [sqlite|postgres] [SECONDS]             maximum throughput (wrk)
#        PACED=1000 bench/sms.sh [sqlite|postgres] [SECONDS]  fixed rate, latency percentiles
# CONNECTIONS (default 32) sets wrk's connections. Needs a release build, wrk and sqlite3/psql.
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-sqlite}"
seconds="${2:-60}"
bin=${CARGO_TARGET_DIR:-target}/release/balai
port=18182
token="bench-kannel-token-0123456789"
case "$backend" in
  sqlite) rm -f /tmp/balai-sms-bench.db*; url="sqlite:///tmp/balai-sms-bench.db"; sql() { sqlite3 /tmp/balai-sms-bench.db "$1"; } ;;
  postgres)
    admin="${BALAI_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
    psql "$admin" -qc "DROP DATABASE IF EXISTS balai_sms_bench WITH (FORCE)" -qc "CREATE DATABASE balai_sms_bench"
    url="${admin%/*}/balai_sms_bench"; sql() { psql "$url" -qtAc "$1"; } ;;
  *) echo "usage: bench/sms.sh [sqlite|postgres] [SECONDS]" >&2; exit 2 ;;
esac
export BALAI_DATABASE_URL="$url" BALAI_BIND="127.0.0.1:$port"
"$bin" --config bench/sms.toml migrate >/dev/null
sql "INSERT INTO agencies (code, name, kind) VALUES ('DISHUB', 'Dinas Perhubungan', 'agency')" >/dev/null
sql "INSERT INTO keywords (keyword, agency_id, description, created_at) SELECT 'DISHUB', id, '', 0 FROM agencies WHERE code = 'DISHUB'" >/dev/null
RUST_LOG=error "$bin" --config bench/sms.toml serve & pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
if [ -n "${PACED:-}" ]; then
  echo "== Kannel MO intake ($backend), paced at ${PACED}/s for ${seconds} s"
  python3 bench/paced.py "http://127.0.0.1:$port" "$PACED" "$seconds" "$token"
else
  echo "== Kannel MO intake ($backend), ${seconds} s, ${CONNECTIONS:-32} connections"
  wrk -t2 -c"${CONNECTIONS:-32}" -d"${seconds}s" -s bench/kannel-mo.lua "http://127.0.0.1:$port" | grep RESULT
fi
echo "RSS: $(awk '/VmRSS/ {print $2 " kB"}' /proc/$pid/status)"
sql "SELECT 'tickets', COUNT(*) FROM tickets"
sql "SELECT 'inbound', COUNT(*) FROM inbound_messages"
sql "SELECT 'queued acks', COUNT(*) FROM messages WHERE kind = 'ack'"
