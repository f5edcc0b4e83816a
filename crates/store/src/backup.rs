//! What `balai backup` and `balai restore` need from the database: a consistent snapshot taken
//! while the server keeps writing, the counts of that snapshot (written to the backup's
//! manifest and checked after a restore), and whether a restore target is empty.

use crate::db::run;
use crate::{Db, Result, StoreError};
use serde::{Deserialize, Serialize};
use sqlx::{Connection, Postgres, SqliteConnection, Transaction};
use std::path::Path;

/// Rows of a snapshot that a restore must reproduce exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotCounts {
    pub tickets: i64,
    pub ticket_events: i64,
    pub messages: i64,
    pub users: i64,
    /// The newest migration applied, e.g. 13.
    pub schema_version: i64,
}

const COUNTS_SQL: &str =
    "SELECT (SELECT COUNT(*) FROM tickets), (SELECT COUNT(*) FROM ticket_events),
    (SELECT COUNT(*) FROM messages), (SELECT COUNT(*) FROM users),
    (SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success)";

fn counts(
    (tickets, ticket_events, messages, users, schema_version): (i64, i64, i64, i64, i64),
) -> SnapshotCounts {
    SnapshotCounts {
        tickets,
        ticket_events,
        messages,
        users,
        schema_version,
    }
}

/// A PostgreSQL snapshot held open (a repeatable-read transaction) and exported, so that
/// `pg_dump --snapshot=ID` dumps exactly the rows counted here, whatever commits meanwhile.
pub struct PgSnapshot {
    tx: Transaction<'static, Postgres>,
    pub id: String,
    pub counts: SnapshotCounts,
}

impl PgSnapshot {
    /// Ends the snapshot once the dump is written.
    pub async fn release(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}

impl Db {
    /// SQLite: writes a consistent copy of the database to `target` (which must not exist) with
    /// `VACUUM INTO`. It runs in one read transaction on a reader connection, so under WAL the
    /// server's writers carry on and the copy is the state at the start of that transaction.
    pub async fn sqlite_snapshot_into(&self, target: &Path) -> Result<SnapshotCounts> {
        let Db::Sqlite { read, .. } = self else {
            return Err(StoreError::Invalid(
                "VACUUM INTO is for SQLite databases".into(),
            ));
        };
        let target_text = target
            .to_str()
            .ok_or_else(|| StoreError::Invalid(format!("{} is not UTF-8", target.display())))?;
        let mut conn = read.acquire().await?;
        sqlx::query("VACUUM INTO $1")
            .bind(target_text)
            .execute(&mut *conn)
            .await?;
        drop(conn);
        sqlite_file_counts(target).await
    }

    /// PostgreSQL: opens and exports a snapshot; see `PgSnapshot`.
    pub async fn pg_snapshot(&self) -> Result<PgSnapshot> {
        let Db::Pg(pool) = self else {
            return Err(StoreError::Invalid(
                "exported snapshots are for PostgreSQL".into(),
            ));
        };
        let mut tx = pool.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
        let id: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
            .fetch_one(&mut *tx)
            .await?;
        let row = sqlx::query_as(COUNTS_SQL).fetch_one(&mut *tx).await?;
        Ok(PgSnapshot {
            tx,
            id,
            counts: counts(row),
        })
    }

    /// The counts a manifest records, read now.
    pub async fn snapshot_counts(&self) -> Result<SnapshotCounts> {
        let mut conn = self.conn().await?;
        let row = run!(&mut conn.c(), x => sqlx::query_as(COUNTS_SQL).fetch_one(x).await?);
        Ok(counts(row))
    }

    /// True when the database holds no table at all (a restore target must be empty: restoring
    /// over data would mix two regions' tickets).
    pub async fn is_empty(&self) -> Result<bool> {
        let mut conn = self.conn().await?;
        let tables: i64 = match self {
            Db::Sqlite { .. } => run!(&mut conn.c(), x => sqlx::query_scalar(
                "SELECT COUNT(*) FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'"
            ).fetch_one(x).await?),
            Db::Pg(_) => run!(&mut conn.c(), x => sqlx::query_scalar(
                "SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm', 'S', 'p')"
            ).fetch_one(x).await?),
        };
        Ok(tables == 0)
    }
}

/// Counts of a SQLite database file, opened read-only (a backup's copy).
pub async fn sqlite_file_counts(path: &Path) -> Result<SnapshotCounts> {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true);
    let mut conn = SqliteConnection::connect_with(&options).await?;
    let row = sqlx::query_as(COUNTS_SQL).fetch_one(&mut conn).await?;
    conn.close().await?;
    Ok(counts(row))
}
