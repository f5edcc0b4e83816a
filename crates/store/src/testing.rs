//! Helpers for tests of this crate and the crates above it: a fresh database per test on each
//! backend. PostgreSQL comes from `BALAI_TEST_PG_URL` (default: the local server as `postgres`).

pub mod world;

use crate::db::run;
use crate::{Db, Result};
use sqlx::Connection;
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn unique_name() -> String {
    format!(
        "balai_t_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        &crate::secrets::random_token()[..8]
    )
}

pub fn pg_admin_url() -> String {
    std::env::var("BALAI_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// URL of a new, empty SQLite file in the temporary directory.
pub fn sqlite_url() -> String {
    let path = std::env::temp_dir().join(format!("{}.db", unique_name()));
    format!("sqlite://{}", path.display())
}

/// URL of a new, empty PostgreSQL database. Panics with a clear message when PostgreSQL is
/// unreachable: a missing database is a failure, never a skip.
pub async fn postgres_url() -> String {
    let admin = pg_admin_url();
    let name = unique_name();
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap_or_else(|e| {
        panic!("PostgreSQL is required for the tests (BALAI_TEST_PG_URL={admin}): {e}. Run ./scripts/test.sh")
    });
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let base = admin
        .rsplit_once('/')
        .map(|(b, _)| b.to_string())
        .unwrap_or(admin);
    format!("{base}/{name}")
}

pub async fn migrated(url: &str) -> Db {
    let db = Db::connect(url).await.expect("connect");
    db.migrate().await.expect("migrate");
    db
}

/// A database migrated only up to `version` (an older release's schema), to test upgrades.
pub async fn migrated_to(url: &str, version: i64) -> Db {
    let db = Db::connect(url).await.expect("connect");
    match &db {
        Db::Sqlite { write, .. } => sqlx::migrate!("./migrations/sqlite")
            .run_to(version, write)
            .await
            .expect("migrate"),
        Db::Pg(pool) => sqlx::migrate!("./migrations/postgres")
            .run_to(version, pool)
            .await
            .expect("migrate"),
    }
    db
}

/// A fresh, migrated database on each backend: SQLite first, then PostgreSQL.
pub async fn each_backend() -> Vec<Db> {
    vec![
        migrated(&sqlite_url()).await,
        migrated(&postgres_url().await).await,
    ]
}

impl Db {
    /// Runs raw SQL; tests use it to simulate tampering that the application never does.
    pub async fn execute_raw(&self, sql: &str) -> Result<()> {
        match self {
            Db::Sqlite { write, .. } => {
                let mut conn = write.acquire().await?;
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
                    .execute(&mut *conn)
                    .await?;
            }
            Db::Pg(pool) => {
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
                    .execute(pool)
                    .await?;
            }
        }
        Ok(())
    }

    /// (table, column) pairs of the application's schema, sorted; backend-specific search
    /// machinery (FTS5 tables, tsvector column) and the migrations table left out.
    pub async fn schema_columns(&self) -> Result<Vec<(String, String)>> {
        let mut conn = self.conn().await?;
        let mut columns: Vec<(String, String)> = match self {
            Db::Sqlite { .. } => run!(&mut conn.c(), x => sqlx::query_as(
                "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'
                 AND m.name NOT LIKE 'tickets_fts%' AND m.name NOT LIKE 'published_cases_fts%'"
            ).fetch_all(x).await?),
            Db::Pg(_) => run!(&mut conn.c(), x => sqlx::query_as(
                "SELECT table_name::text, column_name::text FROM information_schema.columns
                 WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'
                 AND NOT (table_name IN ('tickets', 'published_cases') AND column_name = 'search')"
            ).fetch_all(x).await?),
        };
        columns.sort();
        Ok(columns)
    }
}

/// A TCP port free on 127.0.0.1 now, for a peer a test starts (SMTP, Kannel, SMSC).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

/// An agency `code` with one SMS keyword equal to its code; returns the agency id.
pub async fn agency_with_keyword(db: &Db, code: &str) -> i64 {
    let agency = db
        .create_agency(&crate::rows::NewAgency {
            code: code.into(),
            name: format!("Dinas {code}"),
            kind: "agency".into(),
            ..Default::default()
        })
        .await
        .expect("create agency");
    db.create_keyword(code, agency, "")
        .await
        .expect("create keyword");
    agency
}
