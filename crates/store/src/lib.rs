//! All SQL of Balai. One `Db` over SQLite or PostgreSQL; the same SQL text runs on both
//! (`$1` placeholders work on both drivers) except where a function says otherwise.

pub mod audit;
pub mod auth;
pub mod backup;
pub mod bulk;
pub mod calendar;
pub mod dashboard;
mod db;
pub mod delegations;
pub mod dispositions;
pub mod escalation;
pub mod gateways;
pub mod lapor;
pub mod login_attempts;
pub mod messages;
pub mod notify;
pub mod org;
pub mod publication;
pub mod reach;
pub mod reports;
pub mod rows;
mod search;
mod secrets;
pub mod settings;
pub mod sms;
pub mod testing;
pub mod tickets;
pub mod timeline;
pub mod workflow;

pub use db::{Backend, C as Conn, Db, Tx};

use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("invalid: {0}")]
    Invalid(String),
    /// A command refused by a rule (`domain::Refusal`); `web` words it.
    #[error("refused: {0:?}")]
    Refused(domain::Refusal),
    /// A value in the database that the code does not know (never silently defaulted).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("SMS intake has stopped")]
    Stopped,
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// A refusal because of the state things are in (HTTP 409): a `Conflict`, or a typed
    /// refusal of that kind.
    pub fn is_conflict(&self) -> bool {
        match self {
            StoreError::Conflict(_) => true,
            StoreError::Refused(r) => r.is_conflict(),
            _ => false,
        }
    }

    /// A refusal of what was sent (HTTP 422): an `Invalid`, or a typed refusal of that kind.
    pub fn is_invalid(&self) -> bool {
        match self {
            StoreError::Invalid(_) => true,
            StoreError::Refused(r) => !r.is_conflict(),
            _ => false,
        }
    }

    pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
        err.as_database_error()
            .is_some_and(|e| e.is_unique_violation())
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Milliseconds since the Unix epoch; every time column holds this.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub use domain::Access;

/// The agency ids whose tickets `access` sees, for a query's `IN (…)` (`None`: the region).
pub fn visible_ids(access: &Access) -> Option<Vec<i64>> {
    access
        .visible_agencies()
        .map(|ids| ids.into_iter().map(domain::AgencyId::get).collect())
}
