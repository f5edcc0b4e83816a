#!/usr/bin/env bash
# Crash test (issue 4): `kill -9` of `balai serve` in the middle of an MO run, then a restart.
# Checks that every MO that got a 200 is in the database exactly once with its ticket and its
# acknowledgement, and that every queued acknowledgement is sent after the restart.
# Usage: bench/kill9.sh [SECONDS]   (default 60; the kill comes at half time)
# Needs a release build (cargo build --release -p balai), python3 and sqlite3.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
bin=${CARGO_TARGET_DIR:-target}/release/balai
work=$(mktemp -d /tmp/balai-kill9.XXXXXX)
db="$work/balai.db"
export BALAI_DATABASE_URL="sqlite://$db" BALAI_BIND="127.0.0.1:18183"
sql() { sqlite3 "$db" "$1"; }
"$bin" --config bench/kill9.toml migrate >/dev/null
sql "INSERT INTO agencies (code, name, kind) VALUES ('DISHUB', 'Dinas Perhubungan', 'agency');
     INSERT INTO keywords (keyword, agency_id, description, created_at) SELECT 'DISHUB', id, '', 0 FROM agencies WHERE code = 'DISHUB';"
python3 bench/kannel_sink.py 18190 "$work/sent.log" & sink=$!
start() {
  RUST_LOG=error "$bin" --config bench/kill9.toml serve & pid=$!
  for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18183/healthz >/dev/null && return; sleep 0.1; done
  echo "balai did not start" >&2; exit 1
}
trap 'kill $pid $sink 2>/dev/null || true' EXIT
start
python3 bench/kill9_client.py http://127.0.0.1:18183 bench-kannel-token-0123456789 "$seconds" "$work/acked.txt" & client=$!
sleep $((seconds / 2))
echo "== kill -9 after $((seconds / 2)) s: $(wc -l < "$work/acked.txt") MO acknowledged so far"
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
sleep 1
echo "== restart"
start
wait "$client"
echo "== waiting for the outbox to drain"
began=$(date +%s); last=-1; still=0
while :; do
  left=$(sql "SELECT COUNT(*) FROM messages WHERE status = 'pending'")
  [ "$left" = 0 ] && break
  if [ "$left" = "$last" ]; then still=$((still + 1)); else still=0; last=$left; fi
  [ "$still" -ge 150 ] && { echo "no progress for 30 s"; break; }
  sleep 0.2
done
echo "outbox drained in $(( $(date +%s) - began )) s after the run"
kill "$pid"; wait "$pid" 2>/dev/null || true

sql "CREATE TABLE k9_acked (id TEXT PRIMARY KEY); CREATE TABLE k9_sent (ref INTEGER);"
sqlite3 "$db" ".import $work/acked.txt k9_acked"
sqlite3 "$db" ".import $work/sent.log k9_sent"
sql "CREATE INDEX k9_sent_ref ON k9_sent(ref)"
acked=$(sql "SELECT COUNT(*) FROM k9_acked")
stored=$(sql "SELECT COUNT(*) FROM inbound_messages WHERE gateway_message_id IN (SELECT id FROM k9_acked)")
inbound=$(sql "SELECT COUNT(*) FROM inbound_messages")
no_ticket=$(sql "SELECT COUNT(*) FROM inbound_messages WHERE ticket_id IS NULL")
acks=$(sql "SELECT COUNT(*) FROM messages WHERE kind = 'ack'")
tickets=$(sql "SELECT COUNT(*) FROM tickets")
pending=$(sql "SELECT COUNT(*) FROM messages WHERE status = 'pending'")
unsent=$(sql "SELECT COUNT(*) FROM messages m WHERE NOT EXISTS (SELECT 1 FROM k9_sent s WHERE s.ref = m.id)")
twice=$(sql "SELECT COUNT(*) FROM (SELECT ref FROM k9_sent GROUP BY ref HAVING COUNT(*) > 1)")
echo "acknowledged MO: $acked; of them stored: $stored; inbound rows: $inbound (without ticket: $no_ticket)"
echo "tickets: $tickets; acknowledgements queued: $acks; still pending: $pending; never sent: $unsent; sent twice: $twice"
fail=0
[ "$stored" = "$acked" ] || { echo "FAIL: an acknowledged MO is missing"; fail=1; }
[ "$no_ticket" = 0 ] || { echo "FAIL: an MO has no ticket"; fail=1; }
[ "$acks" = "$inbound" ] && [ "$tickets" = "$inbound" ] || { echo "FAIL: tickets or acknowledgements do not match the MO"; fail=1; }
[ "$pending" = 0 ] && [ "$unsent" = 0 ] || { echo "FAIL: queued MT not sent after the restart"; fail=1; }
[ "$fail" = 0 ] && echo "PASS: every acknowledged MO stored exactly once; every queued MT sent" && rm -rf "$work"
exit "$fail"
