//! Failed logins per username, kept in the database so that the backoff holds on every node:
//! after `FREE_FAILURES` failures in a row, each further attempt must wait twice as long as the
//! one before (1 s, 2 s, 4 s … at most `MAX_WAIT_MS`). A success clears the count; failures
//! older than `WINDOW_MS` are forgotten.

use crate::db::run;
use crate::{Db, Result};

pub const FREE_FAILURES: i64 = 5;
pub const MAX_WAIT_MS: i64 = 15 * 60 * 1000;
const WINDOW_MS: i64 = 60 * 60 * 1000;

/// Usernames are compared as typed, minus case, so `Admin` and `admin` share one count.
fn key(username: &str) -> String {
    username
        .trim()
        .chars()
        .take(200)
        .collect::<String>()
        .to_lowercase()
}

/// How long one more attempt must wait after `failures` failures in a row.
pub fn backoff_ms(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = (failures - FREE_FAILURES).min(20) as u32;
    (1000i64 << doublings).min(MAX_WAIT_MS)
}

impl Db {
    /// Milliseconds until this username may try again at `now`; 0 when it may now.
    pub async fn login_wait_ms(&self, username: &str, now: i64) -> Result<i64> {
        let mut conn = self.conn().await?;
        let (failures, last): (i64, Option<i64>) = run!(&mut conn.c(), x => sqlx::query_as(
            "SELECT COUNT(*), MAX(at) FROM login_attempts
             WHERE username = $1 AND NOT success AND at > $2
               AND at > COALESCE((SELECT MAX(at) FROM login_attempts WHERE username = $1 AND success), 0)"
        ).bind(key(username)).bind(now - WINDOW_MS).fetch_one(x).await?);
        let wait = last.map_or(0, |last| last + backoff_ms(failures) - now);
        Ok(wait.max(0))
    }

    /// Records an attempt; a success forgets the username's earlier attempts.
    pub async fn record_login_attempt(
        &self,
        username: &str,
        success: bool,
        now: i64,
    ) -> Result<()> {
        let username = key(username);
        let mut tx = self.begin().await?;
        let forget_before = if success { now } else { now - WINDOW_MS };
        run!(&mut tx.c(), x => sqlx::query("DELETE FROM login_attempts WHERE username = $1 AND at < $2")
            .bind(&username).bind(forget_before).execute(x).await?.rows_affected());
        run!(&mut tx.c(), x => sqlx::query("INSERT INTO login_attempts (username, at, success) VALUES ($1, $2, $3)")
            .bind(&username).bind(now).bind(success).execute(x).await?.rows_affected());
        tx.commit().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_after_the_free_failures_and_is_capped() {
        assert_eq!(backoff_ms(4), 0);
        assert_eq!(backoff_ms(5), 1000);
        assert_eq!(backoff_ms(6), 2000);
        assert_eq!(backoff_ms(9), 16_000);
        assert_eq!(backoff_ms(40), MAX_WAIT_MS);
    }
}
