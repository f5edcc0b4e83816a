#!/usr/bin/env bash
# Runs Balai's whole test suite on SQLite and PostgreSQL, starting or installing what the
# tests need first. With CI=true anything missing is a failure (it always is: nothing is skipped).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\033[31merror: %s\033[0m\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }
apt_install() {
  is_root || die "missing $* and not root: install with: sudo apt-get install -y $*"
  say "installing $* with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# --- PostgreSQL ---------------------------------------------------------------------------
PG_URL="${BALAI_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
if ! pg_up; then
  command -v pg_ctlcluster >/dev/null 2>&1 || apt_install postgresql postgresql-client
  if ! pg_up; then
    say "starting PostgreSQL"
    for version in $(ls /etc/postgresql 2>/dev/null); do
      pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || pg_ctlcluster "$version" main start || true
    done
    for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  fi
  pg_up || die "PostgreSQL is not running on 127.0.0.1:5432 and could not be started"
fi
if ! psql "$PG_URL" -qtAc 'SELECT 1' >/dev/null 2>&1; then
  # A fresh Debian install asks for a password on TCP: give the postgres role one.
  if is_root && command -v runuser >/dev/null; then
    runuser -u postgres -- psql -qc "ALTER USER postgres PASSWORD 'postgres'" >/dev/null
    PG_URL="postgres://postgres:postgres@127.0.0.1:5432/postgres"
  fi
  psql "$PG_URL" -qtAc 'SELECT 1' >/dev/null || die "cannot connect to PostgreSQL as $PG_URL (set BALAI_TEST_PG_URL)"
fi
export BALAI_TEST_PG_URL="$PG_URL"
# Databases left by earlier runs.
for db in $(psql "$PG_URL" -qtAc "SELECT datname FROM pg_database WHERE datname LIKE 'balai_t_%'"); do
  psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
done

# --- Chromium and ChromeDriver for the browser tests ------------------------------------------
if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
  apt_install chromium chromium-driver
fi
export BALAI_TEST_CHROMEDRIVER="${BALAI_TEST_CHROMEDRIVER:-$(command -v chromedriver)}"
export BALAI_TEST_CHROMIUM="${BALAI_TEST_CHROMIUM:-$(command -v chromium)}"

# --- Kannel (bearerbox, smsbox and the fake SMSC) for the Kannel end-to-end test -------------
kannel_bin() { command -v "$1" 2>/dev/null || { [ -x "$2/$1" ] && echo "$2/$1"; }; }
if [ -z "$(kannel_bin bearerbox /usr/sbin)" ] || [ -z "$(kannel_bin smsbox /usr/sbin)" ] \
   || [ -z "$(kannel_bin fakesmsc /usr/lib/kannel/test)" ]; then
  apt_install kannel kannel-extras
fi
export BALAI_TEST_BEARERBOX="${BALAI_TEST_BEARERBOX:-$(kannel_bin bearerbox /usr/sbin)}"
export BALAI_TEST_SMSBOX="${BALAI_TEST_SMSBOX:-$(kannel_bin smsbox /usr/sbin)}"
export BALAI_TEST_FAKESMSC="${BALAI_TEST_FAKESMSC:-$(kannel_bin fakesmsc /usr/lib/kannel/test)}"

# --- poppler-utils (pdftotext, pdfinfo, pdffonts) and unzip to read back the report files ------
if ! command -v pdftotext >/dev/null 2>&1 || ! command -v pdffonts >/dev/null 2>&1; then
  apt_install poppler-utils
fi
command -v unzip >/dev/null 2>&1 || apt_install unzip

# --- Python peers (SMTP server) in a local folder ------------------------------------------------
TOOLS="$PWD/.tools"
if ! PYTHONPATH="$TOOLS/py" python3 -c 'import aiosmtpd' 2>/dev/null; then
  say "installing aiosmtpd into .tools/py"
  python3 -m pip install -q --target "$TOOLS/py" aiosmtpd || die "cannot install aiosmtpd from PyPI"
fi
export BALAI_TEST_PYTHONPATH="$TOOLS/py"
# schemathesis for crates/web/tests/schemathesis.rs (the API against its OpenAPI document);
# pinned, because its checks grow with each release.
SCHEMATHESIS_VERSION=4.32.5
if [ "$(PYTHONPATH="$TOOLS/py" python3 -c 'import schemathesis; print(schemathesis.__version__)' 2>/dev/null)" != "$SCHEMATHESIS_VERSION" ]; then
  say "installing schemathesis $SCHEMATHESIS_VERSION into .tools/py"
  python3 -m pip install -q --upgrade --target "$TOOLS/py" "schemathesis==$SCHEMATHESIS_VERSION" \
    || die "cannot install schemathesis from PyPI"
fi
PYTHONPATH="$TOOLS/py" python3 -c 'import aiosmtpd, schemathesis' || die "aiosmtpd or schemathesis does not load from .tools/py"
export BALAI_TEST_SCHEMATHESIS="$TOOLS/py"

# --- SMPP: an SMSC simulator on the npm `smpp` package, for crates/{sms,web}/tests/smpp.rs -----
SMPP_NPM_VERSION=0.5.1
if [ ! -f "$TOOLS/npm/node_modules/smpp/package.json" ]; then
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  say "installing smpp@$SMPP_NPM_VERSION into .tools/npm"
  npm install --silent --no-save --prefix "$TOOLS/npm" "smpp@$SMPP_NPM_VERSION" || die "cannot install smpp from npm"
fi
command -v node >/dev/null 2>&1 || die "node is required for the SMPP test"
export BALAI_TEST_SMPP_NODE_PATH="$TOOLS/npm/node_modules"
# --- end SMPP ----------------------------------------------------------------------------------

# --- gammu-smsd (SQL service on SQLite via libdbi) for crates/web/tests/gammu.rs -------------
if ! command -v gammu-smsd >/dev/null 2>&1 || ! ls /usr/lib/*/dbd/libdbdsqlite3.so >/dev/null 2>&1; then
  apt_install gammu-smsd libdbd-sqlite3
fi
export BALAI_TEST_GAMMU_SMSD="${BALAI_TEST_GAMMU_SMSD:-$(command -v gammu-smsd)}"
# --- end gammu-smsd ----------------------------------------------------------------------------

# --- The suite -------------------------------------------------------------------------------
say "running the tests (PostgreSQL at ${PG_URL%%@*}@…)"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast "$@"
  cargo test --workspace --doc --quiet
else
  cargo test --workspace --no-fail-fast "$@"
fi
