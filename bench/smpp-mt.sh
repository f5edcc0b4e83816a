#!/usr/bin/env bash
# MT over SMPP benchmark: N queued SMS (default 100,000) drained by `balai serve` through one
# `kind = "smpp"` gateway into bench/smsc-sink.js (an SMSC on the npm `smpp` package), once
# without delivery receipts (rows end `sent`) and once with receipts (rows end `delivered`),
# for each window in WINDOWS (default "10 50").
#
# Usage: bench/smpp-mt.sh [N] [sqlite|postgres]
# Builds nothing: needs ${CARGO_TARGET_DIR:-target}/release/balai, node with the npm `smpp`
# package (NODE_PATH, else $BALAI_TEST_SMPP_NODE_PATH, else .tools/npm/node_modules as
# installed by scripts/test.sh), and sqlite3 or psql.
#
# Figures: "submit_sm/s" is what the SMSC counted between its first and last submit_sm;
# "end to end" is N divided by the time from the first submit_sm until the last row left
# `pending` (without receipts) or was `delivered` (with receipts), polled every 100 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
backend="${2:-sqlite}"
windows="${WINDOWS:-10 50}"
bin=${CARGO_TARGET_DIR:-target}/release/balai
smpp_port="${SMPP_PORT:-12775}"
web_port="${WEB_PORT:-18183}"
export NODE_PATH="${NODE_PATH:-${BALAI_TEST_SMPP_NODE_PATH:-$PWD/.tools/npm/node_modules}}"
[ -x "$bin" ] || { echo "no $bin: cargo build --release first" >&2; exit 1; }
node -e 'require("smpp")' 2>/dev/null || { echo "npm smpp not found (NODE_PATH=$NODE_PATH); run scripts/test.sh" >&2; exit 1; }
work=$(mktemp -d /tmp/balai-smpp-mt.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

now_ms() { date +%s%3N; }

fresh_db() {
  case "$backend" in
    sqlite)
      rm -f "$work"/bench.db*
      url="sqlite://$work/bench.db"
      sql() { sqlite3 "$work/bench.db" "$1"; } ;;
    postgres)
      admin="${BALAI_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
      psql "$admin" -qc "DROP DATABASE IF EXISTS balai_smpp_bench WITH (FORCE)" -qc "CREATE DATABASE balai_smpp_bench" >/dev/null
      url="${admin%/*}/balai_smpp_bench"
      sql() { psql "$url" -qtAc "$1"; } ;;
    *) echo "usage: bench/smpp-mt.sh [N] [sqlite|postgres]" >&2; exit 2 ;;
  esac
  BALAI_DATABASE_URL="$url" "$bin" --config "$work/balai.toml" migrate >/dev/null
  local series pad
  if [ "$backend" = sqlite ]; then
    series="WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $n) SELECT i FROM s"
    pad="printf('%08d', i)"
  else
    series="SELECT generate_series(1, $n) AS i"
    pad="lpad(i::text, 8, '0')"
  fi
  sql "INSERT INTO messages (direction, channel, recipient, subject, body, status, attempts, created_at,
         next_attempt_at, kind, segments)
       SELECT 'out', 'sms', '+62812' || $pad, '',
         'Pengaduan Anda nomor ' || i || ' sudah dijawab. Cek status: ketik STATUS.', 'pending', 0, 0, 0, 'answer', 1
       FROM ($series) AS series" >/dev/null
  [ "$backend" = postgres ] && sql "ANALYZE messages" >/dev/null
  return 0
}

# run WINDOW receipts|none
run() {
  local window=$1 mode=$2
  cat >"$work/balai.toml" <<TOML
[workers]
mail = false
sms = true
sms_interval_ms = 50

[[gateway]]
name = "smsc"
kind = "smpp"
default = true
host = "127.0.0.1"
port = $smpp_port
system_id = "bench"
password = "bench"
window = $window
TOML
  fresh_db
  local sink_flag="" done_sql
  if [ "$mode" = receipts ]; then
    sink_flag="--receipts"
    done_sql="SELECT COUNT(*) FROM messages WHERE status <> 'delivered'"
  else
    done_sql="SELECT COUNT(*) FROM messages WHERE status = 'pending'"
  fi
  node bench/smsc-sink.js --port "$smpp_port" $sink_flag >"$work/sink.log" 2>&1 &
  local sink=$!
  pids+=("$sink")
  for _ in $(seq 1 50); do grep -q listening "$work/sink.log" && break; sleep 0.1; done
  BALAI_DATABASE_URL="$url" BALAI_BIND="127.0.0.1:$web_port" RUST_LOG="${RUST_LOG:-warn}" \
    "$bin" --config "$work/balai.toml" serve >"$work/balai.log" 2>&1 &
  local balai=$!
  pids+=("$balai")
  local started; started=$(now_ms)
  local left=$n done_at
  while :; do
    sleep 0.1
    left=$(sql "$done_sql")
    [ "$left" = 0 ] && { done_at=$(now_ms); break; }
    if (( $(now_ms) - started > 600000 )); then echo "timed out with $left rows left" >&2; done_at=$(now_ms); break; fi
    kill -0 "$balai" 2>/dev/null || { echo "balai exited:"; tail -20 "$work/balai.log"; exit 1; }
  done
  local rss hwm
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$balai/status")
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$balai/status")
  sleep 1.1 # the sink's last stats line
  kill "$balai" 2>/dev/null; wait "$balai" 2>/dev/null || true
  kill "$sink" 2>/dev/null; wait "$sink" 2>/dev/null || true
  pids=()
  local stats first last submits
  stats=$(grep '"stats"' "$work/sink.log" | tail -1)
  first=$(sed -E 's/.*"first":([0-9]+).*/\1/' <<<"$stats")
  last=$(sed -E 's/.*"last":([0-9]+).*/\1/' <<<"$stats")
  submits=$(sed -E 's/.*"submits":([0-9]+).*/\1/' <<<"$stats")
  local statuses
  statuses=$(sql "SELECT status || '=' || COUNT(*) FROM messages GROUP BY status ORDER BY status" | tr '\n' ' ')
  awk -v n="$n" -v s="$submits" -v f="$first" -v l="$last" -v d="$done_at" -v w="$window" -v m="$mode" \
      -v rss="$rss" -v hwm="$hwm" -v st="$statuses" -v b="$backend" 'BEGIN {
    printf "%-8s window %-3d %-8s submit_sm: %6d in %6.2f s = %7.0f/s | end to end: %7.0f MT/s (%.2f s) | RSS %d kB (peak %d kB) | %s\n",
      b, w, (m == "receipts" ? "receipts" : "no DLR"), s, (l - f) / 1000, s / ((l - f) / 1000 + 1e-9),
      n / ((d - f) / 1000), (d - f) / 1000, rss, hwm, st
  }'
  if [ "$submits" != "$n" ]; then echo "  note: the SMSC counted $submits submit_sm for $n messages" >&2; fi
}

echo "== MT over SMPP: $n messages, $backend, $(nproc) CPUs, windows: $windows"
for window in $windows; do
  run "$window" none
  run "$window" receipts
done
