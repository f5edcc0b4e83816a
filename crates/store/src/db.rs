use crate::Result;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{PgConnection, Postgres, Sqlite, SqliteConnection, Transaction};
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The database. On SQLite, writes go through a single connection (SQLite has one writer;
/// queueing in-process avoids lock contention) and reads through a pool.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite { read: SqlitePool, write: SqlitePool },
    Pg(PgPool),
}

/// A borrowed connection of either backend (see `run!`); the application layer passes it,
/// taken from a `Tx`, to the store's table functions so one command is one transaction.
pub enum C<'a> {
    Lite(&'a mut SqliteConnection),
    Pg(&'a mut PgConnection),
}

/// Runs `$body` with `$x` bound to the backend's connection; the body is compiled once per
/// backend, so the same generic sqlx code serves both.
macro_rules! run {
    ($c:expr, $x:ident => $body:expr) => {
        match $c {
            $crate::db::C::Lite(inner) => {
                let $x = &mut **inner;
                $body
            }
            $crate::db::C::Pg(inner) => {
                let $x = &mut **inner;
                $body
            }
        }
    };
}
pub(crate) use run;

impl C<'_> {
    pub(crate) fn is_sqlite(&self) -> bool {
        matches!(self, C::Lite(_))
    }

    /// `FOR UPDATE` on PostgreSQL; SQLite's write transaction already excludes other writers.
    pub(crate) fn for_update(&self) -> &'static str {
        if self.is_sqlite() { "" } else { " FOR UPDATE" }
    }
}

/// Placeholders for statements built at run time (multi-row inserts, `IN` lists). Bind in the
/// order the placeholders appear. SQLite gets anonymous `?`: its lookup of a numbered `$N` is
/// linear, which makes a statement with thousands of parameters quadratic.
pub(crate) struct Placeholders {
    sqlite: bool,
    n: usize,
}

impl Placeholders {
    pub(crate) fn new(sqlite: bool) -> Self {
        Self { sqlite, n: 0 }
    }

    pub(crate) fn for_conn(c: &C<'_>) -> Self {
        Self::new(c.is_sqlite())
    }

    pub(crate) fn next(&mut self) -> String {
        self.n += 1;
        if self.sqlite {
            "?".to_string()
        } else {
            format!("${}", self.n)
        }
    }

    /// `p, p, p` with `k` placeholders.
    pub(crate) fn list(&mut self, k: usize) -> String {
        (0..k).map(|_| self.next()).collect::<Vec<_>>().join(", ")
    }

    /// `(p, p, p)` with `k` placeholders.
    pub(crate) fn row(&mut self, k: usize) -> String {
        format!("({})", self.list(k))
    }

    /// `(p, p), (p, p), …`: `rows` tuples of `k` placeholders.
    pub(crate) fn rows(&mut self, rows: usize, k: usize) -> String {
        (0..rows)
            .map(|_| self.row(k))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A write transaction; dropped without `commit`, it rolls back.
pub enum Tx {
    Lite(Transaction<'static, Sqlite>),
    Pg(Transaction<'static, Postgres>),
}

impl Tx {
    pub fn c(&mut self) -> C<'_> {
        match self {
            Tx::Lite(t) => C::Lite(&mut *t),
            Tx::Pg(t) => C::Pg(&mut *t),
        }
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Lite(t) => t.commit().await?,
            Tx::Pg(t) => t.commit().await?,
        }
        Ok(())
    }
}

pub(crate) enum Pooled {
    Lite(PoolConnection<Sqlite>),
    Pg(PoolConnection<Postgres>),
}

impl Pooled {
    pub(crate) fn c(&mut self) -> C<'_> {
        match self {
            Pooled::Lite(p) => C::Lite(&mut *p),
            Pooled::Pg(p) => C::Pg(&mut *p),
        }
    }
}

impl Db {
    /// `sqlite://PATH` (the file is created when missing), `sqlite::memory:` or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            return Ok(Db::Pg(pool));
        }
        if !url.starts_with("sqlite:") {
            return Err(crate::StoreError::Invalid(format!(
                "database URL must start with sqlite:// or postgres://, got {url:?}"
            )));
        }
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", "-16000")
            .pragma("temp_store", "memory");
        let options = if memory {
            options
        } else {
            options
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
        };
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await?;
        // An in-memory database exists per connection: share the writer for reads too.
        let read = if memory {
            write.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(
                    options
                        .read_only(true)
                        .create_if_missing(false)
                        .pragma("cache_size", "-8000"),
                )
                .await?
        };
        Ok(Db::Sqlite { read, write })
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Pg(_) => Backend::Postgres,
        }
    }

    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite { write, .. } => sqlx::migrate!("./migrations/sqlite").run(write).await?,
            Db::Pg(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            // IMMEDIATE takes the write lock up front, so a transaction never fails half-way
            // when it upgrades from reading to writing.
            Db::Sqlite { write, .. } => Tx::Lite(write.begin_with("BEGIN IMMEDIATE").await?),
            Db::Pg(pool) => Tx::Pg(pool.begin().await?),
        })
    }

    pub(crate) async fn conn(&self) -> Result<Pooled> {
        Ok(match self {
            Db::Sqlite { read, .. } => Pooled::Lite(read.acquire().await?),
            Db::Pg(pool) => Pooled::Pg(pool.acquire().await?),
        })
    }

    /// `FOR UPDATE` on PostgreSQL; SQLite's write transaction already excludes other writers.
    pub fn for_update(&self) -> &'static str {
        match self {
            Db::Sqlite { .. } => "",
            Db::Pg(_) => " FOR UPDATE",
        }
    }

    pub async fn ping(&self) -> Result<()> {
        let mut conn = self.conn().await?;
        run!(&mut conn.c(), x => sqlx::query("SELECT 1").execute(x).await?.rows_affected());
        Ok(())
    }

    /// Refreshes the query planner's statistics (after bulk loads).
    pub async fn analyze(&self) -> Result<()> {
        let mut tx = self.begin().await?;
        run!(&mut tx.c(), x => sqlx::query("ANALYZE").execute(x).await?.rows_affected());
        tx.commit().await
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Db::Pg(pool) => pool.close().await,
        }
    }
}
