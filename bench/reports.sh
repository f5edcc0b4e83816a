#!/usr/bin/env bash
# Report benchmark (issue 6). Usage: bench/reports.sh [sqlite|postgres] [monthly|semester|all]
#  monthly:  a fresh database with one agency (OPD001) and 10,000 tickets received in the last
#            day, then `balai report monthly` for the current month as XLSX, PDF and CSV.
#  semester: a fresh database with 1,000,000 tickets over 20 agencies received in the last 150
#            days (all inside the current half year when run from July to December), then
#            `balai report semester` for the region as PDF and XLSX, twice.
# Each run prints the wall time; `balai report` also prints its query and render times.
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-sqlite}"
what="${2:-all}"
bin=${CARGO_TARGET_DIR:-target}/release/balai
out=/tmp/balai-report-bench
mkdir -p "$out"

fresh() { # NAME -> sets url to an empty database
  case "$backend" in
    sqlite) rm -f "/tmp/balai-$1.db"*; url="sqlite:///tmp/balai-$1.db" ;;
    postgres)
      admin="${BALAI_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
      psql "$admin" -qc "DROP DATABASE IF EXISTS balai_$1 WITH (FORCE)" -qc "CREATE DATABASE balai_$1"
      url="${admin%/*}/balai_$1" ;;
    *) echo "backend: sqlite or postgres" >&2; exit 2 ;;
  esac
}
timed() { /usr/bin/time -f "   wall=%es maxrss=%MKB" "$@"; }

if [ "$what" = monthly ] || [ "$what" = all ]; then
  fresh report_monthly
  echo "== monthly recap, 10,000 tickets of one agency ($backend)"
  "$bin" seed --tickets 10000 --agencies 1 --days 1 --database-url "$url" | tail -1
  month=$(TZ=Asia/Jakarta date -d '-12 hours' +%Y-%m)
  for format in xlsx pdf csv; do
    timed "$bin" report monthly --agency OPD001 --period "$month" --format "$format" -o "$out/rekap.$format" --database-url "$url"
  done
  command -v pdfinfo >/dev/null && pdfinfo "$out/rekap.pdf" | grep -E '^Pages'
fi

if [ "$what" = semester ] || [ "$what" = all ]; then
  fresh report_semester
  echo "== semester report, region of 1,000,000 tickets ($backend)"
  "$bin" seed --tickets 1000000 --agencies 20 --days 150 --database-url "$url" | tail -1
  month=$(TZ=Asia/Jakarta date +%m); year=$(TZ=Asia/Jakarta date +%Y)
  if [ "$((10#$month))" -ge 7 ]; then period="$year-S2"; else period="$year-S1"; fi
  for run in 1 2; do
    for format in pdf xlsx; do
      timed "$bin" report semester --period "$period" --format "$format" -o "$out/semester.$format" --database-url "$url"
    done
  done
fi
