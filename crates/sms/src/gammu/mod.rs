//! gammu-smsd with its SQL service (`service = sql`): Balai writes MT messages into gammu's
//! `outbox` (and `outbox_multipart`), and a poller reads MO messages from `inbox` and the fate of
//! Balai's messages from `sentitems`. gammu's schema is used as shipped (`sqlite.sql`,
//! `pgsql.sql`, version 17); Balai adds nothing to it.
//!
//! Rows Balai writes carry `CreatorID = 'balai'`; the reference Balai keeps for a message is
//! gammu's outbox `ID`, which gammu copies into `sentitems`.

use crate::config::GatewayConfig;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{PgPool, SqlitePool};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

/// `CreatorID` of the rows Balai puts in gammu's outbox; sent items are matched on it.
pub const CREATOR_ID: &str = "balai";

/// Default time between two polls of gammu's tables.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(2);

/// Sent items updated within this window are read on every poll. gammu writes local times
/// (`datetime('now', 'localtime')`, `LOCALTIMESTAMP`) and its triggers UTC ones on SQLite, so
/// the window is wide enough to cover any time zone offset as well as delivery-report latency.
const SENTITEMS_WINDOW: &str = "1 day";

/// A connection pool to one gammu-smsd database.
#[derive(Clone, Debug)]
pub enum GammuDb {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

/// One pool per database URL, created on first use and shared by the sender and the poller.
/// Pools connect lazily; PostgreSQL connections belong to the Tokio runtime that opened them,
/// which in `balai serve` is the only one.
static POOLS: LazyLock<Mutex<HashMap<String, GammuDb>>> = LazyLock::new(Default::default);

impl GammuDb {
    /// The pool for the gateway's `database_url`.
    pub fn for_gateway(gateway: &GatewayConfig) -> Result<GammuDb, String> {
        let url = gateway
            .database_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .ok_or_else(|| format!("gateway {}: `database_url` is not set", gateway.name))?;
        let mut pools = POOLS.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pool) = pools.get(url) {
            return Ok(pool.clone());
        }
        let pool = Self::connect_lazy(url)
            .map_err(|e| format!("gateway {}: database_url: {e}", gateway.name))?;
        pools.insert(url.to_string(), pool.clone());
        Ok(pool)
    }

    fn connect_lazy(url: &str) -> Result<GammuDb, sqlx::Error> {
        if url.starts_with("sqlite:") {
            // gammu-smsd creates and owns the file: never create it, never change its journal
            // mode, and wait for gammu's locks rather than fail.
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(false)
                .foreign_keys(false)
                .busy_timeout(Duration::from_secs(10));
            Ok(GammuDb::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(2)
                    .acquire_timeout(Duration::from_secs(15))
                    .connect_lazy_with(options),
            ))
        } else {
            let options = PgConnectOptions::from_str(url)?;
            Ok(GammuDb::Pg(
                PgPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(Duration::from_secs(15))
                    .connect_lazy_with(options),
            ))
        }
    }

    /// A point in time that gammu sees as "now or earlier", for `SendingDateTime` and
    /// `SendingTimeOut`. SQLite: exactly gammu's own `datetime('now', 'localtime')` (same host,
    /// same time zone). PostgreSQL: sqlx sessions run in UTC while gammu's run in the server's
    /// zone, so a day earlier — "send now" whatever the offset.
    pub(crate) fn now_expr(&self) -> &'static str {
        match self {
            GammuDb::Sqlite(_) => "datetime('now', 'localtime')",
            GammuDb::Pg(_) => "LOCALTIMESTAMP(0) - interval '1 day'",
        }
    }

    pub(crate) fn sentitems_since_expr(&self) -> String {
        match self {
            GammuDb::Sqlite(_) => format!("datetime('now', '-{SENTITEMS_WINDOW}')"),
            GammuDb::Pg(_) => format!("LOCALTIMESTAMP(0) - interval '{SENTITEMS_WINDOW}'"),
        }
    }
}

/// Runs the same sqlx code on whichever pool (or transaction) a [`GammuDb`] holds.
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            GammuDb::Sqlite($pool) => $body,
            GammuDb::Pg($pool) => $body,
        }
    };
}

mod inbox;
mod outbox;
mod poller;

pub use inbox::{InboundBatchItem, InboxRow, assemble_inbox, inbound_coding};
pub use outbox::{OutboxPart, coding_for, outbox_parts, send};
pub use poller::{message_outcome, run_poller, status_outcome};

pub(crate) fn hex_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// gammu's `ID` columns are `integer`/`serial`: 32-bit on PostgreSQL.
pub(crate) fn id_param(id: i64) -> i32 {
    i32::try_from(id).unwrap_or(i32::MAX)
}
