#!/usr/bin/env bash
# SMS intake benchmark (issue 4): MO messages through /gateway/kannel/mo on a fresh SQLite file,
# each committed, routed by keyword into a ticket and its acknowledgement queued before the 200.
# Usage: bench/sms.sh [SECONDS]   Needs a release build and wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
bin=${CARGO_TARGET_DIR:-target}/release/balai
rm -f /tmp/balai-sms-bench.db*
export BALAI_DATABASE_URL="sqlite:///tmp/balai-sms-bench.db" BALAI_BIND="127.0.0.1:18182"
"$bin" --config bench/sms.toml migrate >/dev/null
sqlite3 /tmp/balai-sms-bench.db "INSERT INTO agencies (code, name, kind) VALUES ('DISHUB', 'Dinas Perhubungan', 'agency');
  INSERT INTO keywords (keyword, agency_id, description, created_at) SELECT 'DISHUB', id, '', 0 FROM agencies WHERE code = 'DISHUB';"
RUST_LOG=error "$bin" --config bench/sms.toml serve & pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:18182/healthz >/dev/null && break; sleep 0.2; done
echo "== Kannel MO intake, ${seconds} s, 32 connections"
wrk -t2 -c32 -d"${seconds}s" -s bench/kannel-mo.lua http://127.0.0.1:18182 | grep RESULT
echo "RSS: $(awk '/VmRSS/ {print $2 " kB"}' /proc/$pid/status)"
sqlite3 /tmp/balai-sms-bench.db "SELECT 'tickets', COUNT(*) FROM tickets; SELECT 'inbound', COUNT(*) FROM inbound_messages; SELECT 'queued acks', COUNT(*) FROM messages WHERE kind = 'ack';"
